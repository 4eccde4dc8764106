// Per-channel requantisation: what a layer keeps (TFLM's multiplier and shift per channel)
// and the records its inner loops read, written just before it runs.
import { activationMax, quantizeMultiplier, quantizeScaleRatio, quantizedMultiplierResult, quantizedShiftResult, activationMin, exactRequant, firstAccReaching } from "../../quant";

// One 48-byte record per output channel, written for the running layer only. TFLite's two-rounding arithmetic is
//   y = SRDHM(acc << left, M);  out = RDBPOT(y, e) + zp;  clamp.
// For M >= 0, SRDHM(x, M) = floor((x*M + 2^30) / 2^31) (both of its nudges collapse to +2^30
// under a flooring shift), and RDBPOT(y, e) = floor((y + 2^(e-1) - [y<0]) / 2^e); nested
// floors merge, so out - zp = (acc*M' + K) >> (31+e) with K = 2^30 + 2^(30+e) - [y<0]*2^31
// (K = 2^30 when e = 0) and M' = M << left. y < 0 exactly when acc < negThr (M' >= 2^30).
// As acc -> out is monotonic, the clamp becomes two precomputed thresholds: below lo the
// output is act_min, above hi act_max, and in between no clamp is needed (nor can i64 overflow);
// one unsigned compare of acc - lo against hi - lo tells whether acc is in between.
// Most layers take the "folded" form out = (acc*M' + K + (zp << S)) >> S with a single K:
// that needs every channel's unclamped accumulators to have one sign of y (a ReLU clamps all
// y < 0, or e = 0 makes both K equal) and zp << S to fit (S <= 54). Otherwise the general form
// picks K by the sign and adds zp, kept in the high word of the shift (i64 shifts use 6 bits).
export const Q_M: usize = 0; // i64 multiplier << left
export const Q_KPOS: usize = 8; // i64 rounding constant when y >= 0 (+ zp << S when folded)
export const Q_KNEG: usize = 16; // i64 rounding constant when y < 0 (general form)
export const Q_S: usize = 24; // i64 total right shift 31 + e (low word)
export const Q_ZP: usize = 28; // output zero point (general form), the shift's high word
export const Q_BIAS: usize = 32; // bias - inZp * sum(w): the input zero point folded in
export const Q_NEG: usize = 36; // acc < neg  <=>  y < 0
export const Q_LO: usize = 40; // acc < lo  -> act_min
export const Q_SPAN: usize = 44; // hi - lo (unsigned): acc > hi -> act_max
export const Q_BYTES: i32 = 48;


// What a layer keeps for the whole run, per channel: the Q31 multiplier and shift (TFLM's
// per_channel_output_multiplier / _shift), the bias with the input zero point folded in
// (bias - inZp * sum(w), what CMSIS-NN keeps as kernel sums) and the two clamp thresholds
// (costly to find, cheap to keep): 17 bytes, in the arena's tail. Before the layer runs,
// expand() writes its 48-byte records into the record area of the arena's head, which every
// layer shares like the scratch.
const P_MULT: usize = 0; // i32: Q31 multiplier (0: the output is constant)
const P_BIAS: usize = 4; // i32: folded bias, or the constant output when the multiplier is 0
const P_LO: usize = 8; // i32: acc < lo -> act_min
const P_HI: usize = 12; // i32: acc > hi -> act_max
const P_WORDS_BYTES: i32 = 16;
/** Persistent bytes per channel: four words, then one shift byte. */
export const PERSISTENT_CHANNEL_BYTES: i32 = P_WORDS_BYTES + 1;
// A layer whose weights have one scale (per-tensor) has one multiplier, shift and pair of
// clamp thresholds for every channel (the thresholds apply to acc + bias, so the bias does not
// move them): it keeps them once, in a 16-byte header (U_MULT, U_LO, U_HI, U_SHIFT), then only
// the folded bias per channel (4 B, what CMSIS-NN keeps as kernel sums), where TFLM's reference
// kernels keep one multiplier for such a layer (fully_connected_common.cc).
const U_MULT: usize = 0;
const U_LO: usize = 4;
const U_HI: usize = 8;
const U_SHIFT: usize = 12;
const U_HEADER_BYTES: i32 = 16;
/** Persistent bytes per channel of a per-tensor layer. */
export const UNIFORM_CHANNEL_BYTES: i32 = 4;

