// AVERAGE_POOL_2D and MAX_POOL_2D on NHWC tensors, int8 and float32, as TFLM's reference
// kernels: TFLite's SAME/VALID padding (padding before = total / 2), windows clipped to the
// input, the average divided by the number of valid taps (int8: rounded half away from zero),
// then the fused activation's clamp.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { PADDING_SAME, PADDING_VALID, TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation } from "../quant";

// Pool2DOptions field ids (schema.fbs).
const OPT_PADDING: u32 = 0;
const OPT_STRIDE_W: u32 = 1;
const OPT_STRIDE_H: u32 = 2;
const OPT_FILTER_W: u32 = 3;
const OPT_FILTER_H: u32 = 4;
const OPT_ACTIVATION: u32 = 5;

/** TFLite's ComputeOutSize (dilation 1). */
export function poolOutSize(padding: i32, inSize: i32, filter: i32, stride: i32): i32 {
  if (stride <= 0) return 0;
  return padding == PADDING_SAME ? (inSize + stride - 1) / stride : (inSize + stride - filter) / stride;
}

/** TFLite's ComputePaddingWithOffset: padding before the first row/column. */
export function poolPadding(stride: i32, inSize: i32, filter: i32, outSize: i32): i32 {
  const total = (outSize - 1) * stride + filter - inSize;
  return total > 0 ? total / 2 : 0;
}

abstract class Pool2D extends Kernel {
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;
  protected isFloat: bool = false;
  protected batches: i32 = 0;
  protected inH: i32 = 0;
  protected inW: i32 = 0;
  protected depth: i32 = 0;
  protected outH: i32 = 0;
  protected outW: i32 = 0;
  protected strideH: i32 = 0;
  protected strideW: i32 = 0;
  protected filterH: i32 = 0;
  protected filterW: i32 = 0;
  protected padH: i32 = 0;
  protected padW: i32 = 0;
  protected actMin: i32 = -128;
  protected actMax: i32 = 127;
  protected actMinF: f32 = -Infinity;
  protected actMaxF: f32 = Infinity;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0)) return "missing input";
    if (op.outputCount < 1) return "missing output";
    const input = op.input(0);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (input.rank != 4 || output.rank != 4) return "input and output must be 4-D (NHWC)";
    const padding = <i32>op.optU8(OPT_PADDING, 0);
    if (padding != PADDING_SAME && padding != PADDING_VALID) return "unknown padding " + padding.toString();
    this.strideW = op.optI32(OPT_STRIDE_W, 0);
    this.strideH = op.optI32(OPT_STRIDE_H, 0);
    this.filterW = op.optI32(OPT_FILTER_W, 0);
    this.filterH = op.optI32(OPT_FILTER_H, 0);
    if (this.strideW <= 0 || this.strideH <= 0) return "strides must be positive";
    if (this.filterW <= 0 || this.filterH <= 0) return "filter size must be positive";
    const act = <i32>op.optU8(OPT_ACTIVATION, 0);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    this.batches = input.dim(0);
    this.inH = input.dim(1);
    this.inW = input.dim(2);
    this.depth = input.dim(3);
    this.outH = poolOutSize(padding, this.inH, this.filterH, this.strideH);
    this.outW = poolOutSize(padding, this.inW, this.filterW, this.strideW);
    if (output.dim(0) != this.batches || output.dim(1) != this.outH || output.dim(2) != this.outW || output.dim(3) != this.depth) {
      return "output shape does not match the pooling of the input shape";
    }
    this.padH = poolPadding(this.strideH, this.inH, this.filterH, this.outH);
    this.padW = poolPadding(this.strideW, this.inW, this.filterW, this.outW);
    this.isFloat = input.type == TYPE_FLOAT32;
    if (this.isFloat) {
      this.actMinF = activationMinF(act);
      this.actMaxF = activationMaxF(act);
    } else {
      this.actMin = activationMin(act, output.scale, output.zeroPoint);
      this.actMax = activationMax(act, output.scale, output.zeroPoint);
    }
    this.input = input;
    this.output = output;
    return "";
  }

  /** Pools one output pixel over window rows [y0, y1) and columns [x0, x1) starting at `at`. */
  abstract pixel(at: usize, rows: i32, cols: i32, dst: usize, scratch: usize): void;

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    let dst = changetype<Tensor>(this.output).data;
    const elem: i32 = this.isFloat ? 4 : 1;
    const rowBytes = this.inW * this.depth * elem;
    const pixelBytes = this.depth * elem;
    for (let b = 0; b < this.batches; b++) {
      const image = src + <usize>(b * this.inH * rowBytes);
      for (let oy = 0; oy < this.outH; oy++) {
        const iy = oy * this.strideH - this.padH;
        const y0 = max(0, -iy);
        const y1 = min(this.filterH, this.inH - iy);
        for (let ox = 0; ox < this.outW; ox++) {
          const ix = ox * this.strideW - this.padW;
          const x0 = max(0, -ix);
          const x1 = min(this.filterW, this.inW - ix);
          const at = image + <usize>((iy + y0) * rowBytes + (ix + x0) * pixelBytes);
          this.pixel(at, y1 - y0, x1 - x0, dst, scratch);
          dst += <usize>pixelBytes;
        }
      }
    }
  }
}

