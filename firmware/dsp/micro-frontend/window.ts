// Stage 1: the analysis window and the FFT's input scaling (TFLM signal ops "window" and
// "fft_auto_scale"). A 480-tap Hann window in Q12, then the windowed frame is shifted left as
// far as its largest magnitude allows, so the Q15 FFT keeps the most bits; the shift is undone
// after the filter bank's square root.

export const WINDOW_SAMPLES: i32 = 480; // 30 ms at 16 kHz
const WINDOW_BITS: i32 = 12;

/** The Hann coefficients, Q12: round((0.5 - 0.5 cos(2π (i + 0.5) / 480)) · 4096). */
export function hannQ12(table: usize): void {
  const arg = (Math.PI * 2.0) / <f64>WINDOW_SAMPLES;
  for (let i = 0; i < WINDOW_SAMPLES; i++) {
    const w = 0.5 - 0.5 * Math.cos(arg * (<f64>i + 0.5));
    store<i16>(table + (<usize>i << 1), <i16>Math.round(w * <f64>(1 << WINDOW_BITS)));
  }
}

/**
 * out[i] = (in[i] · w[i]) >> 12, saturated to int16, for the 480 samples; out[480..512) = 0.
 * Then scales out[] up by the largest shift that keeps it in int16 and returns that shift.
 */
export function windowAndScale(input: usize, table: usize, out: usize, fftSize: i32): i32 {
  let maxAbs: i32 = 0;
  for (let i = 0; i < WINDOW_SAMPLES; i++) {
    const o = <usize>i << 1;
    let v = (<i32>load<i16>(input + o) * <i32>load<i16>(table + o)) >> WINDOW_BITS;
    v = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    store<i16>(out + o, <i16>v);
    const a = v < 0 ? -v : v;
    if (a > maxAbs) maxAbs = a;
  }
  memory.fill(out + (<usize>WINDOW_SAMPLES << 1), 0, <usize>(fftSize - WINDOW_SAMPLES) << 1);
  // 15 - (index of the top set bit, 1-based): 15 for silence, 0 for a full-scale frame.
  let shift = 15 - (32 - <i32>clz<u32>(<u32>maxAbs));
  if (shift <= 0) return 0;
  for (let i = 0; i < WINDOW_SAMPLES; i++) {
    const p = out + (<usize>i << 1);
    store<i16>(p, <i16>(<i32>load<i16>(p) << shift));
  }
  return shift;
}
