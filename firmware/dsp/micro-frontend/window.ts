// Stage 1: the analysis window and the FFT's input scaling (TFLM signal ops "window" and
// "fft_auto_scale"). A 480-tap Hann window in Q12; the windowed frame is to be shifted left as
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
 * out[i] = (in[i] · w[i]) >> 12 for the 480 samples (saturating to int16 as TFLM does, which
 * never triggers with w ≤ 4096); out[480..512) = 0. Returns the FFT auto-scale shift: the
 * largest left shift that keeps every out[i] in int16 (15 - top bit of max |out|, at least 0).
 * The FFT applies it as it reads its input, which saves a pass over the frame.
 */
export function applyWindow(input: usize, table: usize, out: usize, fftSize: i32): i32 {
  let bits: i32 = 0; // OR of every |out[i]|: its top bit is the top bit of the maximum
  for (let i = 0; i < WINDOW_SAMPLES; i++) {
    const o = <usize>i << 1;
    let v = (<i32>load<i16>(input + o) * <i32>load<i16>(table + o)) >> WINDOW_BITS;
    v = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    store<i16>(out + o, <i16>v);
    const sign = v >> 31;
    bits |= (v ^ sign) - sign;
  }
  memory.fill(out + (<usize>WINDOW_SAMPLES << 1), 0, <usize>(fftSize - WINDOW_SAMPLES) << 1);
  const shift = 15 - (32 - <i32>clz<u32>(<u32>bits));
  return shift > 0 ? shift : 0;
}
