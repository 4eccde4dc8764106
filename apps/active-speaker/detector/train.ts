// Reproduces the face detector: renders the training and held-out frames (frames.ts), trains
// the centroid-grid net with tfjs (CPU backend, seeded), quantises it to int8 with a
// calibration set, writes the .tflite with our writer, and measures precision and recall of
// face centres on the held-out frames for the float model (tfjs) and the int8 model (TFLite's
// own runtime, @tensorflow/tfjs-tflite), decoded as the firmware decodes them (decode.ts).
//
//   npm run train:face-detector                       full run: writes detector/model/
//   npm run train:face-detector -- --smoke --out DIR  seconds-long check (tests use it)
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
import { decode, match, type Matching } from "./decode.ts";
import {
  CELL,
  GRID_H,
  GRID_W,
  HELD_OUT_FRAMES,
  IN_H,
  IN_W,
  TRAIN_FRAMES,
  renderFrames,
  type Face,
  type Frames,
} from "./frames.ts";
import { FaceNet, INPUT_SHAPE, layerMacs } from "./net.ts";
import { calibrationRanges, quantizeDetector } from "./quantize.ts";

export const MODEL_DIR = fileURLToPath(new URL("model/", import.meta.url));
export const MODEL_FILE = "face_detector_int8.tflite";
const SEED = 5;
const BATCH = 32;
const LEARNING_RATE = 0.004;
const EPOCHS = 12;
const CALIBRATION_FRAMES = 160;
/** Weight of a face-centre cell in the objectness loss (about 1 cell in 100 holds one). */
const POSITIVE_WEIGHT = 20;
/** Weight of the box head's squared error (cell units), summed like the objectness loss over a frame's cells. */
const BOX_WEIGHT = 20;
/** A hit: centre within this many true half widths (the crop tolerance, see the README). */
export const CROP_TOLERANCE = 0.25;
/** A face found at all: centre within one half width (inside the head). */
export const FOUND_RADIUS = 1;

const CELLS = GRID_W * GRID_H;
const PIX = IN_W * IN_H;

interface Targets {
  obj: Float32Array;
  weight: Float32Array;
  box: Float32Array;
  mask: Float32Array;
}

/** The training frames and their mirror images (faces mirrored too). */
function withMirrors(f: Frames): Frames {
  const pixels = new Float32Array(2 * f.count * PIX);
  pixels.set(f.pixels);
  for (let k = 0; k < f.count; k++)
    for (let y = 0; y < IN_H; y++)
      for (let x = 0; x < IN_W; x++)
        pixels[(f.count + k) * PIX + y * IN_W + x] = f.pixels[k * PIX + y * IN_W + (IN_W - 1 - x)];
  const mirrored = f.faces.map((fs) => fs.map((p) => ({ ...p, cx: IN_W * 4 - p.cx })));
  return { count: 2 * f.count, pixels, faces: [...f.faces, ...mirrored] };
}

function targets(f: Frames): Targets {
  const t: Targets = {
    obj: new Float32Array(f.count * CELLS),
    weight: new Float32Array(f.count * CELLS).fill(1),
    box: new Float32Array(f.count * CELLS * 3),
    mask: new Float32Array(f.count * CELLS),
  };
  const cellOf = (p: Face) => [
    Math.min(GRID_W - 1, Math.floor(p.cx / CELL)),
    Math.min(GRID_H - 1, Math.floor(p.cy / CELL)),
  ];
  f.faces.forEach((faces, k) => {
    // The 3 x 3 cells around a face's centre cell: no objectness loss (neither face nor
    // background), but box targets relative to each of them, so that whichever of them peaks
    // places the face (the nearest face's, when two faces share a cell's neighbourhood).
    const nearest = new Float32Array(CELLS).fill(Infinity);
    for (const p of faces) {
      const [gx, gy] = cellOf(p);
      for (let ny = gy - 1; ny <= gy + 1; ny++)
        for (let nx = gx - 1; nx <= gx + 1; nx++) {
          if (nx < 0 || ny < 0 || nx >= GRID_W || ny >= GRID_H) continue;
          const c = ny * GRID_W + nx,
            i = k * CELLS + c;
          t.weight[i] = 0;
          const dx = p.cx / CELL - nx - 0.5,
            dy = p.cy / CELL - ny - 0.5;
          if (Math.hypot(dx, dy) >= nearest[c]) continue;
          nearest[c] = Math.hypot(dx, dy);
          t.mask[i] = 1;
          t.box.set([dx, dy, p.hw / CELL], 3 * i);
        }
    }
    for (const p of faces) {
      const [gx, gy] = cellOf(p);
      const i = k * CELLS + gy * GRID_W + gx;
      t.obj[i] = 1;
      t.weight[i] = POSITIVE_WEIGHT;
    }
  });
  return t;
}

