// TRANSPOSE_CONV (the "deconvolution" of upsampling decoders and FOMO-style heads), int8 with
// per-channel weights and float32. Inputs as TFLite lays them out: 0 the output shape (int32
// [4], constant), 1 the filter [out_c, kh, kw, in_c], 2 the input NHWC, 3 an optional bias.
// As TFLM's reference: every input pixel scatters input x filter into an int32 (float32)
// accumulator of the output's size, then each output is biased, requantised per channel
// (s_in * s_filter[c] / s_out in double) and clamped. Padding is TFLite's
// ComputePaddingHeightWidth applied to the output size.
import { Tensor } from "../tensor";
import { PADDING_SAME, TYPE_FLOAT32, TYPE_INT32, TYPE_INT8 } from "../schema";
import {
  activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation, multiplyByQuantizedMultiplier,
  quantizedMultiplier, quantizedShift,
} from "../quant";
import { ExtensionOp } from "./extension";
import { biasF32, biasI32, checkBias, checkFilterQuant } from "./common/weights";

const OPT_PADDING: u32 = 0; // TransposeConvOptions.padding
const OPT_STRIDE_W: u32 = 1;
const OPT_STRIDE_H: u32 = 2;
const OPT_ACTIVATION: u32 = 3;

/** TFLite's padding for a transposed conv: ComputePaddingWithOffset over the output size. */
function transposePadding(padding: i32, outSize: i32, filter: i32, stride: i32): i32 {
  const computed = padding == PADDING_SAME ? (outSize + stride - 1) / stride : (outSize - filter + stride) / stride;
  const total = (computed - 1) * stride + filter - outSize;
  return total > 0 ? total / 2 : 0;
}

