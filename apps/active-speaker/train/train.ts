// Reproduces the active-speaker model: generates training and held-out meetings (dataset.ts),
// trains the two-branch net with tfjs (CPU backend, seeded; L = L_fusion + L_video + L_audio),
// quantises it to int8 with a calibration set, writes the .tflite with our writer, and
// reports auROC per face-frame on the held-out meetings for the fused, video-only and
// audio-only heads, in float (tfjs) and int8 (TFLite's runtime), raw and smoothed as the app
// smooths them (report.ts).
//
//   npm run train:active-speaker                          full run: writes apps/active-speaker/model
//   npm run train:active-speaker -- --smoke --out DIR     a short check (tests use it)
//   npm run train:active-speaker -- --no-sync ...         without the fusion's synchrony product
//   npm run train:active-speaker -- --steps ...           with the per-time-step synchrony path
//   npm run train:active-speaker -- --hard-weight W ...   fused-loss weight of the hard negatives
//   npm run train:active-speaker -- --residual ...        fused logit = video logit + a learned correction
//   npm run train:active-speaker -- --detector-share S ... share of mouth crops cut at the face detector's boxes
//   npm run train:active-speaker -- --jitter-share S ...   share cut at boxes placed as badly as the detector's (jitter-boxes.ts)
//   npm run train:active-speaker -- --seed N ...           another seed (initialisation and batches; default 5)
//   npm run train:active-speaker -- --average E ...        the model's weights: their mean over the last E epochs' steps
//   npm run train:active-speaker -- --candidates ...       also writes OUT/candidates/{last,avg1,avg2,avg3} to choose E on validation
// A full run trains on the first 32 of 36 training meetings and reports float auROC on the last
// 4 (validation: for choosing between options without looking at the held-out meetings).
// The command line is train-cli.ts.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers"; // registers the gradients
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { trainEpochs } from "../../fan-monitor/train/epochs.ts";
import { AUDIO_SIZE, HELD_OUT_SET, TRAIN_SET, VIDEO_SIZE } from "./dataset.ts";
import { AsdNet, layerMacs } from "./model.ts";
import { mismatchBatch } from "./mismatch.ts";
import { loadMeetings, type HeadScores } from "./evaluate.ts";
import { a4, report, v4, type SmoothedReport } from "./report.ts";
import { loadDetector } from "./detector-boxes.ts";
import { cropAuroc } from "./measure-crops.ts";
import { JITTERS } from "./jitter-boxes.ts";
import { WeightAverage, swapWeights } from "./weight-average.ts";
import { AVERAGE_CANDIDATES, MODEL_FILE, exportInt8, writeCandidate } from "./candidates.ts";
import {
  AVERAGE,
  BATCH,
  CALIBRATION,
  DETECTOR_SHARE,
  HARD_CONDITIONS,
  HARD_NEGATIVE_WEIGHT,
  JITTER_SHARE,
  LEARNING_RATE,
  LEVEL_JITTER,
  MEETINGS,
  MISMATCH,
  RESIDUAL,
  SEED,
  STEPS,
  SYNC,
  VALIDATION,
  type TrainOptions,
} from "./train-options.ts";

export { MODEL_FILE };
export type { HeadScores };
type RawSmoothed = { raw: number; smoothed: number };
export interface CropScores {
  exact: RawSmoothed;
  detector: RawSmoothed;
  validation?: { exact: RawSmoothed; detector: RawSmoothed };
}
export interface TrainResult {
  float: HeadScores;
  /** Float auROC on the validation meetings (the training seeds' last ones), when any. */
  validation?: HeadScores;
  int8: HeadScores;
  /** The same as the app reports them: smoothed per track over time (report.ts). */
  smoothed: SmoothedReport;
  /** int8 fused auROC, raw / smoothed, with crops at the exact boxes and at the detector's. */
  detectorCrops: CropScores;
  parameters: number;
  macs: number;
  modelBytes: number;
  trainSamples: number;
  heldOutSamples: number;
  modelPath: string;
}

