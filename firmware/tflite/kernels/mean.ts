// MEAN over the axes of a constant int32 tensor (negative axes count from the end;
// duplicates ignored), with or without keep_dims, int8 and float32, as TFLM's reference:
// sums per output in input order (int32 for int8, float32 for float), then
// - float32: sum / count in float32;
// - int8 with the input's quantisation: the integer sum divided by the count, truncated;
// - int8 requantised: round(float(sum) / count * (s_in / s_out) - zp_in * (s_in / s_out))
//   + zp_out in float32, clamped (TFLM's QuantizedMeanOrSum).
// Averaging H and W of an NHWC tensor runs as a tight per-channel accumulation loop.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT32, TYPE_INT8 } from "../schema";
import { roundAway } from "../quant";

const OPT_KEEP_DIMS: u32 = 0;
const MAX_DIMS: i32 = 6;

export class Mean extends Kernel {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private isFloat: bool = false;
  private requantize: bool = false;
  private count: i32 = 1;
  private outputs: i32 = 0;
  private scale: f32 = 1;
  private bias: f32 = 0;
  // Input shape and, per dimension, the output element stride (0 along reduced axes).
  private dims: StaticArray<i32> = new StaticArray<i32>(0);
  private outStride: StaticArray<i32> = new StaticArray<i32>(0);
  private index: StaticArray<i32> = new StaticArray<i32>(0);

