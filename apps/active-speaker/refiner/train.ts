// Reproduces the face-box refiner: renders training rooms and held-out room runs (frames.ts,
// heldout.ts), trains the regressor with tfjs (CPU backend, seeded) on crops at perturbed true
// boxes, quantises it to int8 with a calibration set, writes the .tflite with our writer, and
// measures on the held-out rooms the boxes it gives against the true heads: from perturbed
// boxes, and from the committed detector's own boxes (the tracker's and the raw detections),
// once and twice refined; float (tfjs) and int8 (TFLite's runtime, @tensorflow/tfjs-tflite).
//
//   npm run train:face-refiner                       full run: writes refiner/model/
//   npm run train:face-refiner -- --smoke --out DIR  seconds-long check (tests use it)
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers"; // registers the gradients tfjs-core's Node bundle lacks
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runTrainingCli } from "../train/training-cli.ts";
import { writeTflite } from "../../../emulator/model/tflite-writer.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { trainEpochs } from "../../fan-monitor/train/epochs.ts";
import { applyCorrection, CROP, SPAN } from "./crop.ts";
import { describeScore, refineBoxes, scoreBoxes, type RefineBatch } from "./evaluate.ts";
import { HELD_OUT_ROOMS, TRAIN_ROOMS, renderCrops, type Crops } from "./frames.ts";
import { renderHeldOut, type BoxPairs } from "./heldout.ts";
import { INPUT_SHAPE, RefinerNet, layerMacs } from "./net.ts";
import { calibrationRanges, quantizeRefiner } from "./quantize.ts";

export const MODEL_DIR = fileURLToPath(new URL("model/", import.meta.url));
export const MODEL_FILE = "face_refiner_int8.tflite";
const SEED = 5;
const BATCH = 64;
const LEARNING_RATE = 0.003;
const EPOCHS = 12;
const CALIBRATION_CROPS = 400;
/** Weight of the log size ratio's squared error beside the centre's (dx, dy). */
const SIZE_WEIGHT = 2;
const PIX = CROP * CROP;

/** The crops and their mirror images (dx negated). */
function withMirrors(c: Crops): { x: Float32Array; y: Float32Array; count: number } {
  const n = c.count;
  const x = new Float32Array(2 * n * PIX);
  const y = new Float32Array(2 * n * 3);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < CROP; j++)
      for (let i = 0; i < CROP; i++) {
        const v = (c.pixels[k * PIX + j * CROP + i] + 128) / 255;
        x[k * PIX + j * CROP + i] = v;
        x[(n + k) * PIX + j * CROP + (CROP - 1 - i)] = v;
      }
    y.set(c.targets.subarray(3 * k, 3 * k + 3), 3 * k);
    y.set([-c.targets[3 * k], c.targets[3 * k + 1], c.targets[3 * k + 2]], 3 * (n + k));
  }
  return { x, y, count: 2 * n };
}

function floatRefiner(net: RefinerNet): RefineBatch {
  return (crops, count) =>
    tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from(crops, (v) => (v + 128) / 255),
        [count, ...INPUT_SHAPE] as [number, number, number, number],
      );
      return net.forward(x).dataSync().slice() as Float32Array;
    });
}

interface Measured {
  perturbed: ReturnType<typeof scoreBoxes>;
  tracked: ReturnType<typeof scoreBoxes>[];
  detected: ReturnType<typeof scoreBoxes>[];
}

/** Scores from perturbed boxes (refined once, from their stored crops) and from the tracked and
 *  detected boxes (as they are, refined once, refined twice). */
function measure(
  run: RefineBatch,
  perturbed: Crops,
  tracked: BoxPairs,
  detected: BoxPairs,
  log: (s: string) => void,
  label: string,
): Measured {
  const three = (p: BoxPairs) =>
    [0, 1, 2].map((passes) =>
      scoreBoxes(passes ? refineBoxes(p.frames, p.boxes, passes, run) : p.boxes, p.truths),
    );
  const c = run(perturbed.pixels, perturbed.count);
  const m: Measured = {
    perturbed: scoreBoxes(
      perturbed.boxes.map((b, i) => applyCorrection(b, c[3 * i], c[3 * i + 1], c[3 * i + 2])),
      perturbed.truths,
    ),
    tracked: three(tracked),
    detected: three(detected),
  };
  log(
    `held-out ${label}, perturbed boxes: ${describeScore(scoreBoxes(perturbed.boxes, perturbed.truths))}`,
  );
  log(`held-out ${label}, perturbed boxes refined once: ${describeScore(m.perturbed)}`);
  for (const [name, s] of [
    ["tracked", m.tracked],
    ["detected", m.detected],
  ] as const)
    s.forEach((x, passes) =>
      log(
        `held-out ${label}, ${name} boxes${passes ? `, refined ${passes === 1 ? "once" : "twice"}` : ""}: ${describeScore(x)}`,
      ),
    );
  return m;
}

