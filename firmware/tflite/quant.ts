// TFLite's integer requantisation arithmetic: a real multiplier becomes a Q31 fixed-point
// multiplier and a power-of-two shift; products are rescaled with a saturating rounding
// doubling high multiply followed by a rounding right shift (TFLM's default, two roundings).
import { ACT_NONE, ACT_RELU, ACT_RELU6, ACT_RELU_N1_TO_1 } from "./schema";

/** Rounds half away from zero, as std::round (TfLiteRound) does. */
export function roundAway(x: f64): f64 {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** frexp's exponent: x = m * 2^e with m in [0.5, 1). 0 for x == 0. */
function frexpExponent(x: f64): i32 {
  if (x == 0) return 0;
  const bits = reinterpret<u64>(x);
  const biased = <i32>((bits >> 52) & 0x7ff);
  if (biased == 0) return frexpExponent(x * 18014398509481984.0) - 54; // subnormal: scale by 2^54
  return biased - 1022;
}

/** 2^k for k in f64's normal exponent range, exact (Math.pow is a long software routine on
 *  cores without a double-precision FPU, where start-up spent most of its time). */
// @ts-ignore: decorator
@inline export function pow2(k: i32): f64 {
  return reinterpret<f64>(<u64>(1023 + k) << 52);
}

// TFLite's QuantizeMultiplier: real ≈ multiplier * 2^shift / 2^31, multiplier in [2^30, 2^31).
// quantizeMultiplier(real) leaves its two results here (no object: nothing is ever freed).
export let quantizedMultiplierResult: i32 = 0;
export let quantizedShiftResult: i32 = 0;

export function quantizeMultiplier(real: f64): void {
  quantizedMultiplierResult = 0;
  quantizedShiftResult = 0;
  if (real == 0) return;
  let shift = frexpExponent(real);
  if (shift < -40) return; // flushes to zero, as TFLite does (and 2^(31-shift) stays finite)
  if (shift > 30) { quantizedMultiplierResult = 0x7fffffff; quantizedShiftResult = 30; return; }
  let q = <i64>roundAway(real * pow2(31 - shift));
  if (q == (<i64>1 << 31)) { q >>= 1; shift++; }
  if (shift < -31) return;
  if (shift > 30) { quantizedMultiplierResult = 0x7fffffff; quantizedShiftResult = 30; return; }
  quantizedMultiplierResult = <i32>q;
  quantizedShiftResult = shift;
}

/** quantizeMultiplier(<f64>a * <f64>b[k] / <f64>c) for the `n` f32 filter scales at `scales`
 *  (a layer: one input and one output scale), found without double arithmetic (a software
 *  routine on the M4 and M33, where a division alone costs hundreds of cycles). Channel k's
 *  multiplier goes to `mults + k * multStride` (i32), its shift to `shifts + k` (i8); returns
 *  the largest right shift (-shift where shift < 0), which picks the layer's requantisation form.
 *  One pass with no call per channel: start-up computes one per output channel of every layer.
 *  How: a * b is exact in a double (two 24-bit significands), so the double quotient is the
 *  53-bit round-to-nearest-even of p / mc (p, mc the integer significands); QuantizeMultiplier
 *  then rounds its top 31 bits half away from zero. The quotient's top bits come from a
 *  multiply by a reciprocal of the layer's (a, c) pair (one 64-bit division per layer); they
 *  settle all but a few channels in 256, which take a multiply-back check and, about 1 in 256,
 *  the double path, as zero, negative, subnormal or non-finite scales do. */
export function quantizeScaleRatios(a: f32, scales: usize, n: i32, c: f32, mults: usize, multStride: i32, shifts: usize): i32 {
  const ba = reinterpret<u32>(a), bc = reinterpret<u32>(c);
  const xa = <i32>(ba >> 23), xc = <i32>(bc >> 23); // sign bit 0: the exponent
  const normal = xa != 0 && xa < 255 && xc != 0 && xc < 255;
  const ma = (ba & 0x7fffff) | 0x800000;
  const mc = <u64>((bc & 0x7fffff) | 0x800000); // [2^23, 2^24)
  // G = floor(ma * 2^39 / mc) (< 2^40): for mb in [2^23, 2^24), (mb * G) >> 24 is
  // t = floor(p * 2^15 / mc) or t - 1 (G is short of the exact ratio by under 1, times mb <
  // 2^24, over 2^24). t has 38 to 40 bits, of which the top 31 are the multiplier and the
  // d = 7..9 below decide its rounding.
  const G = normal ? (<u64>ma << 39) / mc : 0;
  // t = (mb * G) >> 24 lies in [G / 2, G): its bit count is bG (G's) when mb >= T, else bG - 1,
  // T = ceil(2^(23 + bG) / G) (a second division per layer, no bit count per channel).
  const bG = normal ? 64 - <i32>clz(G) : 0;
  const T = normal ? <u32>(((<u64>1 << (23 + bG)) + G - 1) / G) : 0;
  const exponents = xa - xc - 165; // frexp's exponent of a * b / c, less bits(t) and xb
  // What depends on t's bit count, for its two values (d: the bits below the multiplier's 31).
  const dHi = bG - 31, dLo = bG - 32;
  const halfHi = (<u32>1 << (dHi - 1)) - 1, halfLo = (<u32>1 << (dLo - 1)) - 1;
  let maxE = 0;
  let multAt = mults, shiftAt = shifts;
  const end = scales + (<usize>max(n, 0) << 2), step = <usize>multStride;
  for (let p = scales; p < end; p += 4) {
    const bb = load<u32>(p);
    const xb = <i32>(bb >> 23);
    let mult = 0, shift = 0;
    if (normal && <u32>(xb - 1) < 254) { // xb in 1..254: a normal filter scale
      const mb = (bb & 0x7fffff) | 0x800000;
      let t = (<u64>mb * G) >> 24;
      const high = mb >= T;
      let bits = high ? bG : bG - 1;
      let d = high ? dHi : dLo;
      let half = high ? halfHi : halfLo;
      let below = <u32>t & ((half << 1) | 1);
      // Where t - 1 and t could round differently, or the double's own rounding could matter
      // (below reading 0111…10 or 0111…1), settle t by one multiply-back. Not at 1111…1: the
      // estimate rounds up there, as the exact t + 1 does (its top bits one more, below 0…0,
      // a carry into a new top bit taken by the 2^31 case below), and a double rounded up from
      // 1111…1 lands on the same next multiple; so t and t + 1 agree and no check is needed.
      let exact = true;
      if ((below | 1) == half) {
        if (((<u64>ma * <u64>mb) << 15) - t * mc >= mc) {
          t++;
          bits = 64 - <i32>clz(t);
          d = bits - 31;
          half = (<u32>1 << (d - 1)) - 1;
          below = <u32>t & ((half << 1) | 1);
        }
        // The double's 53-bit rounding moves the quotient by under 2^-23 of the multiplier's
        // last unit, so it changes the result only when those d bits read 0111…1, just below
        // one half: then the double path decides.
        exact = below != half;
      }
      // Otherwise the estimate and the exact t round alike, so the estimate stands.
      if (exact) {
        let m31 = <u32>(t >> d) + (below > half ? 1 : 0); // at most 2^31
        let sh = bits + xb + exponents;
        if (m31 == 0x80000000) { m31 >>= 1; sh++; }
        if (sh > 30) { mult = 0x7fffffff; shift = 30; } else if (sh >= -31) { mult = <i32>m31; shift = sh; }
      } else {
        scaleRatioByDouble(a, reinterpret<f32>(bb), c);
        mult = quantizedMultiplierResult;
        shift = quantizedShiftResult;
      }
    } else {
      scaleRatioByDouble(a, reinterpret<f32>(bb), c);
      mult = quantizedMultiplierResult;
      shift = quantizedShiftResult;
    }
    store<i32>(multAt, mult);
    store<i8>(shiftAt, <i8>shift);
    multAt += step;
    shiftAt++;
    maxE = max(maxE, -shift);
  }
  return maxE;
}

/** TFLite's own arithmetic, for the scales the integer path leaves: its own function, called
 *  with the scales, so that the optimiser has no double division to move onto the common path
 *  (where the M33 would pay for it in software every time). */
function scaleRatioByDouble(a: f32, b: f32, c: f32): void {
  quantizeMultiplier(<f64>a * <f64>b / <f64>c);
}

/** The Q31 multiplier of `real` (see quantizedShift for its exponent). */
export function quantizedMultiplier(real: f64): i32 {
  quantizeMultiplier(real);
  return quantizedMultiplierResult;
}

/** The power-of-two exponent that goes with quantizedMultiplier(real): real ≈ m * 2^shift / 2^31. */
export function quantizedShift(real: f64): i32 {
  quantizeMultiplier(real);
  return quantizedShiftResult;
}

/** (a * b * 2) >> 32 with rounding; saturates the one overflowing case (INT_MIN * INT_MIN). */
// @ts-ignore: decorator
@inline
export function saturatingRoundingDoublingHighMul(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return <i32>((ab + nudge) / (<i64>1 << 31)); // truncating division, as in gemmlowp
}

/** x / 2^exponent rounded to nearest, ties away from zero. */
// @ts-ignore: decorator
@inline
export function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** x * multiplier * 2^shift / 2^31, TFLite's MultiplyByQuantizedMultiplier. */
// @ts-ignore: decorator
@inline
export function multiplyByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x << left, multiplier), right);
}

