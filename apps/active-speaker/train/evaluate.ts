// Scoring the model's three heads on generated meetings, shared by the training report
// (report.ts) and the firmware evaluation (eval-firmware.ts): the meetings with each sample's
// track, the int8 inputs as the app quantises them, TFLite's runtime on them, and auROC per
// face-frame of the raw per-step output and of the output smoothed as the app smooths it.
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import {
  AUDIO_SIZE,
  VIDEO_SIZE,
  concat,
  randomMeeting,
  type Detector,
  type Samples,
  type SetSpec,
} from "./dataset.ts";
import { cachedSceneSamples } from "./sample-cache.ts";
import { quantizeInput, type QuantParams } from "./quantize.ts";
import { auroc } from "./auroc.ts";
import {
  APP_SMOOTH,
  CANDIDATES,
  delaySteps,
  describeSmoother,
  smoothPerTrack,
  type Smoother,
} from "./smoothing.ts";

export const HEADS = ["fused", "video", "audio"] as const;
export type Head = (typeof HEADS)[number];
export type HeadScores = Record<Head, number>;
export type HeadLogits = Record<Head, Float32Array>;

/** Samples of some meetings, with each sample's track (a face of one meeting; numbered over all). */
export interface Meetings {
  samples: Samples;
  tracks: Int32Array;
}

/** Meetings from..to-1 of a set (dataset.ts's cache); with `detector`, with its crops too. */
export function loadMeetings(
  set: SetSpec,
  from: number,
  to: number,
  log: (s: string) => void = () => {},
  detector?: Detector,
): Meetings {
  const parts: Samples[] = [];
  const tracks: number[] = [];
  let faces = 0;
  for (let i = from; i < to; i++) {
    const raw = randomMeeting(set, i);
    const s = cachedSceneSamples(raw, `${set.name} scene ${i}`, detector);
    // dataset.ts writes a sample per face per step, the faces in seat order within a step.
    const people = (raw.people as unknown[]).length;
    if (s.count % people !== 0) throw new Error(`${set.name} scene ${i}: samples not whole steps`);
    for (let k = 0; k < s.count; k++) tracks.push(faces + (k % people));
    faces += people;
    parts.push(s);
    log(`  ${set.name} scene ${i + 1}/${set.scenes}: ${s.count} face-frames`);
  }
  return { samples: concat(parts), tracks: Int32Array.from(tracks) };
}

export const logitsOf = (n: number): HeadLogits => ({
  fused: new Float32Array(n),
  video: new Float32Array(n),
  audio: new Float32Array(n),
});

/** Sample `k` of a set quantised as the app quantises a face's crops and the log-mel hops. */
export function quantizedInputs(
  s: Samples,
  picked: number[],
  input: { video: QuantParams; audio: QuantParams },
): { video: Int8Array; audio: Int8Array }[] {
  return picked.map((k) => ({
    video: quantizeInput(s.video.subarray(k * VIDEO_SIZE, (k + 1) * VIDEO_SIZE), input.video),
    audio: quantizeInput(s.audio.subarray(k * AUDIO_SIZE, (k + 1) * AUDIO_SIZE), input.audio),
  }));
}

/** Each head's int8 output byte and logit from TFLite's runtime (@tensorflow/tfjs-tflite). */
export async function tfliteOutputs(
  model: Uint8Array,
  inputs: { video: Int8Array; audio: Int8Array }[],
  outputs: Record<Head, QuantParams>,
): Promise<{ bytes: Int8Array[]; logits: HeadLogits }> {
  const ref = await loadReference(model);
  const logits = logitsOf(inputs.length);
  const bytes = inputs.map((x, i) => {
    const out = ref.run([x.video, x.audio]);
    const b = Int8Array.from(HEADS, (_, j) => out[j][0]);
    HEADS.forEach((h, j) => (logits[h][i] = (b[j] - outputs[h].zeroPoint) * outputs[h].scale));
    return b;
  });
  ref.dispose();
  return { bytes, logits };
}

/** auROC per head of the raw per-step logits and, with tracks, of the probabilities smoothed. */
export interface HeadReport {
  raw: HeadScores;
  smoothed?: HeadScores;
}

export function headAuroc(logits: HeadLogits, labels: ArrayLike<number>): HeadScores {
  return Object.fromEntries(HEADS.map((h) => [h, auroc(logits[h], labels)])) as HeadScores;
}

export function smoothedAuroc(
  logits: HeadLogits,
  labels: ArrayLike<number>,
  tracks: Int32Array,
  s: Smoother,
): HeadScores {
  return Object.fromEntries(
    HEADS.map((h) => [h, auroc(smoothPerTrack(logits[h], tracks, s), labels)]),
  ) as HeadScores;
}

/** Raw, and smoothed with the app's weight when the samples are whole tracks in step order. */
export function scoreHeads(
  logits: HeadLogits,
  labels: ArrayLike<number>,
  tracks: Int32Array | null,
  s: Smoother = { kind: "exponential", weight: APP_SMOOTH },
): HeadReport {
  return {
    raw: headAuroc(logits, labels),
    ...(tracks ? { smoothed: smoothedAuroc(logits, labels, tracks, s) } : {}),
  };
}

/** Validation fused auROC within this of the best counts as a tie, broken by the smaller delay:
 *  the auROC's standard error on the 4 validation meetings is about 0.01 (Hanley and McNeil),
 *  so a gain of a tenth of that is not worth a frame of latency. */
export const SMOOTHER_TIE = 0.001;

/** The smoother with the best fused auROC on these (validation) samples, the least delay in a tie. */
export function chooseSmoother(
  logits: HeadLogits,
  labels: ArrayLike<number>,
  tracks: Int32Array,
): { smoother: Smoother; fused: number; all: { smoother: string; fused: number }[] } {
  const all = CANDIDATES.map((smoother) => ({
    smoother,
    fused: auroc(smoothPerTrack(logits.fused, tracks, smoother), labels),
  }));
  const top = Math.max(...all.map((c) => c.fused));
  const best = all
    .filter((c) => c.fused >= top - SMOOTHER_TIE)
    .reduce((a, b) => (delaySteps(b.smoother) < delaySteps(a.smoother) ? b : a));
  return {
    smoother: best.smoother,
    fused: best.fused,
    all: all.map((c) => ({ smoother: describeSmoother(c.smoother), fused: c.fused })),
  };
}

export const formatScores = (s: HeadScores) =>
  `fused ${s.fused.toFixed(4)}, video ${s.video.toFixed(4)}, audio ${s.audio.toFixed(4)}`;
