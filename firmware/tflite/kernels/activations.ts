// LOGISTIC and TANH. int8 follows TFLM's reference integer kernels: the input is rescaled to
// a Q4.27 fixed-point value (kInputIntegerBits 4 in both of TFLM's int8 kernels) with a
// frexp-derived multiplier and fed to gemmlowp's fixed-point logistic/tanh. The output
// depends only on the input byte, so prepare runs that arithmetic once per byte into a
// 256-entry table and eval is a lookup. The gemmlowp fixed-point helpers live here too
// (SOFTMAX and others import them).
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32 } from "../schema";
import { multiplyByQuantizedMultiplier, pow2, roundingDivideByPOT } from "../quant";
import { checkUnary } from "./common/prepare";

// ---- gemmlowp fixed point on raw i32 values ----

/** gemmlowp's SaturatingRoundingDoublingHighMul. Its nudge-then-truncate (toward zero)
 *  division by 2^31 equals floor((a * b + 2^30) / 2^31) for either sign of the product, so
 *  one arithmetic shift replaces the i64 division. */
// @ts-ignore: decorator
@inline
export function srdhm(a: i32, b: i32): i32 {
  if (a == b && a == i32.MIN_VALUE) return i32.MAX_VALUE;
  return <i32>((<i64>a * <i64>b + (1 << 30)) >> 31);
}

/** srdhm for a multiplier known not to be INT32_MIN (the only saturating case). */
// @ts-ignore: decorator
@inline
export function mulHigh(a: i32, b: i32): i32 {
  return <i32>((<i64>a * <i64>b + (1 << 30)) >> 31);
}

/** The rounding bias for rescaleMerged's product P (P >= -2^30 or not) with right shift r:
 *  roundingDivideByPOT(mulHigh(x, m), r) == (P + bias) >> (31 + r), P = x * m. Nested floor
 *  divisions merge; the round-half-away of the second step only needs P's sign side. */
export function mergedBias(r: i32, negative: bool): i64 {
  if (r <= 0) return 1 << 30;
  return (1 << 30) + ((<i64>1 << (r - 1)) - (negative ? 1 : 0)) * (<i64>1 << 31);
}

/** TFLite's MultiplyByQuantizedMultiplier (positive multiplier) in one i64 step:
 *  `left` = max(shift, 0), `rshift` = 31 + max(-shift, 0), biases from mergedBias. */
// @ts-ignore: decorator
@inline
export function rescaleMerged(x: i32, m: i64, left: i32, rshift: i64, biasPos: i64, biasNeg: i64): i32 {
  const p = <i64>(x << left) * m;
  return <i32>((p + (p < -(1 << 30) ? biasNeg : biasPos)) >> rshift);
}

/** SaturatingRoundingMultiplyByPOT for a positive exponent: a saturating left shift. */
export function saturatingShiftLeft(x: i32, exponent: i32): i32 {
  const threshold = (1 << (31 - exponent)) - 1;
  if (x > threshold) return i32.MAX_VALUE;
  if (x < -threshold) return i32.MIN_VALUE;
  return x << exponent;
}

