// Linear convolution by FFT overlap-add: room impulse responses are thousands of taps long
// (RT60 0.6 s at 16 kHz is ~10,000), so direct convolution would cost ~10^4 multiplies per
// output sample; overlap-add costs O(log N) per sample.
import FFT from "fft.js";

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Convolves many signals with one fixed filter; the filter's spectrum is computed once. */
export class Convolver {
  readonly filterLength: number;
  private readonly size: number;
  private readonly block: number;
  private readonly fft: FFT;
  private readonly spectrum: Float64Array;
  private readonly frame: Float64Array;
  private readonly freq: Float64Array;
  private readonly back: Float64Array;

  constructor(filter: Float64Array) {
    if (filter.length === 0) throw new Error("Convolver: empty filter");
    this.filterLength = filter.length;
    // Blocks of ~3x the filter length keep the FFT efficient without huge frames.
    this.size = Math.max(1024, nextPow2(4 * filter.length));
    this.block = this.size - filter.length + 1;
    this.fft = new FFT(this.size);
    this.frame = new Float64Array(2 * this.size); // complex, interleaved
    this.freq = new Float64Array(2 * this.size);
    this.back = new Float64Array(2 * this.size);
    const padded = new Float64Array(this.size);
    padded.set(filter);
    this.spectrum = new Float64Array(2 * this.size);
    this.fft.realTransform(this.spectrum, padded);
    this.fft.completeSpectrum(this.spectrum);
  }

  /**
   * Adds (x * filter)[n - offset] to out[n] for every n inside out, i.e. the full convolution
   * of x, placed `offset` samples into `out` (offset may be negative), scaled by `gain`.
   */
  addInto(out: Float64Array, x: Float64Array, offset = 0, gain = 1): void {
    const { size, block, fft, frame, freq, back, spectrum } = this;
    // Two blocks per FFT: block a in the real part, block b in the imaginary part. The filter
    // is real, so the inverse transform gives a * h in its real part and b * h in its imaginary.
    for (let start = 0; start < x.length; start += 2 * block) {
      const first = offset + start;
      if (first >= out.length) break;
      if (first + 2 * block + this.filterLength - 1 <= 0) continue;
      const na = Math.min(block, x.length - start);
      const nb = Math.max(0, Math.min(block, x.length - start - block));
      frame.fill(0);
      for (let i = 0; i < na; i++) frame[2 * i] = x[start + i];
      for (let i = 0; i < nb; i++) frame[2 * i + 1] = x[start + block + i];
      fft.transform(freq, frame);
      for (let k = 0; k < 2 * size; k += 2) {
        const re = freq[k] * spectrum[k] - freq[k + 1] * spectrum[k + 1];
        const im = freq[k] * spectrum[k + 1] + freq[k + 1] * spectrum[k];
        freq[k] = re;
        freq[k + 1] = im;
      }
      fft.inverseTransform(back, freq);
      this.accumulate(out, back, 0, first, na, gain);
      if (nb > 0) this.accumulate(out, back, 1, first + block, nb, gain);
    }
  }

  /** Adds the (re or im) part of `back`, the convolution of a block of n samples, at out[first...]. */
  private accumulate(
    out: Float64Array,
    back: Float64Array,
    part: number,
    first: number,
    n: number,
    gain: number,
  ): void {
    const len = n + this.filterLength - 1;
    const from = Math.max(0, -first);
    const to = Math.min(len, out.length - first);
    for (let i = from; i < to; i++) out[first + i] += gain * back[2 * i + part];
  }
}

/** Full linear convolution of x and h (length x + h - 1). */
export function convolve(x: Float64Array, h: Float64Array): Float64Array {
  const out = new Float64Array(x.length + h.length - 1);
  new Convolver(h).addInto(out, x);
  return out;
}

/**
 * A zero-phase FIR of odd length `taps` whose magnitude response follows `gainAt(f)` (f in Hz),
 * by frequency sampling and a Hann window. Used for noise colouring and diffuse-field mixing.
 */
export function firFromResponse(
  gainAt: (hz: number) => number,
  sampleRate: number,
  taps: number,
): Float64Array {
  const size = nextPow2(2 * taps);
  const fft = new FFT(size);
  const spec = new Float64Array(2 * size);
  for (let k = 0; k <= size / 2; k++) {
    const g = gainAt((k * sampleRate) / size);
    spec[2 * k] = g;
    if (k > 0 && k < size / 2) spec[2 * (size - k)] = g; // real, even spectrum
  }
  const time = new Float64Array(2 * size);
  fft.inverseTransform(time, spec);
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  for (let i = 0; i < taps; i++) {
    const lag = i - half;
    const w = 0.5 * (1 + Math.cos((Math.PI * lag) / (half + 1)));
    h[i] = w * time[2 * ((lag + size) % size)];
  }
  return h;
}