export class TransposeConv extends ExtensionOp {
  private input: Tensor | null = null;
  private filter: Tensor | null = null;
  private bias: Tensor | null = null;
  private output: Tensor | null = null;
  private isFloat: bool = false;
  private strideW: i32 = 1;
  private strideH: i32 = 1;
  private padW: i32 = 0;
  private padH: i32 = 0;
  private mult: StaticArray<i32> = new StaticArray<i32>(0);
  private shift: StaticArray<i32> = new StaticArray<i32>(0);
  private lo: i32 = -128;
  private hi: i32 = 127;
  private loF: f32 = -Infinity;
  private hiF: f32 = Infinity;

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 3 || !o.hasInput(0) || !o.hasInput(1) || !o.hasInput(2) || o.outputCount < 1) return "needs output shape, filter and input";
    const shape = o.input(0);
    const filter = o.input(1);
    const input = o.input(2);
    const bias = o.inputCount > 3 && o.hasInput(3) ? o.input(3) : null;
    const output = o.output(0);
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (output.type != input.type || filter.type != input.type) return "input, filter and output types must be the same";
    if (input.rank != 4 || filter.rank != 4 || output.rank != 4) return "input, filter and output must be 4-D";
    if (shape.type != TYPE_INT32 || shape.elements != 4) return "output shape must be an int32 vector of 4";
    if (shape.isConstant) {
      for (let d = 0; d < 4; d++) if (load<i32>(shape.data + (<usize>d << 2)) != output.dim(d)) return "output shape tensor disagrees with the output";
    }
    const outC = filter.dim(0);
    if (filter.dim(3) != input.dim(3)) return "filter input channels differ from the input's";
    if (output.dim(3) != outC) return "output channels differ from the filter's";
    if (output.dim(0) != input.dim(0)) return "batch sizes differ";
    this.isFloat = input.type == TYPE_FLOAT32;
    const bw = checkBias(bias, this.isFloat, outC);
    if (bw.length > 0) return bw;
    const act = <i32>o.optU8(OPT_ACTIVATION, 0);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    this.strideW = o.optI32(OPT_STRIDE_W, 1);
    this.strideH = o.optI32(OPT_STRIDE_H, 1);
    if (this.strideW < 1 || this.strideH < 1) return "strides must be positive";
    const padding = <i32>o.optU8(OPT_PADDING, 0);
    this.padH = transposePadding(padding, output.dim(1), filter.dim(1), this.strideH);
    this.padW = transposePadding(padding, output.dim(2), filter.dim(2), this.strideW);
    this.input = input;
    this.filter = filter;
    this.bias = bias;
    this.output = output;
    if (this.isFloat) {
      this.loF = activationMinF(act);
      this.hiF = activationMaxF(act);
      return "";
    }
    const fq = checkFilterQuant(filter, outC, 0);
    if (fq.length > 0) return fq;
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    this.lo = activationMin(act, output.scale, output.zeroPoint);
    this.hi = activationMax(act, output.scale, output.zeroPoint);
    this.mult = new StaticArray<i32>(outC);
    this.shift = new StaticArray<i32>(outC);
    for (let c = 0; c < outC; c++) {
      const real = <f64>input.scale * <f64>filter.channelScale(c) / <f64>output.scale;
      if (!isFinite(real) || !(real > 0)) return "int8 filter scales must be positive";
      this.mult[c] = quantizedMultiplier(real);
      this.shift[c] = quantizedShift(real);
    }
    return "";
  }

  scratchBytes(): i32 {
    // The int32 accumulators (float32 accumulates in the output itself).
    return this.isFloat ? 0 : changetype<Tensor>(this.output).elements * 4;
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const filter = changetype<Tensor>(this.filter);
    const output = changetype<Tensor>(this.output);
    const N = input.dim(0), H = input.dim(1), W = input.dim(2), C = input.dim(3);
    const OH = output.dim(1), OW = output.dim(2), OC = output.dim(3);
    const FH = filter.dim(1), FW = filter.dim(2);
    const isFloat = this.isFloat;
    const acc = isFloat ? output.data : scratch;
    memory.fill(acc, 0, <usize>output.elements * 4);
    const inZp = input.zeroPoint;
    for (let b = 0; b < N; b++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const oy0 = y * this.strideH - this.padH;
          const ox0 = x * this.strideW - this.padW;
          const inPixel = ((b * H + y) * W + x) * C;
          for (let fy = 0; fy < FH; fy++) {
            const oy = oy0 + fy;
            if (oy < 0 || oy >= OH) continue;
            for (let fx = 0; fx < FW; fx++) {
              const ox = ox0 + fx;
              if (ox < 0 || ox >= OW) continue;
              const outPixel = ((b * OH + oy) * OW + ox) * OC;
              for (let oc = 0; oc < OC; oc++) {
                const f = ((oc * FH + fy) * FW + fx) * C;
                const a = acc + (<usize>(outPixel + oc) << 2);
                if (isFloat) {
                  let s = load<f32>(a);
                  for (let ic = 0; ic < C; ic++) s += load<f32>(input.data + (<usize>(inPixel + ic) << 2)) * load<f32>(filter.data + (<usize>(f + ic) << 2));
                  store<f32>(a, s);
                } else {
                  let s = load<i32>(a);
                  for (let ic = 0; ic < C; ic++) s += (<i32>load<i8>(input.data + <usize>(inPixel + ic)) - inZp) * <i32>load<i8>(filter.data + <usize>(f + ic));
                  store<i32>(a, s);
                }
              }
            }
          }
        }
      }
    }
    const n = output.elements;
    const bias = this.bias;
    for (let i = 0; i < n; i++) {
      const c = i % OC;
      if (isFloat) {
        let v = load<f32>(acc + (<usize>i << 2)) + biasF32(bias, c);
        v = v < this.loF ? this.loF : v;
        store<f32>(output.data + (<usize>i << 2), this.hiF < v ? this.hiF : v);
      } else {
        const v = multiplyByQuantizedMultiplier(load<i32>(acc + (<usize>i << 2)) + biasI32(bias, c), unchecked(this.mult[c]), unchecked(this.shift[c])) + output.zeroPoint;
        store<i8>(output.data + <usize>i, <i8>min(max(v, this.lo), this.hi));
      }
    }
  }
}
