// Power and magnitude spectra from a packed real FFT (fft-f32.ts / fft-fixed.ts layout):
// n/2 + 1 bins, DC to Nyquist.

/** out[k] = |X[k]|^2 * scale for k = 0..n/2 (float32 packed spectrum in). */
export function powerSpectrumF32(packed: usize, out: usize, n: i32, scale: f32 = 1.0): void {
  const m = n >> 1;
  const dc = load<f32>(packed), ny = load<f32>(packed, 4);
  store<f32>(out, dc * dc * scale);
  store<f32>(out + (<usize>m << 2), ny * ny * scale);
  for (let k = 1; k < m; k++) {
    const p = packed + (<usize>k << 3);
    const re = load<f32>(p), im = load<f32>(p, 4);
    store<f32>(out + (<usize>k << 2), (re * re + im * im) * scale);
  }
}

/** out[k] = |X[k]| for k = 0..n/2 (float32 packed spectrum in). */
export function magnitudeSpectrumF32(packed: usize, out: usize, n: i32): void {
  const m = n >> 1;
  store<f32>(out, Mathf.abs(load<f32>(packed)));
  store<f32>(out + (<usize>m << 2), Mathf.abs(load<f32>(packed, 4)));
  for (let k = 1; k < m; k++) {
    const p = packed + (<usize>k << 3);
    const re = load<f32>(p), im = load<f32>(p, 4);
    store<f32>(out + (<usize>k << 2), Mathf.sqrt(re * re + im * im));
  }
}

/** out[k] = Re^2 + Im^2 (Q30 in an i32) for k = 0..n/2, from a packed Q15 spectrum. */
export function powerSpectrumQ15(packed: usize, out: usize, n: i32): void {
  const m = n >> 1;
  const dc = <i32>load<i16>(packed), ny = <i32>load<i16>(packed, 2);
  store<i32>(out, dc * dc);
  store<i32>(out + (<usize>m << 2), ny * ny);
  for (let k = 1; k < m; k++) {
    const re = <i32>load<i16>(packed + (<usize>k << 2)), im = <i32>load<i16>(packed + (<usize>k << 2), 2);
    store<i32>(out + (<usize>k << 2), re * re + im * im);
  }
}