/** (a + b) / 2 rounded half away from zero (gemmlowp RoundingHalfSum). */
export function roundingHalfSum(a: i32, b: i32): i32 {
  const sum = <i64>a + <i64>b;
  return <i32>((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** exp(a) for a in [-1/4, 0), Q0.31 in and out. */
function expOnIntervalNegQuarterTo0(a: i32): i32 {
  const constantTerm = 1895147668; // exp(-1/8)
  const oneThird = 715827883;
  const x = a + (1 << 28); // Taylor expansion around -1/8
  const x2 = srdhm(x, x);
  const x3 = srdhm(x2, x);
  const x4 = srdhm(x2, x2);
  const x4Over4 = roundingDivideByPOT(x4, 2);
  const poly = roundingDivideByPOT(srdhm(x4Over4 + x3, oneThird) + x2, 1);
  return constantTerm + srdhm(constantTerm, x + poly);
}

// exp(-2^k) in Q0.31 for k = -2..4: the barrel shifter's factors.
const EXP_FACTORS: StaticArray<i32> = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242];

/** gemmlowp exp_on_negative_values: a <= 0 with `integerBits` integer bits (<= 5), Q0.31 result. */
export function expOnNegativeValues(a: i32, integerBits: i32): i32 {
  const fractionalBits = 31 - integerBits;
  const quarter = 1 << (fractionalBits - 2);
  const aModQuarterMinusQuarter = (a & (quarter - 1)) - quarter;
  let result = expOnIntervalNegQuarterTo0(saturatingShiftLeft(aModQuarterMinusQuarter, integerBits));
  const remainder = aModQuarterMinusQuarter - a;
  for (let k = -2; k <= 4; k++) {
    if (integerBits > k && (remainder & (1 << (fractionalBits + k))) != 0) {
      result = srdhm(result, unchecked(EXP_FACTORS[k + 2]));
    }
  }
  return a == 0 ? i32.MAX_VALUE : result;
}

/** Newton-Raphson 1/(1+x) iteration shared by the two divisions below; returns x in Q2.29. */
function newtonHalfReciprocal(half: i32): i32 {
  let x = 1515870810 + srdhm(half, -1010580540); // 48/17 - 32/17 * half
  for (let i = 0; i < 3; i++) {
    const oneMinus = (1 << 29) - srdhm(half, x);
    x = x + saturatingShiftLeft(srdhm(x, oneMinus), 2);
  }
  return x;
}

/** 1 / (1 + a) for a in [0, 1), Q0.31 in and out. */
export function oneOverOnePlusX(a: i32): i32 {
  return saturatingShiftLeft(newtonHalfReciprocal(roundingHalfSum(a, i32.MAX_VALUE)), 1);
}

/** (1 - a) / (1 + a) for a in [0, 1), Q0.31 in and out. */
function oneMinusXOverOnePlusX(a: i32): i32 {
  return saturatingShiftLeft(newtonHalfReciprocal(roundingHalfSum(a, i32.MAX_VALUE)) - (1 << 29), 2);
}

/** gemmlowp logistic of a Q4.27 value, Q0.31 result. */
function fixedLogistic(a: i32): i32 {
  if (a == 0) return 1 << 30;
  const positive = a > 0;
  const r = oneOverOnePlusX(expOnNegativeValues(positive ? -a : a, 4));
  return positive ? r : i32.MAX_VALUE - r;
}

/** gemmlowp tanh of a Q4.27 value, Q0.31 result. */
function fixedTanh(a: i32): i32 {
  if (a == 0) return 0;
  const negative = a < 0;
  // exp(-2|a|): doubling a Q4.27 value is reading its raw bits as Q5.26.
  const t = oneMinusXOverOnePlusX(expOnNegativeValues(negative ? a : -a, 5));
  return negative ? -t : t;
}

/** TFLite's CalculateInputRadius: the largest |input| whose rescaled value fits. */
export function inputRadius(integerBits: i32, leftShift: i32): i32 {
  // (2^bits - 1) * 2^(31 - bits) / 2^leftShift, exact in a double (powers of two made, not
  // Math.pow and a double division: software routines on the M33).
  const v = <f64>((1 << integerBits) - 1) * pow2(31 - integerBits - leftShift);
  return <i32>Math.floor(v);
}

// ---- the table-driven int8 unary kernel ----

/** An int8 -> int8 elementwise op evaluated as a 256-entry table indexed by the input byte. */
export abstract class TableKernel extends Kernel {
  protected table: StaticArray<u8> = new StaticArray<u8>(0);
  protected isFloat: bool = false;
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;

  /** The int8 output for int8 input q. */
  abstract mapInt8(q: i32): i32;
  abstract evalFloat(src: usize, dst: usize, n: i32): void;
  /** Type-specific checks after the common ones; "" when fine. */
  abstract prepareTyped(input: Tensor, output: Tensor): string;

  prepare(): string {
    const why = checkUnary(this.op);
    if (why.length > 0) return why;
    const input = this.op.input(0);
    const output = this.op.output(0);
    this.input = input;
    this.output = output;
    this.isFloat = input.type == TYPE_FLOAT32;
    const typed = this.prepareTyped(input, output);
    if (typed.length > 0) return typed;
    if (!this.isFloat) {
      this.table = new StaticArray<u8>(256);
      for (let q = -128; q < 128; q++) unchecked(this.table[q & 0xff] = <u8>clampI8(this.mapInt8(q)));
    }
    return "";
  }

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    const dst = changetype<Tensor>(this.output).data;
    const n = changetype<Tensor>(this.output).elements;
    if (this.isFloat) { this.evalFloat(src, dst, n); return; }
    lookup(changetype<usize>(this.table), src, dst, n);
  }
}

// @ts-ignore: decorator
@inline
export function clampI8(v: i32): i32 {
  return v < -128 ? -128 : v > 127 ? 127 : v;
}

/** dst[i] = table[src[i]] for n bytes, four at a time. */
export function lookup(table: usize, src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w = load<u32>(src + <usize>i);
    const r = <u32>load<u8>(table + <usize>(w & 0xff))
      | (<u32>load<u8>(table + <usize>((w >> 8) & 0xff)) << 8)
      | (<u32>load<u8>(table + <usize>((w >> 16) & 0xff)) << 16)
      | (<u32>load<u8>(table + <usize>(w >> 24)) << 24);
    store<u32>(dst + <usize>i, r);
  }
  for (; i < n; i++) store<u8>(dst + <usize>i, load<u8>(table + <usize>load<u8>(src + <usize>i)));
}

