// Cases of the non-convolution kernels beyond op-models: RELU/RELU6, broadcasts of several
// shapes, negative and outer axes, MEAN over other axes and with the input's quantisation,
// PAD of other ranks, the SIMD and scalar paths of pooling (over 16 channels, over 256
// taps), saturating inputs, and refusals. Each runs on rt1060 against the TFLite reference
// (int8 within 1, float32 within 1e-5, relative above 1); int8 CONCATENATION with differing
// scales, which TFLite refuses, is checked against TFLite's ConcatenationWithScaling formula.
import test from "ava";
import {
  writeTflite,
  type WriterModel,
  type WriterTensor,
  type WriterType,
} from "../../emulator/model/tflite-writer.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";

type Quant = WriterTensor["quant"];
const q = (scale: number, zeroPoint: number): Quant => ({
  scale: [Math.fround(scale)],
  zeroPoint: [zeroPoint],
});
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Deterministic bytes (int8) or floats in [-lim, lim] for a shape. */
function data(type: WriterType, shape: number[], seed: number, lim = 3): Uint8Array {
  let s = (seed * 2654435761) >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const n = size(shape);
  if (type === "float32")
    return new Uint8Array(Float32Array.from({ length: n }, () => (next() * 2 - 1) * lim).buffer);
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

interface Case {
  name: string;
  op: string;
  /** Activation inputs (type, shape, quantisation). */
  inputs: { type: WriterType; shape: number[]; quant?: Quant }[];
  /** Constant inputs appended after the activations (an axis, paddings or a second operand). */
  consts?: { type: WriterType; shape: number[]; data: Uint8Array; quant?: Quant }[];
  output: { type: WriterType; shape: number[]; quant?: Quant };
  options?: WriterOp["options"];
}
type WriterOp = WriterModel["ops"][number];

function build(c: Case): WriterModel {
  const tensors: WriterTensor[] = [];
  const inputs = c.inputs.map(
    (t, i) => tensors.push({ name: `in${i}`, type: t.type, shape: t.shape, quant: t.quant }) - 1,
  );
  const consts = (c.consts ?? []).map(
    (t, i) =>
      tensors.push({
        name: `const${i}`,
        type: t.type,
        shape: t.shape,
        data: t.data,
        quant: t.quant,
      }) - 1,
  );
  const out = tensors.push({ name: "out", ...c.output }) - 1;
  return {
    tensors,
    ops: [{ op: c.op, inputs: [...inputs, ...consts], outputs: [out], options: c.options }],
    inputs,
    outputs: [out],
  };
}

const int32 = (shape: number[], values: number[]) => ({
  type: "int32" as const,
  shape,
  data: new Uint8Array(Int32Array.from(values).buffer),
});

/** Runs a case on our engine and the reference with three input sets; returns the worst difference. */
async function compare(c: Case): Promise<{ worst: number; exact: number; total: number }> {
  const bytes = writeTflite(build(c));
  const sets = [1, 2, 3].map((k) => c.inputs.map((t, i) => data(t.type, t.shape, k * 31 + i)));
  const run = await runModelSets(
    bytes,
    sets.map((parts) => Buffer.concat(parts)),
    "rt1060",
  );
  const ref = await loadReference(bytes);
  let worst = 0,
    exact = 0,
    total = 0;
  try {
    sets.forEach((parts, s) => {
      const want = ref.run(parts)[0];
      const got = run.inferences[s].outputs[0];
      const g =
        c.output.type === "float32"
          ? new Float32Array(got.buffer, got.byteOffset, got.byteLength / 4)
          : new Int8Array(got.buffer, got.byteOffset, got.byteLength);
      if (g.length !== want.length)
        throw new Error(`${c.name}: ${g.length} outputs, reference ${want.length}`);
      for (let k = 0; k < g.length; k++) {
        const w = want[k] as number;
        const d =
          c.output.type === "float32"
            ? Math.abs(g[k] - w) / Math.max(Math.abs(w), 1)
            : Math.abs(g[k] - w);
        worst = Math.max(worst, d);
        total++;
        if (g[k] === w) exact++;
      }
    });
  } finally {
    ref.dispose();
  }
  return { worst, exact, total };
}

const F = "float32" as const,
  I = "int8" as const;
const CASES: Case[] = [];
for (const type of [I, F]) {
  const qi = type === I ? q(0.04, 5) : undefined;
  const qo = type === I ? q(0.03, -20) : undefined;
  CASES.push(
    {
      name: `${type} RELU same quantisation`,
      op: "RELU",
      inputs: [{ type, shape: [2, 3, 7], quant: qi }],
      output: { type, shape: [2, 3, 7], quant: qi },
    },
    {
      name: `${type} RELU rescaled`,
      op: "RELU",
      inputs: [{ type, shape: [1, 40], quant: qi }],
      output: { type, shape: [1, 40], quant: qo },
    },
    {
      name: `${type} RELU6 same quantisation`,
      op: "RELU6",
      inputs: [{ type, shape: [1, 37], quant: q(0.05, -3) }],
      output: { type, shape: [1, 37], quant: q(0.05, -3) },
    },
    {
      name: `${type} RELU6 rescaled`,
      op: "RELU6",
      inputs: [{ type, shape: [1, 37], quant: q(0.06, 10) }],
      output: { type, shape: [1, 37], quant: q(6 / 255, -128) },
    },
    {
      name: `${type} ADD [1,4,1,5] + [1,1,3,1]`,
      op: "ADD",
      inputs: [
        { type, shape: [1, 4, 1, 5], quant: qi },
        { type, shape: [1, 1, 3, 1], quant: q(0.07, -9) },
      ],
      output: { type, shape: [1, 4, 3, 5], quant: q(0.09, 3) },
    },
    {
      name: `${type} ADD [2,3] + [3] (lower rank)`,
      op: "ADD",
      inputs: [
        { type, shape: [2, 3], quant: qi },
        { type, shape: [3], quant: q(0.07, -9) },
      ],
      output: { type, shape: [2, 3], quant: q(0.09, 3) },
    },
    {
      name: `${type} ADD scalar + [3,5]`,
      op: "ADD",
      inputs: [
        { type, shape: [1], quant: qi },
        { type, shape: [3, 5], quant: q(0.07, -9) },
      ],
      output: { type, shape: [3, 5], quant: q(0.09, 3) },
      options: { fused_activation_function: "RELU_N1_TO_1" },
    },
    {
      name: `${type} MUL [2,1,3] * [1,4,1]`,
      op: "MUL",
      inputs: [
        { type, shape: [2, 1, 3], quant: qi },
        { type, shape: [1, 4, 1], quant: q(0.07, -9) },
      ],
      output: { type, shape: [2, 4, 3], quant: q(0.02, 1) },
    },
    {
      name: `${type} MUL [5,4] * scalar`,
      op: "MUL",
      inputs: [
        { type, shape: [5, 4], quant: qi },
        { type, shape: [1], quant: q(0.07, -9) },
      ],
      output: { type, shape: [5, 4], quant: q(0.02, 1) },
      options: { fused_activation_function: "RELU" },
    },
    {
      name: `${type} CONCATENATION axis -1`,
      op: "CONCATENATION",
      inputs: [
        { type, shape: [2, 3, 2], quant: qi },
        { type, shape: [2, 3, 5], quant: qi },
      ],
      output: { type, shape: [2, 3, 7], quant: qi },
      options: { axis: -1 },
    },
    {
      name: `${type} CONCATENATION axis 0`,
      op: "CONCATENATION",
      inputs: [
        { type, shape: [1, 3, 2], quant: qi },
        { type, shape: [2, 3, 2], quant: qi },
        { type, shape: [3, 3, 2], quant: qi },
      ],
      output: { type, shape: [6, 3, 2], quant: qi },
      options: { axis: 0 },
    },
    {
      name: `${type} MEAN axis 3 keep`,
      op: "MEAN",
      inputs: [{ type, shape: [1, 3, 4, 6], quant: qi }],
      consts: [int32([1], [3])],
      output: { type, shape: [1, 3, 4, 1], quant: qo },
      options: { keep_dims: true },
    },
    {
      name: `${type} MEAN axes [-1, 1]`,
      op: "MEAN",
      inputs: [{ type, shape: [2, 3, 4, 5], quant: qi }],
      consts: [int32([2], [-1, 1])],
      output: { type, shape: [2, 4], quant: qo },
    },
    {
      name: `${type} MEAN all axes`,
      op: "MEAN",
      inputs: [{ type, shape: [2, 3, 4], quant: qi }],
      consts: [int32([3], [0, 1, 2])],
      output: { type, shape: [], quant: qo },
    },
    {
      name: `${type} MEAN hw, input quantisation`,
      op: "MEAN",
      inputs: [{ type, shape: [1, 7, 7, 20], quant: qi }],
      consts: [int32([2], [1, 2])],
      output: { type, shape: [1, 1, 1, 20], quant: qi },
      options: { keep_dims: true },
    },
    {
      name: `${type} PAD rank 2`,
      op: "PAD",
      inputs: [{ type, shape: [3, 4], quant: qi }],
      consts: [int32([2, 2], [1, 2, 0, 3])],
      output: { type, shape: [6, 7], quant: qi },
    },
    {
      name: `${type} PAD batch and channels`,
      op: "PAD",
      inputs: [{ type, shape: [1, 2, 2, 3], quant: qi }],
      consts: [int32([4, 2], [1, 0, 0, 1, 2, 0, 1, 1])],
      output: { type, shape: [2, 3, 4, 5], quant: qi },
    },
    {
      name: `${type} SOFTMAX 1x100 beta 2`,
      op: "SOFTMAX",
      inputs: [{ type, shape: [1, 100], quant: q(0.1, 7) }],
      output: { type, shape: [1, 100], quant: q(1 / 256, -128) },
      options: { beta: 2 },
    },
    {
      name: `${type} SOFTMAX 4x3 small scale`,
      op: "SOFTMAX",
      inputs: [{ type, shape: [4, 3], quant: q(0.004, 0) }],
      output: { type, shape: [4, 3], quant: q(1 / 256, -128) },
    },
    {
      name: `${type} LOGISTIC wide input scale`,
      op: "LOGISTIC",
      inputs: [{ type, shape: [1, 64], quant: q(0.25, 12) }],
      output: { type, shape: [1, 64], quant: q(1 / 256, -128) },
    },
    {
      name: `${type} LOGISTIC fine input scale`,
      op: "LOGISTIC",
      inputs: [{ type, shape: [1, 64], quant: q(0.004, -7) }],
      output: { type, shape: [1, 64], quant: q(1 / 256, -128) },
    },
    {
      name: `${type} TANH wide input scale`,
      op: "TANH",
      inputs: [{ type, shape: [1, 64], quant: q(0.2, -30) }],
      output: { type, shape: [1, 64], quant: q(1 / 128, 0) },
    },
    {
      name: `${type} AVERAGE_POOL global 7x7x40`,
      op: "AVERAGE_POOL_2D",
      inputs: [{ type, shape: [1, 7, 7, 40], quant: qi }],
      output: { type, shape: [1, 1, 1, 40], quant: qi },
      options: { padding: "VALID", filter_width: 7, filter_height: 7 },
    },
    {
      name: `${type} AVERAGE_POOL 20x20 window (400 taps)`,
      op: "AVERAGE_POOL_2D",
      inputs: [{ type, shape: [1, 20, 20, 18], quant: qi }],
      output: { type, shape: [1, 1, 1, 18], quant: qi },
      options: { padding: "VALID", filter_width: 20, filter_height: 20 },
    },
    {
      name: `${type} AVERAGE_POOL 3x3 s2 same x33`,
      op: "AVERAGE_POOL_2D",
      inputs: [{ type, shape: [2, 6, 5, 33], quant: qi }],
      output: { type, shape: [2, 3, 3, 33], quant: qi },
      options: { padding: "SAME", filter_width: 3, filter_height: 3, stride_w: 2, stride_h: 2 },
    },
    {
      name: `${type} MAX_POOL 2x2 x35 relu`,
      op: "MAX_POOL_2D",
      inputs: [{ type, shape: [1, 6, 6, 35], quant: qi }],
      output: { type, shape: [1, 3, 3, 35], quant: qi },
      options: {
        padding: "VALID",
        filter_width: 2,
        filter_height: 2,
        stride_w: 2,
        stride_h: 2,
        fused_activation_function: "RELU",
      },
    },
  );
}
CASES.push(
  {
    name: "int8 QUANTIZE saturating floats",
    op: "QUANTIZE",
    inputs: [{ type: F, shape: [1, 50] }],
    output: { type: I, shape: [1, 50], quant: q(0.01, 3) },
  },
  {
    name: "int8 QUANTIZE requantise to a finer scale",
    op: "QUANTIZE",
    inputs: [{ type: I, shape: [1, 50], quant: q(0.05, 10) }],
    output: { type: I, shape: [1, 50], quant: q(0.02, -5) },
  },
  {
    name: "int8 DEQUANTIZE",
    op: "DEQUANTIZE",
    inputs: [{ type: I, shape: [3, 7], quant: q(0.013, -17) }],
    output: { type: F, shape: [3, 7] },
  },
  {
    name: "int8 ADD with constant [5]",
    op: "ADD",
    inputs: [{ type: I, shape: [2, 2, 5], quant: q(0.05, 4) }],
    consts: [{ type: I, shape: [5], data: data(I, [5], 9), quant: q(0.01, -2) }],
    output: { type: I, shape: [2, 2, 5], quant: q(0.05, 0) },
  },
);

for (const c of CASES) {
  test(`${c.name} matches the TFLite reference`, async (t) => {
    const r = await compare(c);
    t.log(`${r.exact}/${r.total} exact, worst difference ${r.worst}`);
    t.true(
      c.output.type === "float32" ? r.worst <= 1e-5 : r.worst <= 1,
      `worst difference ${r.worst}`,
    );
  });
}

test("int8 CONCATENATION with differing input scales requantises as TFLite's ConcatenationWithScaling", async (t) => {
  const a = { type: I, shape: [2, 3], quant: q(0.05, 4) };
  const b = { type: I, shape: [2, 2], quant: q(0.02, -7) };
  const out = { type: I, shape: [2, 5], quant: q(0.04, 1) };
  const bytes = writeTflite(
    build({
      name: "concat",
      op: "CONCATENATION",
      inputs: [a, b],
      output: out,
      options: { axis: 1 },
    }),
  );
  const da = new Int8Array(data(I, a.shape, 5).buffer),
    db = new Int8Array(data(I, b.shape, 6).buffer);
  const run = await runModelSets(
    bytes,
    [Buffer.concat([new Uint8Array(da.buffer), new Uint8Array(db.buffer)])],
    "rt1060",
  );
  const f = Math.fround;
  const requant = (v: number, s: number, z: number) => {
    const scale = f(f(s) * f(1 / f(0.04)));
    const x = f(f(v * scale) + f(-z * scale));
    const r = Math.sign(x) * Math.floor(Math.abs(x) + 0.5) + 1; // round half away, + output zero point
    return Math.max(-128, Math.min(127, r));
  };
  const want: number[] = [];
  for (let row = 0; row < 2; row++) {
    for (let k = 0; k < 3; k++) want.push(requant(da[row * 3 + k], 0.05, 4));
    for (let k = 0; k < 2; k++) want.push(requant(db[row * 2 + k], 0.02, -7));
  }
  t.deepEqual(Array.from(new Int8Array(run.inferences[0].outputs[0].buffer)), want);
});

const REFUSALS: [string, Case, RegExp][] = [
  [
    "int8 SOFTMAX whose output is not 1/256, -128",
    {
      name: "",
      op: "SOFTMAX",
      inputs: [{ type: I, shape: [1, 4], quant: q(0.1, 0) }],
      output: { type: I, shape: [1, 4], quant: q(0.01, 0) },
    },
    /SOFTMAX.*scale 1\/256/,
  ],
  [
    "MEAN with a non-constant axis",
    {
      name: "",
      op: "MEAN",
      inputs: [
        { type: F, shape: [2, 3] },
        { type: "int32", shape: [1] },
      ],
      output: { type: F, shape: [2] },
    },
    /MEAN.*axis tensor must be constant/,
  ],
  [
    "ADD of shapes that do not broadcast",
    {
      name: "",
      op: "ADD",
      inputs: [
        { type: F, shape: [2, 3] },
        { type: F, shape: [3, 2] },
      ],
      output: { type: F, shape: [2, 3] },
    },
    /ADD.*broadcast/,
  ],
  [
    "RESHAPE that changes the element count",
    {
      name: "",
      op: "RESHAPE",
      inputs: [{ type: F, shape: [2, 3] }],
      output: { type: F, shape: [7] },
    },
    /RESHAPE.*elements/,
  ],
  [
    "PAD whose output shape disagrees",
    {
      name: "",
      op: "PAD",
      inputs: [{ type: F, shape: [2, 3] }],
      consts: [int32([2, 2], [1, 1, 0, 0])],
      output: { type: F, shape: [3, 3] },
    },
    /PAD.*padded input shape/,
  ],
];

for (const [what, c, why] of REFUSALS) {
  test(`refuses ${what} with a one-line reason`, async (t) => {
    const bytes = writeTflite(build(c));
    const sets = [Buffer.concat(c.inputs.map((x, i) => data(x.type, x.shape, i)))];
    const err = await t.throwsAsync(runModelSets(bytes, sets, "rt1060"), {
      instanceOf: ModelRunError,
    });
    t.regex(err!.message, why);
    t.false(err!.message.includes("\n"));
  });
}
