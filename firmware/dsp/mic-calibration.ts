// Running microphone gain calibration for a small array, inside the beam's STFT.
// Why: MEMS microphones' data sheets give their sensitivity to +-1 dB (at 94 dB SPL, 1 kHz;
// the room model's default gainTolerance), and a superdirective beam subtracts
// nearly equal signals, so a gain error leaks noise through it (measured on the far-field
// bench: matched microphones would gain 0.75 dB more on the 3-microphone triangle).
// How: below 500 Hz a 20-50 mm array is coherent (k d < 0.5), so every microphone hears nearly
// the same sound and their long-term powers differ by their gains alone. Per 10 ms frame each
// microphone's power in 62.5..500 Hz (bins 2..15 of the 512-point FFT) is summed; a floor
// tracker on the array's total (falls at once, rises CAL_FLOOR_RISE_DB per frame) calls a
// frame noise when it is within CAL_NOISE_DB of the floor, so a near talker (whose direct path
// is up to 0.4 dB louder at the nearest microphone at 1 m) does not bias the estimate. Over
// noise frames each microphone's power is averaged (weight 1/n for the first frames, then
// 1/CAL_SLOW_FRAMES: converges in a few frames, then forgets in about 3 s of noise), and its
// correction is sqrt(array mean / own power), bounded to +-CAL_MAX_DB: one gain per
// microphone, since a sensitivity error is flat across the speech band.
// Cost per frame: CAL_END_BIN - CAL_FIRST_BIN complex magnitudes per microphone, and at a
// noise frame one square root per microphone. The test/helpers reference is
// dsp-reference-mic-calibration.ts.

const CAL_FIRST_BIN: i32 = 2;
const CAL_END_BIN: i32 = 16;
const CAL_NOISE_DB: f32 = 6;
const CAL_FLOOR_RISE_DB: f32 = 0.05; // 5 dB per second: follows noise that grows
const CAL_SLOW_FRAMES: i32 = 300;
const CAL_MAX_DB: f32 = 3;
const FLOOR_RISE: f32 = Mathf.pow(10, CAL_FLOOR_RISE_DB / 10);
const NOISE_OVER: f32 = Mathf.pow(10, CAL_NOISE_DB / 10);
const GAIN_LO: f32 = Mathf.pow(10, -CAL_MAX_DB / 20);
const GAIN_HI: f32 = Mathf.pow(10, CAL_MAX_DB / 20);

const H_MICS: usize = 0;
const H_NOISE_FRAMES: usize = 4;
const H_FLOOR: usize = 8;
const H_LEARN: usize = 12;
const HEADER: usize = 16;
@inline function offFrame(m: i32): usize { return HEADER + (<usize>m << 2); }                  // this frame's band power
@inline function offPower(mics: i32, m: i32): usize { return HEADER + (<usize>(mics + m) << 2); }  // slow average
@inline function offGain(mics: i32, m: i32): usize { return HEADER + (<usize>(2 * mics + m) << 2); } // correction

export function calStateBytes(mics: i32): i32 {
  return <i32>HEADER + 12 * mics;
}

/** Gains at 1 (0 dB), learning. */
export function calInit(state: usize, mics: i32): void {
  memory.fill(state, 0, <usize>calStateBytes(mics));
  store<i32>(state, mics, H_MICS);
  store<f32>(state, Infinity, H_FLOOR);
  store<i32>(state, 1, H_LEARN);
  for (let m = 0; m < mics; m++) store<f32>(state + offGain(mics, m), 1.0);
}

/** Learning on (the default) or off (the gains stay as they are). */
export function calLearn(state: usize, on: bool): void {
  store<i32>(state, on ? 1 : 0, H_LEARN);
}

/** Microphone m's correction (linear) for this frame. */
@inline export function calGain(state: usize, m: i32): f32 {
  return load<f32>(state + offGain(load<i32>(state, H_MICS), m));
}

/** Microphone m's packed 512-point spectrum of this frame (before any correction): its band power. */
export function calObserve(state: usize, m: i32, spectrum: usize): void {
  let p: f32 = 0;
  for (let k = CAL_FIRST_BIN; k < CAL_END_BIN; k++) {
    const re = load<f32>(spectrum + (<usize>k << 3)), im = load<f32>(spectrum + (<usize>k << 3), 4);
    p += re * re + im * im;
  }
  store<f32>(state + offFrame(m), p);
}

/** After every microphone's calObserve: the noise decision, the averages and the corrections (used from the next frame). */
export function calEndFrame(state: usize): void {
  if (load<i32>(state, H_LEARN) == 0) return;
  const mics = load<i32>(state, H_MICS);
  let e: f32 = 0;
  for (let m = 0; m < mics; m++) e += load<f32>(state + offFrame(m));
  let floor = load<f32>(state, H_FLOOR);
  floor = e < floor ? e : floor * FLOOR_RISE;
  store<f32>(state, floor, H_FLOOR);
  if (e >= floor * NOISE_OVER) return;
  const n = load<i32>(state, H_NOISE_FRAMES) + 1;
  store<i32>(state, n, H_NOISE_FRAMES);
  const a: f32 = 1.0 / <f32>min(n, CAL_SLOW_FRAMES);
  let mean: f32 = 0;
  for (let m = 0; m < mics; m++) {
    const q = state + offPower(mics, m);
    const v = load<f32>(q) + a * (load<f32>(state + offFrame(m)) - load<f32>(q));
    store<f32>(q, v);
    mean += v;
  }
  mean /= <f32>mics;
  for (let m = 0; m < mics; m++) {
    const p = load<f32>(state + offPower(mics, m));
    let g: f32 = p > 0 ? Mathf.sqrt(mean / p) : 1;
    g = g < GAIN_LO ? GAIN_LO : g > GAIN_HI ? GAIN_HI : g;
    store<f32>(state + offGain(mics, m), g);
  }
}
