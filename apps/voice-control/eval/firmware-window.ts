// Which second the firmware's wake-word verifier scores, reproduced on host PCM. The command
// path (command.ts) computes a KWS frame of 480 samples at every step of 320 (the first ending
// at sample 640) once a 10 ms block of 160 has arrived, and the first stage's hops (every 512)
// are decided after that block's frames (main.ts). So a candidate at hop end h is verified on the
// 49 frames ending at E = the last multiple of 320 at or before the block end ceil(h / 160) * 160:
// samples E - 15,840 .. E, scaled (command.ts fill) by the largest sample of the frames' newest
// 320 each, E - 15,680 .. E, as a shift of coefficient 0. Scoring the second that simply ends at h instead moves the window
// by up to 480 samples, and the verifier's score swings by as much as 0.5 over such shifts
// (MEASUREMENTS.md "Wake-word verifier"), so host and firmware disagreed.
import { kwsFeatures, quantize } from "../../../test/helpers/dsp-reference.ts";
import { KWS_INPUT } from "../train/train.ts";

const BLOCK = 160;
export const KWS_STEP = 320;
const KWS_FRAME = 480;
const FRAMES = 49;
const SPAN = (FRAMES - 1) * KWS_STEP + KWS_FRAME; // 15,840

/** The end sample of the command path's newest frame when the first stage's hop ending at `hopEnd` is scored. */
export function kwsWindowEnd(hopEnd: number): number {
  const blockEnd = Math.ceil(hopEnd / BLOCK) * BLOCK;
  return Math.floor(blockEnd / KWS_STEP) * KWS_STEP;
}

/** The verifier's int8 input for the 49 frames ending at sample `end`, as command.ts fill() makes it. */
export function firmwareVerifierInput(pcm: Int16Array, end: number): Int8Array {
  return quantize(firmwareVerifierFeatures(pcm, end), KWS_INPUT.scale, KWS_INPUT.zeroPoint);
}

/** The same window's MFCCs before quantisation (49 x 10, row per frame). */
export function firmwareVerifierFeatures(pcm: Int16Array, end: number): Float64Array {
  // kwsFeatures frames 16,000 samples from their start and leaves the last 160 unused.
  const x = new Int16Array(16000);
  const from = end - SPAN;
  for (let i = 0; i < SPAN; i++) {
    const k = from + i;
    if (k >= 0 && k < pcm.length) x[i] = pcm[k];
  }
  let m = -32768;
  for (let i = SPAN - FRAMES * KWS_STEP; i < SPAN; i++) m = Math.max(m, x[i]);
  // As the firmware: frames at the fixed scale 1/32768, then the recipe's scaling as
  // sqrt(2 x 40) ln(32768 / m) on coefficient 0 (no clipping of samples below -m).
  const f = kwsFeatures(x, 32768);
  const shift = m > 0 ? Math.sqrt(80) * Math.log(32768 / m) : 0;
  for (let t = 0; t < FRAMES; t++) f[t * 10] += shift;
  return f;
}
