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
@inline function pow2(k: i32): f64 {
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

/** quantizeMultiplier(<f64>a * <f64>b / <f64>c), found without double arithmetic (a software
 *  routine on the M4 and M33, where a division alone costs hundreds of cycles): a * b is exact
 *  in a double (two 24-bit significands), so the double quotient is the 53-bit round-to-nearest-
 *  even of p / mc (p, mc the integer significands); QuantizeMultiplier then rounds its top 31
 *  bits half away from zero. The quotient's top bits come from a multiply by a reciprocal kept
 *  for the last (a, c) pair (a layer's input and output scales: one division per layer, none
 *  per channel); they settle all but about 1 channel in 256, which take the double path, as
 *  zero, negative, subnormal or non-finite scales do. */
export function quantizeScaleRatio(a: f32, b: f32, c: f32): void {
  const ba = reinterpret<u32>(a), bb = reinterpret<u32>(b), bc = reinterpret<u32>(c);
  const xa = <i32>(ba >> 23), xb = <i32>(bb >> 23), xc = <i32>(bc >> 23); // sign bit 0: the exponent
  if (xa == 0 || xa >= 255 || xb == 0 || xb >= 255 || xc == 0 || xc >= 255) {
    scaleRatioByDouble(a, b, c);
    return;
  }
  const ma = (ba & 0x7fffff) | 0x800000, mb = <u64>((bb & 0x7fffff) | 0x800000);
  const mc = <u64>((bc & 0x7fffff) | 0x800000); // [2^23, 2^24)
  const p = <u64>ma * mb; // [2^46, 2^48)
  // t = floor(p * 2^15 / mc), 38 to 40 bits, of which the top 31 are the multiplier and the
  // d = 7..9 below decide its rounding. With G = floor(ma * 2^39 / mc) (< 2^40), mb * G fits
  // 64 bits and (mb * G) >> 24 is t or t - 1 (G is short of the exact ratio by under 1, times
  // mb < 2^24, over 2^24); one multiply-back settles which (t - 1 would read 0111…10 where
  // t reads 0111…1, skipping the double path that case needs).
  if (ma != reciprocalA || <u32>mc != reciprocalC) {
    reciprocalA = ma;
    reciprocalC = <u32>mc;
    reciprocalG = (<u64>ma << 39) / mc;
  }
  const n = p << 15;
  let t = (mb * reciprocalG) >> 24;
  if (n - t * mc >= mc) t++;
  // The double's 53-bit rounding moves the quotient by under 2^-23 of the multiplier's last
  // unit, so it can change the result only when those d bits read 0111…1 (just below one
  // half; about 1 channel in 256): then the double path decides.
  const bits = 64 - <i32>clz(t);
  const d = bits - 31;
  const below = t & ((<u64>1 << d) - 1), halfBelow = (<u64>1 << (d - 1)) - 1;
  if (below != halfBelow) {
    let m31 = (t >> d) + (below > halfBelow ? 1 : 0);
    let sh = bits + xa + xb - xc - 165; // frexp's exponent of a * b / c
    if (m31 == (<u64>1 << 31)) { m31 >>= 1; sh++; }
    setQuantized(<i32>m31, sh);
    return;
  }
  scaleRatioByDouble(a, b, c);
}

// quantizeScaleRatio's reciprocal, kept for the (a, c) significands it was found for.
let reciprocalA: u32 = 0;
let reciprocalC: u32 = 0;
let reciprocalG: u64 = 0;

/** TFLite's own arithmetic, for the scales the integer path leaves: its own function, called
 *  with the scales, so that the optimiser has no double division to move onto the common path
 *  (where the M33 would pay for it in software every time). */
function scaleRatioByDouble(a: f32, b: f32, c: f32): void {
  quantizeMultiplier(<f64>a * <f64>b / <f64>c);
}

/** QuantizeMultiplier's last step: a shift below -31 flushes to zero, above 30 saturates. */
// @ts-ignore: decorator
@inline function setQuantized(mult: i32, shift: i32): void {
  quantizedMultiplierResult = 0;
  quantizedShiftResult = 0;
  if (shift < -31) return;
  if (shift > 30) { quantizedMultiplierResult = 0x7fffffff; quantizedShiftResult = 30; return; }
  quantizedMultiplierResult = mult;
  quantizedShiftResult = shift;
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

/** Clamp range of an int8 output under a fused activation (TFLite's CalculateActivationRangeQuantized). */
export function activationMin(act: i32, scale: f32, zeroPoint: i32): i32 {
  let lo = -128;
  if (act == ACT_RELU || act == ACT_RELU6) lo = max(lo, zeroPoint);
  else if (act == ACT_RELU_N1_TO_1) lo = max(lo, zeroPoint + <i32>roundAway(-1.0 / <f64>scale));
  return lo;
}

export function activationMax(act: i32, scale: f32, zeroPoint: i32): i32 {
  let hi = 127;
  if (act == ACT_RELU6) hi = min(hi, zeroPoint + <i32>roundAway(6.0 / <f64>scale));
  else if (act == ACT_RELU_N1_TO_1) hi = min(hi, zeroPoint + <i32>roundAway(1.0 / <f64>scale));
  return hi;
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
