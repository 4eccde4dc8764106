/**
 * The microphone's own 1-bit sigma-delta modulator, as in a PDM MEMS microphone.
 *
 * 4th order, noise transfer function NTF(z) = (1 − z⁻¹)⁴ / A(z⁻¹): all zeros at DC, poles of a
 * maximally flat (Butterworth) high-pass whose cutoff is set so that the out-of-band gain
 * |NTF(−1)| = 1.5, Lee's rule for a stable 1-bit loop (Schreier & Temes, "Understanding
 * Delta-Sigma Data Converters", ch. 4; the same design as their synthesizeNTF without
 * optimised zeros). Realised in error-feedback form: v = u + NTF·e exactly (STF = 1).
 *
 * Input is scaled so that PCM full scale is a modulator input of FULL_SCALE: −3 dBFS is then
 * 0.35, well inside the stable range; louder input overloads the loop like a real one (the
 * states are reset when they run away, as microphones' modulators do) and the decimated PCM
 * clips.
 */

export const ORDER = 4;
export const OUT_OF_BAND_GAIN = 1.5;
/** Modulator input for a 0 dBFS PCM sine peak (pulse density 75 % / 25 %). */
export const FULL_SCALE = 0.5;
/** Any loop filter state beyond this means the loop has become unstable: reset it. */
const RUNAWAY = 1e4;

/** Denominator A(z⁻¹) = 1 + a1 z⁻¹ + … + aN z⁻ᴺ of the NTF. */
export function ntfDenominator(order = ORDER, hInf = OUT_OF_BAND_GAIN): Float64Array {
  // Bisect the (prewarped) cutoff until |NTF(-1)| = hInf.
  let lo = 1e-4,
    hi = 10;
  let a: Float64Array = new Float64Array(order + 1);
  for (let it = 0; it < 100; it++) {
    const wc = Math.sqrt(lo * hi);
    a = butterworthHighPassDenominator(order, wc);
    let aAtMinus1 = 0;
    for (let k = 0; k <= order; k++) aAtMinus1 += a[k] * (k % 2 ? -1 : 1);
    const gain = 2 ** order / Math.abs(aAtMinus1);
    if (gain > hInf) hi = wc;
    else lo = wc;
  }
  return a;
}

/** Poles of an analog Butterworth high-pass at cutoff wc (prewarped), mapped by the bilinear transform. */
function butterworthHighPassDenominator(order: number, wc: number): Float64Array {
  // Polynomial in z⁻¹ with complex coefficients, multiplied out pole by pole.
  let re = [1],
    im = [0];
  for (let k = 0; k < order; k++) {
    const th = (Math.PI * (2 * k + order + 1)) / (2 * order); // left half-plane unit poles
    const sRe = wc * Math.cos(th),
      sIm = wc * Math.sin(th);
    // z = (1 + s) / (1 - s)
    const dRe = 1 - sRe,
      dIm = -sIm;
    const nRe = 1 + sRe,
      nIm = sIm;
    const den = dRe * dRe + dIm * dIm;
    const zRe = (nRe * dRe + nIm * dIm) / den,
      zIm = (nIm * dRe - nRe * dIm) / den;
    const nr = new Array(re.length + 1).fill(0),
      ni = new Array(re.length + 1).fill(0);
    for (let i = 0; i < re.length; i++) {
      nr[i] += re[i];
      ni[i] += im[i];
      nr[i + 1] -= re[i] * zRe - im[i] * zIm;
      ni[i + 1] -= re[i] * zIm + im[i] * zRe;
    }
    re = nr;
    im = ni;
  }
  return Float64Array.from(re);
}

function binomialZeros(order: number): Float64Array {
  const b = new Float64Array(order + 1);
  b[0] = 1;
  for (let k = 0; k < order; k++) for (let i = k + 1; i > 0; i--) b[i] -= b[i - 1];
  return b; // (1 - z^-1)^order
}

let DEFAULT_NTF: Float64Array | undefined; // designed once per process

export class SigmaDeltaModulator {
  private readonly g: Float64Array; // (B - A) coefficients 1..N
  private readonly a: Float64Array; // A coefficients 1..N
  private readonly e = new Float64Array(ORDER); // past quantisation errors, newest first
  private readonly f = new Float64Array(ORDER); // past feedback outputs, newest first
  /** Times the loop ran away and was reset (overload). */
  resets = 0;

  constructor() {
    const A = (DEFAULT_NTF ??= ntfDenominator());
    const B = binomialZeros(ORDER);
    this.a = A.slice(1);
    this.g = Float64Array.from(A.slice(1), (ak, i) => B[i + 1] - ak);
  }

  /**
   * Modulates `u` (already at the PDM rate, in full-scale units) into bits packed MSB first:
   * bit i of the block is byte i >> 3, bit 7 − (i & 7); 1 = +full scale. `u.length` must be a
   * multiple of 8.
   */
  modulate(u: Float64Array, out: Uint8Array, outOffset = 0): void {
    const { g, a, e, f } = this;
    let e0 = e[0],
      e1 = e[1],
      e2 = e[2],
      e3 = e[3];
    let f0 = f[0],
      f1 = f[1],
      f2 = f[2],
      f3 = f[3];
    const g0 = g[0],
      g1 = g[1],
      g2 = g[2],
      g3 = g[3];
    const a0 = a[0],
      a1 = a[1],
      a2 = a[2],
      a3 = a[3];
    let byte = 0;
    for (let i = 0; i < u.length; i++) {
      // Only g0·e0 depends on the last decision: the rest is summed alongside (a short chain).
      let fb = g0 * e0 + (g1 * e1 + g2 * e2 + (g3 * e3 - a3 * f3) - (a0 * f0 + a1 * f1 + a2 * f2));
      if (!(fb < RUNAWAY && fb > -RUNAWAY)) {
        e0 = e1 = e2 = e3 = f0 = f1 = f2 = f3 = fb = 0;
        this.resets++;
      }
      const w = u[i] * FULL_SCALE + fb;
      const bit = +(w >= 0); // a compare-and-set, no branch to mispredict on noise-like signs
      e3 = e2;
      e2 = e1;
      e1 = e0;
      e0 = 2 * bit - 1 - w;
      f3 = f2;
      f2 = f1;
      f1 = f0;
      f0 = fb;
      byte = (byte << 1) | bit;
      if ((i & 7) === 7) {
        out[outOffset + (i >> 3)] = byte;
        byte = 0;
      }
    }
    e[0] = e0;
    e[1] = e1;
    e[2] = e2;
    e[3] = e3;
    f[0] = f0;
    f[1] = f1;
    f[2] = f2;
    f[3] = f3;
  }
}
