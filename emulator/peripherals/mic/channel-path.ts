/**
 * One microphone from sound to bits: the MicSource signal, converted band-limited to an
 * intermediate rate (PDM clock / 32) and linearly interpolated up to the PDM clock (the images
 * this leaves sit at multiples of the intermediate rate, where the CIC has its nulls), plus the
 * microphone's self-noise, through the microphone's sigma-delta modulator.
 */
import { RationalResampler } from "../../inputs/resample.ts";
import type { MicSource } from "../../inputs/mic-source.ts";
import { SigmaDeltaModulator } from "./sigma-delta.ts";

/** Typical MEMS microphone (docs/references.md): 64 dB(A) SNR at −26 dBFS for 94 dB SPL,
 *  so the self-noise floor is −90 dBFS over the audio band (taken as 20 kHz, unweighted). */
export const MEMS_MIC = {
  sensitivityDbfs: -26,
  snrDb: 64,
  aopDbSpl: 120,
  noiseBandHz: 20_000,
} as const;
export const SELF_NOISE_DBFS = MEMS_MIC.sensitivityDbfs - MEMS_MIC.snrDb;
const INTERP = 32;

export class MicChannelPath {
  readonly modulator = new SigmaDeltaModulator();
  private readonly resampler: RationalResampler;
  private readonly noiseRms: number;
  private nextBit = 0;
  private src = new Float64Array(0);
  private mid = new Float64Array(0);
  private pdm = new Float64Array(0);

  constructor(
    private readonly source: MicSource,
    private readonly channel: number,
    readonly pdmClockHz: number,
    private readonly seed: number,
  ) {
    const mid = pdmClockHz / INTERP;
    this.resampler = new RationalResampler(source.sampleRate, mid);
    // White noise over 0..mid/2 whose share in the audio band is SELF_NOISE_DBFS.
    this.noiseRms = 10 ** (SELF_NOISE_DBFS / 20) * Math.sqrt(mid / 2 / MEMS_MIC.noiseBandHz);
  }

  /** The next `count` PDM bits (a multiple of 32), packed MSB first into out[offset ..]. */
  next(count: number, out: Uint8Array, offset: number): void {
    const j0 = this.nextBit;
    this.nextBit += count;
    const m0 = Math.floor(j0 / INTERP),
      mCount = count / INTERP + 1; // one more for the interpolation
    if (this.mid.length < mCount) this.mid = new Float64Array(mCount);
    const mid = this.mid.subarray(0, mCount);
    const [first, last] = this.resampler.span(m0, mCount);
    const readFrom = Math.max(0, first);
    const n = Math.max(0, last - readFrom + 1);
    if (this.src.length < n) this.src = new Float64Array(n);
    const src = this.src.subarray(0, n);
    if (n > 0) this.source.read(this.channel, readFrom, src);
    this.resampler.process(src, readFrom, m0, mid);
    for (let i = 0; i < mCount; i++) mid[i] += this.noiseRms * gaussian(this.seed, m0 + i);
    if (this.pdm.length < count) this.pdm = new Float64Array(count);
    const u = this.pdm.subarray(0, count);
    for (let k = 0, i = 0; k < mCount - 1; k++) {
      const a = mid[k],
        step = (mid[k + 1] - a) / INTERP;
      for (let s = 0; s < INTERP; s++) u[i++] = a + step * s;
    }
    this.modulator.modulate(u, out, offset);
  }
}

/** A standard normal value that depends only on (seed, index): the same noise however blocks fall. */
function gaussian(seed: number, index: number): number {
  const u1 = (hash(seed, index * 2) + 1) / 4294967297;
  const u2 = hash(seed, index * 2 + 1) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function hash(seed: number, i: number): number {
  let h =
    (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^
      (i | 0) ^
      Math.imul((i / 4294967296) | 0, 0xc2b2ae35)) >>>
    0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
