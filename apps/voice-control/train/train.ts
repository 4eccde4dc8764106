// Reproduces the LED-command model: synthesises the data set (cached in build/voice-cmds/),
// computes the firmware's KWS features, trains the temporal CNN with tfjs (CPU backend,
// seeded), quantises it to int8 at kws_ref_model's input quantisation (the firmware's
// front end quantises for that), writes the .tflite with our writer and prints held-out
// accuracy of the float model (tfjs) and of the int8 .tflite (TFLite's runtime).
//
//   npm run train:voice-control                       full run: writes apps/voice-control/model
//   npm run train:voice-control -- --smoke --out DIR  under a minute (tests use it)
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers"; // registers the gradients
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { writeTflite } from "../../../emulator/model/tflite-writer.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { trainSoftmaxClassifier } from "../../fan-monitor/train/epochs.ts";
import { FanNet, countMacs } from "../../fan-monitor/train/model.ts";
import { quantizeInput, quantizeModel } from "../../fan-monitor/train/quantize.ts";
import {
  CLASSES,
  FEATURES,
  FRAMES,
  COEFS,
  HELD_OUT_VOICES,
  SILENCE,
  TRAIN_VOICES,
  makeSet,
  type Examples,
  type SetOptions,
} from "./dataset.ts";
import { LED_SHAPE } from "./model.ts";
import { missingTools } from "./synth.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
export const MODEL_FILE = "led_commands_int8.tflite";
/** firmware/dsp/mlperf-kws.ts KWS_INPUT_SCALE / KWS_INPUT_ZERO_POINT (kws_ref_model's input). */
export const KWS_INPUT = { scale: 0.5847029089927673, zeroPoint: 83 };

const SEED = 21;
const BATCH = 64;
const LEARNING_RATE = 0.002;
const CALIBRATION = 512;

export const TRAIN_SET: SetOptions = {
  voices: TRAIN_VOICES,
  renderings: 3,
  unknowns: 16,
  seed: 101,
  conditions: ["near", "far"],
};
export const HELD_OUT_SET: SetOptions = {
  voices: HELD_OUT_VOICES,
  renderings: 2,
  unknowns: 16,
  seed: 9001,
  conditions: ["near", "far"],
};

export interface TrainOptions {
  smoke: boolean;
  epochs: number;
  outDir: string;
  log: (s: string) => void;
}

function predictions(out: (i: number) => ArrayLike<number>, n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const o = out(i);
    let best = 0;
    for (let c = 1; c < o.length; c++) if (o[c] > o[best]) best = c;
    p[i] = best;
  }
  return p;
}

/** Accuracy overall, on the commands alone, per condition (near/far) and per engine. */
function report(
  name: string,
  pred: Int32Array,
  set: Examples,
  log: (s: string) => void,
): Record<string, number> {
  const groups: Record<string, [number, number]> = {};
  for (let i = 0; i < set.count; i++) {
    const ok = pred[i] === set.labels[i] ? 1 : 0;
    const [voice, cond] = set.tags[i].split(" ");
    // "commands": the five commands alone (unknown phrases outnumber them in every set).
    const kind = set.labels[i] < SILENCE ? ["commands"] : [];
    for (const g of ["all", ...kind, cond ?? "noise", voice.split("/")[0]]) {
      groups[g] ??= [0, 0];
      groups[g][0] += ok;
      groups[g][1]++;
    }
  }
  const acc = Object.fromEntries(Object.entries(groups).map(([g, [ok, n]]) => [g, ok / n]));
  const line = Object.entries(acc).map(([g, a]) => `${g} ${(a * 100).toFixed(1)} %`);
  log(`held-out ${name}: ${line.join(", ")}`);
  return acc;
}

