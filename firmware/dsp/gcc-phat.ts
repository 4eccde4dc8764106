// Time difference of arrival between two channels by GCC-PHAT: the cross-power spectrum
// X1 conj(X2), each bin divided by its magnitude (phase transform), back to a correlation by
// an inverse real FFT; the peak within +-maxLag samples, refined by a parabola through the
// peak and its two neighbours. A positive result means channel 1 lags channel 2 (the sound
// reached microphone 2 first). Frames are n samples (zero-padded by the caller's choice of n:
// use n >= 2 x frame length so the correlation does not wrap).
// Sub-sample refinement: the whitened correlation's peak is as narrow as a full-band sinc, where a
// parabola through integer lags is biased by up to 0.3 samples. So the correlation is evaluated
// exactly between lags, from the normalised cross-spectrum (r(tau) = sum_k Re(G_k e^(i 2 pi k tau / n))),
// at quarter-sample steps within +-1 of the integer peak, and a parabola is fitted there.
import { rfftF32, rfftInverseF32 } from "./fft-f32";

/** Bytes of work area for n-point GCC-PHAT (two spectra). */
export function gccPhatWorkBytes(n: i32): i32 {
  return n * 8;
}

/**
 * `a` and `b`: `len` float32 samples each (len <= n). `table`: rfftInitF32(n). Returns the lag of
 * channel a behind channel b in samples (fractional).
 */
export function gccPhat(a: usize, b: usize, len: i32, n: i32, table: usize, work: usize, maxLag: i32): f32 {
  const x = work, y = work + (<usize>n << 2);
  memory.copy(x, a, <usize>len << 2);
  memory.fill(x + (<usize>len << 2), 0, <usize>(n - len) << 2);
  memory.copy(y, b, <usize>len << 2);
  memory.fill(y + (<usize>len << 2), 0, <usize>(n - len) << 2);
  rfftF32(n, table, x);
  rfftF32(n, table, y);
  const eps: f32 = 1e-20;
  // DC and Nyquist are real.
  let v = load<f32>(x) * load<f32>(y);
  store<f32>(x, v / (Mathf.abs(v) + eps));
  v = load<f32>(x, 4) * load<f32>(y, 4);
  store<f32>(x, v / (Mathf.abs(v) + eps), 4);
  const m = n >> 1;
  for (let k = 1; k < m; k++) {
    const px = x + (<usize>k << 3), py = y + (<usize>k << 3);
    const ar = load<f32>(px), ai = load<f32>(px, 4), br = load<f32>(py), bi = load<f32>(py, 4);
    const cr = ar * br + ai * bi, ci = ai * br - ar * bi;
    const inv: f32 = 1.0 / (Mathf.sqrt(cr * cr + ci * ci) + eps);
    store<f32>(px, cr * inv);
    store<f32>(px, ci * inv, 4);
  }
  memory.copy(y, x, <usize>n << 2); // keep G for the fractional evaluation
  rfftInverseF32(n, table, x);
  // r[l] at index l (l >= 0) or n + l (l < 0).
  let best = 0;
  let bestV: f32 = -Infinity;
  for (let l = -maxLag; l <= maxLag; l++) {
    const r = load<f32>(x + (<usize>(l < 0 ? n + l : l) << 2));
    if (r > bestV) { bestV = r; best = l; }
  }
  // Quarter-sample grid around the integer peak, then a parabola through the best three points.
  let bj = 0;
  let bv: f32 = -Infinity;
  let prev: f32 = 0, cur: f32 = 0, nextV: f32 = 0;
  for (let j = -4; j <= 4; j++) {
    const v = correlationAt(y, n, <f32>best + <f32>j * 0.25);
    if (v > bv) { bv = v; bj = j; }
  }
  if (bj == -4 || bj == 4) return <f32>best + <f32>bj * 0.25;
  prev = correlationAt(y, n, <f32>best + <f32>(bj - 1) * 0.25);
  cur = bv;
  nextV = correlationAt(y, n, <f32>best + <f32>(bj + 1) * 0.25);
  const den = prev - 2.0 * cur + nextV;
  let delta: f32 = den < 0 ? (0.5 * (prev - nextV)) / den : 0.0;
  delta = delta > 0.5 ? 0.5 : delta < -0.5 ? -0.5 : delta;
  return <f32>best + (<f32>bj + delta) * 0.25;
}

/** r(tau) (up to a constant factor) from the packed normalised cross-spectrum g. */
function correlationAt(g: usize, n: i32, tau: f32): f32 {
  const m = n >> 1;
  const a: f32 = (<f32>2.0 * Mathf.PI * tau) / <f32>n;
  const cr = Mathf.cos(a), ci = Mathf.sin(a);
  let er: f32 = cr, ei: f32 = ci; // e^(i a k) for k = 1
  let acc: f32 = 0;
  for (let k = 1; k < m; k++) {
    const p = g + (<usize>k << 3);
    acc += load<f32>(p) * er - load<f32>(p, 4) * ei;
    const t = er * cr - ei * ci;
    ei = er * ci + ei * cr;
    er = t;
  }
  return load<f32>(g) + load<f32>(g, 4) * Mathf.cos(Mathf.PI * tau) + 2.0 * acc;
}