// ---- the kernels ----

export class Logistic extends TableKernel {
  private zeroPoint: i32 = 0;
  private multiplier: i32 = 0;
  private leftShift: i32 = 0;
  private radius: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    // TFLM checks only the zero point and computes at scale 1/256 whatever the output's scale.
    if (output.zeroPoint != -128) return "int8 output must have zero point -128";
    if (!(input.scale > 0)) return "input scale must be positive";
    // Q4.27 input: multiplier and shift from frexp(scale * 2^27), as TFLM's prepare does.
    const real = <f64>input.scale * <f64>(1 << 27);
    const e = frexpExponent(real);
    this.multiplier = <i32>Math.round(real * pow2(31 - e));
    this.leftShift = e;
    this.zeroPoint = input.zeroPoint;
    this.radius = inputRadius(4, e);
    return "";
  }

  mapInt8(q: i32): i32 {
    const x = q - this.zeroPoint;
    if (x <= -this.radius) return -128;
    if (x >= this.radius) return 127;
    const inQ4 = multiplyByQuantizedMultiplier(x, this.multiplier, this.leftShift);
    return roundingDivideByPOT(fixedLogistic(inQ4), 23) - 128;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      // TFLite's cutoffs: 1 above ~16.6, exp(x) below -9, else 1/(1+exp(-x)).
      let y: f32;
      if (x > <f32>16.619047164916992) y = 1;
      else if (x < -9) y = Mathf.exp(x);
      else y = <f32>1 / (<f32>1 + Mathf.exp(-x));
      store<f32>(dst + (<usize>i << 2), y);
    }
  }
}

export class Tanh extends TableKernel {
  private zeroPoint: i32 = 0;
  private multiplier: i32 = 0;
  private leftShift: i32 = 0;
  private radius: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (output.zeroPoint != 0 || Math.abs(<f64>output.scale * 128.0 - 1.0) > 1e-3) return "int8 output must have scale 1/128 and zero point 0";
    if (!(input.scale > 0)) return "input scale must be positive";
    const real = <f64>input.scale * <f64>(1 << 27); // Q4.27 input, as TFLM's int8 TANH
    const e = frexpExponent(real);
    this.multiplier = <i32>Math.round(real * pow2(31 - e));
    this.leftShift = e;
    this.zeroPoint = input.zeroPoint;
    this.radius = inputRadius(4, e);
    return "";
  }

  mapInt8(q: i32): i32 {
    const x = q - this.zeroPoint;
    if (x <= -this.radius) return -128;
    if (x >= this.radius) return 127;
    const inQ4 = multiplyByQuantizedMultiplier(x, this.multiplier, this.leftShift);
    return roundingDivideByPOT(fixedTanh(inQ4), 24);
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), Mathf.tanh(load<f32>(src + (<usize>i << 2))));
  }
}

/** frexp's exponent of a positive finite x (x = m * 2^e, m in [0.5, 1)). */
function frexpExponent(x: f64): i32 {
  const biased = <i32>((reinterpret<u64>(x) >> 52) & 0x7ff);
  return biased - 1022;
}
