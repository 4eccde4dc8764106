// Host twin of firmware/dsp/micro-frontend: TFLM's micro_speech feature generator (the
// tflite-micro `signal` ops as audio_preprocessor.py chains them) in plain TypeScript integer
// arithmetic, stage by stage, so a firmware mismatch can be traced to the stage that causes it.
// Written independently of the firmware (BigInt for the 64-bit stages, Math.fround for the
// float32 table setup); the facts it follows are in docs/micro-frontend.md.

export const SAMPLE_RATE = 16000;
export const WINDOW_SAMPLES = 480; // 30 ms
export const STRIDE_SAMPLES = 320; // 20 ms
export const FFT_SIZE = 512;
export const CHANNELS = 40;
const WINDOW_BITS = 12;
const WEIGHT_BITS = 12;
const LOWER_HZ = 125;
const UPPER_HZ = 7500;
const SMOOTHING_BITS = 10;
const SUBTRACTION_BITS = 14;
const CORRECTION_BITS = 9 - WEIGHT_BITS / 2; // log2(512) - 6 = 3
const PCAN_SNR_BITS = 12;
const PCAN_OUTPUT_BITS = 6;
const PCAN_SNR_SHIFT = 21 - CORRECTION_BITS - PCAN_SNR_BITS; // 6
const LOG_OUTPUT_SCALE = 1 << 6;

const f32 = Math.fround;
const i16 = (x: number): number => (x << 16) >> 16;
const msb32 = (x: number): number => (x === 0 ? 0 : 32 - Math.clz32(x));

export function hannWindow(): Int16Array {
  const w = new Int16Array(WINDOW_SAMPLES);
  const arg = (Math.PI * 2) / WINDOW_SAMPLES;
  for (let i = 0; i < WINDOW_SAMPLES; i++)
    w[i] = Math.round((0.5 - 0.5 * Math.cos(arg * (i + 0.5))) * (1 << WINDOW_BITS));
  return w;
}

// ---- kiss_fft FIXED_POINT 16: 256-point complex FFT (4 radix-4 stages) + real-FFT split ----

const N = FFT_SIZE / 2;
const q15 = (phase: number): [number, number] => [
  Math.floor(0.5 + 32767 * Math.cos(phase)),
  Math.floor(0.5 + 32767 * Math.sin(phase)),
];
const twiddles = Array.from({ length: N }, (_, i) => q15((-2 * Math.PI * i) / N));
const superTwiddles = Array.from({ length: N / 2 }, (_, i) => q15(-Math.PI * ((i + 1) / N + 0.5)));
const sround = (x: number): number => i16((x + (1 << 14)) >> 15);
const fixdiv = (x: number, k: number): number => sround(Math.imul(x, Math.trunc(32767 / k)));

/** In place on re/im (int16 values): one kiss_fft radix-4 butterfly group. */
function bfly4(re: Int16Array, im: Int16Array, base: number, fstride: number, m: number): void {
  for (let k = 0; k < m; k++) {
    const a = [base + k, base + k + m, base + k + 2 * m, base + k + 3 * m];
    for (const j of a) {
      re[j] = fixdiv(re[j], 4);
      im[j] = fixdiv(im[j], 4);
    }
    const mul = (j: number, t: [number, number]): [number, number] => [
      sround(Math.imul(re[j], t[0]) - Math.imul(im[j], t[1])),
      sround(Math.imul(re[j], t[1]) + Math.imul(im[j], t[0])),
    ];
    const s0 = mul(a[1], twiddles[k * fstride]);
    const s1 = mul(a[2], twiddles[2 * k * fstride]);
    const s2 = mul(a[3], twiddles[3 * k * fstride]);
    const s5 = [i16(re[a[0]] - s1[0]), i16(im[a[0]] - s1[1])];
    re[a[0]] = i16(re[a[0]] + s1[0]);
    im[a[0]] = i16(im[a[0]] + s1[1]);
    const s3 = [i16(s0[0] + s2[0]), i16(s0[1] + s2[1])];
    const s4 = [i16(s0[0] - s2[0]), i16(s0[1] - s2[1])];
    re[a[2]] = i16(re[a[0]] - s3[0]);
    im[a[2]] = i16(im[a[0]] - s3[1]);
    re[a[0]] = i16(re[a[0]] + s3[0]);
    im[a[0]] = i16(im[a[0]] + s3[1]);
    re[a[1]] = i16(s5[0] + s4[1]);
    im[a[1]] = i16(s5[1] - s4[0]);
    re[a[3]] = i16(s5[0] - s4[1]);
    im[a[3]] = i16(s5[1] + s4[0]);
  }
}