export class ChannelQuant {
  /** The expanded records (valid while this layer runs; see expand). */
  records: usize = 0;
  amin: i32 = -128;
  amax: i32 = 127;
  zp: i32 = 0;
  /** Every channel takes the folded form (set by finish()). */
  folded: bool = false;
  private foldable: bool = true;
  /** Persistent data: four words per channel, then a shift byte per channel. */
  private data: usize = 0;

  /** Per-tensor weights: one multiplier for every channel (see U_MULT). */
  readonly uniform: bool;

  constructor(readonly channels: i32, act: i32, outScale: f32, outZp: i32, uniform: bool = false) {
    this.uniform = uniform;
    this.data = heap.alloc(<usize>(uniform ? U_HEADER_BYTES + channels * UNIFORM_CHANNEL_BYTES : channels * PERSISTENT_CHANNEL_BYTES));
    this.amin = activationMin(act, outScale, outZp);
    this.amax = activationMax(act, outScale, outZp);
    this.zp = outZp;
  }

  /** Channel c from its real multiplier, int32 bias and the folded input offset. */
  set(c: i32, real: f64, bias: i32, foldedZp: i32): void {
    if (this.uniform && c > 0) { this.keepBias(c, bias, foldedZp); return; }
    quantizeMultiplier(real);
    this.keep(c, bias, foldedZp);
  }

  /** set() with real = inScale * filterScale / outScale in double precision (TFLite's
   *  PopulateConvolutionQuantizationParams), the multiplier found in integers. */
  setScales(c: i32, inScale: f32, filterScale: f32, outScale: f32, bias: i32, foldedZp: i32): void {
    if (this.uniform && c > 0) { this.keepBias(c, bias, foldedZp); return; }
    quantizeScaleRatio(inScale, filterScale, outScale);
    this.keep(c, bias, foldedZp);
  }

  /** A per-tensor layer's channel after the first: only its bias slot (the constant output
   *  when the shared multiplier makes one, as keep() decides for every channel alike). */
  private keepBias(c: i32, bias: i32, foldedZp: i32): void {
    const slot = load<i32>(this.data, U_MULT) == 0 ? load<i32>(this.data + <usize>U_HEADER_BYTES) : bias - foldedZp;
    store<i32>(this.data + <usize>(U_HEADER_BYTES + c * UNIFORM_CHANNEL_BYTES), slot);
  }

  /** Channel c from quantizeMultiplier's results. */
  private keep(c: i32, bias: i32, foldedZp: i32): void {
    let mult = quantizedMultiplierResult, shift = quantizedShiftResult;
    const zp = <i64>this.zp;
    let folded = bias - foldedZp;
    // lo: the smallest acc whose output exceeds act_min; hi: the largest below act_max.
    let lo = i32.MIN_VALUE, hi = i32.MAX_VALUE;
    const top = mult == 0 ? 0 : exactRequant(<i64>i32.MAX_VALUE, mult, shift) + zp; // the largest output
    if (mult == 0 || top <= <i64>this.amin) {
      // A constant output (zero multiplier, or always act_min): kept in the bias slot.
      folded = mult == 0 ? min(max(this.zp, this.amin), this.amax) : this.amin; mult = 0; shift = 0;
    } else if (exactRequant(<i64>i32.MIN_VALUE, mult, shift) + zp >= <i64>this.amax) {
      folded = this.amax; mult = 0; shift = 0; // always act_max
    } else {
      lo = <i32>firstAccReaching(<i64>this.amin - zp + 1, mult, shift);
      if (top >= <i64>this.amax) hi = <i32>(firstAccReaching(<i64>this.amax - zp, mult, shift) - 1);
      // The folded form needs every channel's unclamped accumulators to give one sign of y.
      const e = shift > 0 ? 0 : -shift;
      if (!(e == 0 || lo >= negThreshold(mult, shift)) || e > 23) this.foldable = false;
    }
    if (this.uniform) {
      store<i32>(this.data, mult, U_MULT);
      store<i32>(this.data, lo, U_LO);
      store<i32>(this.data, hi, U_HI);
      store<i8>(this.data, <i8>shift, U_SHIFT);
      store<i32>(this.data + <usize>(U_HEADER_BYTES + c * UNIFORM_CHANNEL_BYTES), folded);
      return;
    }
    const p = this.data + <usize>(c * P_WORDS_BYTES);
    store<i32>(p, mult, P_MULT);
    store<i32>(p, folded, P_BIAS);
    store<i32>(p, lo, P_LO);
    store<i32>(p, hi, P_HI);
    store<i8>(this.data + <usize>(this.channels * P_WORDS_BYTES + c), <i8>shift);
  }