export async function train(o: TrainOptions) {
  tf.enableProdMode();
  await tf.setBackend("cpu");
  const trainOpts = o.smoke
    ? { ...TRAIN_SET, voices: TRAIN_VOICES.slice(0, 2), renderings: 1, unknowns: 4 }
    : TRAIN_SET;
  const heldOpts = o.smoke
    ? { ...HELD_OUT_SET, voices: HELD_OUT_VOICES.slice(0, 1), renderings: 1, unknowns: 4 }
    : HELD_OUT_SET;
  const trainSet = makeSet(trainOpts, o.log);
  const held = makeSet(heldOpts, o.log);
  o.log(`dataset: ${trainSet.count} training clips, ${held.count} held-out clips`);

  const model = new FanNet(SEED, LED_SHAPE);
  o.log(`model: ${model.parameters} parameters, ${countMacs(LED_SHAPE)} MACs`);
  const x = tf.tensor3d(trainSet.x, [trainSet.count, FRAMES, COEFS]);
  const y = tf.cast(tf.oneHot(tf.tensor1d(trainSet.labels, "int32"), CLASSES.length), "float32");
  const rnd = seededRandom(SEED);
  const plan = { count: trainSet.count, epochs: o.epochs, batch: BATCH, rnd, log: o.log };
  trainSoftmaxClassifier(model, x, y, { ...plan, learningRate: LEARNING_RATE, lateDivisor: 5 });
  tf.dispose([x, y]);

  const hx = tf.tensor3d(held.x, [held.count, FRAMES, COEFS]);
  const logits = tf.tidy(() => model.forward(hx).dataSync() as Float32Array);
  hx.dispose();
  const k = CLASSES.length;
  const floatAcc = report(
    "float",
    predictions((i) => logits.subarray(i * k, (i + 1) * k), held.count),
    held,
    o.log,
  );

  const n = Math.min(CALIBRATION, trainSet.count);
  const calib = new Float32Array(n * FEATURES);
  for (let i = 0; i < n; i++) {
    const j = Math.floor(rnd() * trainSet.count);
    calib.set(trainSet.x.subarray(j * FEATURES, (j + 1) * FEATURES), i * FEATURES);
  }
  const desc = `tinyboard LED commands (${CLASSES.join(", ")}), synthetic speech, int8`;
  const q = quantizeModel(model, calib, n, desc, KWS_INPUT);
  const bytes = writeTflite(q.model);
  mkdirSync(o.outDir, { recursive: true });
  const modelPath = path.join(o.outDir, MODEL_FILE);
  writeFileSync(modelPath, bytes);

  const ref = await loadReference(bytes);
  const qx = quantizeInput(held.x, q.input);
  const int8Pred = predictions(
    (i) => ref.run([qx.subarray(i * FEATURES, (i + 1) * FEATURES)])[0],
    held.count,
  );
  ref.dispose();
  const int8Acc = report("int8 (TFLite runtime)", int8Pred, held, o.log);
  o.log(`wrote ${path.relative(process.cwd(), modelPath)} (${bytes.length} B)`);
  const result = {
    modelPath: MODEL_FILE,
    modelBytes: bytes.length,
    parameters: model.parameters,
    macs: countMacs(LED_SHAPE),
    epochs: o.epochs,
    seed: SEED,
    trainClips: trainSet.count,
    heldOutClips: held.count,
    floatAccuracy: floatAcc,
    int8Accuracy: int8Acc,
    classes: CLASSES,
  };
  writeFileSync(path.join(o.outDir, "led-training.json"), JSON.stringify(result, null, 2) + "\n");
  return { ...result, modelPath };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("train:voice-control", {
    options: {
      smoke: { type: "boolean", default: false },
      epochs: { type: "string" },
      out: { type: "string" },
    },
  });
  const missing = missingTools();
  if (missing.length) {
    console.error(`train: speech synthesis needs ${missing.join(", ")} (not installed)`);
    process.exit(2);
  }
  const smoke = values.smoke ?? false;
  const epochs = Number(values.epochs ?? (smoke ? 1 : 16));
  if (!Number.isInteger(epochs) || epochs < 1) {
    console.error(`train: --epochs must be a positive integer, got '${values.epochs}'`);
    process.exit(2);
  }
  const outDir = path.resolve(values.out ?? path.join(APP_DIR, "model"));
  const started = Date.now();
  await train({ smoke, epochs, outDir, log: (s) => console.log(s) });
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
