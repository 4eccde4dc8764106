// MLPerf Tiny keyword spotting features (kws_ref_model.tflite): 49 x 10 MFCC of a 1 s clip,
// per mlcommons/tiny benchmark/training/keyword_spotting (get_dataset.py):
//   x = wav / max(wav), clipped to [-1, 1]; frames of 480 (30 ms) every 320 (20 ms), periodic
//   Hann, 512-point FFT, magnitude; 40 mel bands 20-4000 Hz (linear_to_mel_weight_matrix);
//   ln(mel + 1e-6); tf.signal.mfccs_from_log_mel_spectrograms; first 10 coefficients.
// All memory is one caller-provided work area of KWS_WORK_BYTES, set up once by kwsInit.
import { hannWindow } from "./window";
import { rfftF32, rfftInitF32, rfftTableBytes } from "./fft-f32";
import { magnitudeSpectrumF32 } from "./spectrum";
import { melApply, melInit, melTableBytes, logInPlace } from "./mel";
import { dctApply, dctInit, dctTableBytes, DCT_HTK } from "./dct";

export const KWS_SAMPLES: i32 = 16000;
export const KWS_FRAME: i32 = 480;
export const KWS_STEP: i32 = 320;
export const KWS_FFT: i32 = 512;
export const KWS_FRAMES: i32 = 49;
export const KWS_MELS: i32 = 40;
export const KWS_COEFS: i32 = 10;
export const KWS_INPUT_SCALE: f32 = 0.5847029089927673; // kws_ref_model.tflite input quantisation
export const KWS_INPUT_ZERO_POINT: i32 = 83;

const BINS = KWS_FFT / 2 + 1;
const OFF_WINDOW: usize = 0;
const OFF_FFT_TABLE: usize = OFF_WINDOW + <usize>KWS_FRAME * 4;
const OFF_MEL_TABLE: usize = OFF_FFT_TABLE + <usize>rfftTableBytes(KWS_FFT);
const OFF_DCT_TABLE: usize = OFF_MEL_TABLE + <usize>melTableBytes(BINS);
const OFF_FRAME: usize = OFF_DCT_TABLE + <usize>dctTableBytes(KWS_MELS, KWS_COEFS);
const OFF_SPEC: usize = OFF_FRAME + <usize>KWS_FFT * 4;
const OFF_MEL: usize = OFF_SPEC + <usize>BINS * 4;
export const KWS_WORK_BYTES: i32 = <i32>(OFF_MEL + <usize>KWS_MELS * 4);

/** Fills the work area's tables (window, FFT, mel bank, DCT). */
export function kwsInit(work: usize): void {
  hannWindow(work + OFF_WINDOW, KWS_FRAME, true);
  rfftInitF32(KWS_FFT, work + OFF_FFT_TABLE);
  melInit(work + OFF_MEL_TABLE, BINS, KWS_MELS, 16000.0, 20.0, 4000.0);
  dctInit(work + OFF_DCT_TABLE, KWS_MELS, KWS_COEFS, DCT_HTK);
}

/** One frame: 480 int16 samples at `pcm`, each times `scale` and clipped to [-1, 1], to 10 MFCCs (f32) at `out`. */
export function kwsFrame(work: usize, pcm: usize, scale: f32, out: usize): void {
  const frame = work + OFF_FRAME, win = work + OFF_WINDOW;
  for (let i = 0; i < KWS_FRAME; i++) {
    let x = <f32>load<i16>(pcm + (<usize>i << 1)) * scale;
    x = x > 1.0 ? 1.0 : x < -1.0 ? -1.0 : x;
    store<f32>(frame + (<usize>i << 2), x * load<f32>(win + (<usize>i << 2)));
  }
  memory.fill(frame + (<usize>KWS_FRAME << 2), 0, <usize>(KWS_FFT - KWS_FRAME) << 2);
  rfftF32(KWS_FFT, work + OFF_FFT_TABLE, frame);
  magnitudeSpectrumF32(frame, work + OFF_SPEC, KWS_FFT);
  melApply(work + OFF_SPEC, work + OFF_MEL_TABLE, BINS, work + OFF_MEL, KWS_MELS);
  logInPlace(work + OFF_MEL, KWS_MELS, 1e-6);
  dctApply(work + OFF_MEL, work + OFF_DCT_TABLE, KWS_MELS, KWS_COEFS, out);
}

/** Largest sample of n int16 (the recipe divides by max(wav), not max |wav|). */
export function maxSample(pcm: usize, n: i32): i32 {
  let m: i32 = -32768;
  for (let i = 0; i < n; i++) m = max(m, <i32>load<i16>(pcm + (<usize>i << 1)));
  return m;
}

/** The largest |sample| of n int16 samples (32768 for -32768). */
export function maxAbsSample(pcm: usize, n: i32): i32 {
  let m: i32 = 0;
  for (let i = 0; i < n; i++) m = max(m, abs<i32>(<i32>load<i16>(pcm + (<usize>i << 1))));
  return m;
}

/** The whole clip: 16000 int16 samples to 49 x 10 f32 MFCCs (row per frame). A clip whose max is <= 0 is not scaled. */
export function kwsClip(work: usize, pcm: usize, out: usize): void {
  const m = maxSample(pcm, KWS_SAMPLES);
  const scale: f32 = m > 0 ? 1.0 / <f32>m : 1.0 / 32768.0;
  for (let t = 0; t < KWS_FRAMES; t++) {
    kwsFrame(work, pcm + (<usize>(t * KWS_STEP) << 1), scale, out + (<usize>(t * KWS_COEFS) << 2));
  }
}

/** Model input: int8 q = round(x / scale) + zero point, saturated (round half away from zero, as TFLite). */
export function quantizeFeatures(src: usize, dst: usize, n: i32, scale: f32, zeroPoint: i32): void {
  const inv: f32 = 1.0 / scale;
  for (let i = 0; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2)) * inv;
    let q = <i32>(v >= 0 ? Mathf.floor(v + 0.5) : -Mathf.floor(-v + 0.5)) + zeroPoint;
    q = q < -128 ? -128 : q > 127 ? 127 : q;
    store<i8>(dst + <usize>i, <i8>q);
  }
}
