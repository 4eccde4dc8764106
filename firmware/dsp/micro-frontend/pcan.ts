// Stage 5: per-channel automatic gain control, PCAN (TFLM signal op "pcan"; Wang et al.,
// "Trainable frontend for robust and far-field keyword spotting", 2017). The gain is
// 2^21 · (noise + 80)^-0.95 of the channel's noise estimate, read from a table of one
// quadratic per octave of the estimate (the "wide dynamic function", built in float32 as TFLM
// builds it); signal · gain is then compressed by shrink(x) = x²/4 below 2, x - 1 above.

const GAIN_BITS: i32 = 21;
const STRENGTH: f32 = 0.95;
const OFFSET: f32 = 80.0;
const SNR_BITS: u32 = 12;
const OUTPUT_BITS: u32 = 6;
const LUT_ENTRIES: i32 = 4 * 32 - 3;

export class Pcan {
  /** The gain table: entries 0 and 1, then (y0, a1, a2, pad) per octave 2..32, int16. */
  readonly lut: usize = heap.alloc(<usize>(LUT_ENTRIES + 1) << 1);

  /** inputBits: fractional bits of the noise estimate; snrShift: from signal · gain to Q12. */
  constructor(inputBits: i32, readonly snrShift: u32) {
    const lut = this.lut;
    store<i16>(lut, gainAt(0, inputBits));
    store<i16>(lut, gainAt(1, inputBits), 2);
    for (let interval: u32 = 2; interval <= 32; interval++) {
      const x0: u32 = <u32>1 << (interval - 1);
      const x1: u32 = x0 + (x0 >> 1);
      const x2: u32 = interval == 32 ? x0 + (x0 - 1) : 2 * x0;
      const y0 = <i32>gainAt(x0, inputBits), y1 = <i32>gainAt(x1, inputBits), y2 = <i32>gainAt(x2, inputBits);
      const a1 = 4 * (y1 - y0) - (y2 - y0);
      const a2 = (y2 - y0) - a1;
      const at = lut + (<usize>(4 * interval - 6) << 1);
      store<i16>(at, <i16>y0);
      store<i16>(at, <i16>a1, 2);
      store<i16>(at, <i16>a2, 4);
      if (interval < 32) store<i16>(at, 0, 6);
    }
  }

  /** In place on `signal` (n x uint32), with the noise estimate of each channel. */
  apply(signal: usize, noise: usize, n: i32): void {
    for (let i = 0; i < n; i++) {
      const s = signal + (<usize>i << 2);
      const gain = <u32><i32>this.gain(load<u32>(noise + (<usize>i << 2)));
      const snr = <u32>((<u64>load<u32>(s) * <u64>gain) >> this.snrShift);
      store<u32>(s, shrink(snr));
    }
  }

  /** The table's quadratic for the octave of x, evaluated in fixed point. */
  private gain(x: u32): i16 {
    const lut = this.lut;
    if (x <= 2) return load<i16>(lut + (<usize>x << 1));
    const interval = 32 - <i32>clz<u32>(x);
    const at = lut + (<usize>(4 * interval - 6) << 1);
    const frac = <i32>(<i16>(interval < 11 ? x << <u32>(11 - interval) : x >> <u32>(interval - 11))) & 0x3ff;
    let r = (<i32>load<i16>(at, 4) * frac) >> 5;
    r += <i32>(<u32><i32>load<i16>(at, 2) << 5);
    r *= frac;
    r = (r + (1 << 14)) >> 15;
    r += <i32>load<i16>(at);
    return <i16>r;
  }
}

function gainAt(x: u32, inputBits: i32): i16 {
  const xf: f32 = <f32>x / <f32>(<u32>1 << <u32>inputBits);
  const g: f32 = <f32>(<u32>1 << <u32>GAIN_BITS) * <f32>Math.pow(<f64>(xf + OFFSET), <f64>(-STRENGTH));
  if (g > <f32>32767) return 32767;
  return <i16><i32>(g + <f32>0.5);
}

/** x²/4 for x < 2, x - 1 otherwise; x in Q12, result in Q6. */
@inline function shrink(x: u32): u32 {
  if (x < (<u32>2 << SNR_BITS)) return (x * x) >> (2 + 2 * SNR_BITS - OUTPUT_BITS);
  return (x >> (SNR_BITS - OUTPUT_BITS)) - (<u32>1 << OUTPUT_BITS);
}
