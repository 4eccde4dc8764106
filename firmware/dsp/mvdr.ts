// Adaptive MVDR beam for a small array, in the STFT domain: the superdirective beam
// (superdirective.ts) assumes the noise is diffuse; a fan or a television is a point source
// plus diffuse noise, and its direction can be nulled. Per bin the weights are
// w = (R + mu I)^-1 d / (d^H (R + mu I)^-1 d) (Capon 1969; Van Trees, Optimum Array
// Processing, 2002, ch. 6), d the plane-wave steering vector, R the noise's spatial coherence
// estimated on frames without speech:
// - R starts as the diffuse field's coherence sin(k d) / (k d) (so the beam starts as the
//   superdirective one), scaled at the first noise frame to that frame's power; each noise
//   frame then moves it towards X X^H by MV_ALPHA (a power-weighted average: frames that hold
//   little but the microphones' self-noise, white across them, move it little; a first version
//   normalised every frame and learnt babble's quiet gaps as white noise: -3 dB on the bench).
//   The weights use R over its mean diagonal (MVDR weights do not depend on R's scale).
// - Noise frames: a floor tracker on the array's power in 312 Hz..4 kHz (the DOA's band; falls
//   at once, rises MV_FLOOR_RISE_DB per frame); a frame MV_SPEECH_DB above the floor is speech,
//   and a frame is noise when it is not and none of the last MV_HANG_FRAMES was (the room's
//   reverberant tail). Speech in R would cancel the talker (reverberant speech does not match d).
// - White-noise gain: as superdirective.ts, w^H w <= 1 / WNG floor; per bin mu (diagonal
//   loading, relative to R's unit diagonal) steps up by sqrt 10 until the floor holds, and down
//   by one step at the next update when it holds with 3 dB to spare.
// Weights are recomputed for a quarter of the bins per 10 ms frame (all of them in 40 ms), and
// all of them at a re-steer. Everything in f32 (MCX N947's M33 has no double-precision FPU);
// STFT as superdirective.ts (10 ms hop, 20 ms square-root Hann, 512-point FFT; 160 samples of
// latency); with mvdrCalibrate each microphone's spectrum is corrected first by
// mic-calibration.ts. The host reference is test/helpers/dsp-reference-mvdr.ts.
import { calObserve, calGain, calEndFrame } from "./mic-calibration";
import { rfftF32, rfftInverseF32, rfftInitF32 } from "./fft-f32";
import { sqrtHannWindow } from "./window";
import { SPEED_OF_SOUND } from "./beamformer";

export const MV_HOP: i32 = 160;
const FRAME: i32 = 320;
const FFT: i32 = 512;
const BINS: i32 = FFT / 2 + 1;
export const MV_ALPHA: f32 = 0.005; // per noise frame: R follows the noise over about 2 s of it (0.002 / 0.005 / 0.02 / 0.05 tried on the bench's 5 dB scenes: README)
export const MV_SPEECH_DB: f32 = 6; // as the DOA's speech gate (apps/voice-control/doa.ts)
export const MV_FLOOR_RISE_DB: f32 = 0.05; // per frame: 5 dB per second, as mic-calibration.ts
export const MV_HANG_FRAMES: i32 = 30; // 300 ms after speech: about RT60 0.6 s's first 30 dB
export const MV_K_LO: i32 = 10; // 312 Hz
export const MV_K_HI: i32 = 128; // 4 kHz
export const MV_MU_MIN: f32 = 1e-4;
export const MV_MU_MAX: f32 = 100; // at 1e2 the weights are within 1 % of delay-and-sum
const MU_STEP: f32 = 3.16227766; // sqrt 10
export const MV_SLICES: i32 = 4; // weights: a quarter of the bins per frame
// Literals, not Mathf.pow at the top level: an importing app would run those at start-up
// whatever beam it uses (and change the default beam's cycle count).
const FLOOR_RISE: f32 = 1.0115794543; // 10^(MV_FLOOR_RISE_DB / 10)
const SPEECH_OVER: f32 = 3.9810717055; // 10^(MV_SPEECH_DB / 10)