function score(
  frames: Frames,
  outputs: (k: number) => { obj: ArrayLike<number>; box: ArrayLike<number> },
) {
  const tight: Matching = { truths: 0, detections: 0, hits: 0, errors: [], sizeErrors: [] };
  const loose: Matching = { truths: 0, detections: 0, hits: 0, errors: [], sizeErrors: [] };
  for (let k = 0; k < frames.count; k++) {
    const o = outputs(k);
    const found = decode(o.obj, o.box);
    match(found, frames.faces[k], CROP_TOLERANCE, tight);
    match(found, frames.faces[k], FOUND_RADIUS, loose);
  }
  const pct = (a: number, b: number) => (b > 0 ? a / b : 0);
  const sorted = [...loose.errors].sort((a, b) => a - b);
  const sizes = [...loose.sizeErrors].sort((a, b) => a - b);
  const at = (xs: number[], p: number) => (xs.length ? xs[Math.floor(p * (xs.length - 1))] : 0);
  return {
    faces: tight.truths,
    detections: tight.detections,
    precision: pct(tight.hits, tight.detections),
    recall: pct(tight.hits, tight.truths),
    foundPrecision: pct(loose.hits, loose.detections),
    foundRecall: pct(loose.hits, loose.truths),
    medianCentreError: at(sorted, 0.5),
    p90CentreError: at(sorted, 0.9),
    medianSizeError: at(sizes, 0.5),
  };
}
type Score = ReturnType<typeof score>;
const describe = (s: Score) =>
  `precision ${s.precision.toFixed(3)} recall ${s.recall.toFixed(3)} (centre within ${CROP_TOLERANCE} half widths; within one: ${s.foundPrecision.toFixed(3)} / ${s.foundRecall.toFixed(3)}), centre error median ${s.medianCentreError.toFixed(3)} p90 ${s.p90CentreError.toFixed(3)} half widths, size error median ${(s.medianSizeError * 100).toFixed(1)} %`;

export interface DetectorTrainOptions {
  smoke: boolean;
  epochs: number;
  outDir: string;
  log: (s: string) => void;
}

