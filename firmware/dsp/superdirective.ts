// Superdirective beamformer for a small array in a diffuse noise field, in the STFT domain.
// Why: against diffuse noise (coherence sin(k d) / (k d) between microphones d apart; Cook et
// al., JASA 27, 1955) delay-and-sum gains almost nothing where k d << 1, i.e. below 2 kHz on a
// 20-50 mm array. The weights that maximise the gain against that field are
// w = (G + mu I)^-1 d / (d^H (G + mu I)^-1 d) (Cox, Zeskind and Kooij, IEEE Trans. ASSP 34, 1986;
// Bitzer and Simmer in "Microphone Arrays", Springer 2001), d the plane-wave steering vector.
// They amplify what is uncorrelated between microphones (self-noise, gain and position
// mismatch) by 1 / WNG, the white-noise gain 1 / (w^H w); mu (diagonal loading) bounds that:
// per bin, the smallest mu of a ladder (1e-4 .. 1e2, factors of sqrt 10) whose WNG is at least
// `wngMinDb` for every steering azimuth on a 30-degree grid, so re-steering never needs a new
// mu. (G + mu I)^-1 depends on the geometry only: computed once in sdInit; sdSteer is a
// matrix-vector product per bin.
// STFT: 10 ms hop (160 samples), 20 ms square-root periodic Hann analysis and synthesis windows
// (50 % overlap-add sums to 1), 512-point FFT: as noise-suppressor.ts. Latency 160 samples.
// Everything lives in one caller-provided state of sdStateBytes(mics). With sdCalibrate, each
// microphone's spectrum is measured by and corrected with firmware/dsp/mic-calibration.ts
// before the weights (its gain folded into them).
import { calObserve, calGain, calEndFrame } from "./mic-calibration";
import { rfftF32, rfftInverseF32, rfftInitF32, rfftTableBytes } from "./fft-f32";
import { sqrtHannWindow } from "./window";
import { SPEED_OF_SOUND } from "./beamformer";

export const SD_HOP: i32 = 160;
export const SD_FRAME: i32 = 320;
export const SD_FFT: i32 = 512;
const BINS: i32 = SD_FFT / 2 + 1;
const LADDER_STEPS: i32 = 13; // mu = 1e-4 * 10^(step / 2): 1e-4 .. 1e2 (at 1e2 the weights are within 1 % of delay-and-sum)
const CHECK_AZIMUTHS: i32 = 12;

const H_MICS: usize = 0;
const H_CAL: usize = 4; // a mic-calibration state, or 0
const HEADER: usize = 16;
const OFF_TABLE: usize = HEADER;
const OFF_WINDOW: usize = OFF_TABLE + <usize>rfftTableBytes(SD_FFT);
const OFF_OLA: usize = OFF_WINDOW + <usize>SD_FRAME * 4;
const OFF_FRAME: usize = OFF_OLA + <usize>SD_HOP * 4;
const OFF_SUM: usize = OFF_FRAME + <usize>SD_FFT * 4;
const OFF_PREV: usize = OFF_SUM + <usize>SD_FFT * 4; // per microphone, the previous hop

@inline function offQ(mics: i32): usize { return OFF_PREV + <usize>(mics * SD_HOP * 4); }           // per bin, M x M f32
@inline function offW(mics: i32): usize { return offQ(mics) + <usize>(BINS * mics * mics * 4); }    // per bin, M x (re, im) f32
@inline function offScratch(mics: i32): usize { return offW(mics) + <usize>(BINS * mics * 8); }     // f64: [A | I] (M x 2M), Q (M x M), d, w (4 M)
@inline function offScratchQ(mics: i32): usize { return offScratch(mics) + <usize>(mics * 2 * mics * 8); }
@inline function offScratchWork(mics: i32): usize { return offScratchQ(mics) + <usize>(mics * mics * 8); }

export function sdStateBytes(mics: i32): i32 {
  return <i32>offScratchWork(mics) + 4 * mics * 8;
}

/** Angular wavenumber of bin k, rad per mm. */
@inline function wavenumber(k: i32, sampleRate: f32): f64 {
  return (2.0 * Math.PI * <f64>k * <f64>sampleRate) / <f64>SD_FFT / SPEED_OF_SOUND / 1000.0;
}