export async function train(o: TrainOptions): Promise<TrainResult> {
  tf.enableProdMode();
  await tf.setBackend("cpu");
  let trainSpec = o.smoke
    ? { ...TRAIN_SET, scenes: 1, seconds: 4 }
    : { ...TRAIN_SET, scenes: o.meetings ?? MEETINGS };
  let heldSpec = o.smoke ? { ...HELD_OUT_SET, scenes: 1, seconds: 4 } : HELD_OUT_SET;
  // A smaller run (--scenes N --seconds S): held-out scenes a third as many.
  if (o.scenes) {
    trainSpec = { ...trainSpec, scenes: o.scenes };
    heldSpec = { ...heldSpec, scenes: Math.max(1, Math.round(o.scenes / 3)) };
  }
  if (o.seconds) {
    trainSpec = { ...trainSpec, seconds: o.seconds };
    heldSpec = { ...heldSpec, seconds: o.seconds };
  }
  o.log(
    `generating ${trainSpec.scenes} training and ${heldSpec.scenes} held-out meetings of ${trainSpec.seconds} s`,
  );
  const nVal = o.smoke ? 0 : (o.validation ?? (o.scenes ? 0 : VALIDATION));
  if (nVal >= trainSpec.scenes) throw new Error("train: fewer validation than training meetings");
  const detector = await loadDetector();
  const tr = loadMeetings(trainSpec, 0, trainSpec.scenes - nVal, o.log, detector).samples;
  const val = nVal
    ? loadMeetings(trainSpec, trainSpec.scenes - nVal, trainSpec.scenes, o.log, detector)
    : null;
  const held = loadMeetings(heldSpec, 0, heldSpec.scenes, o.log, detector);
  detector.ref.dispose();
  const pos = (x: Float32Array) => x.reduce((a, b) => a + b, 0);
  o.log(
    `dataset: ${tr.count} training face-frames (${pos(tr.face)} speaking), ${val?.samples.count ?? 0} validation, ${held.samples.count} held-out (${pos(held.samples.face)} speaking)`,
  );

  const sync = o.sync ?? SYNC;
  const steps = o.steps ?? STEPS;
  const hardWeight = o.hardWeight ?? HARD_NEGATIVE_WEIGHT;
  const residual = o.residual ?? RESIDUAL;
  const seed = o.seed ?? SEED;
  const net = new AsdNet(seed, sync, steps, residual);
  const macs = layerMacs(sync, steps);
  const totalMacs = macs.reduce((n, l) => n + l.macs, 0);
  o.log(
    `model: ${net.parameters} parameters, ${totalMacs} MACs per face\n${macs.map((l) => `    ${l.layer.padEnd(24)} ${String(l.macs).padStart(8)}`).join("\n")}`,
  );
  const rnd = seededRandom(seed);
  const detectorShare = o.detectorShare ?? DETECTOR_SHARE;
  const jitterShare = o.jitterShare ?? JITTER_SHARE;
  if (detectorShare + jitterShare > 1) throw new Error("train: detector + jitter share above 1");
  const vx = v4(tr.video, tr.count),
    vxd = v4(tr.videoDetector!, tr.count),
    ax = a4(tr.audio, tr.count);
  const vxj = jitterShare > 0 ? v4(tr.videoJitter!, tr.count * JITTERS) : null;
  const yf = tf.tensor2d(tr.face, [tr.count, 1]),
    ya = tf.tensor2d(tr.any, [tr.count, 1]);
  const hard = Float32Array.from({ length: tr.count }, (_, i) =>
    HARD_CONDITIONS.has(tr.condition[i]) && tr.face[i] === 0 && tr.any[i] === 1 ? hardWeight : 1,
  );
  o.log(`hard negatives (fused loss x${hardWeight}): ${hard.filter((w) => w !== 1).length}`);
  const wf = tf.tensor2d(hard, [tr.count, 1]);
  const lambdas = () =>
    `(λV ${net.v("lambdaV").dataSync()[0].toFixed(3)}, λA ${net.v("lambdaA").dataSync()[0].toFixed(3)})`;
  const plan = { count: tr.count, epochs: o.epochs, batch: BATCH, rnd, log: o.log, note: lambdas };
  const mismatch = o.mismatch ?? MISMATCH;
  const average = o.average ?? AVERAGE;
  if (!(Number.isInteger(average) && average >= 0 && average <= o.epochs))
    throw new Error(`train: --average must be 0..epochs, got ${average}`);
  // Weight averages over the last E epochs' steps: the model's own (average) and, with
  // candidates, the ones to choose E from. They read the weights after each step and draw
  // nothing from rnd, so the run trains exactly as without them.
  const stepsPerEpoch = Math.ceil(tr.count / BATCH);
  const windows = [...new Set([...(o.candidates ? AVERAGE_CANDIDATES : []), average])].filter(
    (e) => e > 0,
  );
  const averages = new Map(
    windows.map((e) => [
      e,
      new WeightAverage(net.variables, stepsPerEpoch * Math.max(0, o.epochs - e)),
    ]),
  );
  let stepIndex = 0;
  trainEpochs({ ...plan, learningRate: LEARNING_RATE, lateDivisor: 5 }, (optimizer, idx) => {
    const own = idx.dataSync();
    const { audioIdx, fusedKeep } = mismatchBatch(own, tr.count, mismatch, rnd);
    const keepFused = tf.tensor2d(fusedKeep, [own.length, 1]);
    // The seat box's crops or, for a share of the batch, the detector's, or (jitterShare) one
    // of the jittered boxes' (one draw per sample; the jitter's index drawn only when taken, so
    // a run without jitter draws as before).
    const nb = idx.shape[0];
    const draws = Array.from({ length: nb }, () => rnd());
    const fromDetector = tf.tensor4d(
      draws.map((u) => (u < detectorShare ? 1 : 0)),
      [nb, 1, 1, 1],
    );
    const seatCrops = tf.gather(vx, idx);
    let crops = tf.add(seatCrops, tf.mul(fromDetector, tf.sub(tf.gather(vxd, idx), seatCrops)));
    if (vxj) {
      const jit = draws.map((u) => u >= detectorShare && u < detectorShare + jitterShare);
      const which = jit.map((j, i) => own[i] * JITTERS + (j ? Math.floor(rnd() * JITTERS) : 0));
      const fromJitter = tf.tensor4d(
        jit.map((j) => (j ? 1 : 0)),
        [nb, 1, 1, 1],
      );
      crops = tf.add(crops, tf.mul(fromJitter, tf.sub(tf.gather(vxj, which), crops)));
    }
    const [bv0, ba0, bv, bA] = [
      crops,
      tf.gather(ax, audioIdx),
      tf.gather(yf, idx),
      tf.gather(ya, audioIdx),
    ];
    const bf = tf.mul(bv, keepFused);
    const bw = hardWeight !== 1 ? tf.gather(wf, idx) : null;
    // Augmentation against the few training voices and faces: half the mouth crops
    // mirrored left-right, every log-mel window shifted by up to +-5 dB (talker level).
    const n = idx.shape[0];
    const flip = tf.tensor4d(
      Array.from({ length: n }, () => (rnd() < 0.5 ? 1 : 0)),
      [n, 1, 1, 1],
    );
    const mouths = tf.add(bv0, tf.mul(flip, tf.sub(tf.reverse(bv0, 2), bv0)));
    const gain = Array.from({ length: n }, () => (2 * rnd() - 1) * LEVEL_JITTER);
    const ba = tf.add(ba0, tf.tensor4d(gain, [n, 1, 1, 1]));
    const cost = optimizer.minimize(
      () => {
        const out = net.forward(mouths as tf.Tensor4D, ba as tf.Tensor4D);
        // L = L_fusion + L_video + L_audio; the audio label is "some face speaks".
        return tf.addN([
          bw
            ? tf.losses.sigmoidCrossEntropy(bf, out.fused, bw)
            : tf.losses.sigmoidCrossEntropy(bf, out.fused),
          tf.losses.sigmoidCrossEntropy(bv, out.video),
          tf.losses.sigmoidCrossEntropy(bA, out.audio),
        ]) as tf.Scalar;
      },
      true,
      net.variables,
    )!;
    for (const a of averages.values()) a.step(stepIndex);
    stepIndex++;
    return cost;
  });
  tf.dispose([vx, vxd, ax, yf, ya, wf, ...(vxj ? [vxj] : [])]);

  // Calibration: a seeded sample of training face-frames.
  const n = Math.min(CALIBRATION, tr.count);
  const cv = new Float32Array(n * VIDEO_SIZE),
    ca = new Float32Array(n * AUDIO_SIZE);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rnd() * tr.count);
    cv.set(tr.video.subarray(k * VIDEO_SIZE, (k + 1) * VIDEO_SIZE), i * VIDEO_SIZE);
    ca.set(tr.audio.subarray(k * AUDIO_SIZE, (k + 1) * AUDIO_SIZE), i * AUDIO_SIZE);
  }
  const sets = { trainSet: trainSpec, heldOutSet: heldSpec, validationScenes: nVal, seed };
  if (o.candidates) {
    const dir = path.join(o.outDir, "candidates");
    writeCandidate(net, cv, ca, n, path.join(dir, "last"), { ...sets, average: 0 });
    for (const e of AVERAGE_CANDIDATES) {
      const put = swapWeights(net.variables, averages.get(e)!.mean());
      writeCandidate(net, cv, ca, n, path.join(dir, `avg${e}`), { ...sets, average: e });
      tf.dispose(swapWeights(net.variables, put));
    }
    o.log(
      `wrote candidates: ${path.relative(process.cwd(), dir)}/{last,${AVERAGE_CANDIDATES.map((e) => `avg${e}`)}}`,
    );
  }
  if (average > 0) {
    const mean = averages.get(average)!;
    tf.dispose(swapWeights(net.variables, mean.mean()));
    o.log(`model weights: the mean over the last ${average} epochs (${mean.steps} steps)`);
  }
  for (const a of averages.values()) a.dispose();
  const { q, bytes } = exportInt8(net, cv, ca, n);
  mkdirSync(o.outDir, { recursive: true });
  const modelPath = path.join(o.outDir, MODEL_FILE);
  writeFileSync(modelPath, bytes);

  const { float, validation, int8, smoothed, byCondition } = await report(
    net,
    bytes,
    q,
    held,
    val,
    o.log,
  );
  const outputs = { fused: q.outputs[0], video: q.outputs[1], audio: q.outputs[2] };
  const crops = await cropAuroc(bytes, { input: q, outputs }, held);
  const valCrops = val ? await cropAuroc(bytes, { input: q, outputs }, val) : null;
  const pair = (h: { raw: HeadScores; smoothed?: HeadScores }) => ({
    raw: h.raw.fused,
    smoothed: h.smoothed!.fused,
  });
  const detectorCrops: CropScores = {
    exact: pair(crops.exact),
    detector: pair(crops.detector),
    ...(valCrops
      ? { validation: { exact: pair(valCrops.exact), detector: pair(valCrops.detector) } }
      : {}),
  };
  o.log(`held-out int8 fused auROC, raw / smoothed, by crop box: ${JSON.stringify(detectorCrops)}`);
  o.log(`wrote ${path.relative(process.cwd(), modelPath)} (${bytes.length} B)`);
  const result: TrainResult = {
    float,
    ...(validation ? { validation } : {}),
    int8,
    smoothed,
    detectorCrops,
    parameters: net.parameters,
    macs: totalMacs,
    modelBytes: bytes.length,
    trainSamples: tr.count,
    heldOutSamples: held.samples.count,
    modelPath,
  };
  writeFileSync(
    path.join(o.outDir, "training.json"),
    JSON.stringify(
      {
        ...result,
        modelPath: MODEL_FILE,
        epochs: o.epochs,
        seed,
        ...(average ? { average } : {}),
        ...(mismatch ? { mismatch } : {}),
        sync,
        ...(steps ? { steps } : {}),
        ...(residual ? { residual } : {}),
        ...(hardWeight !== 1 ? { hardNegativeWeight: hardWeight } : {}),
        detectorShare,
        ...(jitterShare ? { jitterShare } : {}),
        trainSet: trainSpec,
        ...(nVal ? { validationScenes: nVal } : {}),
        heldOutSet: heldSpec,
        layerMacs: macs,
        lambda: { video: net.v("lambdaV").dataSync()[0], audio: net.v("lambdaA").dataSync()[0] },
        input: { video: q.video, audio: q.audio },
        outputs: { fused: q.outputs[0], video: q.outputs[1], audio: q.outputs[2] },
        byCondition,
      },
      null,
      2,
    ) + "\n",
  );
  // Variables are registered by name: free them so another run in this process can start.
  tf.dispose(net.variables);
  return result;
}