export async function trainDetector(o: DetectorTrainOptions) {
  tf.enableProdMode();
  await tf.setBackend("cpu");
  const trainSet = o.smoke ? { ...TRAIN_FRAMES, scenes: 8, framesPerScene: 2 } : TRAIN_FRAMES;
  const heldSet = o.smoke ? { ...HELD_OUT_FRAMES, scenes: 4, framesPerScene: 2 } : HELD_OUT_FRAMES;
  const t0 = Date.now();
  const train = withMirrors(renderFrames(trainSet, o.log));
  const held = renderFrames(heldSet, o.log);
  const faceCount = (f: Frames) => f.faces.reduce((n, x) => n + x.length, 0);
  o.log(
    `frames: ${train.count} training (${faceCount(train)} faces, mirrors included), ${held.count} held-out (${faceCount(held)} faces), rendered in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  const net = new FaceNet(SEED);
  const macs = layerMacs().reduce((n, l) => n + l.macs, 0);
  o.log(`model: ${net.parameters} parameters, ${macs} MACs`);

  const t = targets(train);
  const x = tf.tensor4d(
    train.pixels.map((v) => v / 255),
    [train.count, ...INPUT_SHAPE] as [number, number, number, number],
  );
  const yObj = tf.tensor4d(t.obj, [train.count, GRID_H, GRID_W, 1]);
  const wObj = tf.tensor4d(t.weight, [train.count, GRID_H, GRID_W, 1]);
  const yBox = tf.tensor4d(t.box, [train.count, GRID_H, GRID_W, 3]);
  const mBox = tf.tensor4d(t.mask, [train.count, GRID_H, GRID_W, 1]);
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
      const yo = tf.gather(yObj, idx),
        wo = tf.gather(wObj, idx),
        yb = tf.gather(yBox, idx),
        mb = tf.gather(mBox, idx);
      return optimizer.minimize(
        () => {
          const out = net.forward(xs);
          const z = out.obj;
          // Sigmoid cross-entropy from logits, stable form: max(z, 0) - z y + log(1 + e^-|z|).
          const bce = tf.add(
            tf.sub(tf.relu(z), tf.mul(z, yo)),
            tf.log1p(tf.exp(tf.neg(tf.abs(z)))),
          );
          const objLoss = tf.div(tf.sum(tf.mul(bce, wo)), idx.shape[0]);
          const boxLoss = tf.div(tf.sum(tf.mul(tf.square(tf.sub(out.box, yb)), mb)), idx.shape[0]);
          return tf.add(objLoss, tf.mul(boxLoss, BOX_WEIGHT)) as tf.Scalar;
        },
        true,
        net.variables,
      )!;
    },
  );
  tf.dispose([x, yObj, wObj, yBox, mBox]);

  // Float model on the held-out frames.
  const floatOut = tf.tidy(() => {
    const out = net.forward(
      tf.tensor4d(
        held.pixels.map((v) => v / 255),
        [held.count, ...INPUT_SHAPE] as [number, number, number, number],
      ),
    );
    return { obj: out.obj.dataSync().slice(), box: out.box.dataSync().slice() };
  });
  const floatScore = score(held, (k) => ({
    obj: floatOut.obj.subarray(k * CELLS, (k + 1) * CELLS),
    box: floatOut.box.subarray(k * CELLS * 3, (k + 1) * CELLS * 3),
  }));
  o.log(`held-out float: ${describe(floatScore)}`);

  // Calibration: a seeded draw of training frames.
  const n = Math.min(CALIBRATION_FRAMES, train.count);
  const calib = new Float32Array(n * PIX);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * train.count);
    for (let j = 0; j < PIX; j++) calib[i * PIX + j] = train.pixels[k * PIX + j] / 255;
  }
  const q = quantizeDetector(
    net,
    calibrationRanges(net, calib, n),
    "tinyboard active-speaker face detector (centroid grid 20 x 15 over QVGA, int8)",
  );
  const bytes = writeTflite(q.model);
  tf.dispose(net.variables); // named variables: a second run in the same process registers them again
  mkdirSync(o.outDir, { recursive: true });
  const modelPath = path.join(o.outDir, MODEL_FILE);
  writeFileSync(modelPath, bytes);

  // The int8 model in TFLite's runtime: input = pixel - 128, outputs dequantised.
  const ref = await loadReference(bytes);
  const int8Out: { obj: Float32Array; box: Float32Array }[] = [];
  for (let k = 0; k < held.count; k++) {
    const input = Int8Array.from(held.pixels.subarray(k * PIX, (k + 1) * PIX), (p) => p - 128);
    const [obj, box] = ref.run([input]);
    int8Out.push({
      obj: Float32Array.from(obj as Int8Array, (v) => (v - q.obj.zeroPoint) * q.obj.scale),
      box: Float32Array.from(box as Int8Array, (v) => (v - q.box.zeroPoint) * q.box.scale),
    });
  }
  ref.dispose();
  const int8Score = score(held, (k) => int8Out[k]);
  o.log(`held-out int8 (TFLite runtime): ${describe(int8Score)}`);
  o.log(`wrote ${path.relative(process.cwd(), modelPath)} (${bytes.length} B)`);
  const result = {
    modelPath: MODEL_FILE,
    modelBytes: bytes.length,
    parameters: net.parameters,
    macs,
    layers: layerMacs(),
    epochs: o.epochs,
    seed: SEED,
    trainSet,
    heldOutSet: heldSet,
    trainFrames: train.count,
    heldOutFrames: held.count,
    cropTolerance: CROP_TOLERANCE,
    float: floatScore,
    int8: int8Score,
    input: q.input,
    obj: q.obj,
    box: q.box,
  };
  writeFileSync(path.join(o.outDir, "training.json"), JSON.stringify(result, null, 2) + "\n");
  return { ...result, modelFile: modelPath, bytes };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) runTrainingCli("train:face-detector", EPOCHS, MODEL_DIR, trainDetector);
