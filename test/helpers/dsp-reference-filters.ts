// Float64 host references for firmware/dsp's filters and array processing: biquad cascade,
// GCC-PHAT, delay-and-sum beamformer, noise suppressor, AGC. Same algorithms and constants as
// documented in docs/dsp.md, computed in double precision.
import { rfft } from "./dsp-reference.ts";

export function biquadCascade(
  coefs: ArrayLike<number>,
  sections: number,
  x: ArrayLike<number>,
): Float64Array {
  let y = Float64Array.from(x);
  for (let s = 0; s < sections; s++) {
    const [b0, b1, b2, a1, a2] = Array.from({ length: 5 }, (_, i) => coefs[5 * s + i]);
    let s1 = 0,
      s2 = 0;
    y = y.map((v) => {
      const o = b0 * v + s1;
      s1 = b1 * v - a1 * o + s2;
      s2 = b2 * v - a2 * o;
      return o;
    });
  }
  return y;
}

/** RBJ low-pass (0), high-pass (1), band-pass (2): [b0, b1, b2, a1, a2] normalised by a0. */
export function rbj(kind: number, f0: number, q: number, fs: number): number[] {
  const w = (2 * Math.PI * f0) / fs,
    c = Math.cos(w),
    al = Math.sin(w) / (2 * q);
  const b =
    kind === 0
      ? [(1 - c) / 2, 1 - c, (1 - c) / 2]
      : kind === 1
        ? [(1 + c) / 2, -(1 + c), (1 + c) / 2]
        : [al, 0, -al];
  const a0 = 1 + al;
  return [b[0] / a0, b[1] / a0, b[2] / a0, (-2 * c) / a0, (1 - al) / a0];
}

/** Inverse of a one-sided spectrum (bins 0..n/2) to n real samples (naive, float64). */
function irfft(re: Float64Array, im: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = re[0] + re[n / 2] * (t % 2 ? -1 : 1);
    for (let k = 1; k < n / 2; k++) {
      const a = (2 * Math.PI * k * t) / n;
      s += 2 * (re[k] * Math.cos(a) - im[k] * Math.sin(a));
    }
    out[t] = s / n;
  }
  return out;
}

/** GCC-PHAT lag of a behind b, in samples, with parabolic refinement. */
export function gccPhat(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
  maxLag: number,
): number {
  const A = rfft(a, n),
    B = rfft(b, n);
  const re = new Float64Array(n / 2 + 1),
    im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    const cr = A.re[k] * B.re[k] + A.im[k] * B.im[k],
      ci = A.im[k] * B.re[k] - A.re[k] * B.im[k];
    const m = Math.hypot(cr, ci) + 1e-20;
    re[k] = cr / m;
    im[k] = k === 0 || k === n / 2 ? 0 : ci / m;
  }
  const r = irfft(re, im, n);
  const at = (l: number): number => r[(l + n) % n];
  let best = 0;
  for (let l = -maxLag; l <= maxLag; l++) if (at(l) > at(best)) best = l;
  // Exact correlation between lags, on a quarter-sample grid, then a parabola.
  const rAt = (tau: number): number => {
    let s = re[0] + re[n / 2] * Math.cos(Math.PI * tau);
    for (let k = 1; k < n / 2; k++) {
      const a = (2 * Math.PI * k * tau) / n;
      s += 2 * (re[k] * Math.cos(a) - im[k] * Math.sin(a));
    }
    return s;
  };
  let bj = 0;
  for (let j = -4; j <= 4; j++) if (rAt(best + j / 4) > rAt(best + bj / 4)) bj = j;
  if (Math.abs(bj) === 4) return best + bj / 4;
  const [p, c, q] = [rAt(best + (bj - 1) / 4), rAt(best + bj / 4), rAt(best + (bj + 1) / 4)];
  const den = p - 2 * c + q;
  const d = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (p - q)) / den)) : 0;
  return best + (bj + d) / 4;
}

const TAPS = 16;
function fracTaps(delay: number): { whole: number; h: Float64Array } {
  const whole = Math.floor(delay),
    frac = delay - whole,
    centre = TAPS / 2 - 1 + frac;
  const h = Float64Array.from({ length: TAPS }, (_, k) => {
    const t = k - centre;
    const s = Math.abs(t) < 1e-9 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
    return s * (0.5 + 0.5 * Math.cos((Math.PI * t) / (TAPS / 2)));
  });
  const sum = h.reduce((x, y) => x + y, 0);
  return { whole, h: h.map((v) => v / sum) };
}

