// The host TFLite reader: the fixture models read as their README describes them, hand-built
// models exercise each validation, and thousands of mutated copies of real models either
// read or fail with a one-line UserError — nothing else, and quickly.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Builder } from "flatbuffers";
import { UserError } from "../../emulator/errors.ts";
import { readModel, type TfliteModel } from "../../emulator/model/tflite-model.ts";
import { describeLayers } from "../../emulator/model/layers.ts";
import { planArena } from "../../emulator/model/planner.ts";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";

const FIXTURES = path.resolve("../shared/fixtures");
const fixture = (rel: string) => new Uint8Array(readFileSync(path.join(FIXTURES, rel)));
const load = (rel: string): TfliteModel => readModel(fixture(rel), path.basename(rel));

// ---- the fixtures ------------------------------------------------------------------------

test("fixture inputs and outputs are as their README says", (t) => {
  const io = (m: TfliteModel, i: number) => ({
    type: m.tensors[i].type,
    shape: m.tensors[i].shape,
  });
  const cases: [string, { type: string; shape: number[] }, { type: string; shape: number[] }][] = [
    [
      "tflite-micro/hello_world_int8.tflite",
      { type: "int8", shape: [1, 1] },
      { type: "int8", shape: [1, 1] },
    ],
    [
      "tflite-micro/hello_world_float.tflite",
      { type: "float32", shape: [1, 1] },
      { type: "float32", shape: [1, 1] },
    ],
    [
      "tflite-micro/person_detect.tflite",
      { type: "int8", shape: [1, 96, 96, 1] },
      { type: "int8", shape: [1, 2] },
    ],
    [
      "tflite-micro/micro_speech_quantized.tflite",
      { type: "int8", shape: [1, 1960] },
      { type: "int8", shape: [1, 4] },
    ],
    [
      "tflite-micro/magic_wand/magic_wand.tflite",
      { type: "float32", shape: [1, 128, 3, 1] },
      { type: "float32", shape: [1, 4] },
    ],
    [
      "mlcommons-tiny/kws_ref_model.tflite",
      { type: "int8", shape: [1, 49, 10, 1] },
      { type: "int8", shape: [1, 12] },
    ],
    [
      "mlcommons-tiny/vww_96_int8.tflite",
      { type: "int8", shape: [1, 96, 96, 3] },
      { type: "int8", shape: [1, 2] },
    ],
    [
      "mlcommons-tiny/ad01_int8.tflite",
      { type: "int8", shape: [1, 640] },
      { type: "int8", shape: [1, 640] },
    ],
  ];
  for (const [file, input, output] of cases) {
    const m = load(file);
    t.is(m.version, 3, file);
    t.deepEqual(io(m, m.inputs[0]), input, file);
    t.deepEqual(io(m, m.outputs[0]), output, file);
  }
  const person = load("tflite-micro/person_detect.tflite").tensors;
  const q = person.find((x) => x.shape.join() === "1,96,96,1" && !x.isConstant)!.quantization!;
  t.is(q.zeroPoint[0], -1);
  t.true(Math.abs(q.scale[0] - 1 / 127.5) < 1e-6);
  const kws = load("mlcommons-tiny/kws_ref_model.tflite");
  const kq = kws.tensors[kws.inputs[0]].quantization!;
  t.is(kq.zeroPoint[0], 83);
  t.true(Math.abs(kq.scale[0] - 0.5847) < 1e-4);
});