/** Weights Q d / (d^H Q d) (Q real symmetric, f64 at q) for steering azimuth az into wr/wi (f64); returns 1 / WNG = w^H w. */
function designWeights(q: usize, mics: i32, positions: usize, az: f64, kw: f64, dr: usize, wr: usize, wi: usize): f64 {
  const ux = Math.cos(az), uy = Math.sin(az);
  for (let m = 0; m < mics; m++) {
    const p = positions + <usize>(m * 12);
    const ph = kw * (<f64>load<f32>(p) * ux + <f64>load<f32>(p, 4) * uy);
    store<f64>(dr + (<usize>m << 4), Math.cos(ph));
    store<f64>(dr + (<usize>m << 4), Math.sin(ph), 8);
  }
  let den: f64 = 0;
  for (let i = 0; i < mics; i++) {
    let re: f64 = 0, im: f64 = 0;
    for (let j = 0; j < mics; j++) {
      const v = load<f64>(q + (<usize>(i * mics + j) << 3));
      re += v * load<f64>(dr + (<usize>j << 4));
      im += v * load<f64>(dr + (<usize>j << 4), 8);
    }
    store<f64>(wr + (<usize>i << 3), re);
    store<f64>(wi + (<usize>i << 3), im);
    den += load<f64>(dr + (<usize>i << 4)) * re + load<f64>(dr + (<usize>i << 4), 8) * im;
  }
  let norm: f64 = 0;
  for (let i = 0; i < mics; i++) {
    const re = load<f64>(wr + (<usize>i << 3)) / den, im = load<f64>(wi + (<usize>i << 3)) / den;
    store<f64>(wr + (<usize>i << 3), re);
    store<f64>(wi + (<usize>i << 3), im);
    norm += re * re + im * im;
  }
  return norm;
}

/** (G + mu I)^-1 into q (f64, M x M) by Gauss-Jordan on [A | I] at aug. */
function loadedInverse(positions: usize, mics: i32, kw: f64, mu: f64, aug: usize, q: usize): void {
  const cols = 2 * mics;
  for (let i = 0; i < mics; i++)
    for (let j = 0; j < cols; j++) {
      let v: f64 = 0;
      if (j < mics) {
        const a = positions + <usize>(i * 12), b = positions + <usize>(j * 12);
        const dx = <f64>(load<f32>(a) - load<f32>(b)), dy = <f64>(load<f32>(a, 4) - load<f32>(b, 4)), dz = <f64>(load<f32>(a, 8) - load<f32>(b, 8));
        const x = kw * Math.sqrt(dx * dx + dy * dy + dz * dz);
        v = x < 1e-9 ? 1.0 : Math.sin(x) / x;
        if (i == j) v += mu;
      } else v = j - mics == i ? 1.0 : 0.0;
      store<f64>(aug + (<usize>(i * cols + j) << 3), v);
    }
  // Symmetric positive definite (mu > 0): no pivoting needed.
  for (let i = 0; i < mics; i++) {
    const pivot = load<f64>(aug + (<usize>(i * cols + i) << 3));
    for (let j = 0; j < cols; j++) store<f64>(aug + (<usize>(i * cols + j) << 3), load<f64>(aug + (<usize>(i * cols + j) << 3)) / pivot);
    for (let r = 0; r < mics; r++) {
      if (r == i) continue;
      const f = load<f64>(aug + (<usize>(r * cols + i) << 3));
      for (let j = 0; j < cols; j++)
        store<f64>(aug + (<usize>(r * cols + j) << 3), load<f64>(aug + (<usize>(r * cols + j) << 3)) - f * load<f64>(aug + (<usize>(i * cols + j) << 3)));
    }
  }
  for (let i = 0; i < mics; i++)
    for (let j = 0; j < mics; j++) store<f64>(q + (<usize>(i * mics + j) << 3), load<f64>(aug + (<usize>(i * cols + mics + j) << 3)));
}

/**
 * Sets up `mics` microphones at `positions` (x, y, z mm, f32 each): per bin the loaded inverse
 * coherence with white-noise gain >= wngMinDb. Steered to azimuth 0 until sdSteer.
 */
