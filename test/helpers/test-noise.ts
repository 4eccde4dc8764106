// Deterministic noise for the DSP tests: a linear congruential generator (uniform in
// [-0.5, 0.5)), approximately Gaussian samples from it, and power in dB.

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Sum of 12 uniforms: mean 0, variance 1 (Irwin-Hall), close enough to Gaussian here. */
export const gauss = (r: () => number): number => {
  let s = 0;
  for (let i = 0; i < 12; i++) s += r();
  return s;
};

/** Mean square of x[from..to). */
export const power = (x: ArrayLike<number>, from: number, to = x.length): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] ** 2;
  return s / (to - from);
};

export const db = (x: number): number => 10 * Math.log10(x);