const H_MICS: usize = 0;
const H_CAL: usize = 4;
const H_FLOOR: usize = 8;
const H_HANG: usize = 12; // frames since the last speech frame
const H_SLICE: usize = 16;
const H_WNG: usize = 20; // the floor as the largest w^H w
const H_NOISE_FRAMES: usize = 24;
const HEADER: usize = 32;
const OFF_TABLE: usize = HEADER;
const OFF_WINDOW: usize = OFF_TABLE + <usize>(FFT * 4 + (FFT >> 1) * 2); // rfftTableBytes(FFT), as a constant (see FLOOR_RISE)
const OFF_OLA: usize = OFF_WINDOW + <usize>FRAME * 4;
const OFF_FRAME: usize = OFF_OLA + <usize>MV_HOP * 4;
const OFF_SUM: usize = OFF_FRAME + <usize>FFT * 4;
const OFF_MU: usize = OFF_SUM + <usize>FFT * 4;
const OFF_PREV: usize = OFF_MU + <usize>BINS * 4; // per microphone, the previous hop

@inline function offSpectra(mics: i32): usize { return OFF_PREV + <usize>(mics * MV_HOP * 4); }    // per microphone, packed FFT
@inline function offR(mics: i32): usize { return offSpectra(mics) + <usize>(mics * FFT * 4); }     // per bin, M x M complex
@inline function offD(mics: i32): usize { return offR(mics) + <usize>(BINS * mics * mics * 8); }   // per bin, M complex
@inline function offW(mics: i32): usize { return offD(mics) + <usize>(BINS * mics * 8); }          // per bin, M complex
@inline function offScratch(mics: i32): usize { return offW(mics) + <usize>(BINS * mics * 8); }    // M x (M + 1) complex

export function mvdrStateBytes(mics: i32): i32 {
  return <i32>offScratch(mics) + mics * (mics + 1) * 8;
}

/** Angular wavenumber of bin k, rad per mm. */
@inline function wavenumber(k: i32, sampleRate: f32): f32 {
  return <f32>((2.0 * Math.PI * <f64>k * <f64>sampleRate) / <f64>FFT / SPEED_OF_SOUND / 1000.0);
}

/**
 * Bin k's weights from R, d and its mu: solves (R + mu I) x = d by elimination (Hermitian
 * positive definite: no pivoting), w = x / (d^H x); steps mu as the header says.
 */
