// Host references for firmware/dsp in float64, written from the published definitions
// (TensorFlow's tf.signal functions, the MLPerf Tiny feature recipes), not from the firmware.

/** Complex radix-2 FFT in place, float64; the inverse (unscaled) when sign is +1. */
export function fftInPlace(re: Float64Array, im: Float64Array, sign = -1): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const ang = (sign * 2 * Math.PI) / size;
    for (let s = 0; s < n; s += size)
      for (let k = 0; k < size / 2; k++) {
        const wr = Math.cos(ang * k),
          wi = Math.sin(ang * k);
        const a = s + k,
          b = a + size / 2;
        const tr = re[b] * wr - im[b] * wi,
          ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
  }
}

/** Real DFT via the float64 complex FFT: re/im of bins 0..n/2. */
export function rfft(x: ArrayLike<number>, n = x.length): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(n),
    im = new Float64Array(n);
  for (let i = 0; i < Math.min(n, x.length); i++) re[i] = x[i];
  fftInPlace(re, im);
  return { re: re.slice(0, n / 2 + 1), im: im.slice(0, n / 2 + 1) };
}

/** The packed layout the firmware uses: [X0, X(n/2), Re X1, Im X1, ...]. */
export function packed(x: ArrayLike<number>, n = x.length): Float64Array {
  const { re, im } = rfft(x, n);
  const out = new Float64Array(n);
  out[0] = re[0];
  out[1] = re[n / 2];
  for (let k = 1; k < n / 2; k++) {
    out[2 * k] = re[k];
    out[2 * k + 1] = im[k];
  }
  return out;
}

/** SNR in dB of `got` against `want`. */
export function snrDb(want: ArrayLike<number>, got: ArrayLike<number>): number {
  let s = 0,
    e = 0;
  for (let i = 0; i < want.length; i++) {
    s += want[i] ** 2;
    e += (want[i] - got[i]) ** 2;
  }
  return e === 0 ? Infinity : 10 * Math.log10(s / e);
}

export const hann = (n: number, periodic = true): Float64Array =>
  Float64Array.from(
    { length: n },
    (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (periodic ? n : n - 1)),
  );
export const hamming = (n: number, periodic = false): Float64Array =>
  Float64Array.from(
    { length: n },
    (_, i) => 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (periodic ? n : n - 1)),
  );

const hzToMel = (f: number): number => 1127 * Math.log(1 + f / 700);

/** tf.signal.linear_to_mel_weight_matrix: [bins][bands], DC row zero. */
export function melMatrix(
  bands: number,
  bins: number,
  sampleRate: number,
  lowHz: number,
  highHz: number,
): Float64Array[] {
  const nyq = sampleRate / 2;
  const edges = Array.from(
    { length: bands + 2 },
    (_, i) => hzToMel(lowHz) + ((hzToMel(highHz) - hzToMel(lowHz)) * i) / (bands + 1),
  );
  const w: Float64Array[] = [];
  for (let k = 0; k < bins; k++) {
    const row = new Float64Array(bands);
    if (k > 0) {
      const m = hzToMel((k * nyq) / (bins - 1));
      for (let b = 0; b < bands; b++) {
        const lo = (m - edges[b]) / (edges[b + 1] - edges[b]);
        const hi = (edges[b + 2] - m) / (edges[b + 2] - edges[b + 1]);
        row[b] = Math.max(0, Math.min(lo, hi));
      }
    }
    w.push(row);
  }
  return w;
}

export function applyMel(spec: ArrayLike<number>, w: Float64Array[]): Float64Array {
  const out = new Float64Array(w[0].length);
  for (let k = 0; k < w.length; k++)
    for (let b = 0; b < out.length; b++) out[b] += spec[k] * w[k][b];
  return out;
}

/** tf.signal.mfccs_from_log_mel_spectrograms: TF's DCT-II (2 sum x cos) times 1/sqrt(2n); `ortho` rescales c0 to sqrt(1/n). */
export function dct2(x: ArrayLike<number>, coefs: number, ortho = false): Float64Array {
  const n = x.length;
  const out = new Float64Array(coefs);
  for (let k = 0; k < coefs; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n));
    out[k] = ((2 * s) / Math.sqrt(2 * n)) * (ortho && k === 0 ? Math.SQRT1_2 : 1);
  }
  return out;
}

const maxOf = (pcm: Int16Array): number => pcm.reduce((m, v) => Math.max(m, v), -32768);
const maxAbsOf = (pcm: Int16Array): number => pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** MLPerf KWS: 49 x 10 MFCC (row per frame) of 16000 int16 samples, scaled by the clip's largest sample (or `scaleMax`). */
export function kwsFeatures(pcm: Int16Array, scaleMax = maxOf(pcm)): Float64Array {
  const m = scaleMax;
  const x = Float64Array.from(pcm, (v) => Math.max(-1, Math.min(1, m > 0 ? v / m : v / 32768)));
  const win = hann(480, true);
  const w = melMatrix(40, 257, 16000, 20, 4000);
  const out = new Float64Array(49 * 10);
  for (let t = 0; t < 49; t++) {
    const frame = Array.from({ length: 480 }, (_, i) => x[t * 320 + i] * win[i]);
    const { re, im } = rfft(frame, 512);
    const mag = re.map((r, k) => Math.hypot(r, im[k]));
    const mel = applyMel(mag, w).map((v) => Math.log(v + 1e-6));
    out.set(dct2(mel, 10), t * 10);
  }
  return out;
}

/** MLPerf streaming wake word: 30 x 40 log-mel features in [0, 1] of 16000 int16 samples. */
export function wwFeatures(pcm: Int16Array): Float64Array {
  const m = maxAbsOf(pcm); // wav / reduce_max(abs(wav)), ../shared/reference/audio.md
  const x = Float64Array.from(pcm, (v) => (m > 0 ? v / m : v / 32768));
  const c = 1 - 2 ** -5;
  const y = Float64Array.from(x, (v, i) => v - c * (i > 0 ? x[i - 1] : 0));
  const win = hamming(1024, false);
  const w = melMatrix(40, 513, 16000, 0, 8000);
  const out = new Float64Array(30 * 40);
  for (let t = 0; t < 30; t++) {
    const frame = Array.from({ length: 1024 }, (_, i) => y[t * 512 + i] * win[i]);
    const { re, im } = rfft(frame, 1024);
    const pow = re.map((r, k) => Math.max(1e-30, (r * r + im[k] * im[k]) / 1024));
    const mel = applyMel(pow, w);
    for (let b = 0; b < 40; b++)
      out[t * 40 + b] = Math.max(0, Math.min(1, (10 * Math.log10(mel[b]) + 52) / 64));
  }
  return out;
}

/** TFLite int8 quantisation (round half away from zero, saturate). */
export function quantize(x: ArrayLike<number>, scale: number, zeroPoint: number): Int8Array {
  return Int8Array.from(x as ArrayLike<number>, (v) => {
    const r = v / scale;
    const q = (r >= 0 ? Math.floor(r + 0.5) : -Math.floor(-r + 0.5)) + zeroPoint;
    return Math.max(-128, Math.min(127, q));
  });
}