export function sdInit(state: usize, mics: i32, positions: usize, sampleRate: f32, wngMinDb: f32): void {
  memory.fill(state, 0, <usize>sdStateBytes(mics));
  store<i32>(state, mics, H_MICS);
  rfftInitF32(SD_FFT, state + OFF_TABLE);
  sqrtHannWindow(state + OFF_WINDOW, SD_FRAME);
  const aug = state + offScratch(mics), q = state + offScratchQ(mics), work = state + offScratchWork(mics);
  const dr = work, wr = work + <usize>(mics * 16), wi = wr + <usize>(mics * 8);
  const qStore = state + offQ(mics);
  const wngMin = Math.pow(10.0, <f64>wngMinDb / 10.0);
  for (let k = 0; k < BINS; k++) {
    const kw = wavenumber(k, sampleRate);
    for (let step = 0; step < LADDER_STEPS; step++) {
      const mu = 1e-4 * Math.pow(10.0, <f64>step / 2.0);
      loadedInverse(positions, mics, kw, mu, aug, q);
      let worst: f64 = Infinity;
      for (let a = 0; a < CHECK_AZIMUTHS; a++) {
        const wng = 1.0 / designWeights(q, mics, positions, (2.0 * Math.PI * <f64>a) / <f64>CHECK_AZIMUTHS, kw, dr, wr, wi);
        if (wng < worst) worst = wng;
      }
      if (worst >= wngMin) break;
    }
    for (let i = 0; i < mics * mics; i++) store<f32>(qStore + (<usize>(k * mics * mics + i) << 2), <f32>load<f64>(q + (<usize>i << 3)));
  }
  sdSteer(state, positions, 0, sampleRate);
}

/**
 * Steers to azimuth (radians, from +x towards +y, horizontal plane): each bin's weights
 * Q d / (d^H Q d) from its stored inverse, in f32 (MCX N947's M33 has no double-precision FPU,
 * and the DOA re-steers every 32 ms of speech). d at bin k is d at bin 1 to the power k: one
 * complex rotation per bin and microphone instead of a cosine and a sine.
 */
export function sdSteer(state: usize, positions: usize, azimuth: f32, sampleRate: f32): void {
  const mics = load<i32>(state, H_MICS);
  const work = state + offScratchWork(mics); // f32: step (re, im), d (re, im) per microphone, then Q d (re, im)
  const step = work, d = work + <usize>(mics * 8), qd = d + <usize>(mics * 8);
  const qStore = state + offQ(mics), wStore = state + offW(mics);
  const ux = Mathf.cos(azimuth), uy = Mathf.sin(azimuth);
  const k1 = <f32>wavenumber(1, sampleRate);
  for (let m = 0; m < mics; m++) {
    const p = positions + <usize>(m * 12);
    const ph = k1 * (load<f32>(p) * ux + load<f32>(p, 4) * uy);
    store<f32>(step + (<usize>m << 3), Mathf.cos(ph));
    store<f32>(step + (<usize>m << 3), Mathf.sin(ph), 4);
    store<f32>(d + (<usize>m << 3), 1.0);
    store<f32>(d + (<usize>m << 3), 0.0, 4);
  }
  for (let k = 0; k < BINS; k++) {
    const q = qStore + <usize>(k * mics * mics * 4);
    let den: f32 = 0;
    for (let i = 0; i < mics; i++) {
      let re: f32 = 0, im: f32 = 0;
      for (let j = 0; j < mics; j++) {
        const v = load<f32>(q + (<usize>(i * mics + j) << 2));
        re += v * load<f32>(d + (<usize>j << 3));
        im += v * load<f32>(d + (<usize>j << 3), 4);
      }
      store<f32>(qd + (<usize>i << 3), re);
      store<f32>(qd + (<usize>i << 3), im, 4);
      den += load<f32>(d + (<usize>i << 3)) * re + load<f32>(d + (<usize>i << 3), 4) * im;
    }
    const inv: f32 = 1.0 / den;
    for (let m = 0; m < mics; m++) {
      const o = wStore + (<usize>((k * mics + m) * 2) << 2);
      store<f32>(o, load<f32>(qd + (<usize>m << 3)) * inv);
      store<f32>(o, load<f32>(qd + (<usize>m << 3), 4) * inv, 4);
      // Next bin: d *= step.
      const dr = load<f32>(d + (<usize>m << 3)), di = load<f32>(d + (<usize>m << 3), 4);
      const sr = load<f32>(step + (<usize>m << 3)), si = load<f32>(step + (<usize>m << 3), 4);
      store<f32>(d + (<usize>m << 3), dr * sr - di * si);
      store<f32>(d + (<usize>m << 3), dr * si + di * sr, 4);
    }
  }
}

