// LOG_SOFTMAX over the innermost dimension. float32: x - max - log(sum(exp(x - max))), as
// TFLite's reference. int8 is TFLM's integer LogSoftmax: each difference from the row
// maximum rescaled into Q5.26, exponentiated with gemmlowp's fixed-point exp and summed in
// Q12.19, the sum's log taken with gemmlowp's fixed-point log (a rational approximation after
// a power-of-two split) in Q5.26, and difference - log sum narrowed to int8 with scale 16/256
// and zero point 127; differences at or below a row's cut-off give -128.
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { multiplyByQuantizedMultiplier, quantizeMultiplier, quantizedMultiplierResult, quantizedShiftResult, roundingDivideByPOT } from "../quant";
import { ExtensionOp } from "./extension";
import { expOnNegativeValues, inputRadius, oneOverOnePlusX, roundingHalfSum, saturatingShiftLeft, srdhm } from "./activations";

const INPUT_INTEGER_BITS: i32 = 5;
const ACCUMULATION_INTEGER_BITS: i32 = 12;
const OUTPUT_INTEGER_BITS: i32 = 4;

/** gemmlowp's SaturatingRoundingMultiplyByPOT with a run-time exponent. */
function multiplyByPOT(x: i32, exponent: i32): i32 {
  if (exponent > 0) return saturatingShiftLeft(x, exponent);
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  return x;
}

function saturate(x: i64): i32 {
  return <i32>min<i64>(max<i64>(x, <i64>i32.MIN_VALUE), <i64>i32.MAX_VALUE);
}

/** log(x) in Q5.26 for x >= 1 in Q12.19 (TFLite's log_x_for_x_greater_than_or_equal_to_1,
 *  output 5 integer bits, accumulated with 6). Constants are Q0.31 forms of log 2,
 *  2^-1/4, 2^-1/2, 1/4 and the approximation's alpha_n, alpha_d, alpha_i, alpha_f. */
function logQ5(x: i32): i32 {
  const accumBits = INPUT_INTEGER_BITS + 1;
  const log2: i32 = 1488522236, sqrtSqrtHalf: i32 = 1805811301, sqrtHalf: i32 = 1518500250;
  const alphaN: i32 = 117049297, alphaD: i32 = 127690142, alphaI: i32 = 1057819769, alphaF: i32 = 638450708;
  const shiftedQuarter = roundingDivideByPOT(536870912, accumBits);
  const zaHeadroomPlus1 = <i32>clz<u32>(<u32>x);
  const raTmp = multiplyByPOT(x, zaHeadroomPlus1 - 1);
  const ra = multiplyByPOT(srdhm(raTmp, sqrtHalf), 1);
  const zaPow2Adj = saturate(<i64>multiplyByPOT(ACCUMULATION_INTEGER_BITS - zaHeadroomPlus1, 31 - accumBits) + <i64>shiftedQuarter);
  const zb = srdhm(x, sqrtHalf);
  const zbHeadroom = <i32>clz<u32>(<u32>zb) - 1;
  const rb = multiplyByPOT(x, zbHeadroom);
  const zbPow2Adj = saturate(<i64>multiplyByPOT(ACCUMULATION_INTEGER_BITS - zbHeadroom, 31 - accumBits) - <i64>shiftedQuarter);
  const r = min(ra, rb);
  const zPow2Adj = max(zaPow2Adj, zbPow2Adj);
  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = r - sqrtSqrtHalf;
  q = q + q;
  const commonSq = srdhm(q, q);
  const num = srdhm(q, r) + srdhm(srdhm(q, commonSq), alphaN);
  const denomMinusOne = srdhm(p, alphaI + q + srdhm(alphaD, commonSq)) + srdhm(alphaF, q);
  const recipDenom = oneOverOnePlusX(denomMinusOne);
  const numScaled = multiplyByPOT(num, -accumBits);
  return multiplyByPOT(srdhm(zPow2Adj, log2) + srdhm(numScaled, recipDenom), accumBits - INPUT_INTEGER_BITS);
}

