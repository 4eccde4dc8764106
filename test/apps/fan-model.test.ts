// The fan-state model: the committed .tflite is what the trainer's writer makes; TFLite's own
// runtime (@tensorflow/tfjs-tflite) loads it and agrees with our engine within 1 at every
// layer and on the decisions end to end (CPU and NPU); a short seeded training run works
// end to end and repeats byte for byte. (The full training is an artefact, not a test:
// npm run train:fan-monitor.)
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { readModel, builtinOpName } from "../../emulator/model/tflite-model.ts";
import { singleLayer } from "../helpers/model-surgery.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { tempDir } from "../helpers/tools.ts";
import {
  AXES,
  HELD_OUT_SET,
  WINDOW,
  conditions,
  windows,
} from "../../apps/fan-monitor/train/dataset.ts";
import { quantizeInput } from "../../apps/fan-monitor/train/quantize.ts";
import { train, MODEL_FILE } from "../../apps/fan-monitor/train/train.ts";

const MODEL = readFileSync(path.resolve("apps/fan-monitor/model", MODEL_FILE));
const INFO = JSON.parse(readFileSync(path.resolve("apps/fan-monitor/model/training.json"), "utf8"));

/** int8 inputs of the first `n` windows of each of the first held-out recordings. */
function heldOutInputs(model: Uint8Array, recordings: number): Int8Array[] {
  const m = readModel(model);
  const q = m.tensors[m.inputs[0]].quantization!;
  const conds = conditions("heldout", HELD_OUT_SET.perState, 2.56, HELD_OUT_SET.seed).slice(
    0,
    recordings,
  );
  const w = windows(conds);
  const all = quantizeInput(w.x, { scale: q.scale[0], zeroPoint: q.zeroPoint[0] });
  return Array.from({ length: w.count }, (_, i) =>
    all.slice(i * WINDOW * AXES, (i + 1) * WINDOW * AXES),
  );
}

test("the committed model: NXP-sized CNN of CONV_2D / FULLY_CONNECTED layers, int8 in and out", (t) => {
  const m = readModel(MODEL);
  const ops = m.operators.map((o) => builtinOpName(o.code));
  // All but the softmax are layers the MCX N947's NPU takes.
  t.is(ops.at(-1), "SOFTMAX");
  t.true(
    ops
      .slice(0, -1)
      .every((op) => ["CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "RESHAPE"].includes(op)),
    ops.join(" "),
  );
  t.is(ops.filter((op) => op === "CONV_2D").length, 3);
  t.deepEqual(m.tensors[m.inputs[0]].shape, [1, 128, 1, 3]);
  t.is(m.tensors[m.inputs[0]].type, "int8");
  t.deepEqual(m.tensors[m.outputs[0]].shape, [1, 4]);
  t.true(MODEL.length > 8_000 && MODEL.length < 20_000, `${MODEL.length} B`);
  t.true(INFO.macs > 40_000 && INFO.macs < 70_000, `${INFO.macs} MACs`);
  t.true(INFO.parameters > 5_000 && INFO.parameters < 15_000, `${INFO.parameters} parameters`);
  t.true(
    INFO.int8Accuracy >= 0.99,
    `int8 held-out accuracy in training.json: ${INFO.int8Accuracy}`,
  );
});

const int8 = (b: Uint8Array) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);
const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};