/** Microphone `m` alone (calibrated, delayed as the beam): every bin's weight 1 on it, 0 elsewhere; sdSteer leaves it. */
export function sdSelectMic(state: usize, m: i32): void {
  const mics = load<i32>(state, H_MICS);
  const wStore = state + offW(mics);
  memory.fill(wStore, 0, <usize>(BINS * mics * 8));
  for (let k = 0; k < BINS; k++) store<f32>(wStore + (<usize>((k * mics + m) * 2) << 2), 1.0);
}

/** Forgets the stream (overlap-add and each microphone's previous hop), keeping the weights: `state` then beams a new stretch of audio as if from its start. */
export function sdReset(state: usize): void {
  const mics = load<i32>(state, H_MICS);
  memory.fill(state + OFF_OLA, 0, <usize>SD_HOP * 4);
  memory.fill(state + OFF_PREV, 0, <usize>(mics * SD_HOP * 4));
}

/** Corrects every microphone with the calibration state `cal` (mic-calibration.ts, set up for as many microphones), learning from each frame; 0: none. */
export function sdCalibrate(state: usize, cal: usize): void {
  store<u32>(state, <u32>cal, H_CAL);
}

/** One hop: `input` planar (mics x 160 float32), `out` 160 float32, delayed by 160 samples. */
export function sdProcess(state: usize, input: usize, out: usize): void {
  const mics = load<i32>(state, H_MICS);
  const table = state + OFF_TABLE, win = state + OFF_WINDOW, frame = state + OFF_FRAME, sum = state + OFF_SUM;
  const wStore = state + offW(mics);
  const cal = <usize>load<u32>(state, H_CAL);
  memory.fill(sum, 0, <usize>SD_FFT << 2);
  for (let m = 0; m < mics; m++) {
    const prev = state + OFF_PREV + <usize>(m * SD_HOP * 4), src = input + <usize>(m * SD_HOP * 4);
    for (let i = 0; i < SD_HOP; i++) {
      store<f32>(frame + (<usize>i << 2), load<f32>(prev + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2)));
      const x = load<f32>(src + (<usize>i << 2));
      store<f32>(frame + (<usize>(i + SD_HOP) << 2), x * load<f32>(win + (<usize>(i + SD_HOP) << 2)));
      store<f32>(prev + (<usize>i << 2), x);
    }
    memory.fill(frame + (<usize>SD_FRAME << 2), 0, <usize>(SD_FFT - SD_FRAME) << 2);
    rfftF32(SD_FFT, table, frame);
    let g: f32 = 1;
    if (cal != 0) {
      calObserve(cal, m, frame);
      g = calGain(cal, m);
    }
    // Packed layout: words 0 and 1 are the real bins 0 and n/2; their outputs take Re(conj w) X.
    const w0 = wStore + (<usize>(m * 2) << 2), wn = wStore + (<usize>(((BINS - 1) * mics + m) * 2) << 2);
    store<f32>(sum, load<f32>(sum) + g * load<f32>(w0) * load<f32>(frame));
    store<f32>(sum, load<f32>(sum, 4) + g * load<f32>(wn) * load<f32>(frame, 4), 4);
    const stride = <usize>(mics * 8);
    let w = wStore + stride + (<usize>m << 3);
    for (let k = 1; k < BINS - 1; k++) {
      const p = frame + (<usize>k << 3), s = sum + (<usize>k << 3);
      const xr = load<f32>(p), xi = load<f32>(p, 4), wr = g * load<f32>(w), wi = g * load<f32>(w, 4);
      // conj(w) x
      store<f32>(s, load<f32>(s) + wr * xr + wi * xi);
      store<f32>(s, load<f32>(s, 4) + wr * xi - wi * xr, 4);
      w += stride;
    }
  }
  if (cal != 0) calEndFrame(cal);
  rfftInverseF32(SD_FFT, table, sum);
  const ola = state + OFF_OLA;
  for (let i = 0; i < SD_HOP; i++) {
    const a = load<f32>(sum + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), load<f32>(ola + (<usize>i << 2)) + a);
    store<f32>(ola + (<usize>i << 2), load<f32>(sum + (<usize>(i + SD_HOP) << 2)) * load<f32>(win + (<usize>(i + SD_HOP) << 2)));
  }
}
