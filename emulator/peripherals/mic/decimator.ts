/**
 * The PDM receiver's decimation chain, as in NXP's MICFIL: a CIC filter on the bit stream,
 * then two FIR stages that each halve the rate, to 16-bit PCM.
 *
 *   bits at OSR·fs ─ CIC (5 stages, R = OSR/4, integer) ─ 4·fs ─ half-band FIR ↓2 ─ 2·fs
 *   ─ low-pass FIR ↓2 with CIC droop compensation ─ fs ─ round, saturate ─ int16
 *
 * The CIC runs in 32-bit integers with wrap-around, as hardware does (Hogenauer 1981: the
 * register growth N·log2(R) = 25 bits at R = 32 fits). The FIR stages pass 0.45·fs and stop
 * from 0.55·fs at 80 dB (Kaiser windows), so the band 0–0.45·fs is alias-free.
 * The same chain serves the firmware's reference (RT1060, where software decimates).
 */
import { FULL_SCALE } from "./sigma-delta.ts";

const CIC_ORDER = 5;

/**
 * Tables for the CIC's first stage a byte at a time: ((1 − z⁻⁸)/(1 − z⁻¹))⁵ has integer taps
 * h[0..35]; table j (257 entries, the last 0 for "no byte yet") gives the sum of h[8j + 7 − p]·(±1)
 * over the 8 bits of a byte j bytes back (bit p = 0 is the earliest, in bit 7).
 */
const BYTE_TABLES: Int32Array = (() => {
  let h = [1];
  for (let s = 0; s < CIC_ORDER; s++) {
    const next = new Array(h.length + 7).fill(0);
    h.forEach((v, i) => {
      for (let k = 0; k < 8; k++) next[i + k] += v;
    });
    h = next;
  }
  const t = new Int32Array(5 * 257);
  for (let j = 0; j < 5; j++) {
    for (let b = 0; b < 256; b++) {
      let sum = 0;
      for (let p = 0; p < 8; p++) sum += (h[8 * j + 7 - p] ?? 0) * (((b >> (7 - p)) & 1) * 2 - 1);
      t[j * 257 + b] = sum;
    }
  }
  return t;
})();

export interface DecimatorConfig {
  /** PDM bits per output sample: 64 or 128 (a multiple of 8). */
  readonly oversampling: number;
}

export class PdmDecimator {
  readonly R: number;
  private readonly integ = new Int32Array(CIC_ORDER);
  private readonly comb = new Int32Array(CIC_ORDER);
  /** The last 4 bytes, 256 = before the stream started (contributes 0). */
  private readonly byteHist = Int32Array.of(256, 256, 256, 256);
  private readonly cicScale: number;
  private readonly hb: Float64Array;
  private readonly lp: Float64Array;
  private readonly hist1: Float64Array; // CIC outputs (4·fs), newest last
  private readonly hist2: Float64Array; // half-band outputs (2·fs)
  private n1 = 0;
  private n2 = 0;
  private phase1 = 0;
  private phase2 = 0;
  /** Output samples that saturated at int16. */
  clipped = 0;

  constructor(readonly config: DecimatorConfig) {
    const osr = config.oversampling;
    if (!(osr % 32 === 0 && osr >= 32 && osr <= 256))
      throw new RangeError(`decimator: oversampling ${osr} (32..256, a multiple of 32)`);
    this.R = osr / 4;
    this.cicScale = 1 / (this.R ** CIC_ORDER * FULL_SCALE);
    this.hb = kaiserLowPass(0.25, 0.1125, 0.3875, 90); // at 4·fs
    this.lp = compensate(kaiserLowPass(0.25, 0.225, 0.275, 80), this.R, osr); // at 2·fs
    this.hist1 = new Float64Array(this.hb.length);
    this.hist2 = new Float64Array(this.lp.length);
  }

  /** Delay of the whole chain in output samples (linear phase throughout). */
  get groupDelaySamples(): number {
    const cic = (CIC_ORDER * (this.R - 1)) / 2 / this.config.oversampling;
    return cic + (this.hb.length - 1) / 2 / 4 + (this.lp.length - 1) / 2 / 2;
  }

