/**
 * Band-limited sample-rate conversion: a Kaiser-windowed sinc low-pass evaluated as a rational
 * polyphase filter (to/from = L/M in lowest terms; output sample n sits at input time n·M/L).
 *
 * The low-pass passes up to 0.45 of the lower rate and stops from 0.5 of it (its Nyquist) at
 * STOPBAND_DB, so content above the output's Nyquist does not fold back (downsampling) and the
 * input's spectral images are removed (upsampling). Filter length from Kaiser's formula
 * N = (A − 8) / (2.285 · Δω); β = 0.1102 · (A − 8.7) for A > 50 dB (Oppenheim & Schafer,
 * "Discrete-Time Signal Processing", 3rd ed., §7.6).
 */

const STOPBAND_DB = 80;
const PASS_EDGE = 0.45; // of the lower sample rate
const STOP_EDGE = 0.5;
/** Above this many phases the kernel is evaluated per output sample instead of tabulated. */
const MAX_TABLE_PHASES = 4096;

export function resample(x: Float64Array, fromHz: number, toHz: number): Float64Array {
  if (fromHz === toHz && Number.isInteger(fromHz) && fromHz > 0) return x.slice();
  const r = new RationalResampler(fromHz, toHz);
  const y = new Float64Array(Math.ceil((x.length * r.L) / r.M));
  r.process(x, 0, 0, y);
  return y;
}

/**
 * The converter as a reusable object, for streams: `process` computes any run of output samples
 * from the input samples around them, so a caller can work block by block.
 */
export class RationalResampler {
  readonly L: number;
  readonly M: number;
  private readonly kernel: LowPass;
  private readonly table: Float64Array | null;
  private readonly coeffs: Float64Array;

  constructor(
    readonly fromHz: number,
    readonly toHz: number,
  ) {
    if (!(Number.isInteger(fromHz) && fromHz > 0 && Number.isInteger(toHz) && toHz > 0)) {
      throw new RangeError(`resample: rates must be positive integers (got ${fromHz} -> ${toHz})`);
    }
    const g = gcd(fromHz, toHz);
    this.L = toHz / g;
    this.M = fromHz / g;
    this.kernel = new LowPass(fromHz, toHz);
    this.table = this.L <= MAX_TABLE_PHASES ? this.kernel.table(this.L) : null;
    this.coeffs = new Float64Array(this.kernel.taps);
  }

  /** Input samples output `n` needs: [first, last] (inclusive). */
  span(n0: number, count: number): [number, number] {
    const half = this.kernel.half;
    return [
      Math.floor((n0 * this.M) / this.L) - half + 1,
      Math.floor(((n0 + count - 1) * this.M) / this.L) + half,
    ];
  }

  /**
   * Output samples n0 .. n0 + out.length - 1 into `out`, from `x`, whose x[0] is input sample
   * `xStart`; input samples outside `x` count as zero.
   */
  process(x: Float64Array, xStart: number, n0: number, out: Float64Array): void {
    const { L, M, table, kernel } = this;
    const taps = kernel.taps;
    for (let i = 0; i < out.length; i++) {
      const pos = (n0 + i) * M; // exact in doubles up to 2^53
      const idx = Math.floor(pos / L);
      const phase = pos - idx * L;
      let h: Float64Array;
      let hOff = 0;
      if (table) {
        h = table;
        hOff = phase * taps;
      } else {
        kernel.fill(phase / L, this.coeffs);
        h = this.coeffs;
      }
      const first = idx - kernel.half + 1 - xStart;
      const j0 = first < 0 ? -first : 0;
      const j1 = Math.min(taps, x.length - first);
      let acc = 0;
      for (let j = j0; j < j1; j++) acc += h[hOff + j] * x[first + j];
      out[i] = acc;
    }
  }
}

/** The windowed-sinc prototype, in units of input samples. */
class LowPass {
  /** Cutoff (middle of the transition band) in cycles per input sample. */
  private readonly fc: number;
  private readonly beta: number;
  private readonly i0Beta: number;
  /** Taps either side of the output instant. */
  readonly half: number;
  readonly taps: number;

  constructor(fromHz: number, toHz: number) {
    const low = Math.min(fromHz, toHz);
    this.fc = (((PASS_EDGE + STOP_EDGE) / 2) * low) / fromHz;
    const dOmega = (2 * Math.PI * (STOP_EDGE - PASS_EDGE) * low) / fromHz;
    const length = (STOPBAND_DB - 8) / (2.285 * dOmega);
    this.half = Math.ceil(length / 2);
    this.taps = 2 * this.half;
    this.beta = 0.1102 * (STOPBAND_DB - 8.7);
    this.i0Beta = besselI0(this.beta);
  }

  /** Coefficients for an output instant `frac` (0..1) input samples after a tap, normalised to unit DC gain. */
  fill(frac: number, out: Float64Array, offset = 0): void {
    const { fc, half } = this;
    const T = half; // window half-length
    let sum = 0;
    for (let j = 0; j < this.taps; j++) {
      const t = frac + half - 1 - j; // output instant minus the tap's input instant
      const r = t / T;
      let v = 0;
      if (r > -1 && r < 1) {
        const s = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
        v = (s * besselI0(this.beta * Math.sqrt(1 - r * r))) / this.i0Beta;
      }
      out[offset + j] = v;
      sum += v;
    }
    for (let j = 0; j < this.taps; j++) out[offset + j] /= sum;
  }

  table(phases: number): Float64Array {
    const t = new Float64Array(phases * this.taps);
    for (let p = 0; p < phases; p++) this.fill(p / phases, t, p * this.taps);
    return t;
  }
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≲ 20). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 64 && term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
