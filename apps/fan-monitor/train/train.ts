// Reproduces the fan-state model: regenerates the dataset, trains the CNN with tfjs (CPU
// backend, seeded), quantises it to int8 with a calibration set, writes the .tflite with our
// writer, and prints held-out accuracy of the float model (tfjs) and of the int8 .tflite
// (TFLite's own runtime, @tensorflow/tfjs-tflite).
//
//   npm run train:fan-monitor                 full run: writes apps/fan-monitor/model and data
//   npm run train:fan-monitor -- --smoke --out DIR    seconds-long check (tests use it)
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers them all.
import "@tensorflow/tfjs-layers";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { writeTflite } from "../../../emulator/model/tflite-writer.ts";
import { trainSoftmaxClassifier } from "./epochs.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import {
  AXES,
  CLASSES,
  HELD_OUT_SET,
  RATE_HZ,
  TRAIN_SET,
  WINDOW,
  conditions,
  record,
  seededRandom,
  toCsv,
  windows,
  type Windows,
} from "./dataset.ts";
import { FanNet, countMacs } from "./model.ts";
import { quantizeInput, quantizeModel } from "./quantize.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const MODEL_FILE = "fan_state_int8.tflite";

export interface TrainOptions {
  smoke: boolean;
  epochs: number;
  outDir: string;
  dataDir: string | null;
  log: (s: string) => void;
}
export interface TrainResult {
  floatAccuracy: number;
  int8Accuracy: number;
  modelBytes: number;
  macs: number;
  parameters: number;
  trainWindows: number;
  heldOutWindows: number;
  modelPath: string;
}

const SEED = 7;
const BATCH = 64;
const LEARNING_RATE = 0.003;
const CALIBRATION_WINDOWS = 512;

function tensors(w: Windows): { x: tf.Tensor3D; y: tf.Tensor2D } {
  return {
    x: tf.tensor3d(w.x, [w.count, WINDOW, AXES]),
    y: tf.cast(tf.oneHot(tf.tensor1d(w.labels, "int32"), CLASSES.length), "float32") as tf.Tensor2D,
  };
}

function accuracy(predicted: ArrayLike<number>, labels: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) ok++;
  return ok / labels.length;
}