function design(state: usize, mics: i32, k: i32): void {
  const r = state + offR(mics) + <usize>(k * mics * mics * 8);
  const d = state + offD(mics) + <usize>(k * mics * 8);
  const w = state + offW(mics) + <usize>(k * mics * 8);
  const a = state + offScratch(mics);
  const cols = mics + 1;
  const wngMax = load<f32>(state, H_WNG);
  let mu = load<f32>(state + OFF_MU + (<usize>k << 2));
  let trace: f32 = 0;
  for (let i = 0; i < mics; i++) trace += load<f32>(r + (<usize>(i * mics + i) << 3));
  const scale: f32 = trace > 0 ? <f32>mics / trace : 1;
  for (;;) {
    for (let i = 0; i < mics; i++) {
      for (let j = 0; j < mics; j++) {
        const src = r + (<usize>(i * mics + j) << 3), dst = a + (<usize>(i * cols + j) << 3);
        store<f32>(dst, scale * load<f32>(src) + (i == j ? mu : 0));
        store<f32>(dst, scale * load<f32>(src, 4), 4);
      }
      const dst = a + (<usize>(i * cols + mics) << 3), src = d + (<usize>i << 3);
      store<f32>(dst, load<f32>(src));
      store<f32>(dst, load<f32>(src, 4), 4);
    }
    // Forward elimination, complex.
    for (let i = 0; i < mics; i++) {
      const pr = load<f32>(a + (<usize>(i * cols + i) << 3)), pi = load<f32>(a + (<usize>(i * cols + i) << 3), 4);
      const den: f32 = 1.0 / (pr * pr + pi * pi);
      for (let rr = i + 1; rr < mics; rr++) {
        const xr = load<f32>(a + (<usize>(rr * cols + i) << 3)), xi = load<f32>(a + (<usize>(rr * cols + i) << 3), 4);
        // f = a[rr][i] / a[i][i]
        const fr = (xr * pr + xi * pi) * den, fi = (xi * pr - xr * pi) * den;
        for (let c = i; c < cols; c++) {
          const s = a + (<usize>(i * cols + c) << 3), t = a + (<usize>(rr * cols + c) << 3);
          const sr = load<f32>(s), si = load<f32>(s, 4);
          store<f32>(t, load<f32>(t) - (fr * sr - fi * si));
          store<f32>(t, load<f32>(t, 4) - (fr * si + fi * sr), 4);
        }
      }
    }
    // Back substitution into column M.
    for (let i = mics - 1; i >= 0; i--) {
      const b = a + (<usize>(i * cols + mics) << 3);
      let br = load<f32>(b), bi = load<f32>(b, 4);
      for (let c = i + 1; c < mics; c++) {
        const s = a + (<usize>(i * cols + c) << 3), x = a + (<usize>(c * cols + mics) << 3);
        const sr = load<f32>(s), si = load<f32>(s, 4), xr = load<f32>(x), xi = load<f32>(x, 4);
        br -= sr * xr - si * xi;
        bi -= sr * xi + si * xr;
      }
      const pr = load<f32>(a + (<usize>(i * cols + i) << 3)), pi = load<f32>(a + (<usize>(i * cols + i) << 3), 4);
      const den: f32 = 1.0 / (pr * pr + pi * pi);
      store<f32>(b, (br * pr + bi * pi) * den);
      store<f32>(b, (bi * pr - br * pi) * den, 4);
    }
    // w = x / (d^H x); d^H x is real for Hermitian R.
    let dx: f32 = 0;
    for (let i = 0; i < mics; i++) {
      const x = a + (<usize>(i * cols + mics) << 3), di = d + (<usize>i << 3);
      dx += load<f32>(di) * load<f32>(x) + load<f32>(di, 4) * load<f32>(x, 4);
    }
    const inv: f32 = 1.0 / dx;
    let norm: f32 = 0;
    for (let i = 0; i < mics; i++) {
      const x = a + (<usize>(i * cols + mics) << 3);
      const wr = load<f32>(x) * inv, wi = load<f32>(x, 4) * inv;
      store<f32>(w + (<usize>i << 3), wr);
      store<f32>(w + (<usize>i << 3), wi, 4);
      norm += wr * wr + wi * wi;
    }
    if (norm > wngMax && mu < MV_MU_MAX) {
      mu *= MU_STEP;
      continue;
    }
    // Floor held with 3 dB to spare: try a step less loading at the next update.
    if (norm * 2 < wngMax && mu > MV_MU_MIN) mu /= MU_STEP;
    store<f32>(state + OFF_MU + (<usize>k << 2), mu);
    return;
  }
}

/** Sets up `mics` microphones at `positions` (x, y, z mm, f32 each); R the diffuse coherence; steered to azimuth 0. */
export function mvdrInit(state: usize, mics: i32, positions: usize, sampleRate: f32, wngMinDb: f32): void {
  memory.fill(state, 0, <usize>mvdrStateBytes(mics));
  store<i32>(state, mics, H_MICS);
  store<f32>(state, Infinity, H_FLOOR);
  store<i32>(state, MV_HANG_FRAMES, H_HANG);
  store<f32>(state, Mathf.pow(10, -wngMinDb / 10), H_WNG);
  rfftInitF32(FFT, state + OFF_TABLE);
  sqrtHannWindow(state + OFF_WINDOW, FRAME);
  for (let k = 0; k < BINS; k++) {
    store<f32>(state + OFF_MU + (<usize>k << 2), MV_MU_MIN);
    const kw = wavenumber(k, sampleRate);
    const r = state + offR(mics) + <usize>(k * mics * mics * 8);
    for (let i = 0; i < mics; i++)
      for (let j = 0; j < mics; j++) {
        const a = positions + <usize>(i * 12), b = positions + <usize>(j * 12);
        const dx = load<f32>(a) - load<f32>(b), dy = load<f32>(a, 4) - load<f32>(b, 4), dz = load<f32>(a, 8) - load<f32>(b, 8);
        const x = kw * Mathf.sqrt(dx * dx + dy * dy + dz * dz);
        store<f32>(r + (<usize>(i * mics + j) << 3), x < 1e-6 ? 1.0 : Mathf.sin(x) / x);
      }
  }
  mvdrSteer(state, positions, 0, sampleRate);
}