export class AveragePool2D extends Pool2D {
  scratchBytes(): i32 {
    return 32;
  }

  pixel(at: usize, rows: i32, cols: i32, dst: usize, scratch: usize): void {
    const count = rows * cols;
    if (this.isFloat) this.pixelFloat(at, rows, cols, dst, count);
    else this.pixelInt8(at, rows, cols, dst, count, scratch);
  }

  private pixelInt8(at: usize, rows: i32, cols: i32, dst: usize, count: i32, scratch: usize): void {
    const depth = this.depth;
    const rowBytes = <usize>(this.inW * depth);
    let c = 0;
    // 16 channels at a time in i16 lanes: exact while the window has at most 256 taps.
    if (count <= 256) {
      for (; c + 16 <= depth; c += 16) {
        let lo = i16x8.splat(0);
        let hi = i16x8.splat(0);
        let row = at + <usize>c;
        for (let y = 0; y < rows; y++) {
          let p = row;
          for (let x = 0; x < cols; x++) {
            const v = load<v128>(p);
            lo = i16x8.add(lo, i16x8.extend_low_i8x16_s(v));
            hi = i16x8.add(hi, i16x8.extend_high_i8x16_s(v));
            p += <usize>depth;
          }
          row += rowBytes;
        }
        store<v128>(scratch, lo);
        store<v128>(scratch, hi, 16);
        const half = count >> 1;
        const actMin = this.actMin;
        const actMax = this.actMax;
        for (let k = 0; k < 16; k++) {
          const s = <i32>load<i16>(scratch + (<usize>k << 1));
          const v = (s + (s > 0 ? half : -half)) / count; // rounding half away from zero
          store<i8>(dst + <usize>(c + k), <i8>min(max(v, actMin), actMax));
        }
      }
    }
    for (; c < depth; c++) {
      let sum = 0;
      let row = at + <usize>c;
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          sum += <i32>load<i8>(p);
          p += <usize>depth;
        }
        row += rowBytes;
      }
      store<i8>(dst + <usize>c, <i8>this.average(sum, count));
    }
  }

  /** TFLM's rounding (half away from zero) division by the tap count, then the clamp. */
  // @ts-ignore: decorator
  @inline
  private average(sum: i32, count: i32): i32 {
    const half = count / 2;
    const v = count > 0 ? (sum > 0 ? (sum + half) / count : (sum - half) / count) : 0;
    return min(max(v, this.actMin), this.actMax);
  }

  private pixelFloat(at: usize, rows: i32, cols: i32, dst: usize, count: i32): void {
    const depth = this.depth;
    const rowBytes = <usize>(this.inW * depth) << 2;
    const step = <usize>depth << 2;
    const n = <f32>count;
    let c = 0;
    // Each lane sums one channel in TFLite's order (rows, then columns): same float rounding.
    const lo = f32x4.splat(this.actMinF);
    const hi = f32x4.splat(this.actMaxF);
    const nv = f32x4.splat(n);
    for (; c + 4 <= depth; c += 4) {
      let sum = f32x4.splat(0);
      let row = at + (<usize>c << 2);
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          sum = f32x4.add(sum, load<v128>(p));
          p += step;
        }
        row += rowBytes;
      }
      store<v128>(dst + (<usize>c << 2), f32x4.pmin(f32x4.pmax(f32x4.div(sum, nv), lo), hi));
    }
    for (; c < depth; c++) {
      let sum: f32 = 0;
      let row = at + (<usize>c << 2);
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          sum += load<f32>(p);
          p += step;
        }
        row += rowBytes;
      }
      let v = sum / n;
      v = v < this.actMinF ? this.actMinF : v;
      v = this.actMaxF < v ? this.actMaxF : v;
      store<f32>(dst + (<usize>c << 2), v);
    }
  }
}