  /** After every set(). */
  finish(): void {
    this.folded = this.foldable;
  }

  /** Writes every channel's 48-byte record at `area` (channels * Q_BYTES long) for eval. */
  expand(area: usize): void {
    this.records = area;
    const n = this.channels, folded = this.folded, zp = this.zp;
    if (this.uniform) {
      const d = this.data;
      const mult = load<i32>(d, U_MULT), lo = load<i32>(d, U_LO), hi = load<i32>(d, U_HI), shift = <i32>load<i8>(d, U_SHIFT);
      let b = d + <usize>U_HEADER_BYTES, r = area;
      const stop = b + <usize>(n * UNIFORM_CHANNEL_BYTES);
      while (b < stop) {
        const bias = load<i32>(b);
        writeRecord(r, mult, shift, mult == 0 ? bias : zp, mult == 0 ? 0 : bias, lo, hi, folded);
        b += <usize>UNIFORM_CHANNEL_BYTES;
        r += <usize>Q_BYTES;
      }
      return;
    }
    let p = this.data, r = area;
    let shifts = this.data + <usize>(n * P_WORDS_BYTES);
    const end = shifts;
    while (p < end) {
      const mult = load<i32>(p, P_MULT), bias = load<i32>(p, P_BIAS);
      writeRecord(r, mult, <i32>load<i8>(shifts), mult == 0 ? bias : zp, mult == 0 ? 0 : bias, load<i32>(p, P_LO), load<i32>(p, P_HI), folded);
      p += <usize>P_WORDS_BYTES;
      r += <usize>Q_BYTES;
      shifts++;
    }
  }
}

/** acc < negThreshold  <=>  y < 0: acc <= -1 when M' > 2^30, acc <= -2 when M' = 2^30, never when 0. */
function negThreshold(mult: i32, shift: i32): i32 {
  const m64 = <i64>mult << (shift > 0 ? shift : 0);
  return m64 == 0 ? i32.MIN_VALUE : m64 == (1 << 30) ? -1 : 0;
}

// @ts-ignore: decorator
@inline function writeRecord(r: usize, mult: i32, shift: i32, zpc: i32, bias: i32, lo: i32, hi: i32, folded: bool): void {
  const e = shift > 0 ? 0 : -shift;
  const m64 = <i64>mult << (shift > 0 ? shift : 0);
  const kpos: i64 = e == 0 ? (1 << 30) : (1 << 30) + (<i64>1 << (30 + e));
  const s: i64 = 31 + e;
  store<i64>(r, m64, Q_M);
  store<i64>(r, e == 0 ? kpos : kpos - (<i64>1 << 31), Q_KNEG);
  if (folded) {
    store<i64>(r, kpos + (<i64>zpc << s), Q_KPOS);
    store<i64>(r, s, Q_S);
  } else {
    store<i64>(r, kpos, Q_KPOS);
    store<i64>(r, s, Q_S);
    store<i32>(r, zpc, Q_ZP);
  }
  store<i32>(r, bias, Q_BIAS);
  store<i32>(r, negThreshold(mult, shift), Q_NEG);
  store<i32>(r, lo, Q_LO);
  store<i32>(r, hi - lo, Q_SPAN);
}

/** Requantises acc (bias already added) with the record's fields held in locals; `folded` must
 *  be a compile-time constant (it selects the form). */
// @ts-ignore: decorator
@inline export function requant(acc: i32, m: i64, kpos: i64, kneg: i64, s: i64, neg: i32, lo: i32, span: i32, zp: i32, amin: i32, amax: i32, folded: bool): i32 {
  if (acc < lo) return amin;
  if (<u32>(acc - lo) > <u32>span) return amax;
  if (folded) return <i32>((<i64>acc * m + kpos) >> s);
  return <i32>((<i64>acc * m + (acc < neg ? kneg : kpos)) >> s) + zp;
}

/** Requantises acc with channel record r (bias added here). */
// @ts-ignore: decorator
@inline export function requantAt(acc: i32, r: usize, amin: i32, amax: i32, folded: bool): i32 {
  return requant(acc + load<i32>(r, Q_BIAS), load<i64>(r, Q_M), load<i64>(r, Q_KPOS), load<i64>(r, Q_KNEG), load<i64>(r, Q_S),
    load<i32>(r, Q_NEG), load<i32>(r, Q_LO), load<i32>(r, Q_SPAN), load<i32>(r, Q_ZP), amin, amax, folded);
}