function confusion(predicted: ArrayLike<number>, labels: Int32Array): string {
  const m = CLASSES.map(() => CLASSES.map(() => 0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return CLASSES.map(
    (c, i) => `    ${c.padEnd(9)} ${m[i].map((v) => String(v).padStart(5)).join("")}`,
  ).join("\n");
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  tf.enableProdMode(); // no "install tfjs-node" banner; we want the pure-JS CPU backend
  await tf.setBackend("cpu");
  const trainSet = o.smoke ? { ...TRAIN_SET, perState: 4 } : TRAIN_SET;
  const heldSet = o.smoke ? { ...HELD_OUT_SET, perState: 2 } : HELD_OUT_SET;
  const trainConds = conditions("train", trainSet.perState, trainSet.seconds, trainSet.seed);
  const heldConds = conditions("heldout", heldSet.perState, heldSet.seconds, heldSet.seed);
  const trainW = windows(trainConds);
  const heldW = windows(heldConds);
  o.log(
    `dataset: ${trainW.count} training windows from ${trainConds.length} recordings, ${heldW.count} held-out windows from ${heldConds.length}`,
  );

  const model = new FanNet(SEED);
  const parameters = model.parameters;
  o.log(`model: ${parameters} parameters, ${countMacs()} MACs`);
  const { x, y } = tensors(trainW);
  const rnd = seededRandom(SEED);
  const plan = { count: trainW.count, epochs: o.epochs, batch: BATCH, rnd, log: o.log };
  trainSoftmaxClassifier(model, x, y, { ...plan, learningRate: LEARNING_RATE, lateDivisor: 6 });
  tf.dispose([x, y]);

  const held = tensors(heldW);
  const floatPred = tf.tidy(() => tf.argMax(model.forward(held.x), -1).dataSync());
  tf.dispose([held.x, held.y]);
  const floatAccuracy = accuracy(floatPred, heldW.labels);
  o.log(
    `held-out float accuracy ${(floatAccuracy * 100).toFixed(2)} %\n${confusion(floatPred, heldW.labels)}`,
  );

  // Calibration: a seeded sample of training windows.
  const n = Math.min(CALIBRATION_WINDOWS, trainW.count);
  const calib = new Float32Array(n * WINDOW * AXES);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * trainW.count);
    calib.set(trainW.x.subarray(k * WINDOW * AXES, (k + 1) * WINDOW * AXES), i * WINDOW * AXES);
  }
  const q = quantizeModel(
    model,
    calib,
    n,
    `tinyboard fan-state monitor (${CLASSES.join(", ")}), int8`,
  );
  const bytes = writeTflite(q.model);
  mkdirSync(o.outDir, { recursive: true });
  const modelPath = path.join(o.outDir, MODEL_FILE);
  writeFileSync(modelPath, bytes);

  // The int8 model in TFLite's runtime, window by window.
  const ref = await loadReference(bytes);
  const qx = quantizeInput(heldW.x, q.input);
  const int8Pred = new Int32Array(heldW.count);
  for (let i = 0; i < heldW.count; i++) {
    const [out] = ref.run([qx.subarray(i * WINDOW * AXES, (i + 1) * WINDOW * AXES)]);
    let best = 0;
    for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
    int8Pred[i] = best;
  }
  ref.dispose();
  const int8Accuracy = accuracy(int8Pred, heldW.labels);
  o.log(
    `held-out int8 accuracy ${(int8Accuracy * 100).toFixed(2)} % (TFLite runtime; float-to-int8 drop ${((floatAccuracy - int8Accuracy) * 100).toFixed(2)} points)\n${confusion(int8Pred, heldW.labels)}`,
  );
  o.log(`wrote ${path.relative(process.cwd(), modelPath)} (${bytes.length} B)`);

  const result: TrainResult = {
    floatAccuracy,
    int8Accuracy,
    modelBytes: bytes.length,
    macs: countMacs(),
    parameters,
    trainWindows: trainW.count,
    heldOutWindows: heldW.count,
    modelPath,
  };
  writeFileSync(
    path.join(o.outDir, "training.json"),
    JSON.stringify(
      {
        ...result,
        modelPath: MODEL_FILE,
        epochs: o.epochs,
        seed: SEED,
        trainSet,
        heldOutSet: heldSet,
        input: q.input,
        output: q.output,
        classes: CLASSES,
      },
      null,
      2,
    ) + "\n",
  );

  if (o.dataDir) {
    writeSampleData(o.dataDir);
    o.log(`wrote sample traces to ${path.relative(process.cwd(), o.dataDir)}`);
  }
  return result;
}

/**
 * The small committed sample: one held-out recording of each state (12 s) as CSV traces, and
 * the demo input (6 s of each state in turn, from the same recordings).
 */
export function writeSampleData(dir: string): void {
  const heldConds = conditions(
    "heldout",
    HELD_OUT_SET.perState,
    HELD_OUT_SET.seconds,
    HELD_OUT_SET.seed,
  );
  mkdirSync(dir, { recursive: true });
  const demo: Int16Array[] = [];
  for (const state of CLASSES) {
    const c = { ...heldConds.find((h) => h.state === state)!, seconds: 12 };
    const counts = record(c);
    writeFileSync(path.join(dir, `${state}.csv`), toCsv([`${c.state}: ${c.spec}`], counts));
    demo.push(counts.subarray(0, 6 * RATE_HZ * AXES));
  }
  const all = new Int16Array(demo.reduce((n, d) => n + d.length, 0));
  demo.reduce((at, d) => (all.set(d, at), at + d.length), 0);
  writeFileSync(
    path.join(dir, "demo.csv"),
    toCsv([`demo: 6 s each of ${CLASSES.join(", ")} (the sample recordings)`], all),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("train:fan-monitor", {
    options: {
      smoke: { type: "boolean", default: false },
      epochs: { type: "string" },
      out: { type: "string" },
    },
  });
  const smoke = values.smoke ?? false;
  const epochs = Number(values.epochs ?? (smoke ? 1 : 20));
  if (!Number.isInteger(epochs) || epochs < 1) {
    console.error(`train: --epochs must be a positive integer, got '${values.epochs}'`);
    process.exit(2);
  }
  const outDir = path.resolve(values.out ?? path.join(APP_DIR, "model"));
  const dataDir = values.out ? null : path.join(APP_DIR, "data");
  const started = Date.now();
  await train({ smoke, epochs, outDir, dataDir, log: (s) => console.log(s) });
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