test("ops, options and constants of the small fixtures", (t) => {
  const hello = load("tflite-micro/hello_world_int8.tflite");
  t.deepEqual(
    hello.operators.map((o) => o.opName),
    ["FULLY_CONNECTED", "FULLY_CONNECTED", "FULLY_CONNECTED"],
  );
  t.deepEqual(
    hello.operators.map((o) => (o.options as { activation: string }).activation),
    ["RELU", "RELU", "NONE"],
  );
  // Constants are used in place: their data offset points at the bytes in the file.
  const bytes = fixture("tflite-micro/hello_world_int8.tflite");
  for (const x of hello.tensors.filter((x) => x.isConstant)) {
    t.true(x.data!.offset + x.data!.length <= bytes.length);
    t.true(x.data!.length >= x.byteSize);
  }
  const dw = load("tflite-micro/network_tester/network_model.tflite").operators[0];
  t.deepEqual(dw.options, {
    kind: "depthwise",
    padding: "SAME",
    strideW: 2,
    strideH: 2,
    depthMultiplier: 1,
    activation: "NONE",
    dilationW: 1,
    dilationH: 1,
  });
  const speech = load("tflite-micro/micro_speech_quantized.tflite").operators;
  t.deepEqual(
    speech.map((o) => o.opName),
    ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"],
  );
  t.deepEqual(speech[0].options, { kind: "reshape", newShape: [-1, 49, 40, 1] });
  t.deepEqual(speech[3].options, { kind: "softmax", beta: 1 });
  const pool = load("tflite-micro/person_detect.tflite").operators[27];
  t.deepEqual(pool.options, {
    kind: "pool",
    padding: "VALID",
    strideW: 2,
    strideH: 2,
    filterW: 3,
    filterH: 3,
    activation: "NONE",
  });
});

test("person_detect's rank-1 biases with quantized_dimension 3 read along axis 0", (t) => {
  const odd = load("tflite-micro/person_detect.tflite").tensors.filter(
    (x) => x.quantization?.storedQuantizedDimension === 3 && x.shape.length === 1,
  );
  t.is(odd.length, 14);
  for (const x of odd) {
    t.is(x.quantization!.quantizedDimension, 0);
    t.is(x.quantization!.scale.length, x.shape[0]);
  }
});

test("MAC totals equal the MLPerf Tiny README figures", (t) => {
  const macs = (f: string) => describeLayers(load(f)).totalMacs;
  t.is(macs("mlcommons-tiny/kws_ref_model.tflite"), 2_656_768);
  t.is(macs("mlcommons-tiny/vww_96_int8.tflite"), 7_489_664);
  t.is(macs("mlcommons-tiny/ad01_int8.tflite"), 264_192);
});

// ---- hand-built models ---------------------------------------------------------------------

interface TensorSpec {
  shape: number[];
  type?: number;
  buffer?: number;
  quant?: { scale: number[]; zp: number[]; dim?: number };
}
interface ModelSpec {
  version?: number;
  codes: { dep?: number; builtin?: number; custom?: string }[];
  tensors: TensorSpec[];
  buffers: (number[] | null)[];
  ops: {
    code?: number;
    inputs: number[];
    outputs: number[];
    optionsType?: number;
    conv?: { stride: number };
  }[];
  inputs: number[];
  outputs: number[];
  subgraphs?: number;
}

