// Measurements the room tests make on rendered signals, written independently of the renderer.
import FFT from "fft.js";

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Position of the largest value of band-limited `x`, to 1/16 sample (FFT zero-padding, then a parabola). */
export function fractionalPeak(x: Float64Array): number {
  const n = nextPow2(x.length);
  const up = 16;
  const fft = new FFT(n);
  const big = new FFT(n * up);
  const frame = new Float64Array(n);
  frame.set(x);
  const spec = new Float64Array(2 * n);
  fft.realTransform(spec, frame);
  fft.completeSpectrum(spec);
  const wide = new Float64Array(2 * n * up);
  for (let k = 0; k < n / 2; k++) {
    wide[2 * k] = spec[2 * k];
    wide[2 * k + 1] = spec[2 * k + 1];
    if (k > 0) {
      wide[2 * (n * up - k)] = spec[2 * (n - k)];
      wide[2 * (n * up - k) + 1] = spec[2 * (n - k) + 1];
    }
  }
  const y = new Float64Array(2 * n * up);
  big.inverseTransform(y, wide);
  let best = 0;
  for (let i = 1; i < n * up; i++) if (y[2 * i] > y[2 * best]) best = i;
  const a = y[2 * ((best - 1 + n * up) % (n * up))],
    b = y[2 * best],
    c = y[2 * ((best + 1) % (n * up))];
  const d = a - 2 * b + c;
  return (best + (d !== 0 ? (0.5 * (a - c)) / d : 0)) / up;
}

/**
 * Time difference of arrival of x2 relative to x1 in samples (positive: x2 hears it later),
 * by GCC-PHAT: the cross-power spectrum normalised to unit magnitude, back to a lag.
 */
export function gccPhat(x1: Float64Array, x2: Float64Array, maxLag: number): number {
  const n = nextPow2(x1.length + x2.length);
  const fft = new FFT(n);
  const spec = (x: Float64Array) => {
    const f = new Float64Array(n);
    f.set(x);
    const s = new Float64Array(2 * n);
    fft.realTransform(s, f);
    fft.completeSpectrum(s);
    return s;
  };
  const a = spec(x1),
    b = spec(x2);
  const cross = new Float64Array(2 * n);
  for (let k = 0; k < 2 * n; k += 2) {
    const re = b[k] * a[k] + b[k + 1] * a[k + 1]; // X2 · conj(X1)
    const im = b[k + 1] * a[k] - b[k] * a[k + 1];
    const mag = Math.hypot(re, im) || 1;
    cross[k] = re / mag;
    cross[k + 1] = im / mag;
  }
  const r = new Float64Array(2 * n);
  fft.inverseTransform(r, cross);
  // Lags -maxLag..maxLag, rotated to be contiguous, then the fractional peak of that window.
  const win = new Float64Array(4 * maxLag + 1);
  const half = 2 * maxLag;
  for (let i = -half; i <= half; i++) win[i + half] = r[2 * ((i + n) % n)];
  return fractionalPeak(win) - half;
}