/** Delay-and-sum: positions [x, y, z] mm, planar signals, steered to azimuth (rad) in the horizontal plane. */
export function beamform(
  positions: number[][],
  signals: Float64Array[],
  azimuth: number,
  fs: number,
): Float64Array {
  const u = [Math.cos(azimuth), Math.sin(azimuth), 0];
  const dots = positions.map((p) => p[0] * u[0] + p[1] * u[1] + p[2] * u[2]);
  const lo = Math.min(...dots);
  const n = signals[0].length;
  const out = new Float64Array(n);
  signals.forEach((x, m) => {
    const { whole, h } = fracTaps(((dots[m] - lo) / 1000 / 343) * fs);
    for (let i = 0; i < n; i++) {
      let y = 0;
      for (let k = 0; k < TAPS; k++) {
        const j = i - whole - k;
        if (j >= 0) y += h[k] * x[j];
      }
      out[i] += y / signals.length;
    }
  });
  return out;
}

/** The noise suppressor (see firmware/dsp/noise-suppressor.ts for the algorithm and constants). */
export function noiseSuppress(x: ArrayLike<number>): Float64Array {
  const HOP = 160,
    FRAME = 320,
    N = 512,
    BINS = 257;
  const win = Float64Array.from({ length: FRAME }, (_, i) =>
    Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME)),
  );
  const prev = new Float64Array(HOP),
    ola = new Float64Array(HOP);
  const smooth = new Float64Array(BINS),
    mins = new Float64Array(BINS),
    next = new Float64Array(BINS),
    clean = new Float64Array(BINS);
  const out = new Float64Array(x.length);
  for (let count = 0; (count + 1) * HOP <= x.length; count++) {
    const cur = Array.from({ length: HOP }, (_, i) => x[count * HOP + i]);
    const frame = [...prev, ...cur].map((v, i) => v * win[i]);
    prev.set(cur);
    const { re, im } = rfft(frame, N);
    const restart = count > 0 && count % 50 === 0;
    for (let k = 0; k < BINS; k++) {
      const p = re[k] ** 2 + im[k] ** 2;
      if (count === 0) {
        smooth[k] = p;
        mins[k] = p;
        next[k] = p;
      } else {
        smooth[k] = 0.85 * smooth[k] + 0.15 * p;
        mins[k] = Math.min(mins[k], smooth[k]);
        next[k] = Math.min(next[k], smooth[k]);
        if (restart) {
          mins[k] = next[k];
          next[k] = smooth[k];
        }
      }
      const noise = 2.5 * mins[k] + 1e-20;
      const post = p / noise;
      const prio =
        count === 0
          ? Math.max(post - 1, 0)
          : 0.98 * (clean[k] / noise) + 0.02 * Math.max(post - 1, 0);
      const g = Math.max(0.1, prio / (1 + prio));
      clean[k] = g * g * p;
      re[k] *= g;
      im[k] *= g;
    }
    im[0] = 0;
    im[N / 2] = 0;
    const y = irfft(re, im, N);
    for (let i = 0; i < HOP; i++) {
      out[count * HOP + i] = ola[i] + y[i] * win[i];
      ola[i] = y[i + HOP] * win[i + HOP];
    }
  }
  return out;
}

/** The AGC with its default configuration (target -20 dBFS, gain -20..30 dB, gate -65 dBFS, attack 0.5, release 0.05). */
export function agc(x: ArrayLike<number>, block: number): Float64Array {
  const out = new Float64Array(x.length);
  let g = 0,
    from = 1;
  for (let at = 0; at + block <= x.length; at += block) {
    let e = 0;
    for (let i = 0; i < block; i++) e += x[at + i] ** 2;
    const level = 10 * Math.log10(e / block + 1e-12);
    if (level > -65) {
      const want = Math.max(-20, Math.min(30, -20 - level));
      g += (want < g ? 0.5 : 0.05) * (want - g);
    }
    const to = 10 ** (g / 20);
    for (let i = 0; i < block; i++)
      out[at + i] = Math.max(-1, Math.min(1, x[at + i] * (from + ((to - from) * (i + 1)) / block)));
    from = to;
  }
  return out;
}
