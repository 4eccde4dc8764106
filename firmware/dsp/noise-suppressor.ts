// Single-channel noise suppressor: Wiener gain with decision-directed a-priori SNR (Ephraim &
// Malah) over a noise estimate from minimum statistics (Martin: the minimum of the smoothed
// power over a window of 0.5-1 s, kept as two alternating sub-windows, times a bias factor).
// STFT: 10 ms hop (160 samples), 20 ms frame (320) with a square-root periodic Hann as analysis
// and synthesis window (50 % overlap-add, sums to 1), 512-point FFT. Latency 160 samples.
// Everything lives in one caller-provided state of NS_STATE_BYTES, set up by nsInit.
import { rfftF32, rfftInverseF32, rfftInitF32, rfftTableBytes } from "./fft-f32";
import { sqrtHannWindow } from "./window";

export const NS_HOP: i32 = 160;
export const NS_FRAME: i32 = 320;
export const NS_FFT: i32 = 512;
const BINS: i32 = NS_FFT / 2 + 1;
export const NS_SMOOTHING: f32 = 0.85;      // power smoothing before the minimum search
export const NS_DD_ALPHA: f32 = 0.98;       // decision-directed weight
export const NS_MIN_WINDOW: i32 = 50;       // frames per sub-window of the minimum search (0.5 s)
export const NS_BIAS: f32 = 2.5;            // mean / minimum of the smoothed noise power over the window (about 2.5 for these settings)
export const NS_GAIN_FLOOR: f32 = 0.1;      // -20 dB

const OFF_COUNT: usize = 0;
const OFF_TABLE: usize = 16;
const OFF_WINDOW: usize = OFF_TABLE + <usize>rfftTableBytes(NS_FFT);
const OFF_INPUT: usize = OFF_WINDOW + <usize>NS_FRAME * 4;     // last hop of input
const OFF_OLA: usize = OFF_INPUT + <usize>NS_HOP * 4;          // second half of the previous synthesis frame
const OFF_FRAME: usize = OFF_OLA + <usize>NS_HOP * 4;
const OFF_SMOOTH: usize = OFF_FRAME + <usize>NS_FFT * 4;
const OFF_MIN: usize = OFF_SMOOTH + <usize>BINS * 4;
const OFF_MIN_NEXT: usize = OFF_MIN + <usize>BINS * 4;
const OFF_CLEAN: usize = OFF_MIN_NEXT + <usize>BINS * 4;        // |G X|^2 of the previous frame
export const NS_STATE_BYTES: i32 = <i32>(OFF_CLEAN + <usize>BINS * 4);

export function nsInit(state: usize): void {
  memory.fill(state, 0, <usize>NS_STATE_BYTES);
  rfftInitF32(NS_FFT, state + OFF_TABLE);
  sqrtHannWindow(state + OFF_WINDOW, NS_FRAME);
}

/** One hop: 160 float32 samples in, 160 out (delayed by 160). src may equal dst. */
export function nsProcess(state: usize, src: usize, dst: usize): void {
  const win = state + OFF_WINDOW, frame = state + OFF_FRAME, input = state + OFF_INPUT;
  for (let i = 0; i < NS_HOP; i++) {
    store<f32>(frame + (<usize>i << 2), load<f32>(input + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2)));
    const x = load<f32>(src + (<usize>i << 2));
    store<f32>(frame + (<usize>(i + NS_HOP) << 2), x * load<f32>(win + (<usize>(i + NS_HOP) << 2)));
    store<f32>(input + (<usize>i << 2), x);
  }
  memory.fill(frame + (<usize>NS_FRAME << 2), 0, <usize>(NS_FFT - NS_FRAME) << 2);
  rfftF32(NS_FFT, state + OFF_TABLE, frame);

  const count = load<i32>(state, OFF_COUNT);
  const smooth = state + OFF_SMOOTH, mins = state + OFF_MIN, next = state + OFF_MIN_NEXT, clean = state + OFF_CLEAN;
  const restart = count > 0 && count % NS_MIN_WINDOW == 0;
  for (let k = 0; k < BINS; k++) {
    // Packed layout: bin 0 and bin n/2 are the first two (real) words.
    let p: usize, re: f32, im: f32;
    if (k == 0) { p = frame; re = load<f32>(p); im = 0; }
    else if (k == BINS - 1) { p = frame + 4; re = load<f32>(p); im = 0; }
    else { p = frame + (<usize>k << 3); re = load<f32>(p); im = load<f32>(p, 4); }
    const power = re * re + im * im;
    const o = <usize>k << 2;
    let s: f32, lo: f32, nx: f32;
    if (count == 0) { s = power; lo = power; nx = power; }
    else {
      s = NS_SMOOTHING * load<f32>(smooth + o) + (1.0 - NS_SMOOTHING) * power;
      lo = min(load<f32>(mins + o), s);
      nx = min(load<f32>(next + o), s);
      if (restart) { lo = nx; nx = s; }
    }
    store<f32>(smooth + o, s);
    store<f32>(mins + o, lo);
    store<f32>(next + o, nx);
    const noise = NS_BIAS * lo + 1e-20;
    const post = power / noise;
    const prio = count == 0 ? max<f32>(post - 1.0, 0.0) : NS_DD_ALPHA * (load<f32>(clean + o) / noise) + (1.0 - NS_DD_ALPHA) * max<f32>(post - 1.0, 0.0);
    let g = prio / (1.0 + prio);
    g = g < NS_GAIN_FLOOR ? NS_GAIN_FLOOR : g;
    store<f32>(clean + o, g * g * power);
    if (k == 0 || k == BINS - 1) store<f32>(p, re * g);
    else { store<f32>(p, re * g); store<f32>(p, im * g, 4); }
  }
  store<i32>(state, count + 1, OFF_COUNT);

  rfftInverseF32(NS_FFT, state + OFF_TABLE, frame);
  const ola = state + OFF_OLA;
  for (let i = 0; i < NS_HOP; i++) {
    const a = load<f32>(frame + (<usize>i << 2)) * load<f32>(win + (<usize>i << 2));
    store<f32>(dst + (<usize>i << 2), load<f32>(ola + (<usize>i << 2)) + a);
    store<f32>(ola + (<usize>i << 2), load<f32>(frame + (<usize>(i + NS_HOP) << 2)) * load<f32>(win + (<usize>(i + NS_HOP) << 2)));
  }
}
