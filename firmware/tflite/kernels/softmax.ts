// SOFTMAX over the innermost dimension. int8 is TFLM's reference: each difference from the
// row maximum is rescaled by beta * input_scale into Q5.26 (multiplier and left shift as
// PreprocessSoftmaxScaling; differences below diff_min count as zero), exponentiated with
// gemmlowp's fixed-point exp, summed in Q12.19, and each exp is scaled by the fixed-point
// reciprocal of the sum into int8 with scale 1/256 and zero point -128. Each exp is computed
// where it is used, twice per element as the reference does (softmax.h SoftmaxInt8), so the
// layer keeps no tables in the arena's tail (TFLM's OpData only: multiplier, shift, diff_min).
import { Kernel } from "../kernel";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { quantizeMultiplier, quantizedMultiplierResult, quantizedShiftResult, roundingDivideByPOT } from "../quant";
import { expOnNegativeValues, inputRadius, mergedBias, oneOverOnePlusX, srdhm } from "./activations";

const OPT_BETA: u32 = 0;
const SCALED_DIFF_INTEGER_BITS: i32 = 5;
const ACCUMULATION_INTEGER_BITS: i32 = 12;

export class Softmax extends Kernel {
  private isFloat: bool = false;
  private beta: f32 = 0;
  private rows: i32 = 0;
  private depth: i32 = 0;
  /** The Q5.26 rescaling of a difference (PreprocessSoftmaxScaling) and the smallest
   *  difference that counts (below it the exp is 0). */
  private multiplier: i32 = 0;
  private leftShift: i32 = 0;
  private diffMin: i32 = 0;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0)) return "missing input";
    if (op.outputCount < 1) return "missing output";
    const input = op.input(0);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (input.rank < 1) return "input must have at least one dimension";
    if (!input.sameShape(output)) return "input and output shapes differ";
    this.beta = op.optF32(OPT_BETA, 0);
    this.depth = input.dim(-1);
    this.rows = this.depth > 0 ? input.elements / this.depth : 0;
    this.isFloat = input.type == TYPE_FLOAT32;
    if (this.isFloat) return "";
    if (output.zeroPoint != -128 || Math.abs(<f64>output.scale * 256.0 - 1.0) > 1e-3) return "int8 output must have scale 1/256 and zero point -128";
    const real = min(<f64>this.beta * <f64>input.scale * <f64>(1 << (31 - SCALED_DIFF_INTEGER_BITS)), 2147483647.0);
    if (!(real > 1)) return "beta * input scale is too small for the int8 softmax";
    quantizeMultiplier(real); // once, both results (a double routine in software on the M33)
    this.multiplier = quantizedMultiplierResult;
    this.leftShift = quantizedShiftResult;
    this.diffMin = -inputRadius(SCALED_DIFF_INTEGER_BITS, this.leftShift);
    return "";
  }

  eval(scratch: usize): void {
    if (this.isFloat) this.evalFloat();
    else this.evalInt8();
  }

  private evalInt8(): void {
    let src = this.op.input(0).data;
    let dst = this.op.output(0).data;
    const depth = this.depth;
    const multiplier = this.multiplier, leftShift = this.leftShift, diffMin = this.diffMin;
    for (let r = 0; r < this.rows; r++) {
      let maxIn: i32 = -128;
      for (let c = 0; c < depth; c++) maxIn = max(maxIn, <i32>load<i8>(src + <usize>c));
      let sum: i32 = 0;
      for (let c = 0; c < depth; c++) {
        const diff = <i32>load<i8>(src + <usize>c) - maxIn;
        if (diff >= diffMin) sum += roundingDivideByPOT(expOf(diff, multiplier, leftShift), ACCUMULATION_INTEGER_BITS);
      }
      // GetReciprocal: normalise the Q12.19 sum to [1, 2) and invert it in Q0.31.
      const headroomPlusOne = <i32>clz<u32>(<u32>sum);
      const bitsOverUnit = ACCUMULATION_INTEGER_BITS - headroomPlusOne;
      const shiftedSumMinusOne = <i32>((<u32>sum << headroomPlusOne) - (<u32>1 << 31));
      const scale = oneOverOnePlusX(shiftedSumMinusOne);
      const exponent = bitsOverUnit + 31 - 8;
      // RoundingDivideByPOT(srdhm(scale, e), exponent) as one i64 step (the product is >= 0);
      // past 31 the quotient is below one half: 0.
      const big = exponent > 31;
      const bias = mergedBias(exponent, false);
      const shift = <i64>(31 + exponent);
      const scale64 = <i64>scale;
      for (let c = 0; c < depth; c++) {
        const diff = <i32>load<i8>(src + <usize>c) - maxIn;
        // Below diff_min the reference writes the zero point (-128), what an exp of 0 gives.
        const e = diff >= diffMin ? expOf(diff, multiplier, leftShift) : 0;
        const unsat = big ? 0 : <i32>((scale64 * <i64>e + bias) >> shift);
        store<i8>(dst + <usize>c, <i8>min(unsat - 128, 127));
      }
      src += <usize>depth;
      dst += <usize>depth;
    }
  }

  private evalFloat(): void {
    let src = this.op.input(0).data;
    let dst = this.op.output(0).data;
    const depth = this.depth;
    const beta = this.beta;
    for (let r = 0; r < this.rows; r++) {
      let maxIn: f32 = -3.4028234663852886e38;
      for (let c = 0; c < depth; c++) {
        const v = load<f32>(src + (<usize>c << 2));
        maxIn = maxIn < v ? v : maxIn;
      }
      let sum: f32 = 0;
      for (let c = 0; c < depth; c++) {
        const e = Mathf.exp((load<f32>(src + (<usize>c << 2)) - maxIn) * beta);
        store<f32>(dst + (<usize>c << 2), e);
        sum += e;
      }
      for (let c = 0; c < depth; c++) {
        const at = dst + (<usize>c << 2);
        store<f32>(at, load<f32>(at) / sum);
      }
      src += <usize>depth << 2;
      dst += <usize>depth << 2;
    }
  }
}

/** exp of a difference from the row maximum (<= 0), in Q0.31: rescaled into Q5.26, then
 *  gemmlowp's exp_on_negative_values. */
function expOf(diff: i32, multiplier: i32, leftShift: i32): i32 {
  return expOnNegativeValues(srdhm(diff * (1 << leftShift), multiplier), SCALED_DIFF_INTEGER_BITS);
}
