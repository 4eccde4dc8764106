// MLPerf Tiny streaming wake word features (str_ww_ref_model.tflite, "marvin"): 30 x 40
// log-mel of a 1 s clip, per mlcommons/tiny benchmark/training/streaming_wakeword
// (get_dataset.py, feature_type "lfbe"):
//   x = wav / max(wav); pre-emphasis y[i] = x[i] - (1 - 2^-5) x[i-1] (x[-1] = 0);
//   frames of 1024 (64 ms) every 512 (32 ms), symmetric Hamming (periodic=False), 1024-point
//   FFT, power |X|^2 / 1024 clipped below at 1e-30; 40 mel bands 0-8000 Hz; 10 log10(mel);
//   (v + 52) / 64 clipped to [0, 1].
import { hammingWindow } from "./window";
import { rfftF32, rfftInitF32, rfftTableBytes } from "./fft-f32";
import { powerSpectrumF32 } from "./spectrum";
import { melApply, melInit, melTableBytes } from "./mel";
import { maxAbsSample } from "./mlperf-kws";

export const WW_SAMPLES: i32 = 16000;
export const WW_FRAME: i32 = 1024;
export const WW_STEP: i32 = 512;
export const WW_FRAMES: i32 = 30;
export const WW_MELS: i32 = 40;
export const WW_PREEMPHASIS: f32 = 1.0 - 1.0 / 32.0;
export const WW_INPUT_SCALE: f32 = 0.003701042616739869; // str_ww_ref_model.tflite input quantisation
export const WW_INPUT_ZERO_POINT: i32 = -128;

const BINS = WW_FRAME / 2 + 1;
const OFF_WINDOW: usize = 0;
const OFF_FFT_TABLE: usize = OFF_WINDOW + <usize>WW_FRAME * 4;
const OFF_MEL_TABLE: usize = OFF_FFT_TABLE + <usize>rfftTableBytes(WW_FRAME);
const OFF_FRAME: usize = OFF_MEL_TABLE + <usize>melTableBytes(BINS);
const OFF_SPEC: usize = OFF_FRAME + <usize>WW_FRAME * 4;
export const WW_WORK_BYTES: i32 = <i32>(OFF_SPEC + <usize>BINS * 4);

export function wwInit(work: usize): void {
  hammingWindow(work + OFF_WINDOW, WW_FRAME, false);
  rfftInitF32(WW_FRAME, work + OFF_FFT_TABLE);
  melInit(work + OFF_MEL_TABLE, BINS, WW_MELS, 16000.0, 0.0, 8000.0);
}

/**
 * One frame: 1024 int16 samples at `pcm` (times `scale`, pre-emphasised against `previous`,
 * the scaled sample before the frame, 0 at the clip's start) to 40 features in [0, 1] at `out`.
 */
export function wwFrame(work: usize, pcm: usize, scale: f32, previous: f32, out: usize): void {
  melPowers(work, pcm, scale, previous, out);
  const toDb: f32 = 10.0 / Mathf.log(10.0);
  for (let b = 0; b < WW_MELS; b++) {
    const p = out + (<usize>b << 2);
    let v = (toDb * Mathf.log(load<f32>(p)) + 52.0) / 64.0;
    v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    store<f32>(p, v);
  }
}

/**
 * As wwFrame, without the final clip to [0, 1]: a streaming caller scales a whole window
 * afterwards (scaling the samples by s adds 20 log10(s) / 64 to every value), then clips.
 */
export function wwFrameUnclipped(work: usize, pcm: usize, scale: f32, previous: f32, out: usize): void {
  melPowers(work, pcm, scale, previous, out);
  const toDb: f32 = 10.0 / Mathf.log(10.0);
  for (let b = 0; b < WW_MELS; b++) {
    const p = out + (<usize>b << 2);
    store<f32>(p, (toDb * Mathf.log(load<f32>(p)) + 52.0) / 64.0);
  }
}

/** Pre-emphasis, window, FFT, power (floored at 1e-30) and the 40 mel bands of one frame, at `out`. */
@inline function melPowers(work: usize, pcm: usize, scale: f32, previous: f32, out: usize): void {
  const frame = work + OFF_FRAME, win = work + OFF_WINDOW;
  let prev = previous;
  for (let i = 0; i < WW_FRAME; i++) {
    const x = <f32>load<i16>(pcm + (<usize>i << 1)) * scale;
    store<f32>(frame + (<usize>i << 2), (x - WW_PREEMPHASIS * prev) * load<f32>(win + (<usize>i << 2)));
    prev = x;
  }
  rfftF32(WW_FRAME, work + OFF_FFT_TABLE, frame);
  const spec = work + OFF_SPEC;
  powerSpectrumF32(frame, spec, WW_FRAME, 1.0 / <f32>WW_FRAME);
  for (let k = 0; k < BINS; k++) {
    const p = spec + (<usize>k << 2);
    if (load<f32>(p) < 1e-30) store<f32>(p, 1e-30);
  }
  melApply(spec, work + OFF_MEL_TABLE, BINS, out, WW_MELS);
}

/** The whole clip: 16000 int16 samples to 30 x 40 f32 features (row per frame). */
export function wwClip(work: usize, pcm: usize, out: usize): void {
  // The recipe divides by the largest absolute sample (KWS's divides by the largest signed one).
  const m = maxAbsSample(pcm, WW_SAMPLES);
  const scale: f32 = m > 0 ? 1.0 / <f32>m : 1.0 / 32768.0;
  for (let t = 0; t < WW_FRAMES; t++) {
    const start = t * WW_STEP;
    const previous: f32 = start > 0 ? <f32>load<i16>(pcm + (<usize>(start - 1) << 1)) * scale : 0.0;
    wwFrame(work, pcm + (<usize>start << 1), scale, previous, out + (<usize>(t * WW_MELS) << 2));
  }
}
