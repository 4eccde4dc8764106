// SVDF against TFLite's reference (tfjs-tflite): a single-op model from our writer with a
// variable activation state, run over several invocations in one boot and in one reference
// interpreter, so each output depends on the state carried from the invocations before.
// float32 within 1e-5 relative; int8 (int16 state, two requantisations) exactly.
import test from "ava";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";
import { int8SvdfModel, svdfModel, type Int8Svdf, type SvdfShape } from "../helpers/svdf-models.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";
import { data } from "../helpers/op-compare.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";
import { SvdfReference } from "../helpers/svdf-reference.ts";

const shapes: SvdfShape[] = [
  { batches: 1, inputSize: 10, units: 4, rank: 1, memory: 8, bias: true, act: "NONE" },
  { batches: 2, inputSize: 7, units: 3, rank: 2, memory: 5, bias: false, act: "RELU" },
  { batches: 1, inputSize: 40, units: 16, rank: 2, memory: 10, bias: true, act: "RELU6" },
];

for (const s of shapes) {
  const name = `batch ${s.batches}, input ${s.inputSize}, ${s.units} units, rank ${s.rank}, memory ${s.memory}, ${s.bias ? "bias" : "no bias"}, ${s.act}`;
  test(`float32 SVDF over 6 invocations matches TFLite (${name})`, async (t) => {
    const bytes = writeTflite(svdfModel(s));
    // The first input repeats as the second: equal inputs, different state, different outputs.
    const seeds = [3, 3, 5, 8, 13, 21];
    const sets = seeds.map((k) => data("float32", [s.batches, s.inputSize], k, 2));
    const run = await runModelSets(bytes, sets, "rt1060");
    const ref = await loadReference(bytes);
    let worst = 0;
    try {
      sets.forEach((set, i) => {
        const want = ref.run([set])[0] as Float32Array;
        const out = run.inferences[i].outputs[0];
        const got = new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4);
        t.is(got.length, want.length);
        for (let k = 0; k < got.length; k++)
          worst = Math.max(worst, Math.abs(got[k] - want[k]) / Math.max(Math.abs(want[k]), 1));
      });
    } finally {
      ref.dispose();
    }
    const first = Buffer.from(run.inferences[0].outputs[0]),
      second = Buffer.from(run.inferences[1].outputs[0]);
    t.false(
      first.equals(second),
      "the state carried into the second invocation changes its output",
    );
    t.log(`worst relative difference ${worst}`);
    t.true(worst <= 1e-5, `worst relative difference ${worst}`);
  });
}

const int8Shapes: Int8Svdf[] = [
  {
    batches: 1,
    inputSize: 10,
    units: 4,
    rank: 1,
    memory: 8,
    bias: true,
    act: "RELU",
    inputZero: 3,
    outputZero: -5,
    stateScale: 0.002,
    outputScale: 0.15,
  },
  {
    batches: 2,
    inputSize: 7,
    units: 3,
    rank: 2,
    memory: 5,
    bias: false,
    act: "RELU",
    inputZero: -20,
    outputZero: 10,
    stateScale: 0.004,
    outputScale: 0.05,
  },
  {
    batches: 1,
    inputSize: 40,
    units: 16,
    rank: 2,
    memory: 10,
    bias: true,
    act: "RELU",
    inputZero: 0,
    outputZero: 0,
    stateScale: 0.01,
    outputScale: 0.3,
  },
];

for (const s of int8Shapes) {
  const name = `batch ${s.batches}, input ${s.inputSize}, ${s.units} units, rank ${s.rank}, memory ${s.memory}, ${s.bias ? "bias" : "no bias"}, zero points ${s.inputZero}/${s.outputZero}`;
  test(`int8 SVDF (int16 state) over 6 invocations equals TFLite (${name})`, async (t) => {
    const bytes = writeTflite(int8SvdfModel(s));
    const seeds = [3, 3, 5, 8, 13, 21];
    const sets = seeds.map((k) => data("int8", [s.batches, s.inputSize], k));
    const run = await runModelSets(bytes, sets, "rt1060");
    const ref = await loadReference(bytes);
    let worst = 0,
      clamped = 0,
      total = 0;
    try {
      sets.forEach((set, i) => {
        const want = ref.run([set])[0] as Int8Array;
        const out = run.inferences[i].outputs[0];
        const got = new Int8Array(out.buffer, out.byteOffset, out.byteLength);
        t.is(got.length, want.length);
        for (let k = 0; k < got.length; k++) {
          worst = Math.max(worst, Math.abs(got[k] - want[k]));
          total++;
          if (want[k] === 127 || want[k] === -128) clamped++;
        }
      });
    } finally {
      ref.dispose();
    }
    t.false(
      Buffer.from(run.inferences[0].outputs[0]).equals(Buffer.from(run.inferences[1].outputs[0])),
      "the state carried into the second invocation changes its output",
    );
    t.log(`worst difference ${worst} over ${total} outputs (${clamped} at the int8 limits)`);
    t.true(clamped < total / 2, "most outputs lie inside the int8 range");
    t.is(worst, 0);
  });
}