/** Steers to azimuth (radians, from +x towards +y): each bin's d (one complex rotation per bin and microphone) and all weights. */
export function mvdrSteer(state: usize, positions: usize, azimuth: f32, sampleRate: f32): void {
  const mics = load<i32>(state, H_MICS);
  const ux = Mathf.cos(azimuth), uy = Mathf.sin(azimuth);
  const k1 = wavenumber(1, sampleRate);
  const d0 = state + offD(mics);
  for (let m = 0; m < mics; m++) {
    const p = positions + <usize>(m * 12);
    const ph = k1 * (load<f32>(p) * ux + load<f32>(p, 4) * uy);
    const sr = Mathf.cos(ph), si = Mathf.sin(ph);
    let dr: f32 = 1, di: f32 = 0;
    for (let k = 0; k < BINS; k++) {
      const o = d0 + <usize>((k * mics + m) * 8);
      store<f32>(o, dr);
      store<f32>(o, di, 4);
      const nr = dr * sr - di * si;
      di = dr * si + di * sr;
      dr = nr;
    }
  }
  for (let k = 1; k < BINS - 1; k++) design(state, mics, k);
}

/** Corrects every microphone with the calibration state `cal` (mic-calibration.ts), learning from each frame; 0: none. */
export function mvdrCalibrate(state: usize, cal: usize): void {
  store<u32>(state, <u32>cal, H_CAL);
}

/** Noise frames R has learnt from so far. */
export function mvdrNoiseFrames(state: usize): i32 {
  return load<i32>(state, H_NOISE_FRAMES);
}

/** Is this frame noise (speech gate with hang-over on the array's 312 Hz..4 kHz power)? */
function noiseFrame(state: usize, mics: i32): bool {
  const spectra = state + offSpectra(mics);
  let e: f32 = 0;
  for (let m = 0; m < mics; m++) {
    const x = spectra + <usize>(m * FFT * 4);
    for (let k = MV_K_LO; k < MV_K_HI; k++) {
      const re = load<f32>(x + (<usize>k << 3)), im = load<f32>(x + (<usize>k << 3), 4);
      e += re * re + im * im;
    }
  }
  let floor = load<f32>(state, H_FLOOR);
  floor = e < floor ? e : floor * FLOOR_RISE;
  store<f32>(state, floor, H_FLOOR);
  let hang = load<i32>(state, H_HANG);
  if (e > floor * SPEECH_OVER) hang = 0;
  else if (hang < MV_HANG_FRAMES) hang++;
  store<i32>(state, hang, H_HANG);
  return hang >= MV_HANG_FRAMES;
}

/** R += alpha (X X^H - R) in every bin but 0 and n/2; at the first noise frame R (the diffuse coherence) is first scaled to the frame's power per microphone. */
function learn(state: usize, mics: i32): void {
  const spectra = state + offSpectra(mics), r0 = state + offR(mics);
  const keep: f32 = 1 - MV_ALPHA, s = MV_ALPHA;
  const first = load<i32>(state, H_NOISE_FRAMES) == 0;
  for (let k = 1; k < BINS - 1; k++) {
    const r = r0 + <usize>(k * mics * mics * 8);
    if (first) {
      let p: f32 = 0;
      for (let m = 0; m < mics; m++) {
        const x = spectra + <usize>(m * FFT * 4) + (<usize>k << 3);
        p += load<f32>(x) * load<f32>(x) + load<f32>(x, 4) * load<f32>(x, 4);
      }
      const g = p / <f32>mics;
      for (let i = 0; i < mics * mics * 2; i++) store<f32>(r + (<usize>i << 2), g * load<f32>(r + (<usize>i << 2)));
    }
    for (let i = 0; i < mics; i++) {
      const xi = spectra + <usize>(i * FFT * 4) + (<usize>k << 3);
      const ar = load<f32>(xi), ai = load<f32>(xi, 4);
      for (let j = 0; j < mics; j++) {
        const xj = spectra + <usize>(j * FFT * 4) + (<usize>k << 3);
        const br = load<f32>(xj), bi = load<f32>(xj, 4);
        // X_i conj(X_j)
        const o = r + (<usize>(i * mics + j) << 3);
        store<f32>(o, keep * load<f32>(o) + s * (ar * br + ai * bi));
        store<f32>(o, keep * load<f32>(o, 4) + s * (ai * br - ar * bi), 4);
      }
    }
  }
  store<i32>(state, load<i32>(state, H_NOISE_FRAMES) + 1, H_NOISE_FRAMES);
}