/** A .tflite flatbuffer from a spec, written with flatbuffers' Builder (schema.fbs field ids). */
function build(s: ModelSpec): Uint8Array {
  const b = new Builder(256);
  const vec = (size: number, xs: number[], add: (x: number) => void) => {
    b.startVector(size, xs.length, size);
    for (let i = xs.length - 1; i >= 0; i--) add(xs[i]);
    return b.endVector();
  };
  const ints = (xs: number[]) => vec(4, xs, (x) => b.addInt32(x));
  const tables = (xs: number[]) => vec(4, xs, (x) => b.addOffset(x));
  const codes = s.codes.map((c) => {
    const custom = c.custom ? b.createString(c.custom) : 0;
    b.startObject(4);
    b.addFieldInt8(0, c.dep ?? 0, 0);
    if (custom) b.addFieldOffset(1, custom, 0);
    b.addFieldInt32(3, c.builtin ?? 0, 0);
    return b.endObject();
  });
  const tensors = s.tensors.map((x, i) => {
    const shape = ints(x.shape);
    const name = b.createString(`t${i}`);
    let quant = 0;
    if (x.quant) {
      const scale = vec(4, x.quant.scale, (v) => b.addFloat32(v));
      const zp = vec(8, x.quant.zp, (v) => b.addInt64(BigInt(v)));
      b.startObject(7);
      b.addFieldOffset(2, scale, 0);
      b.addFieldOffset(3, zp, 0);
      b.addFieldInt32(6, x.quant.dim ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, x.type ?? 9, 0);
    b.addFieldInt32(2, x.buffer ?? 0, 0);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  const ops = s.ops.map((o) => {
    const inputs = ints(o.inputs);
    const outputs = ints(o.outputs);
    let options = 0;
    if (o.conv) {
      b.startObject(6);
      b.addFieldInt32(1, o.conv.stride, 0);
      b.addFieldInt32(2, o.conv.stride, 0);
      options = b.endObject();
    }
    b.startObject(5);
    b.addFieldInt32(0, o.code ?? 0, 0);
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    b.addFieldInt8(3, o.optionsType ?? (options ? 1 : 0), 0);
    if (options) b.addFieldOffset(4, options, 0);
    return b.endObject();
  });
  const tensorVec = tables(tensors);
  const opVec = tables(ops);
  const inVec = ints(s.inputs);
  const outVec = ints(s.outputs);
  b.startObject(5);
  b.addFieldOffset(0, tensorVec, 0);
  b.addFieldOffset(1, inVec, 0);
  b.addFieldOffset(2, outVec, 0);
  b.addFieldOffset(3, opVec, 0);
  const sg = b.endObject();
  const buffers = s.buffers.map((d) => {
    const data = d ? b.createByteVector(new Uint8Array(d)) : 0;
    b.startObject(3);
    if (data) b.addFieldOffset(0, data, 0);
    return b.endObject();
  });
  const codeVec = tables(codes);
  const sgVec = tables(new Array(s.subgraphs ?? 1).fill(sg));
  const bufVec = tables(buffers);
  const desc = b.createString("hand-built");
  b.startObject(5);
  b.addFieldInt32(0, s.version ?? 3, 0);
  b.addFieldOffset(1, codeVec, 0);
  b.addFieldOffset(2, sgVec, 0);
  b.addFieldOffset(3, desc, 0);
  b.addFieldOffset(4, bufVec, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}

/** One CONV_2D: input 0 [1,4,4,2], filter 1 [3,1,1,2] (constant), output 2 [1,4,4,3]. */
const conv = (): ModelSpec => ({
  codes: [{ dep: 3, builtin: 3 }],
  tensors: [
    { shape: [1, 4, 4, 2] },
    { shape: [3, 1, 1, 2], buffer: 1, quant: { scale: [0.1, 0.2, 0.3], zp: [0, 0, 0] } },
    { shape: [1, 4, 4, 3] },
  ],
  buffers: [null, [1, 2, 3, 4, 5, 6]],
  ops: [{ inputs: [0, 1, -1], outputs: [2], conv: { stride: 1 } }],
  inputs: [0],
  outputs: [2],
});

const readsAs = (spec: ModelSpec) => readModel(build(spec), "m.tflite");
const fails = (t: import("ava").ExecutionContext, spec: ModelSpec, message: string) => {
  const e = t.throws(() => readsAs(spec), { instanceOf: UserError });
  t.is(e?.message, message);
};

test("a hand-built conv model reads back", (t) => {
  const m = readsAs(conv());
  t.is(m.description, "hand-built");
  t.is(m.operators[0].opName, "CONV_2D");
  t.deepEqual(m.operators[0].inputs, [0, 1, -1]);
  t.deepEqual(m.operators[0].options, {
    kind: "conv",
    padding: "SAME",
    strideW: 1,
    strideH: 1,
    activation: "NONE",
    dilationW: 1,
    dilationH: 1,
  });
  t.true(m.tensors[1].isConstant);
  t.false(m.tensors[0].isConstant);
  t.is(m.tensors[1].quantization!.quantizedDimension, 0);
  t.is(describeLayers(m).totalMacs, 4 * 4 * 3 * 2);
});

test("op codes: max(deprecated_builtin_code, builtin_code); unknown and custom ops are listed", (t) => {
  const op = (codes: ModelSpec["codes"]) =>
    readsAs({ ...conv(), codes, ops: [{ inputs: [0, 1], outputs: [2], conv: { stride: 1 } }] })
      .operators[0];
  t.is(op([{ dep: 3 }]).opName, "CONV_2D"); // old files fill only the byte
  t.is(op([{ builtin: 3 }]).opName, "CONV_2D");
  t.is(op([{ dep: 127, builtin: 150 }]).opName, "GELU"); // past 127: the placeholder byte
  t.is(op([{ dep: 127, builtin: 250 }]).opName, "BUILTIN_250");
  const custom = op([{ dep: 32, custom: "TFLite_Detection_PostProcess" }]);
  t.is(custom.opName, "CUSTOM");
  t.is(custom.customCode, "TFLite_Detection_PostProcess");
});

test("corrupt content is a one-line UserError naming the file, layer and op", (t) => {
  fails(
    t,
    { ...conv(), ops: [{ inputs: [99, 1], outputs: [2], conv: { stride: 1 } }] },
    "m.tflite: layer 0 (CONV_2D): input tensor 99 out of range (3 tensors)",
  );
  fails(
    t,
    { ...conv(), ops: [{ inputs: [0, 1], outputs: [-1], conv: { stride: 1 } }] },
    "m.tflite: layer 0 (CONV_2D): output tensor -1 out of range (3 tensors)",
  );
  fails(
    t,
    { ...conv(), ops: [{ inputs: [0, 1], outputs: [], conv: { stride: 1 } }] },
    "m.tflite: layer 0 (CONV_2D): no outputs",
  );
  fails(
    t,
    { ...conv(), ops: [{ code: 4, inputs: [0], outputs: [2] }] },
    "m.tflite: layer 0: operator code 4 out of range (1 codes)",
  );
  fails(
    t,
    { ...conv(), ops: [{ inputs: [0, 1], outputs: [2], conv: { stride: 0 } }] },
    "m.tflite: layer 0 (CONV_2D): stride_w 0 (must be at least 1)",
  );
  fails(
    t,
    { ...conv(), ops: [{ inputs: [0, 1], outputs: [2], conv: { stride: 1 }, optionsType: 8 }] },
    "m.tflite: layer 0 (CONV_2D): builtin options are of union type 8, expected Conv2DOptions",
  );
  const tensors = conv().tensors;
  fails(
    t,
    { ...conv(), tensors: [tensors[0], { ...tensors[1], buffer: 9 }, tensors[2]] },
    "m.tflite: tensor 1: buffer 9 out of range (2 buffers)",
  );
  fails(
    t,
    { ...conv(), tensors: [{ shape: [1], type: 42 }, tensors[1], tensors[2]] },
    "m.tflite: tensor 0: unknown tensor type 42",
  );
  fails(
    t,
    { ...conv(), buffers: [null, [1, 2, 3, 4]] },
    "m.tflite: tensor 1: constant data has 4 bytes, shape [3,1,1,2] of int8 needs 6",
  );
  fails(
    t,
    {
      ...conv(),
      tensors: [tensors[0], { ...tensors[1], quant: { scale: [1, 2], zp: [0, 0] } }, tensors[2]],
    },
    "m.tflite: tensor 1: 2 channel scales do not match dimension 0 of shape [3,1,1,2]",
  );
  fails(
    t,
    { ...conv(), inputs: [7] },
    "m.tflite: subgraph 0: input tensor 7 out of range (3 tensors)",
  );
  fails(t, { ...conv(), version: 2 }, "m.tflite: model: unsupported schema version 2 (expected 3)");
  fails(t, { ...conv(), subgraphs: 0 }, "m.tflite: model: model has no subgraph");
  const e = t.throws(() => readModel(new TextEncoder().encode('{"not": "a model"}'), "x.json"), {
    instanceOf: UserError,
  });
  t.is(e?.message, "x.json: not a TFLite model (no TFL3 identifier)");
  t.throws(() => readModel(new Uint8Array(0), "empty.tflite"), {
    instanceOf: UserError,
    message: /empty\.tflite: not a TFLite model/,
  });
});

test("more than one subgraph reads subgraph 0", (t) => {
  const m = readsAs({ ...conv(), subgraphs: 2 });
  t.is(m.subgraphCount, 2);
  t.is(m.operators.length, 1);
});

// ---- fuzzing ----------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32) so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Positions in a sound model worth hitting: tables, their vtables, field slots and vector lengths. */
function landmarks(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Set<number>(),
    vtables = new Set<number>(),
    fields = new Set<number>(),
    vectors = new Set<number>();
  // For each table kind, its table-valued and vector-of-tables fields (schema.fbs ids).
  const kinds: Record<
    string,
    { tables?: Record<number, string>; vectors?: Record<number, string> }
  > = {
    model: { vectors: { 1: "code", 2: "subgraph", 4: "buffer" } },
    subgraph: { vectors: { 0: "tensor", 3: "op" } },
    tensor: { tables: { 4: "leaf" } },
    op: { tables: { 4: "leaf" } },
  };
  const visit = (pos: number, kind: string) => {
    if (tables.has(pos)) return;
    tables.add(pos);
    const vt = pos - dv.getInt32(pos, true);
    vtables.add(vt);
    const vtSize = dv.getUint16(vt, true);
    for (let id = 0; 4 + 2 * id < vtSize; id++) {
      const rel = dv.getUint16(vt + 4 + 2 * id, true);
      if (!rel) continue;
      const at = pos + rel;
      fields.add(at);
      const k = kinds[kind];
      if (k?.tables?.[id]) visit(at + dv.getUint32(at, true), k.tables[id]);
      if (k?.vectors?.[id]) {
        const v = at + dv.getUint32(at, true);
        vectors.add(v);
        for (let i = 0; i < dv.getUint32(v, true); i++)
          visit(v + 4 + 4 * i + dv.getUint32(v + 4 + 4 * i, true), k.vectors[id]);
      }
    }
  };
  visit(dv.getUint32(0, true), "model");
  return { tables: [...tables], vtables: [...vtables], fields: [...fields], vectors: [...vectors] };
}

const FUZZ_MODELS = [
  "tflite-micro/hello_world_int8.tflite",
  "tflite-micro/network_tester/network_model.tflite",
  "tflite-micro/micro_speech_quantized.tflite",
  "mlcommons-tiny/kws_ref_model.tflite",
  "tflite-micro/person_detect.tflite",
];
const FUZZ_CASES = 3000;

for (const [n, file] of FUZZ_MODELS.entries()) {
  test(`fuzz: ${FUZZ_CASES} mutated copies of ${path.basename(file)} read or fail with a one-line UserError`, (t) => {
    const original = fixture(file);
    const marks = landmarks(original);
    const random = rng(0x7f4a7c15 + n);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const word = () =>
      pick([
        () => Math.floor(random() * 2 ** 32),
        () => Math.floor(random() * 64),
        () => original.length + Math.floor(random() * 16) - 8,
        () => 0xffffffff,
        () => 0x7fffffff,
        () => 0x80000000,
        () => -Math.floor(random() * 64) >>> 0,
      ])();
    const failures: string[] = [];
    let read = 0,
      maxMs = 0;
    for (let i = 0; i < FUZZ_CASES; i++) {
      let bytes = original.slice();
      const dv = new DataView(bytes.buffer);
      const put = (at: number) => {
        if (at >= 0 && at + 4 <= bytes.length) dv.setUint32(at, word(), true);
      };
      const kind = i % 6;
      if (kind === 0)
        for (let k = 1 + Math.floor(random() * 4); k > 0; k--)
          bytes[Math.floor(random() * bytes.length)] ^= 1 + Math.floor(random() * 255);
      else if (kind === 1) bytes = bytes.slice(0, Math.floor(random() * bytes.length));
      else if (kind === 2) put(pick(marks.fields));
      else if (kind === 3) {
        const vt = pick(marks.vtables);
        bytes.fill(0, vt, vt + 4 + Math.floor(random() * 12));
      } else if (kind === 4) put(pick(marks.vectors));
      else put(pick([...marks.tables, 0]));
      const t0 = performance.now();
      try {
        const m = readModel(bytes, "fuzz.tflite");
        describeLayers(m);
        planArena(m);
        read++;
      } catch (e) {
        const msg = (e as Error)?.message ?? String(e);
        if (!(e instanceof UserError))
          failures.push(`case ${i} (kind ${kind}): ${(e as Error)?.name}: ${msg}`);
        else if (
          msg.includes("\n") ||
          !msg.startsWith("fuzz.tflite: ") ||
          msg.includes("internal reader error")
        )
          failures.push(`case ${i} (kind ${kind}): ${msg}`);
      }
      maxMs = Math.max(maxMs, performance.now() - t0);
    }
    t.deepEqual(failures.slice(0, 10), []);
    t.true(maxMs < 1000, `slowest case took ${maxMs.toFixed(1)} ms`);
    t.log(`${read} of ${FUZZ_CASES} still read; slowest case ${maxMs.toFixed(1)} ms`);
  });
}

// Issue 12.7: graphs that would compute from whatever the arena held are refused, naming the layer.
test("a cycle, a read before any write, an output no layer writes and NaN/zero/negative scales are refused naming the layer", (t) => {
  const q = (scale: number) => ({ scale: [scale], zeroPoint: [0] });
  const act = (name: string, scale = 0.1) => ({
    name,
    type: "int8" as const,
    shape: [1, 4],
    quant: q(scale),
  });
  const model = (over: Partial<WriterModel>): WriterModel => ({
    tensors: [act("in"), act("mid"), act("out")],
    ops: [
      { op: "RELU", inputs: [0], outputs: [1] },
      { op: "RELU", inputs: [1], outputs: [2] },
    ],
    inputs: [0],
    outputs: [2],
    ...over,
  });
  const refused = (m: WriterModel, message: RegExp) => {
    const e = t.throws(() => readModel(writeTflite(m), "g.tflite"));
    t.is(e?.name, "UserError");
    t.regex(e?.message ?? "", message);
  };
  t.notThrows(() => readModel(writeTflite(model({})), "g.tflite"));
  refused(
    model({
      ops: [
        { op: "RELU", inputs: [1], outputs: [2] },
        { op: "RELU", inputs: [0], outputs: [1] },
      ],
    }),
    /g\.tflite: layer 0 \(RELU\): reads tensor 1 'mid' before layer 1 \(RELU\) writes it/,
  );
  refused(
    model({
      ops: [
        { op: "RELU", inputs: [2], outputs: [1] },
        { op: "RELU", inputs: [1], outputs: [2] },
      ],
    }),
    /layer 0 \(RELU\): reads tensor 2 'out' before layer 1 \(RELU\) writes it \(the graph has a cycle/,
  );
  refused(
    model({
      tensors: [act("in"), act("mid"), act("out"), act("stray")],
      ops: [
        { op: "RELU", inputs: [3], outputs: [1] },
        { op: "RELU", inputs: [1], outputs: [2] },
      ],
    }),
    /layer 0 \(RELU\): reads tensor 3 'stray', which no earlier layer writes/,
  );
  refused(
    model({ ops: [{ op: "RELU", inputs: [0], outputs: [1] }] }),
    /model output tensor 2 'out' is written by no layer/,
  );
  for (const s of [NaN, 0, -0.5, Infinity]) {
    refused(
      model({ tensors: [act("in"), act("mid", s), act("out")] }),
      new RegExp(`layer 0 \\(RELU\\): tensor 1 'mid' has quantisation scale ${s}`),
    );
  }
});
