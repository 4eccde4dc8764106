// Delay-and-sum beamformer with fractional delays, steered by a direction. For a plane wave
// from unit vector u, microphone m at p_m hears it (p_m . u) / c earlier than the origin, so
// channel m is delayed by tau_m = (p_m . u - min_k p_k . u) / c: integer part by indexing,
// fractional part by a 16-tap Hann-windowed sinc. Output = mean of the aligned channels,
// latency (taps / 2 - 1) samples plus the largest tau. Against noise that differs between the
// microphones M channels give up to 10 log10(M) dB of SNR gain.
// State (caller memory, beamStateBytes): header, per channel {integer delay, 16 taps}, then
// per channel a buffer of history + one block (planar).

export const BEAM_TAPS: i32 = 16;
export const SPEED_OF_SOUND: f64 = 343.0; // m/s at 20 C

const H_MICS: usize = 0;
const H_MAX_BLOCK: usize = 4;
const H_HISTORY: usize = 8;
const HEADER: usize = 16;
const PER_CHANNEL: usize = 4 + <usize>BEAM_TAPS * 4;

export function beamStateBytes(mics: i32, maxBlock: i32, maxDelay: i32): i32 {
  const hist = maxDelay + BEAM_TAPS;
  return <i32>HEADER + mics * <i32>PER_CHANNEL + mics * (hist + maxBlock) * 4;
}

@inline function channel(state: usize, m: i32): usize { return state + HEADER + <usize>m * PER_CHANNEL; }
@inline function buffer(state: usize, m: i32): usize {
  const mics = load<i32>(state, H_MICS);
  const len = load<i32>(state, H_HISTORY) + load<i32>(state, H_MAX_BLOCK);
  return state + HEADER + <usize>mics * PER_CHANNEL + (<usize>(m * len) << 2);
}

/** Sets up `mics` channels for blocks of up to maxBlock samples and delays of up to maxDelay samples; cleared history, no steering. */
export function beamInit(state: usize, mics: i32, maxBlock: i32, maxDelay: i32): void {
  store<i32>(state, mics, H_MICS);
  store<i32>(state, maxBlock, H_MAX_BLOCK);
  store<i32>(state, maxDelay + BEAM_TAPS, H_HISTORY);
  memory.fill(state + HEADER, 0, <usize>(beamStateBytes(mics, maxBlock, maxDelay) - <i32>HEADER));
  for (let m = 0; m < mics; m++) setDelay(state, m, 0.0);
}

/** Channel m's filter for a delay of `samples` (>= 0): integer part and 16 fractional taps (sum 1). */
export function setDelay(state: usize, m: i32, samples: f64): void {
  const maxDelay = load<i32>(state, H_HISTORY) - BEAM_TAPS;
  let d = samples < 0 ? 0.0 : samples > <f64>maxDelay ? <f64>maxDelay : samples;
  const whole = <i32>Math.floor(d);
  const frac = d - <f64>whole;
  const ch = channel(state, m);
  store<i32>(ch, whole);
  const centre = <f64>(BEAM_TAPS / 2 - 1) + frac;
  let sum: f64 = 0;
  for (let k = 0; k < BEAM_TAPS; k++) {
    const t = <f64>k - centre;
    const s = Math.abs(t) < 1e-9 ? 1.0 : Math.sin(Math.PI * t) / (Math.PI * t);
    const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / (<f64>BEAM_TAPS / 2.0));
    sum += s * w;
  }
  for (let k = 0; k < BEAM_TAPS; k++) {
    const t = <f64>k - centre;
    const s = Math.abs(t) < 1e-9 ? 1.0 : Math.sin(Math.PI * t) / (Math.PI * t);
    const w = 0.5 + 0.5 * Math.cos((Math.PI * t) / (<f64>BEAM_TAPS / 2.0));
    // Stored reversed (h[T-1-k] at k), so the block loop walks signal and taps the same way.
    store<f32>(ch + 4 + (<usize>(BEAM_TAPS - 1 - k) << 2), <f32>((s * w) / sum));
  }
}

/**
 * Steers to azimuth / elevation (radians; azimuth from +x towards +y). `positions`: per
 * microphone x, y, z in mm (f32). Sets each channel's delay; returns the largest, in samples.
 */
export function beamSteer(state: usize, positions: usize, azimuth: f32, elevation: f32, sampleRate: f32): f32 {
  const mics = load<i32>(state, H_MICS);
  const ux = Mathf.cos(elevation) * Mathf.cos(azimuth), uy = Mathf.cos(elevation) * Mathf.sin(azimuth), uz = Mathf.sin(elevation);
  let lo: f32 = Infinity;
  for (let m = 0; m < mics; m++) {
    const p = positions + <usize>(m * 12);
    lo = min(lo, load<f32>(p) * ux + load<f32>(p, 4) * uy + load<f32>(p, 8) * uz);
  }
  let most: f32 = 0;
  for (let m = 0; m < mics; m++) {
    const p = positions + <usize>(m * 12);
    const ahead = load<f32>(p) * ux + load<f32>(p, 4) * uy + load<f32>(p, 8) * uz - lo; // mm
    const samples = (<f64>ahead / 1000.0 / SPEED_OF_SOUND) * <f64>sampleRate;
    setDelay(state, m, samples);
    most = max(most, <f32>samples);
  }
  return most;
}

/** One block: `input` planar (mics x n float32), n <= maxBlock; `out` n float32. */
export function beamProcess(state: usize, input: usize, n: i32, out: usize): void {
  const mics = load<i32>(state, H_MICS);
  const hist = load<i32>(state, H_HISTORY);
  memory.fill(out, 0, <usize>n << 2);
  const gain: f32 = 1.0 / <f32>mics;
  for (let m = 0; m < mics; m++) {
    const buf = buffer(state, m);
    memory.copy(buf + (<usize>hist << 2), input + (<usize>(m * n) << 2), <usize>n << 2);
    const ch = channel(state, m);
    const taps = ch + 4;
    // y[i] = sum_k h[k] buf[hist + i - D - k]; walk the window upwards: x[j] = buf[hist + i - D - (T - 1) + j]
    // against the reversed taps r[j] = h[T - 1 - j], four taps per step, two accumulators.
    let x = buf + (<usize>(hist - load<i32>(ch) - (BEAM_TAPS - 1)) << 2);
    let o = out;
    const stop = out + (<usize>n << 2);
    while (o < stop) {
      let y0: f32 = 0, y1: f32 = 0;
      for (let j: usize = 0; j < <usize>BEAM_TAPS * 4; j += 16) {
        y0 += load<f32>(x + j) * load<f32>(taps + j);
        y1 += load<f32>(x + j, 4) * load<f32>(taps + j, 4);
        y0 += load<f32>(x + j, 8) * load<f32>(taps + j, 8);
        y1 += load<f32>(x + j, 12) * load<f32>(taps + j, 12);
      }
      store<f32>(o, load<f32>(o) + (y0 + y1) * gain);
      x += 4;
      o += 4;
    }
    memory.copy(buf, buf + (<usize>n << 2), <usize>hist << 2);
  }
}
