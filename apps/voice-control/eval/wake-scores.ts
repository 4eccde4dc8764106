// Host-side wake-word scores on a far-field scene: the scene rendered as the emulator renders
// it (emulator/inputs/room/), one microphone (a stand-in for the firmware's beam) brought to
// the AGC's -20 dBFS, the MLPerf wake-word features of test/helpers/dsp-reference.ts computed
// once per 32 ms frame, and str_ww_ref_model.tflite run in TFLite's own runtime
// (@tensorflow/tfjs-tflite) on every window of 30 frames. The firmware's features are held to
// these references by test/firmware/dsp/mlperf-features.test.ts; here they are fast enough to
// score hours of audio and to compare how the window is scaled:
//   frame:  each frame scaled by the newest second's peak when it arrives (the app until now);
//   window: every frame of a window scaled by that window's own peak (the MLPerf recipe: a
//           1 s clip divided by its largest sample);
//   fixed:  no per-window scaling, the AGC's level as it is.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadScene } from "../../../emulator/inputs/room/scene.ts";
import { renderScene } from "../../../emulator/inputs/room/render.ts";
import { loadMicArray } from "../../../emulator/peripherals/mic/array.ts";
import {
  applyMel,
  hamming,
  kwsFeatures,
  melMatrix,
  quantize,
  rfft,
} from "../../../test/helpers/dsp-reference.ts";
import { loadReference, type ReferenceModel } from "../../../test/helpers/tflite-reference.ts";
import { KWS_INPUT } from "../train/train.ts";

export const MODES = ["frame", "window", "fixed"] as const;
export type ScaleMode = (typeof MODES)[number];
export const RATE = 16000;
export const FRAME = 1024;
export const STEP = 512;
export const FRAMES = 30;
const MELS = 40;
/** str_ww_ref_model.tflite's input quantisation (firmware/dsp/mlperf-ww.ts). */
const INPUT = { scale: 0.003701042616739869, zeroPoint: -128 };
const PEAK_FLOOR = 1024; // apps/voice-control/wake.ts: quieter audio is not scaled up further
const AGC_TARGET_DBFS = -20; // firmware/dsp/agc.ts target
const MODEL = fileURLToPath(new URL("../model/str_ww_ref_model.tflite", import.meta.url));

const KWS_MODEL = fileURLToPath(new URL("../model/kws_ref_model.tflite", import.meta.url));
/** kws_ref_model.tflite's input quantisation (firmware/dsp/mlperf-kws.ts). */

let kws: ReferenceModel | null = null;
/**
 * The MLPerf KWS model's answer on the second before `end` (the recipe's features, as the
 * firmware's command path computes them): its top class (0-9 the command words, 10 silence,
 * 11 unknown) and that class's score.
 */
export async function kwsAnswer(pcm: Int16Array, end: number): Promise<[number, number]> {
  kws ??= await loadReference(new Uint8Array(readFileSync(KWS_MODEL)));
  const x = new Int16Array(RATE);
  x.set(pcm.subarray(Math.max(0, end - RATE), end), Math.max(0, RATE - end));
  const out = kws.run([
    quantize(kwsFeatures(x), KWS_INPUT.scale, KWS_INPUT.zeroPoint),
  ])[0] as Int8Array;
  let best = 0;
  for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
  return [best, (out[best] + 128) / 256];
}

let model: ReferenceModel | null = null;
export async function wakeModel(): Promise<ReferenceModel> {
  model ??= await loadReference(new Uint8Array(readFileSync(MODEL)));
  return model;
}

/**
 * The scene's reference microphone as int16 at the AGC's level (one gain for the scene).
 * `alone`: render that microphone only (a third of the work; its diffuse noise then has no
 * neighbours to be coherent with, so it is not sample-identical to the array's channel 0).
 */
export function renderReferenceMic(
  sceneFile: string,
  array = "sln-local2-tri",
  alone = false,
): Int16Array {
  const mics = loadMicArray(array).mics;
  const scene = loadScene(
    sceneFile,
    { positionsMm: (alone ? mics.slice(0, 1) : mics).map((m) => m.positionMm) },
    path.dirname(sceneFile),
  );
  const x = renderScene(scene).channels[0];
  let e = 0;
  for (const v of x) e += v * v;
  const g = (10 ** (AGC_TARGET_DBFS / 20) * 32768) / Math.sqrt(e / x.length || 1);
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * g))));
}

/** 10 log10 of each 32 ms frame's 40 mel powers at full scale 1.0 (before any per-clip scaling). */
export function frameDb(pcm: Int16Array): Float64Array[] {
  const c = 1 - 2 ** -5;
  const win = hamming(FRAME, false);
  const w = melMatrix(MELS, FRAME / 2 + 1, RATE, 0, 8000);
  const out: Float64Array[] = [];
  const frame = new Float64Array(FRAME);
  for (let start = 0; start + FRAME <= pcm.length; start += STEP) {
    for (let i = 0; i < FRAME; i++) {
      const k = start + i;
      frame[i] = ((pcm[k] - (k > 0 ? c * pcm[k - 1] : 0)) / 32768) * win[i];
    }
    const { re, im } = rfft(frame, FRAME);
    const pow = re.map((r, k) => Math.max(1e-30, (r * r + im[k] * im[k]) / FRAME));
    out.push(applyMel(pow, w).map((m) => 10 * Math.log10(Math.max(1e-30, m))));
  }
  return out;
}

/** Largest |sample| in the `len` samples before `end`, floored, as the scale's divisor. */
function peakBefore(pcm: Int16Array, end: number, len = RATE): number {
  let m = 0;
  for (let i = Math.max(0, end - len); i < end; i++) m = Math.max(m, Math.abs(pcm[i]));
  return Math.max(m, PEAK_FLOOR);
}

/** The wake-word score ("marvin" softmax) of every window of 30 frames; time = end of its newest frame, s. */
export async function wakeScores(
  pcm: Int16Array,
  mode: ScaleMode,
): Promise<{ t: Float64Array; score: Float64Array }> {
  const db = frameDb(pcm);
  const m = await wakeModel();
  const n = Math.max(0, db.length - FRAMES + 1);
  const t = new Float64Array(n),
    score = new Float64Array(n);
  const frameShift = db.map((_, j) =>
    mode === "frame" ? 20 * Math.log10(32768 / peakBefore(pcm, j * STEP + FRAME)) : 0,
  );
  const input = new Int8Array(FRAMES * MELS);
  for (let w = 0; w < n; w++) {
    const end = (w + FRAMES - 1) * STEP + FRAME;
    // The window's own samples (30 frames: 29 x 512 + 1024), as the firmware (wake.ts) takes them.
    const windowShift =
      mode === "window"
        ? 20 * Math.log10(32768 / peakBefore(pcm, end, (FRAMES - 1) * STEP + FRAME))
        : 0;
    for (let f = 0; f < FRAMES; f++) {
      const row = db[w + f],
        shift = windowShift + frameShift[w + f];
      for (let b = 0; b < MELS; b++) {
        const v = Math.max(0, Math.min(1, (row[b] + shift + 52) / 64));
        const r = v / INPUT.scale;
        input[f * MELS + b] = Math.max(-128, Math.min(127, Math.floor(r + 0.5) + INPUT.zeroPoint));
      }
    }
    const out = m.run([input])[0] as Int8Array;
    t[w] = end / RATE;
    score[w] = (out[0] + 128) / 256; // output scale 1/256, zero point -128 (softmax)
  }
  return { t, score };
}