  /**
   * Decimates `bytes` (packed MSB first, 1 = +full scale; a whole number of output samples)
   * into int16 samples at `out[outOffset..]`; returns how many it wrote.
   */
  decimate(bytes: Uint8Array, out: Int16Array, outOffset = 0): number {
    // The CIC split by the noble identity: ((1 − z⁻⁸)/(1 − z⁻¹))⁵, an integer FIR of 36 taps
    // evaluated a byte at a time from tables (5 look-ups per 8 bits), then a 5-stage CIC with
    // R/8 at the byte rate. Bit-exact with the plain CIC, about 8 times fewer operations.
    const r = this.R >> 3;
    const T = BYTE_TABLES,
      hist = this.byteHist,
      integ = this.integ,
      comb = this.comb;
    let h1 = hist[0],
      h2 = hist[1],
      h3 = hist[2],
      h4 = hist[3];
    let i0 = integ[0],
      i1 = integ[1],
      i2 = integ[2],
      i3 = integ[3],
      i4 = integ[4];
    let count = 0;
    let written = outOffset;
    for (let b = 0; b < bytes.length; b++) {
      const h0 = bytes[b];
      const x = T[h0] + T[257 + h1] + T[514 + h2] + T[771 + h3] + T[1028 + h4];
      h4 = h3;
      h3 = h2;
      h2 = h1;
      h1 = h0;
      i0 = (i0 + x) | 0;
      i1 = (i1 + i0) | 0;
      i2 = (i2 + i1) | 0;
      i3 = (i3 + i2) | 0;
      i4 = (i4 + i3) | 0;
      if (++count === r) {
        count = 0;
        let y = i4;
        for (let s = 0; s < CIC_ORDER; s++) {
          const d = (y - comb[s]) | 0;
          comb[s] = y;
          y = d;
        }
        const v = this.stage1(y * this.cicScale);
        if (v !== null) written += this.stage2(v, out, written);
      }
    }
    hist[0] = h1;
    hist[1] = h2;
    hist[2] = h3;
    hist[3] = h4;
    integ[0] = i0;
    integ[1] = i1;
    integ[2] = i2;
    integ[3] = i3;
    integ[4] = i4;
    return written - outOffset;
  }

  /** Half-band ↓2: returns an output every second input. */
  private stage1(x: number): number | null {
    const h = this.hist1,
      n = h.length;
    h.copyWithin(0, 1);
    h[n - 1] = x;
    this.phase1 ^= 1;
    if (this.phase1) return null;
    return dot(this.hb, h);
  }

  private stage2(x: number, out: Int16Array, at: number): number {
    const h = this.hist2,
      n = h.length;
    h.copyWithin(0, 1);
    h[n - 1] = x;
    this.phase2 ^= 1;
    if (this.phase2) return 0;
    const v = Math.round(dot(this.lp, h) * 32768);
    if (v > 32767 || v < -32768) this.clipped++;
    out[at] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    return 1;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Kaiser-windowed sinc: cutoff fc, pass edge and stop edge in cycles per sample, stopband A dB; odd length, unit DC gain. */
export function kaiserLowPass(fc: number, pass: number, stop: number, A: number): Float64Array {
  const n = Math.ceil((A - 8) / (2.285 * 2 * Math.PI * (stop - pass))) | 1;
  const beta = A > 50 ? 0.1102 * (A - 8.7) : 0.5842 * (A - 21) ** 0.4 + 0.07886 * (A - 21);
  const h = new Float64Array(n);
  const m = (n - 1) / 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = i - m;
    const s = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = t / (m + 1);
    h[i] = (s * i0(beta * Math.sqrt(1 - r * r))) / i0(beta);
    sum += h[i];
  }
  for (let i = 0; i < n; i++) h[i] /= sum;
  return h;
}

/**
 * Convolves the last stage with [−a, 1 + 2a, −a], a gentle high-shelf that undoes the CIC's
 * passband droop: a is set so the CIC droop at 0.4·fs is flat.
 */
function compensate(h: Float64Array, R: number, osr: number): Float64Array {
  const f = 0.4 / osr; // 0.4·fs in cycles per PDM bit
  const droop = (Math.sin(Math.PI * f * R) / (R * Math.sin(Math.PI * f))) ** CIC_ORDER;
  const w = 2 * Math.PI * (0.4 / 2); // 0.4·fs at the stage's rate 2·fs
  const a = (1 / droop - 1) / (2 * (1 - Math.cos(w)));
  const c = [-a, 1 + 2 * a, -a];
  const out = new Float64Array(h.length + 2);
  for (let i = 0; i < h.length; i++) for (let j = 0; j < 3; j++) out[i + j] += h[i] * c[j];
  return out;
}

function i0(x: number): number {
  const q = (x * x) / 4;
  let term = 1,
    sum = 1;
  for (let k = 1; k < 64 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}
