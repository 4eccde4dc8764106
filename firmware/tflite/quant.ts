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

/** The Q31 multiplier of `real` (see quantizedShift for its exponent). */
export function quantizedMultiplier(real: f64): i32 {
  if (real == 0) return 0;
  let shift = frexpExponent(real);
  let q = <i64>roundAway(real * Math.pow(2, <f64>(31 - shift)));
  if (q == (<i64>1 << 31)) { q >>= 1; shift++; }
  if (shift < -31) return 0;
  if (shift > 30) return 0x7fffffff;
  return <i32>q;
}

/** The power-of-two exponent that goes with quantizedMultiplier(real): real ≈ m * 2^shift / 2^31. */
export function quantizedShift(real: f64): i32 {
  if (real == 0) return 0;
  let shift = frexpExponent(real);
  const q = <i64>roundAway(real * Math.pow(2, <f64>(31 - shift)));
  if (q == (<i64>1 << 31)) shift++;
  if (shift < -31) return 0;
  if (shift > 30) return 30;
  return shift;
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
