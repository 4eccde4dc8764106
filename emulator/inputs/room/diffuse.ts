// Diffuse (spherically isotropic) noise at several microphones: independent noise signals
// mixed so that the coherence between microphones i and j at frequency f is
// sin(k·d_ij)/(k·d_ij), k = 2πf/c, the coherence of a field arriving equally from all
// directions (Cook et al., JASA 27, 1955). The mixing matrix per frequency is the Cholesky
// factor of that coherence matrix (Habets and Gannot, JASA 122, 2007); each of its entries
// becomes a zero-phase FIR, so the mixing is a handful of short convolutions.
import { Convolver, firFromResponse } from "./convolve.ts";
import { distance, SPEED_OF_SOUND, type Vec3 } from "./room-geometry.ts";

export function diffuseCoherence(d: number, f: number): number {
  const x = (2 * Math.PI * f * d) / SPEED_OF_SOUND;
  return x < 1e-9 ? 1 : Math.sin(x) / x;
}

/** Lower Cholesky factor of a symmetric positive semi-definite matrix (row-major), tolerating rank loss. */
export function cholesky(a: number[][]): number[][] {
  const m = a.length;
  const l = a.map(() => new Array<number>(m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) l[i][i] = Math.sqrt(Math.max(s, 0));
      else l[i][j] = l[j][j] > 1e-9 ? s / l[j][j] : 0;
    }
  }
  return l;
}

/** Mixing FIR length: resolves the coherence's first zero for spacings up to ~1 m at 16 kHz. */
export const MIXING_TAPS = 255;

/** Mixing filters h[i][j] (j ≤ i): microphone i gets Σ_j h[i][j] * noise_j. */
export function diffuseMixingFilters(
  mics: Vec3[],
  sampleRate: number,
  taps = MIXING_TAPS,
): Float64Array[][] {
  const m = mics.length;
  const size = 2 * (taps + 1);
  const bins = size / 2 + 1;
  // The Cholesky factor at every FFT bin, with a tiny diagonal load so rank-deficient low
  // frequencies (all microphones fully coherent) still factor.
  const factors: number[][][] = [];
  for (let k = 0; k < bins; k++) {
    const f = (k * sampleRate) / size;
    const g = mics.map((p, i) =>
      mics.map((q, j) => (i === j ? 1 + 1e-9 : diffuseCoherence(distance(p, q), f))),
    );
    factors.push(cholesky(g));
  }
  const filters: Float64Array[][] = [];
  for (let i = 0; i < m; i++) {
    filters.push([]);
    for (let j = 0; j <= i; j++) {
      filters[i].push(
        firFromResponse(
          (f) => factors[Math.min(bins - 1, Math.round((f * size) / sampleRate))][i][j],
          sampleRate,
          taps,
        ),
      );
    }
  }
  return filters;
}

/**
 * Diffuse noise at `mics` from independent unit-power signals `sources` (one per
 * microphone, each at least `length + MIXING_TAPS` long): returns one signal per microphone.
 */
export function mixDiffuse(
  mics: Vec3[],
  sampleRate: number,
  sources: Float64Array[],
  length: number,
): Float64Array[] {
  const filters = diffuseMixingFilters(mics, sampleRate);
  const half = (MIXING_TAPS - 1) / 2;
  return mics.map((_, i) => {
    const out = new Float64Array(length);
    for (let j = 0; j <= i; j++) new Convolver(filters[i][j]).addInto(out, sources[j], -half);
    return out;
  });
}