/** One hop: `input` planar (mics x 160 float32), `out` 160 float32, delayed by 160 samples. */
export function mvdrProcess(state: usize, input: usize, out: usize): void {
  const mics = load<i32>(state, H_MICS);
  const table = state + OFF_TABLE, win = state + OFF_WINDOW, sum = state + OFF_SUM;
  const spectra = state + offSpectra(mics), wStore = state + offW(mics);
  const cal = <usize>load<u32>(state, H_CAL);
  for (let m = 0; m < mics; m++) {
    const prev = state + OFF_PREV + <usize>(m * MV_HOP * 4), src = input + <usize>(m * MV_HOP * 4);
    const frame = spectra + <usize>(m * FFT * 4);
    for (let i = 0; i < MV_HOP; i++) {
      store<f32>(frame + (<usize>i << 2), load<f32>(prev + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2)));
      const x = load<f32>(src + (<usize>i << 2));
      store<f32>(frame + (<usize>(i + MV_HOP) << 2), x * load<f32>(win + (<usize>(i + MV_HOP) << 2)));
      store<f32>(prev + (<usize>i << 2), x);
    }
    memory.fill(frame + (<usize>FRAME << 2), 0, <usize>(FFT - FRAME) << 2);
    rfftF32(FFT, table, frame);
    if (cal != 0) {
      calObserve(cal, m, frame);
      const g = calGain(cal, m);
      for (let i = 0; i < FFT; i++) store<f32>(frame + (<usize>i << 2), g * load<f32>(frame + (<usize>i << 2)));
    }
  }
  if (cal != 0) calEndFrame(cal);
  if (noiseFrame(state, mics)) learn(state, mics);
  const slice = load<i32>(state, H_SLICE);
  for (let k = 1 + slice; k < BINS - 1; k += MV_SLICES) design(state, mics, k);
  store<i32>(state, (slice + 1) % MV_SLICES, H_SLICE);
  // The output: bin 0 the microphones' mean, bin n/2 none (the microphones' band ends below 8 kHz).
  memory.fill(sum, 0, <usize>FFT << 2);
  const stride = <usize>(mics * 8);
  for (let m = 0; m < mics; m++) {
    const x = spectra + <usize>(m * FFT * 4);
    store<f32>(sum, load<f32>(sum) + load<f32>(x) / <f32>mics);
    let w = wStore + stride + (<usize>m << 3);
    for (let k = 1; k < BINS - 1; k++) {
      const p = x + (<usize>k << 3), s = sum + (<usize>k << 3);
      const xr = load<f32>(p), xi = load<f32>(p, 4), wr = load<f32>(w), wi = load<f32>(w, 4);
      // conj(w) x
      store<f32>(s, load<f32>(s) + wr * xr + wi * xi);
      store<f32>(s, load<f32>(s, 4) + wr * xi - wi * xr, 4);
      w += stride;
    }
  }
  rfftInverseF32(FFT, table, sum);
  const ola = state + OFF_OLA;
  for (let i = 0; i < MV_HOP; i++) {
    const a = load<f32>(sum + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), load<f32>(ola + (<usize>i << 2)) + a);
    store<f32>(ola + (<usize>i << 2), load<f32>(sum + (<usize>(i + MV_HOP) << 2)) * load<f32>(win + (<usize>(i + MV_HOP) << 2)));
  }
}
