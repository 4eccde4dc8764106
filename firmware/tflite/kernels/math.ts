// Elementwise math: RSQRT (int8 and float32), SQRT, EXP and LOG (float32: TFLM's kernels for
// these three are float-only, so int8 is refused with that reason, as NEG). int8 RSQRT is
// TFLM's fixed point: 1/sqrt of the zero-point-corrected byte from gemmlowp's Newton-Raphson
// inverse square root (GetInvSqrtQuantizedMultiplierExp), rescaled by 1 / (sqrt(s_in) * s_out).
// It depends only on the input byte, so it is a TableOp.
import { Tensor } from "../tensor";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift, roundingDivideByPOT } from "../quant";
import { TableOp } from "./extension";
import { saturatingShiftLeft, srdhm } from "./activations";

/** TFLite's GetInvSqrtQuantizedMultiplierExp with reverse_shift -1: 1/sqrt(x) as a Q31
 *  multiplier (`invSqrtMultiplier`) and a left-shift exponent (`invSqrtShift`), both set by
 *  invSqrt(x). x <= 1 gives INT32_MAX, shift 0 (TFLite's guard for 0 and 1). */
export let invSqrtShift: i32 = 0;

export function invSqrt(input: i32): i32 {
  if (input <= 1) { invSqrtShift = 0; return i32.MAX_VALUE; }
  let shift = 11;
  while (input >= (1 << 29)) { input /= 4; shift++; }
  const leftShiftBitPairs = ((<i32>clz<u32>(<u32>input) - 1) >> 1) - 1;
  shift -= leftShiftBitPairs;
  input <<= 2 * leftShiftBitPairs;
  // Q3.28 Newton-Raphson on x = 1/sqrt(input), starting at x = 1, five steps.
  const halfInput = roundingDivideByPOT(input >> 1, 1);
  const halfThree = (1 << 28) + (1 << 27);
  let x = 1 << 28;
  for (let i = 0; i < 5; i++) {
    const x3 = saturatingShiftLeft(srdhm(srdhm(x, x), x), 6);
    x = saturatingShiftLeft(srdhm(halfThree, x) - srdhm(halfInput, x3), 3);
  }
  x = srdhm(x, 1518500250); // * sqrt(2)/2 in Q0.31
  if (shift < 0) { x <<= -shift; shift = 0; }
  invSqrtShift = -shift;
  return x;
}

/** Float-only elementwise op: refuses int8 naming TFLM's float-only kernel. */
abstract class FloatMathOp extends TableOp {
  abstract f(x: f32): f32;
  abstract label(): string;

  prepareTyped(input: Tensor, output: Tensor): string {
    return this.isFloat ? "" : "int8 is not supported (TFLM's " + this.label() + " is float32 only)";
  }

  mapInt8(q: i32): i32 {
    return q;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), this.f(load<f32>(src + (<usize>i << 2))));
  }
}

export class Sqrt extends FloatMathOp {
  f(x: f32): f32 { return Mathf.sqrt(x); }
  label(): string { return "SQRT"; }
}

export class Exp extends FloatMathOp {
  f(x: f32): f32 { return Mathf.exp(x); }
  label(): string { return "EXP"; }
}

export class Log extends FloatMathOp {
  f(x: f32): f32 { return Mathf.log(x); }
  label(): string { return "LOG"; }
}

/** RSQRT: 1/sqrt(x). int8 bytes below the input zero point (negative values) fail TFLM's
 *  inference; here they give the int8 maximum, as a zero does in TFLM. */
export class Rsqrt extends TableOp {
  private m: i32 = 0;
  private s: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    // TFLM forms sqrt(s_in) * s_out in float32, then 1 / that in double.
    const real = 1.0 / <f64>(Mathf.sqrt(input.scale) * output.scale);
    if (!isFinite(real) || !(real > 0)) return "int8 scales give a rescale factor out of range";
    this.m = quantizedMultiplier(real);
    this.s = quantizedShift(real);
    return "";
  }

  mapInt8(q: i32): i32 {
    const value = q - changetype<Tensor>(this.input).zeroPoint;
    if (value <= 0) return 127;
    const shift = 20; // TFLM's kShift: keeps 1/sqrt an integer
    const m = invSqrt(value);
    const data = multiplyByQuantizedMultiplier(1, m, invSqrtShift + shift);
    return multiplyByQuantizedMultiplier(data, this.m, this.s - shift) + changetype<Tensor>(this.output).zeroPoint;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>1 / Mathf.sqrt(load<f32>(src + (<usize>i << 2))));
  }
}
