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
 *  even of p / mc (p, mc the integer significands), computed here from a long division with a
 *  sticky bit; QuantizeMultiplier then rounds its top 31 bits half away from zero. Zero,
 *  negative, subnormal or non-finite scales take the double path. */
export function quantizeScaleRatio(a: f32, b: f32, c: f32): void {
  const ba = reinterpret<u32>(a), bb = reinterpret<u32>(b), bc = reinterpret<u32>(c);
  const xa = <i32>(ba >> 23), xb = <i32>(bb >> 23), xc = <i32>(bc >> 23); // sign bit 0: the exponent
  if (xa == 0 || xa >= 255 || xb == 0 || xb >= 255 || xc == 0 || xc >= 255) {
    quantizeMultiplier(<f64>a * <f64>b / <f64>c);
    return;
  }
  const p = <u64>((ba & 0x7fffff) | 0x800000) * <u64>((bb & 0x7fffff) | 0x800000); // [2^46, 2^48)
  const mc = <u64>((bc & 0x7fffff) | 0x800000); // [2^23, 2^24)
  // q = floor(p * 2^36 / mc) in [2^58, 2^61), in two steps that stay inside 64 bits.
  const q1 = p / mc;
  const n2 = (p - q1 * mc) << 36;
  const q2 = n2 / mc;
  const sticky = n2 != q2 * mc;
  const q = (q1 << 36) | q2;
  const drop = <i32>(11 - clz(q)); // bits below a double's 53
  const low = q & ((<u64>1 << drop) - 1), half = <u64>1 << (drop - 1);
  let m53 = q >> drop;
  if (low > half || (low == half && (sticky || (m53 & 1) != 0))) m53++;
  // a = ma * 2^(xa - 150) for each scale: real = m53 * 2^(drop - 36 + xa + xb - xc - 150),
  // and frexp's exponent is 53 more.
  let shift = drop + xa + xb - xc - 133;
  if (m53 == (<u64>1 << 53)) { m53 = <u64>1 << 52; shift++; }
  let mult = (m53 + (1 << 21)) >> 22; // round(m * 2^31), m = m53 / 2^53, ties away from zero
  if (mult == (<u64>1 << 31)) { mult >>= 1; shift++; }
  quantizedMultiplierResult = 0;
  quantizedShiftResult = 0;
  if (shift < -31) return;
  if (shift > 30) { quantizedMultiplierResult = 0x7fffffff; quantizedShiftResult = 30; return; }
  quantizedMultiplierResult = <i32>mult;
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