export class MaxPool2D extends Pool2D {
  pixel(at: usize, rows: i32, cols: i32, dst: usize, scratch: usize): void {
    if (this.isFloat) this.pixelFloat(at, rows, cols, dst);
    else this.pixelInt8(at, rows, cols, dst);
  }

  private pixelInt8(at: usize, rows: i32, cols: i32, dst: usize): void {
    const depth = this.depth;
    const rowBytes = <usize>(this.inW * depth);
    const lo = i8x16.splat(<i8>this.actMin);
    const hi = i8x16.splat(<i8>this.actMax);
    let c = 0;
    // 16 channels at a time: i8x16.max_s over the window, then the activation clamp.
    for (; c + 16 <= depth; c += 16) {
      let m = i8x16.splat(-128);
      let row = at + <usize>c;
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          m = i8x16.max_s(m, load<v128>(p));
          p += <usize>depth;
        }
        row += rowBytes;
      }
      store<v128>(dst + <usize>c, i8x16.min_s(i8x16.max_s(m, lo), hi));
    }
    for (; c < depth; c++) {
      let m: i32 = -128;
      let row = at + <usize>c;
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          m = max(m, <i32>load<i8>(p));
          p += <usize>depth;
        }
        row += rowBytes;
      }
      store<i8>(dst + <usize>c, <i8>min(max(m, this.actMin), this.actMax));
    }
  }

  private pixelFloat(at: usize, rows: i32, cols: i32, dst: usize): void {
    const depth = this.depth;
    const rowBytes = <usize>(this.inW * depth) << 2;
    const step = <usize>depth << 2;
    const clamp = this.actMinF != -Infinity || this.actMaxF != Infinity;
    const lo = f32x4.splat(this.actMinF);
    const hi = f32x4.splat(this.actMaxF);
    let c = 0;
    // pmax(m, v) is m < v ? v : m, std::max's choice; pmax/pmin clamp as TFLite's max/min.
    // Two loops, so the clamp costs nothing without a fused activation.
    if (clamp) {
      for (; c + 4 <= depth; c += 4) {
        const m = maxBlockF32(at + (<usize>c << 2), rows, cols, step, rowBytes);
        store<v128>(dst + (<usize>c << 2), f32x4.pmin(f32x4.pmax(m, lo), hi));
      }
    } else {
      for (; c + 4 <= depth; c += 4) store<v128>(dst + (<usize>c << 2), maxBlockF32(at + (<usize>c << 2), rows, cols, step, rowBytes));
    }
    for (; c < depth; c++) {
      let m: f32 = -3.4028234663852886e38;
      let row = at + (<usize>c << 2);
      for (let y = 0; y < rows; y++) {
        let p = row;
        for (let x = 0; x < cols; x++) {
          const v = load<f32>(p);
          m = m < v ? v : m;
          p += step;
        }
        row += rowBytes;
      }
      m = m < this.actMinF ? this.actMinF : m;
      m = this.actMaxF < m ? this.actMaxF : m;
      store<f32>(dst + (<usize>c << 2), m);
    }
  }
}

/** Lane-wise maximum of 4 float channels over a window of rows x cols taps. */
// @ts-ignore: decorator
@inline
function maxBlockF32(at: usize, rows: i32, cols: i32, step: usize, rowBytes: usize): v128 {
  let m = f32x4.splat(-3.4028234663852886e38);
  for (let y = 0; y < rows; y++) {
    let p = at;
    for (let x = 0; x < cols; x++) {
      m = f32x4.pmax(m, load<v128>(p));
      p += step;
    }
    at += rowBytes;
  }
  return m;
}