/** kiss_fftr of 512 real int16 samples: bins 0..256 as int16 (re, im). */
export function rfft(input: Int16Array): { re: Int16Array; im: Int16Array } {
  const re = new Int16Array(N),
    im = new Int16Array(N);
  for (let j = 0; j < N; j++) {
    // Base-4 digit reversal: the order kf_work's recursion leaves the inputs in.
    const src = ((j & 3) << 6) | (((j >> 2) & 3) << 4) | (((j >> 4) & 3) << 2) | ((j >> 6) & 3);
    re[j] = input[2 * src];
    im[j] = input[2 * src + 1];
  }
  for (let m = 1; m < N; m *= 4) {
    const fstride = N / (4 * m);
    for (let g = 0; g < N; g += 4 * m) bfly4(re, im, g, fstride, m);
  }
  const outRe = new Int16Array(N + 1),
    outIm = new Int16Array(N + 1);
  const dcR = fixdiv(re[0], 2),
    dcI = fixdiv(im[0], 2);
  outRe[0] = i16(dcR + dcI);
  outRe[N] = i16(dcR - dcI);
  for (let k = 1; k <= N / 2; k++) {
    const pkR = fixdiv(re[k], 2),
      pkI = fixdiv(im[k], 2);
    const nkR = fixdiv(re[N - k], 2),
      nkI = fixdiv(i16(-im[N - k]), 2);
    const f1R = i16(pkR + nkR),
      f1I = i16(pkI + nkI);
    const f2R = i16(pkR - nkR),
      f2I = i16(pkI - nkI);
    const [tr, ti] = superTwiddles[k - 1];
    const twR = sround(Math.imul(f2R, tr) - Math.imul(f2I, ti));
    const twI = sround(Math.imul(f2R, ti) + Math.imul(f2I, tr));
    outRe[k] = i16((f1R + twR) >> 1);
    outIm[k] = i16((f1I + twI) >> 1);
    outRe[N - k] = i16((f1R - twR) >> 1);
    outIm[N - k] = i16((twI - f1I) >> 1);
  }
  return { re: outRe, im: outIm };
}

// ---- mel filter bank tables (float32 as the TFLM python/C setup computes them) ----

const freqToMel = (hz: number): number => f32(1127 * f32(Math.log1p(f32(f32(hz) / 700))));

export interface FilterBank {
  startIndex: number;
  endIndex: number;
  /** Per channel 0..40 (0 is scratch): first FFT bin and bin count. */
  starts: number[];
  widths: number[];
  /** Per channel: weights and unweights for its bins, Q12. */
  weights: number[][];
  unweights: number[][];
}

export function filterBank(): FilterBank {
  const spectrumSize = FFT_SIZE / 2 + 1;
  const hzPerBin = SAMPLE_RATE / 2 / (spectrumSize - 1);
  const melLow = freqToMel(LOWER_HZ);
  const span = f32(freqToMel(UPPER_HZ) - melLow);
  const spacing = f32(span / (CHANNELS + 1));
  const centers = Array.from({ length: CHANNELS + 1 }, (_, i) =>
    f32(melLow + f32(spacing * (i + 1))),
  );
  const startIndex = Math.round(1 + LOWER_HZ / hzPerBin);
  const fb: FilterBank = {
    startIndex,
    endIndex: 0,
    starts: [],
    widths: [],
    weights: [],
    unweights: [],
  };
  let bin = startIndex;
  for (let ch = 0; ch <= CHANNELS; ch++) {
    let end = bin;
    while (freqToMel(end * hzPerBin) <= centers[ch]) end++;
    const den = f32(centers[ch] - (ch === 0 ? melLow : centers[ch - 1]));
    const w: number[] = [],
      u: number[] = [];
    for (let f = bin; f < end; f++) {
      const weight = f32(f32(centers[ch] - freqToMel(f * hzPerBin)) / den);
      w.push(Math.trunc(weight * (1 << WEIGHT_BITS)));
      u.push(Math.trunc(f32(1 - weight) * (1 << WEIGHT_BITS)));
    }
    fb.starts.push(bin);
    fb.widths.push(end - bin);
    fb.weights.push(w);
    fb.unweights.push(u);
    if (end - bin > 0) fb.endIndex = Math.max(fb.endIndex, end);
    bin = end;
  }
  return fb;
}

// ---- integer helpers ----

function sqrt32(num: number): number {
  if (num === 0) return 0;
  let res = 0;
  const maxBit = (32 - msb32(num)) | 1;
  let bit = (1 << (31 - maxBit)) >>> 0;
  for (let it = ((31 - maxBit) >> 1) + 1; it > 0; it--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >>> 1) + bit;
    } else res >>>= 1;
    bit >>>= 2;
  }
  if (num > res && res !== 0xffff) res++;
  return res;
}