export interface RefinerTrainOptions {
  smoke: boolean;
  epochs: number;
  outDir: string;
  log: (s: string) => void;
}

export async function trainRefiner(o: RefinerTrainOptions) {
  tf.enableProdMode();
  await tf.setBackend("cpu");
  const trainSet = o.smoke ? { ...TRAIN_ROOMS, rooms: 8 } : TRAIN_ROOMS;
  const heldSet = o.smoke ? { ...HELD_OUT_ROOMS, rooms: 2, frames: 8 } : HELD_OUT_ROOMS;
  const t0 = Date.now();
  const train = withMirrors(renderCrops(trainSet, o.log));
  const held = await renderHeldOut(heldSet, o.log);
  o.log(
    `crops: ${train.count} training (mirrors included), ${held.crops.count} held-out perturbed; held-out detector boxes: ${held.tracked.boxes.length} tracked, ${held.detected.boxes.length} detected; rendered in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  const net = new RefinerNet(SEED);
  const macs = layerMacs().reduce((n, l) => n + l.macs, 0);
  o.log(`model: ${net.parameters} parameters, ${macs} MACs`);

  const x = tf.tensor4d(train.x, [train.count, ...INPUT_SHAPE] as [number, number, number, number]);
  const y = tf.tensor2d(train.y, [train.count, 3]);
  const lossWeights = tf.tensor1d([1, 1, SIZE_WEIGHT]);
  const rnd = seededRandom(SEED);
  trainEpochs(
    {
      count: train.count,
      epochs: o.epochs,
      batch: BATCH,
      learningRate: LEARNING_RATE,
      lateDivisor: 5,
      rnd,
      log: o.log,
    },
    (optimizer, idx) => {
      const xs = tf.gather(x, idx) as tf.Tensor4D;
      const ys = tf.gather(y, idx);
      return optimizer.minimize(
        () =>
          tf.mean(
            tf.sum(tf.mul(tf.square(tf.sub(net.forward(xs), ys)), lossWeights), 1),
          ) as tf.Scalar,
        true,
        net.variables,
      )!;
    },
  );
  tf.dispose([x, y, lossWeights]);

  const floatM = measure(
    floatRefiner(net),
    held.crops,
    held.tracked,
    held.detected,
    o.log,
    "float",
  );

  // Calibration: a seeded draw of training crops.
  const n = Math.min(CALIBRATION_CROPS, train.count);
  const calib = new Float32Array(n * PIX);
  for (let i = 0; i < n; i++)
    calib.set(train.x.subarray(Math.floor(rnd() * train.count) * PIX).subarray(0, PIX), i * PIX);
  const q = quantizeRefiner(
    net,
    calibrationRanges(net, calib, n),
    `tinyboard active-speaker face-box refiner (${CROP} x ${CROP} grey crop, ${SPAN} half widths each way, int8)`,
  );
  const bytes = writeTflite(q.model);
  tf.dispose(net.variables); // named variables: a second run in the same process registers them again
  mkdirSync(o.outDir, { recursive: true });
  const modelPath = path.join(o.outDir, MODEL_FILE);
  writeFileSync(modelPath, bytes);

  // The int8 model in TFLite's runtime: input = pixel - 128, output dequantised.
  const ref = await loadReference(bytes);
  const int8Run: RefineBatch = (crops, count) => {
    const out = new Float32Array(3 * count);
    for (let k = 0; k < count; k++) {
      const [c] = ref.run([crops.subarray(k * PIX, (k + 1) * PIX)]) as Int8Array[];
      for (let j = 0; j < 3; j++) out[3 * k + j] = (c[j] - q.output.zeroPoint) * q.output.scale;
    }
    return out;
  };
  const int8M = measure(
    int8Run,
    held.crops,
    held.tracked,
    held.detected,
    o.log,
    "int8 (TFLite runtime)",
  );
  ref.dispose();
  o.log(`wrote ${path.relative(process.cwd(), modelPath)} (${bytes.length} B)`);
  const result = {
    modelPath: MODEL_FILE,
    modelBytes: bytes.length,
    parameters: net.parameters,
    macs,
    layers: layerMacs(),
    crop: CROP,
    span: SPAN,
    epochs: o.epochs,
    seed: SEED,
    trainSet,
    heldOutSet: heldSet,
    trainCrops: train.count,
    heldOutCrops: held.crops.count,
    float: floatM,
    int8: int8M,
    input: q.input,
    output: q.output,
  };
  writeFileSync(path.join(o.outDir, "training.json"), JSON.stringify(result, null, 2) + "\n");
  return { ...result, modelFile: modelPath, bytes };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) runTrainingCli("train:face-refiner", EPOCHS, MODEL_DIR, trainRefiner);