export class LogSoftmax extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private rows: i32 = 0;
  private depth: i32 = 0;
  private isInt8: bool = false;
  private diffMin: i32 = 0;
  private reverseMult: i32 = 0;
  private reverseShift: i32 = 0;
  /** Per difference d = max - x (0..255): d rescaled to Q5.26, and its exp in Q12.19. */
  private diffQ5: StaticArray<i32> = new StaticArray<i32>(0);
  private expQ12: StaticArray<i32> = new StaticArray<i32>(0);

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 1 || !o.hasInput(0) || o.outputCount < 1) return "needs one input and one output";
    const input = o.input(0);
    const output = o.output(0);
    if (input.type != TYPE_FLOAT32 && input.type != TYPE_INT8) return "input must be int8 or float32";
    if (output.type != input.type) return "input and output types differ";
    if (!input.sameShape(output) || input.rank < 1) return "output shape must equal the input shape";
    this.input = input;
    this.output = output;
    this.depth = input.dim(-1);
    this.rows = this.depth > 0 ? input.elements / this.depth : 0;
    this.isInt8 = input.type == TYPE_INT8;
    if (!this.isInt8) return "";
    if (output.zeroPoint != 127 || output.scale != <f32>(16.0 / 256.0)) return "int8 output must have scale 16/256 and zero point 127";
    // PreprocessLogSoftmaxScalingExp: beta 1, input scaled into Q5.26, and its reverse.
    const real = min(<f64>input.scale * <f64>(1 << (31 - INPUT_INTEGER_BITS)), 2147483647.0);
    if (!(real > 1)) return "input scale is too small for the int8 log-softmax";
    quantizeMultiplier(real);
    const mult = quantizedMultiplierResult, leftShift = quantizedShiftResult;
    quantizeMultiplier(<f64>(1 << (31 - leftShift)) / <f64>mult);
    this.reverseMult = quantizedMultiplierResult;
    this.reverseShift = quantizedShiftResult;
    this.diffMin = -inputRadius(INPUT_INTEGER_BITS, leftShift);
    this.diffQ5 = new StaticArray<i32>(256);
    this.expQ12 = new StaticArray<i32>(256);
    for (let d = 0; d < 256; d++) {
      const q5 = multiplyByQuantizedMultiplier(-d, mult, leftShift);
      this.diffQ5[d] = q5;
      if (-d >= this.diffMin) this.expQ12[d] = roundingDivideByPOT(expOnNegativeValues(q5, INPUT_INTEGER_BITS), ACCUMULATION_INTEGER_BITS);
    }
    return "";
  }

  eval(scratch: usize): void {
    if (this.isInt8) this.evalInt8();
    else this.evalFloat();
  }

  private evalInt8(): void {
    let src = changetype<Tensor>(this.input).data;
    let dst = changetype<Tensor>(this.output).data;
    const depth = this.depth;
    const diffQ5 = changetype<usize>(this.diffQ5), expQ12 = changetype<usize>(this.expQ12);
    for (let r = 0; r < this.rows; r++) {
      let maxIn: i32 = -128;
      for (let c = 0; c < depth; c++) maxIn = max(maxIn, <i32>load<i8>(src + <usize>c));
      let sum: i32 = 0;
      for (let c = 0; c < depth; c++) sum += load<i32>(expQ12 + (<usize>(maxIn - <i32>load<i8>(src + <usize>c)) << 2));
      const logSum = logQ5(sum);
      const cutoff = max(this.diffMin - 1, multiplyByQuantizedMultiplier(logSum + i32.MIN_VALUE, this.reverseMult, this.reverseShift));
      for (let c = 0; c < depth; c++) {
        const diff = <i32>load<i8>(src + <usize>c) - maxIn;
        let out: i32 = -128;
        if (diff > cutoff) {
          const q5 = load<i32>(diffQ5 + (<usize>(-diff) << 2));
          out = min(max(roundingDivideByPOT(q5 - logSum, 31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS) + 127, -128), 127);
        }
        store<i8>(dst + <usize>c, <i8>out);
      }
      src += <usize>depth;
      dst += <usize>depth;
    }
  }

  private evalFloat(): void {
    const src = changetype<Tensor>(this.input).data;
    const dst = changetype<Tensor>(this.output).data;
    const depth = this.depth;
    for (let r = 0; r < this.rows; r++) {
      const row = src + (<usize>(r * depth) << 2);
      const out = dst + (<usize>(r * depth) << 2);
      let mx = load<f32>(row);
      for (let c = 1; c < depth; c++) mx = max<f32>(mx, load<f32>(row + (<usize>c << 2)));
      let sum: f32 = 0;
      for (let c = 0; c < depth; c++) sum += Mathf.exp(load<f32>(row + (<usize>c << 2)) - mx);
      const logSum = Mathf.log(sum);
      for (let c = 0; c < depth; c++) store<f32>(out + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) - mx - logSum);
    }
  }
}