function sqrt64(num: bigint): number {
  if (num >> 32n === 0n) return sqrt32(Number(num));
  let res = 0n;
  const maxBit = (64 - num.toString(2).length) | 1;
  let bit = 1n << BigInt(63 - maxBit);
  for (let it = ((63 - maxBit) >> 1) + 1; it > 0; it--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1n) + bit;
    } else res >>= 1n;
    bit >>= 2n;
  }
  if (num > res && res !== 0xffffffffn) res++;
  return Number(res & 0xffffffffn);
}

const LOG_LUT = [
  0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944,
  3087, 3224, 3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714,
  4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533,
  5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568,
  5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944,
  4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759,
  3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090,
  1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
];

function log32(x: number, outScale: number): number {
  const integer = msb32(x) - 1;
  let frac = (x - 2 ** integer) | 0;
  frac = integer < 16 ? frac << (16 - integer) : frac >> (integer - 16);
  const seg = frac >>> 9;
  const c0 = LOG_LUT[seg],
    c1 = LOG_LUT[seg + 1];
  const rel = Math.imul(c1 - c0, frac - 512 * seg) >> 16;
  const fraction = (frac + c0 + rel) >>> 0;
  const log2 = ((integer << 16) + fraction) >>> 0;
  const loge = Number((45426n * BigInt(log2) + 32768n) >> 16n);
  return Number((BigInt(outScale) * BigInt(loge) + 32768n) & 0xffffffffn) >>> 16;
}

/** PCAN's gain table: 3 coefficients per octave of the noise estimate (the wide dynamic function). */
export function pcanGainLut(): Int16Array {
  const inputBits = SMOOTHING_BITS - CORRECTION_BITS;
  const gain = (x: number): number => {
    const xf = f32(f32(x) / 2 ** inputBits);
    const g = f32(2 ** 21 * f32(Math.pow(f32(xf + 80), f32(-0.95))));
    return g > 32767 ? 32767 : i16(Math.trunc(f32(g + 0.5)));
  };
  const lut = new Int16Array(4 * 32 - 3);
  lut[0] = gain(0);
  lut[1] = gain(1);
  for (let interval = 2; interval <= 32; interval++) {
    const x0 = 2 ** (interval - 1);
    const x1 = x0 + Math.floor(x0 / 2);
    const x2 = interval === 32 ? x0 + (x0 - 1) : 2 * x0;
    const y0 = gain(x0),
      y1 = gain(x1),
      y2 = gain(x2);
    const a1 = 4 * (y1 - y0) - (y2 - y0);
    const a2 = y2 - y0 - a1;
    const at = 4 * interval - 6;
    lut[at] = y0;
    lut[at + 1] = a1;
    lut[at + 2] = a2;
  }
  return lut;
}

function wideDynamic(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x];
  const interval = msb32(x);
  const at = 4 * interval - 6;
  const frac = (interval < 11 ? x << (11 - interval) : x >>> (interval - 11)) & 0x3ff;
  let r = (lut[at + 2] * frac) >> 5;
  r += lut[at + 1] << 5;
  r = Math.imul(r, frac);
  r = (r + (1 << 14)) >> 15;
  return i16(r + lut[at]);
}

function pcanShrink(x: number): number {
  if (x < 2 << PCAN_SNR_BITS) return Math.imul(x, x) >>> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS);
  return (x >>> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS);
}

/** Every intermediate of one frame, for tracing a mismatch to its stage. */
export interface FrameTrace {
  windowed: Int16Array;
  shift: number;
  re: Int16Array;
  im: Int16Array;
  energy: Uint32Array;
  filterbank: bigint[];
  sqrt: Uint32Array;
  subtracted: Uint32Array;
  pcan: Uint32Array;
  log: Int16Array;
  features: Int8Array;
}

export class MicroFrontendReference {
  readonly window = hannWindow();
  readonly bank = filterBank();
  readonly lut = pcanGainLut();
  /** Spectral subtraction's noise estimate per channel (state across frames). */
  readonly noise = new Uint32Array(CHANNELS);
  smoothing = [409, 983]; // int(0.025 * 2^14), int(0.06 * 2^14): even, odd channels
  minSignalRemaining = 819; // int(0.05 * 2^14)

