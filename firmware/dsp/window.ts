// Analysis windows, written into caller memory once (float32), applied per frame.
// Definitions as TensorFlow's tf.signal: periodic windows divide by n, symmetric ones by n - 1.

/** Hann: w[i] = 0.5 - 0.5 cos(2 pi i / d), d = n (periodic, tf.signal.hann_window default) or n - 1. */
export function hannWindow(out: usize, n: i32, periodic: bool = true): void {
  const d = <f64>(periodic ? n : n - 1);
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>(0.5 - 0.5 * Math.cos((2.0 * Math.PI * <f64>i) / d)));
}

/** Hamming: w[i] = 0.54 - 0.46 cos(2 pi i / d), d = n (periodic) or n - 1 (periodic=false, as the MLPerf wake word recipe). */
export function hammingWindow(out: usize, n: i32, periodic: bool = false): void {
  const d = <f64>(periodic ? n : n - 1);
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>(0.54 - 0.46 * Math.cos((2.0 * Math.PI * <f64>i) / d)));
}

/** Square root of a periodic Hann (analysis and synthesis window of a 50 % overlap-add; their product sums to 1). */
export function sqrtHannWindow(out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(out + (<usize>i << 2), <f32>Math.sqrt(0.5 - 0.5 * Math.cos((2.0 * Math.PI * <f64>i) / <f64>n)));
}

/** dst[i] = src[i] * win[i] for i < n, then zeros up to `padTo` (an FFT length >= n). dst may be src. */
export function applyWindow(src: usize, win: usize, dst: usize, n: i32, padTo: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(src + o) * load<f32>(win + o));
  }
  if (padTo > n) memory.fill(dst + (<usize>n << 2), 0, <usize>(padTo - n) << 2);
}

/** Int16 PCM to float32 times `scale`, windowed, zero-padded to `padTo`. */
export function applyWindowI16(src: usize, scale: f32, win: usize, dst: usize, n: i32, padTo: i32): void {
  for (let i = 0; i < n; i++) {
    store<f32>(dst + (<usize>i << 2), <f32>load<i16>(src + (<usize>i << 1)) * scale * load<f32>(win + (<usize>i << 2)));
  }
  if (padTo > n) memory.fill(dst + (<usize>n << 2), 0, <usize>(padTo - n) << 2);
}