  scratchBytes(): i32 {
    return this.outputs * 4;
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1)) return "needs an input and an axis tensor";
    if (op.outputCount < 1) return "missing output";
    const input = op.input(0);
    const axes = op.input(1);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (axes.type != TYPE_INT32) return "axis tensor must be int32";
    if (!axes.isConstant || axes.data == 0) return "axis tensor must be constant";
    const rank = input.rank;
    if (rank > MAX_DIMS) return "input rank above 6";
    const reduced = new StaticArray<bool>(max(rank, 1));
    const nAxes = axes.elements;
    if (nAxes * 4 > axes.bytes) return "axis tensor is short";
    for (let i = 0; i < nAxes; i++) {
      let a = load<i32>(axes.data + (<usize>i << 2));
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return "axis " + a.toString() + " out of range";
      reduced[a] = true;
    }
    // Output strides over the kept dimensions, innermost first.
    this.dims = new StaticArray<i32>(max(rank, 1));
    this.outStride = new StaticArray<i32>(max(rank, 1));
    this.index = new StaticArray<i32>(max(rank, 1));
    this.dims[0] = 1;
    let outputs = 1;
    let count = 1;
    let kept = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const n = input.dim(d);
      this.dims[d] = n;
      if (reduced[d]) { count *= n; this.outStride[d] = 0; }
      else { this.outStride[d] = outputs; outputs *= n; kept++; }
    }
    const keepDims = op.optBool(OPT_KEEP_DIMS, false);
    if (output.elements != outputs) return "output element count does not match the reduction";
    if (keepDims && output.rank != rank) return "keep_dims output must keep the input rank";
    if (!keepDims && output.rank != kept) return "output rank does not match the kept dimensions";
    this.count = count;
    this.outputs = outputs;
    this.isFloat = input.type == TYPE_FLOAT32;
    if (!this.isFloat) {
      this.requantize = input.scale != output.scale || input.zeroPoint != output.zeroPoint;
      if (this.requantize && !(output.scale > 0)) return "int8 output needs a positive scale";
      this.scale = input.scale / output.scale;
      this.bias = <f32>(-input.zeroPoint) * this.scale;
    }
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const n = this.outputs;
    memory.fill(scratch, 0, <usize>n << 2);
    if (input.elements > 0) {
      if (this.isFloat) this.sumFloat(input.data, scratch);
      else this.sumInt8(input.data, scratch);
    }
    const dst = output.data;
    const count = this.count;
    if (this.isFloat) {
      const c = <f32>count;
      for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(scratch + (<usize>i << 2)) / c);
    } else if (!this.requantize) {
      for (let i = 0; i < n; i++) store<i8>(dst + <usize>i, <i8>(load<i32>(scratch + (<usize>i << 2)) / max(count, 1)));
    } else {
      const c = <f32>count;
      const zp = <f64>output.zeroPoint;
      for (let i = 0; i < n; i++) {
        const mean = <f32>load<i32>(scratch + (<usize>i << 2)) / c;
        let v = roundAway(<f64>(mean * this.scale + this.bias)) + zp;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        store<i8>(dst + <usize>i, <i8><i32>v);
      }
    }
  }

  // Both sums walk the input in order with an odometer over the outer dimensions; the
  // innermost dimension is one run whose output step is 0 (reduced: summed in a register,
  // same order) or 1 (kept: summed lane-wise, 16 int8 or 4 float32 at a time).
  private sumInt8(src: usize, acc: usize): void {
    const dims = this.dims;
    const stride = this.outStride;
    const rank = dims.length;
    const index = this.index;
    const inner = unchecked(dims[rank - 1]);
    const kept = unchecked(stride[rank - 1]) != 0;
    for (let d = 0; d < rank; d++) unchecked(index[d] = 0);
    this.at = 0;
    let at = 0;
    while (true) {
      const p = acc + (<usize>at << 2);
      if (kept) {
        let i = 0;
        for (; i + 16 <= inner; i += 16) {
          const v = load<v128>(src + <usize>i);
          const lo = i16x8.extend_low_i8x16_s(v);
          const hi = i16x8.extend_high_i8x16_s(v);
          const q = p + (<usize>i << 2);
          store<v128>(q, i32x4.add(load<v128>(q), i32x4.extend_low_i16x8_s(lo)));
          store<v128>(q, i32x4.add(load<v128>(q, 16), i32x4.extend_high_i16x8_s(lo)), 16);
          store<v128>(q, i32x4.add(load<v128>(q, 32), i32x4.extend_low_i16x8_s(hi)), 32);
          store<v128>(q, i32x4.add(load<v128>(q, 48), i32x4.extend_high_i16x8_s(hi)), 48);
        }
        for (; i < inner; i++) {
          const q = p + (<usize>i << 2);
          store<i32>(q, load<i32>(q) + <i32>load<i8>(src + <usize>i));
        }
      } else {
        let sum = load<i32>(p);
        for (let i = 0; i < inner; i++) sum += <i32>load<i8>(src + <usize>i);
        store<i32>(p, sum);
      }
      src += <usize>inner;
      if (!this.advance(rank - 2)) return;
      at = this.at;
    }
  }

  private sumFloat(src: usize, acc: usize): void {
    const dims = this.dims;
    const stride = this.outStride;
    const rank = dims.length;
    const index = this.index;
    const inner = unchecked(dims[rank - 1]);
    const kept = unchecked(stride[rank - 1]) != 0;
    for (let d = 0; d < rank; d++) unchecked(index[d] = 0);
    this.at = 0;
    let at = 0;
    while (true) {
      const p = acc + (<usize>at << 2);
      if (kept) {
        let i = 0;
        for (; i + 4 <= inner; i += 4) {
          const q = p + (<usize>i << 2);
          store<v128>(q, f32x4.add(load<v128>(q), load<v128>(src + (<usize>i << 2))));
        }
        for (; i < inner; i++) {
          const q = p + (<usize>i << 2);
          store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>i << 2)));
        }
      } else {
        let sum = load<f32>(p);
        for (let i = 0; i < inner; i++) sum += load<f32>(src + (<usize>i << 2));
        store<f32>(p, sum);
      }
      src += <usize>inner << 2;
      if (!this.advance(rank - 2)) return;
      at = this.at;
    }
  }

  /** Output element offset of the current outer index (kept by advance). */
  private at: i32 = 0;

  /** Steps the outer index (dimensions 0..last); false when the walk is done. */
  private advance(last: i32): bool {
    const dims = this.dims;
    const stride = this.outStride;
    const index = this.index;
    let at = this.at;
    let d = last;
    while (d >= 0) {
      const v = unchecked(index[d]) + 1;
      at += unchecked(stride[d]);
      if (v < unchecked(dims[d])) {
        unchecked(index[d] = v);
        this.at = at;
        return true;
      }
      at -= v * unchecked(stride[d]);
      unchecked(index[d] = 0);
      d--;
    }
    this.at = 0;
    return false;
  }
}
