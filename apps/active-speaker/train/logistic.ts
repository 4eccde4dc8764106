// Logistic regression on a few numbers per sample (Newton's method, a small ridge so that
// separable data still converges): the late fusion of the model's logit with the direction cue,
// fitted on the validation meetings only.

/** Weights w (one per feature) and bias b of p = sigmoid(w . x + b). */
export interface Logistic {
  w: number[];
  b: number;
}

export function fitLogistic(
  x: number[][],
  y: ArrayLike<number>,
  ridge = 1e-3,
  iters = 30,
): Logistic {
  const d = x[0].length + 1; // features and the bias
  const beta = new Array<number>(d).fill(0);
  for (let it = 0; it < iters; it++) {
    const g = new Array<number>(d).fill(0);
    const h = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((xi, n) => {
      const v = [...xi, 1];
      const z = v.reduce((a, vk, k) => a + vk * beta[k], 0);
      const p = 1 / (1 + Math.exp(-z));
      const r = p * (1 - p);
      for (let a = 0; a < d; a++) {
        g[a] += (p - y[n]) * v[a];
        for (let c = 0; c < d; c++) h[a][c] += r * v[a] * v[c];
      }
    });
    for (let a = 0; a < d - 1; a++) {
      g[a] += ridge * beta[a] * x.length;
      h[a][a] += ridge * x.length;
    }
    const step = solve(h, g);
    let moved = 0;
    for (let a = 0; a < d; a++) {
      beta[a] -= step[a];
      moved = Math.max(moved, Math.abs(step[a]));
    }
    if (moved < 1e-9) break;
  }
  return { w: beta.slice(0, d - 1), b: beta[d - 1] };
}

export const logisticLogit = (m: Logistic, x: number[]) =>
  x.reduce((a, v, k) => a + v * m.w[k], m.b);

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const out = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * out[k];
    out[r] = s / m[r][r];
  }
  return out;
}
