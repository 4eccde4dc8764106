// Stage 3: energy and the mel filter bank (TFLM signal ops "energy", "filter_bank",
// "filter_bank_square_root"). 40 triangular channels, equally spaced in mel (1127·ln(1 + f/700))
// from 125 to 7500 Hz. Each FFT bin between two channel centres feeds both: the upper channel
// with weight w, the lower with 1 - w (Q12). The tables are computed in float32 exactly as
// TFLM's setup does (its weights truncate, not round); accumulation is exact in 64 bits, then
// an integer square root and the FFT auto-scale shift undone.

export const CHANNELS: i32 = 40;
const SAMPLE_RATE: f64 = 16000;
const LOWER_HZ: f32 = 125;
const UPPER_HZ: f32 = 7500;
const WEIGHT_BITS: i32 = 12;

@inline function freqToMel(hz: f32): f32 {
  return <f32>1127.0 * <f32>Math.log1p(<f64>(hz / <f32>700.0));
}

export class FilterBank {
  /** First FFT bin used and one past the last. */
  startBin: i32 = 0;
  endBin: i32 = 0;
  /** Per channel 0..40 (channel 0 only collects the lowest bins' unweights): first bin, bin count, offset into the weights. */
  readonly first: usize = heap.alloc(<usize>(CHANNELS + 1) << 2);
  readonly count: usize = heap.alloc(<usize>(CHANNELS + 1) << 2);
  readonly offset: usize = heap.alloc(<usize>(CHANNELS + 1) << 2);
  /** Q12 weight and unweight per (channel, bin), int16 each. */
  weights: usize = 0;
  /** Bin energies re² + im² (uint32), 257 of them. */
  readonly energy: usize = heap.alloc(257 << 2);
  /** Filter bank output after the square root: 40 uint32. */
  readonly out: usize = heap.alloc(<usize>CHANNELS << 2);

  constructor(fftSize: i32) {
    const hzPerBin: f64 = SAMPLE_RATE / 2 / <f64>(fftSize / 2);
    const melLow = freqToMel(LOWER_HZ);
    const spacing: f32 = (freqToMel(UPPER_HZ) - melLow) / <f32>(CHANNELS + 1);
    this.startBin = <i32>Math.round(1.0 + <f64>LOWER_HZ / hzPerBin);
    // First pass: which bins each channel spans (bins up to and including its centre).
    let bin = this.startBin, total = 0;
    for (let ch = 0; ch <= CHANNELS; ch++) {
      const centre: f32 = melLow + spacing * <f32>(ch + 1);
      let end = bin;
      while (freqToMel(<f32>(<f64>end * hzPerBin)) <= centre) end++;
      store<i32>(this.first + (<usize>ch << 2), bin);
      store<i32>(this.count + (<usize>ch << 2), end - bin);
      store<i32>(this.offset + (<usize>ch << 2), total);
      total += end - bin;
      if (end > bin && end > this.endBin) this.endBin = end;
      bin = end;
    }
    this.weights = heap.alloc(<usize>total << 2);
    for (let ch = 0; ch <= CHANNELS; ch++) {
      const centre: f32 = melLow + spacing * <f32>(ch + 1);
      const below: f32 = ch == 0 ? melLow : melLow + spacing * <f32>ch;
      const den: f32 = centre - below;
      const first = load<i32>(this.first + (<usize>ch << 2));
      const n = load<i32>(this.count + (<usize>ch << 2));
      let at = this.weights + (<usize>load<i32>(this.offset + (<usize>ch << 2)) << 2);
      for (let j = 0; j < n; j++, at += 4) {
        const w: f32 = (centre - freqToMel(<f32>(<f64>(first + j) * hzPerBin))) / den;
        store<i16>(at, <i16>(<i32>(w * <f32>(1 << WEIGHT_BITS))));
        store<i16>(at, <i16>(<i32>((<f32>1.0 - w) * <f32>(1 << WEIGHT_BITS))), 2);
      }
    }
  }

  /** spectrum: 257 complex int16 bins. Leaves the 40 channel amplitudes in `out`, >> shift. */
  apply(spectrum: usize, shift: i32): void {
    const e = this.energy;
    for (let i = this.startBin; i < this.endBin; i++) {
      const re = <i32>load<i16>(spectrum + (<usize>i << 2)), im = <i32>load<i16>(spectrum + (<usize>i << 2), 2);
      store<u32>(e + (<usize>i << 2), <u32>(re * re + im * im));
    }
    let weighted: u64 = 0, unweighted: u64 = 0;
    for (let ch = 0; ch <= CHANNELS; ch++) {
      const first = load<i32>(this.first + (<usize>ch << 2));
      const n = load<i32>(this.count + (<usize>ch << 2));
      let w = this.weights + (<usize>load<i32>(this.offset + (<usize>ch << 2)) << 2);
      let p = e + (<usize>first << 2);
      for (let j = 0; j < n; j++, w += 4, p += 4) {
        const energy = <u64>load<u32>(p);
        weighted += <u64>load<i16>(w) * energy;
        unweighted += <u64>load<i16>(w, 2) * energy;
      }
      if (ch > 0) store<u32>(this.out + (<usize>(ch - 1) << 2), sqrt64(weighted) >> <u32>shift);
      weighted = unweighted;
      unweighted = 0;
    }
  }
}

/** Integer square root, bit by bit, rounded up when the remainder exceeds the root (TFLM's Sqrt32). */
function sqrt32(num: u32): u32 {
  if (num == 0) return 0;
  let res: u32 = 0;
  const maxBit = (<i32>clz<u32>(num)) | 1;
  let bit: u32 = <u32>1 << <u32>(31 - maxBit);
  for (let it = ((31 - maxBit) >> 1) + 1; it > 0; it--) {
    if (num >= res + bit) { num -= res + bit; res = (res >> 1) + bit; } else res >>= 1;
    bit >>= 2;
  }
  if (num > res && res != 0xffff) res++;
  return res;
}

/** TFLM's Sqrt64: the 32-bit routine when the top word is clear (as TFLM, off by one near 2^32). */
function sqrt64(num: u64): u32 {
  if ((num >> 32) == 0) return sqrt32(<u32>num);
  let res: u64 = 0;
  const maxBit = (<i32>clz<u64>(num)) | 1;
  let bit: u64 = <u64>1 << <u64>(63 - maxBit);
  for (let it = ((63 - maxBit) >> 1) + 1; it > 0; it--) {
    if (num >= res + bit) { num -= res + bit; res = (res >> 1) + bit; } else res >>= 1;
    bit >>= 2;
  }
  if (num > res && res != 0xffffffff) res++;
  return <u32>res;
}