/** Clamp range of an int8 output under a fused activation (TFLite's CalculateActivationRangeQuantized:
 *  its Quantize divides and rounds in float, f / scale, as here: one f32 division, where a double
 *  one is a software routine on the M33). */
export function activationMin(act: i32, scale: f32, zeroPoint: i32): i32 {
  let lo = -128;
  if (act == ACT_RELU || act == ACT_RELU6) lo = max(lo, zeroPoint);
  else if (act == ACT_RELU_N1_TO_1) lo = max(lo, zeroPoint + <i32>roundAwayF(<f32>-1.0 / scale));
  return lo;
}

export function activationMax(act: i32, scale: f32, zeroPoint: i32): i32 {
  let hi = 127;
  if (act == ACT_RELU6) hi = min(hi, zeroPoint + <i32>roundAwayF(<f32>6.0 / scale));
  else if (act == ACT_RELU_N1_TO_1) hi = min(hi, zeroPoint + <i32>roundAwayF(<f32>1.0 / scale));
  return hi;
}

/** Rounds half away from zero in single precision, as std::round(float) (TfLiteRound). */
function roundAwayF(x: f32): f32 {
  const t = Mathf.trunc(x); // x - t is exact
  return Mathf.abs(x - t) >= 0.5 ? t + (x < 0 ? <f32>-1 : <f32>1) : t;
}

/** Float clamp range under a fused activation. */
export function activationMinF(act: i32): f32 {
  if (act == ACT_RELU || act == ACT_RELU6) return 0;
  if (act == ACT_RELU_N1_TO_1) return -1;
  return -Infinity;
}

export function activationMaxF(act: i32): f32 {
  if (act == ACT_RELU6) return 6;
  if (act == ACT_RELU_N1_TO_1) return 1;
  return Infinity;
}

/** True when the activation is one the kernels fuse (NONE, RELU, RELU6, RELU_N1_TO_1). */
export function isSupportedActivation(act: i32): bool {
  return act == ACT_NONE || act == ACT_RELU || act == ACT_RELU6 || act == ACT_RELU_N1_TO_1;
}
