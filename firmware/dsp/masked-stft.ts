// Spectral-mask filtering for a learnt suppressor, in DTLN's framing (breizhn/DTLN: 512-sample
// blocks every 128 samples at 16 kHz). Analysis takes the newest 512 samples unwindowed, as
// DTLN's first stage was trained on (|rfft| of the raw block); the caller computes a mask per
// bin from the magnitudes; synthesis multiplies the spectrum by the mask, transforms back and
// overlap-adds through a periodic Hann window. Four periodic Hann windows at a quarter's shift
// sum to 2, so the output is the input delayed by MS_LATENCY samples when the mask is all ones.
// Everything lives in one caller-provided state of msStateBytes() bytes, set up by msInit.
import { rfftF32, rfftInverseF32, rfftInitF32, rfftTableBytes } from "./fft-f32";
import { hannWindow } from "./window";

export const MS_FRAME: i32 = 512;
export const MS_HOP: i32 = 128;
export const MS_BINS: i32 = MS_FRAME / 2 + 1;
/** Samples from a hop's input to the same samples in its output (the newest hop leaves after three more). */
export const MS_LATENCY: i32 = MS_FRAME - MS_HOP;

const OFF_TABLE: usize = 0;
const OFF_WINDOW: usize = OFF_TABLE + <usize>rfftTableBytes(MS_FRAME);
const OFF_INPUT: usize = OFF_WINDOW + <usize>MS_FRAME * 4; // the newest MS_FRAME samples, oldest first
const OFF_SPECTRUM: usize = OFF_INPUT + <usize>MS_FRAME * 4; // packed spectrum of the newest frame
const OFF_MAGNITUDE: usize = OFF_SPECTRUM + <usize>MS_FRAME * 4;
const OFF_OLA: usize = OFF_MAGNITUDE + <usize>MS_BINS * 4; // sums for the frame's samples, oldest first

export function msStateBytes(): i32 {
  return <i32>(OFF_OLA + <usize>MS_FRAME * 4);
}

export function msInit(state: usize): void {
  memory.fill(state, 0, <usize>msStateBytes());
  rfftInitF32(MS_FRAME, state + OFF_TABLE);
  hannWindow(state + OFF_WINDOW, MS_FRAME, true);
}

/** The magnitudes (MS_BINS float32) of the frame msAnalyse last took. */
export function msMagnitude(state: usize): usize {
  return state + OFF_MAGNITUDE;
}

/** Takes one hop of MS_HOP float32 samples at `src`: the frame now ends with them; fills msMagnitude. */
export function msAnalyse(state: usize, src: usize): void {
  const input = state + OFF_INPUT, spectrum = state + OFF_SPECTRUM, mag = state + OFF_MAGNITUDE;
  memory.copy(input, input + (<usize>MS_HOP << 2), <usize>(MS_FRAME - MS_HOP) << 2);
  memory.copy(input + (<usize>(MS_FRAME - MS_HOP) << 2), src, <usize>MS_HOP << 2);
  memory.copy(spectrum, input, <usize>MS_FRAME << 2);
  rfftF32(MS_FRAME, state + OFF_TABLE, spectrum);
  // Packed: [X0, X(n/2), Re X1, Im X1, ...]; DC and Nyquist are real.
  store<f32>(mag, Mathf.abs(load<f32>(spectrum)));
  store<f32>(mag + (<usize>(MS_BINS - 1) << 2), Mathf.abs(load<f32>(spectrum, 4)));
  for (let k = 1; k < MS_BINS - 1; k++) {
    const re = load<f32>(spectrum + (<usize>k << 3)), im = load<f32>(spectrum + (<usize>k << 3), 4);
    store<f32>(mag + (<usize>k << 2), Mathf.sqrt(re * re + im * im));
  }
}

/** Filters the analysed frame by `mask` (MS_BINS float32 gains) and writes the next MS_HOP output samples to `dst`. */
export function msSynthesise(state: usize, mask: usize, dst: usize): void {
  const spectrum = state + OFF_SPECTRUM, win = state + OFF_WINDOW, ola = state + OFF_OLA;
  store<f32>(spectrum, load<f32>(spectrum) * load<f32>(mask));
  store<f32>(spectrum, load<f32>(spectrum, 4) * load<f32>(mask + (<usize>(MS_BINS - 1) << 2)), 4);
  for (let k = 1; k < MS_BINS - 1; k++) {
    const g = load<f32>(mask + (<usize>k << 2)), p = spectrum + (<usize>k << 3);
    store<f32>(p, load<f32>(p) * g);
    store<f32>(p, load<f32>(p, 4) * g, 4);
  }
  rfftInverseF32(MS_FRAME, state + OFF_TABLE, spectrum);
  for (let i = 0; i < MS_FRAME; i++) {
    const o = ola + (<usize>i << 2);
    store<f32>(o, load<f32>(o) + 0.5 * load<f32>(win + (<usize>i << 2)) * load<f32>(spectrum + (<usize>i << 2)));
  }
  // The oldest hop has had all four frames over it.
  memory.copy(dst, ola, <usize>MS_HOP << 2);
  memory.copy(ola, ola + (<usize>MS_HOP << 2), <usize>(MS_FRAME - MS_HOP) << 2);
  memory.fill(ola + (<usize>(MS_FRAME - MS_HOP) << 2), 0, <usize>MS_HOP << 2);
}