  /** 40 int8 features of one 480-sample frame (updates the noise estimate). */
  frame(samples: Int16Array): FrameTrace {
    const windowed = new Int16Array(FFT_SIZE);
    let max = 0;
    for (let i = 0; i < WINDOW_SAMPLES; i++) {
      const v = Math.max(-32768, Math.min(32767, (samples[i] * this.window[i]) >> WINDOW_BITS));
      windowed[i] = v;
      max = Math.max(max, Math.abs(v));
    }
    const shift = Math.max(0, 15 - msb32(max));
    const scaled = windowed.map((v) => i16(v * (1 << shift)));
    const { re, im } = rfft(scaled);
    const energy = new Uint32Array(FFT_SIZE / 2 + 1);
    for (let i = this.bank.startIndex; i < this.bank.endIndex; i++)
      energy[i] = (Math.imul(re[i], re[i]) + Math.imul(im[i], im[i])) >>> 0;
    const filterbank: bigint[] = [];
    let w = 0n,
      u = 0n;
    for (let ch = 0; ch <= CHANNELS; ch++) {
      for (let j = 0; j < this.bank.widths[ch]; j++) {
        const e = BigInt(energy[this.bank.starts[ch] + j]);
        w += BigInt(this.bank.weights[ch][j]) * e;
        u += BigInt(this.bank.unweights[ch][j]) * e;
      }
      filterbank.push(w);
      w = u;
      u = 0n;
    }
    const sqrt = new Uint32Array(CHANNELS),
      subtracted = new Uint32Array(CHANNELS);
    const pcan = new Uint32Array(CHANNELS),
      log = new Int16Array(CHANNELS),
      features = new Int8Array(CHANNELS);
    for (let i = 0; i < CHANNELS; i++) {
      sqrt[i] = sqrt64(filterbank[i + 1]) >>> shift;
      // Spectral subtraction: smoothed noise estimate, subtracted with a floor.
      const s = sqrt[i],
        sm = this.smoothing[i & 1];
      const up = (s << SMOOTHING_BITS) >>> 0;
      this.noise[i] = Number(
        (BigInt(up) * BigInt(sm) + BigInt(this.noise[i]) * BigInt((1 << SUBTRACTION_BITS) - sm)) >>
          BigInt(SUBTRACTION_BITS),
      );
      const est = Math.min(this.noise[i], up);
      const floor = Number(
        (BigInt(s) * BigInt(this.minSignalRemaining)) >> BigInt(SUBTRACTION_BITS),
      );
      const sub = (up - est) >>> SMOOTHING_BITS;
      subtracted[i] = Math.max(sub, floor);
      // PCAN: gain from the noise estimate, then the shrink function.
      const gain = wideDynamic(this.noise[i], this.lut) >>> 0;
      const snr = Number((BigInt(subtracted[i]) * BigInt(gain)) >> BigInt(PCAN_SNR_SHIFT)) >>> 0;
      pcan[i] = pcanShrink(snr) >>> 0;
      const scaledUp = (pcan[i] << CORRECTION_BITS) >>> 0;
      log[i] = scaledUp > 1 ? Math.min(log32(scaledUp, LOG_OUTPUT_SCALE), 32767) : 0;
      const v = Math.trunc((log[i] * 256 + 333) / 666) - 128;
      features[i] = Math.max(-128, Math.min(127, v));
    }
    return { windowed, shift, re, im, energy, filterbank, sqrt, subtracted, pcan, log, features };
  }

  /** 49 x 40 features of a 1 s clip (frames every 20 ms), as micro_speech's model wants them. */
  clip(samples: Int16Array): Int8Array {
    const frames = Math.floor((samples.length - WINDOW_SAMPLES) / STRIDE_SAMPLES) + 1;
    const out = new Int8Array(frames * CHANNELS);
    for (let f = 0; f < frames; f++)
      out.set(
        this.frame(samples.subarray(f * STRIDE_SAMPLES, f * STRIDE_SAMPLES + WINDOW_SAMPLES))
          .features,
        f * CHANNELS,
      );
    return out;
  }
}

/** The int16 samples of a 16 kHz mono 16-bit PCM WAV file (the fixtures' format). */
export function wavSamples(bytes: Uint8Array): Int16Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE")
    throw new Error("not a RIFF/WAVE file");
  let fmtOk = false;
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = v.getUint32(at + 4, true);
    if (tag(at) === "fmt ")
      fmtOk =
        v.getUint16(at + 8, true) === 1 &&
        v.getUint16(at + 10, true) === 1 &&
        v.getUint32(at + 12, true) === SAMPLE_RATE &&
        v.getUint16(at + 22, true) === 16;
    if (tag(at) === "data") {
      if (!fmtOk) throw new Error("not 16 kHz mono 16-bit PCM");
      const n = Math.floor(Math.min(size, bytes.length - at - 8) / 2);
      return Int16Array.from({ length: n }, (_, i) => v.getInt16(at + 8 + 2 * i, true));
    }
    at += 8 + size + (size & 1);
  }
  throw new Error("no data chunk");
}