test("refuses int8 SVDF whose time weights and state differ in type, with a one-line reason naming the op", async (t) => {
  const q = (scale: number, zeroPoint: number) => ({ scale: [scale], zeroPoint: [zeroPoint] });
  const model: WriterModel = {
    tensors: [
      { name: "input", type: "int8", shape: [1, 4], quant: q(0.1, 0) },
      {
        name: "weights_feature",
        type: "int8",
        shape: [2, 4],
        data: new Uint8Array(8),
        quant: q(0.01, 0),
      },
      {
        name: "weights_time",
        type: "int8",
        shape: [2, 3],
        data: new Uint8Array(6),
        quant: q(0.001, 0),
      },
      { name: "activation_state", type: "int16", shape: [1, 6], quant: q(0.01, 0), variable: true },
      { name: "output", type: "int8", shape: [1, 2], quant: q(0.1, 0) },
    ],
    ops: [
      {
        op: "SVDF",
        inputs: [0, 1, 2, -1, 3],
        outputs: [4],
        options: { rank: 1, fused_activation_function: "RELU" },
      },
    ],
    inputs: [0],
    outputs: [4],
  };
  const err = await t.throwsAsync(runModelSets(writeTflite(model), [new Uint8Array(4)], "rt1060"), {
    instanceOf: ModelRunError,
  });
  t.regex(
    err!.message,
    /\(SVDF\): int8 needs time weights and activation state both int16 or both int8/,
  );
  t.false(err!.message.includes("\n"));
});

test("a fresh boot starts SVDF from a zero state: two boots give the same outputs and cycles", async (t) => {
  const s = int8Shapes[0];
  const bytes = writeTflite(int8SvdfModel(s));
  const sets = [3, 5, 8].map((k) => data("int8", [s.batches, s.inputSize], k));
  const [a, b] = [
    await runModelSets(bytes, sets, "rt1060"),
    await runModelSets(bytes, sets, "rt1060"),
  ];
  t.deepEqual(
    a.inferences.map((i) => [Buffer.from(i.outputs[0]).toString("hex"), i.cycles]),
    b.inferences.map((i) => [Buffer.from(i.outputs[0]).toString("hex"), i.cycles]),
  );
});

// TFLM's newer integer SVDF also takes int8 time weights and state, and honours the state's
// zero point; TFLite's runtime takes neither, so those run against TFLM's arithmetic written
// again in TypeScript (test/helpers/svdf-reference.ts), itself held to TFLite first.
const int8View = (b: Uint8Array) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);

test("the TypeScript rewrite of TFLM's integer SVDF equals TFLite on the int16 models", async (t) => {
  for (const s of int8Shapes) {
    const model = int8SvdfModel(s);
    const ref = await loadReference(writeTflite(model));
    const ours = new SvdfReference(model);
    try {
      for (const k of [3, 3, 5, 8, 13, 21]) {
        const set = data("int8", [s.batches, s.inputSize], k);
        t.deepEqual(Array.from(ours.invoke(int8View(set))), Array.from(ref.run([set])[0]));
      }
    } finally {
      ref.dispose();
    }
  }
});

const zeroPointCases: Int8Svdf[] = [
  { ...int8Shapes[0], stateType: "int8" as const, stateZero: 0 },
  { ...int8Shapes[1], stateType: "int8" as const, stateZero: 17 },
  { ...int8Shapes[2], stateType: "int8" as const, stateZero: -40 },
  { ...int8Shapes[0], stateZero: 300 }, // int16 state with a zero point
].map((s: Int8Svdf) => {
  // state at about 2.5 standard deviations of the feature dot product a step's full range,
  // so some state values clamp; the output's range about 3 of its own
  const feature = 74 * 0.05 * 73 * 0.01 * Math.sqrt(s.inputSize);
  const narrow = s.stateType === "int8";
  const timeStd = narrow ? (127 / Math.sqrt(3)) * 0.008 : (2000 / Math.sqrt(3)) * 0.0005;
  const output = feature * timeStd * Math.sqrt(s.memory * s.rank);
  return {
    ...s,
    stateScale: (2.5 * feature) / (narrow ? 127 : 32767),
    outputScale: (3 * output) / 127,
  };
});

test("int8 time weights and state, and a state zero point, follow TFLM's integer SVDF exactly", async (t) => {
  let clamps = 0;
  for (const s of zeroPointCases) {
    const model = int8SvdfModel(s);
    const sets = [3, 3, 5, 8, 13, 21, 34, 55].map((k) => data("int8", [s.batches, s.inputSize], k));
    const run = await runModelSets(writeTflite(model), sets, "rt1060");
    const ref = new SvdfReference(model);
    sets.forEach((set, i) =>
      t.deepEqual(
        Array.from(int8View(run.inferences[i].outputs[0])),
        Array.from(ref.invoke(int8View(set))),
        `${s.stateType ?? "int16"} state, zero point ${s.stateZero}, invocation ${i}`,
      ),
    );
    t.false(
      Buffer.from(run.inferences[0].outputs[0]).equals(Buffer.from(run.inferences[1].outputs[0])),
      "the state carried into the second invocation changes its output",
    );
    clamps += ref.stateClamps;
  }
  t.log(`${clamps} state values clamped at the state type's limits`);
  t.true(clamps > 0, "some state values reach the clamp");
});