test("TFLite's runtime and our engine: every layer within 1 on the same input; end to end the same decisions (CPU and NPU)", async (t) => {
  const model = new Uint8Array(MODEL); // model-surgery edits a copy made by slice(): not a Buffer view
  const info = readModel(model);
  const inputs = heldOutInputs(model, 16).map((x) => new Uint8Array(x.buffer)); // 4 recordings of each state, 3 windows each
  const rt1060 = loadTarget("rt1060");
  // Layer by layer: each layer alone, fed what our engine computed for its input.
  let layerInputs = inputs;
  for (let k = 0; k < info.operators.length; k++) {
    const layer = singleLayer(model, k);
    const ours = (await runModel(layer, layerInputs, rt1060)).inferences.map(
      (inf) => inf.outputs[0],
    );
    const ref = await loadReference(layer);
    let worst = 0;
    layerInputs.forEach((x, i) => {
      const theirs = ref.run([x])[0] as Int8Array;
      const mine = int8(ours[i]);
      for (let c = 0; c < theirs.length; c++)
        worst = Math.max(worst, Math.abs(theirs[c] - mine[c]));
    });
    ref.dispose();
    t.true(
      worst <= 1,
      `layer ${k} (${builtinOpName(info.operators[k].code)}): largest difference ${worst}`,
    );
    layerInputs = ours;
  }
  // End to end: XNNPACK requantises in float and rounds ~0.2 % of values differently at each
  // layer (docs/inference-engine.md), so the probabilities may drift by a few counts; the
  // decisions must not, unless the reference itself is near a tie.
  const ref = await loadReference(model);
  const expected = inputs.map((x) => Int8Array.from(ref.run([x])[0] as Int8Array));
  ref.dispose();
  const cpu = await runModel(model, inputs, rt1060);
  const npu = await runModel(model, inputs, loadTarget("mcxn947"));
  t.true(
    npu.inferences[0].layers.filter((l) => l.unit === "npu").length === info.operators.length - 1,
    "all but the softmax on the NPU",
  );
  let within1 = 0;
  expected.forEach((e, i) => {
    const mine = int8(cpu.inferences[i].outputs[0]);
    t.deepEqual(
      [...int8(npu.inferences[i].outputs[0])],
      [...mine],
      "the NPU path computes the CPU's bytes",
    );
    if ([...e].every((v, c) => Math.abs(v - mine[c]) <= 1)) within1++;
    const sorted = [...e].sort((a, b) => b - a);
    if (sorted[0] - sorted[1] > 8)
      t.is(argmax(mine), argmax(e), `window ${i}: ours ${[...mine]} vs TFLite ${[...e]}`);
  });
  t.log(`end to end: ${within1}/${expected.length} windows within 1 on every output`);
  t.true(within1 >= expected.length * 0.9);
});

test("a short training run writes a model both runtimes load, and repeats byte for byte", async (t) => {
  const a = tempDir("tinyboard-train-");
  const b = tempDir("tinyboard-train-");
  const log: string[] = [];
  const r = await train({
    smoke: true,
    epochs: 1,
    outDir: a,
    dataDir: null,
    log: (s) => log.push(s),
  });
  t.regex(log.join("\n"), /held-out float accuracy [\d.]+ %/);
  t.regex(log.join("\n"), /held-out int8 accuracy [\d.]+ % \(TFLite runtime; float-to-int8 drop/);
  t.true(
    r.floatAccuracy >= 0 && r.floatAccuracy <= 1 && r.int8Accuracy >= 0 && r.int8Accuracy <= 1,
  );
  t.is(r.macs, INFO.macs, "the committed model's architecture");
  await train({ smoke: true, epochs: 1, outDir: b, dataDir: null, log: () => {} });
  const bytes = readFileSync(r.modelPath);
  t.deepEqual(bytes, readFileSync(path.join(b, MODEL_FILE)), "seeded: the same model twice");
  const run = await runModel(
    bytes,
    [new Uint8Array(heldOutInputs(bytes, 1)[0].buffer)],
    loadTarget("rt1170"),
  );
  t.is(run.inferences[0].outputs[0].length, 4);
  const probs = new Int8Array(
    run.inferences[0].outputs[0].buffer,
    run.inferences[0].outputs[0].byteOffset,
    4,
  );
  const sum = [...probs].reduce((s, v) => s + (v + 128), 0);
  t.true(Math.abs(sum - 256) <= 4, `softmax sums to ~1: ${[...probs]}`);
});
