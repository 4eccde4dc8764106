// SUM and REDUCE_MAX over the axes of a constant int32 tensor (negative axes count from the
// end; keep_dims or not), and ARG_MAX / ARG_MIN along one axis, as TFLM:
// - SUM float32 adds in input order; int8 sums the raw bytes in int32 and outputs
//   round(sum * s + bias) + zp_out with s = s_in / s_out and bias = -zp_in * s * count in
//   float32, narrowed to int8 without a clamp (TFLM's QuantizedMeanOrSum, compute_sum).
// - REDUCE_MAX takes the largest raw element; int8 needs the input's quantisation.
// - ARG_MAX / ARG_MIN return the first index of the extreme, as int32 or int64.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT32, TYPE_INT64, TYPE_INT8 } from "../schema";
import { roundAway } from "../quant";
import { checkConstInts, constInt } from "./strided-copy";

const OPT_KEEP_DIMS: u32 = 0;
const MAX_DIMS: i32 = 6;

/** Per input dimension, the output element stride (0 along reduced axes). */
function reducedStrides(input: Tensor, reduced: StaticArray<bool>): StaticArray<i32> {
  const s = new StaticArray<i32>(max(input.rank, 1));
  let k = 1;
  for (let d = input.rank - 1; d >= 0; d--) {
    if (reduced[d]) { s[d] = 0; continue; }
    s[d] = k;
    k *= input.dim(d);
  }
  return s;
}

abstract class Reduction extends ExtensionOp {
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;
  protected isFloat: bool = false;
  protected count: i32 = 1;
  protected outStride: StaticArray<i32> = new StaticArray<i32>(0);
  protected index: StaticArray<i32> = new StaticArray<i32>(0);

  abstract prepareOp(input: Tensor, output: Tensor): string;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input and an axis tensor";
    const input = op.input(0);
    const axes = op.input(1);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (axes.type != TYPE_INT32) return "axis tensor must be int32";
    const why = checkConstInts(axes, 0, "axis tensor");
    if (why.length > 0) return why;
    const rank = input.rank;
    if (rank > MAX_DIMS) return "input rank above 6";
    const reduced = new StaticArray<bool>(max(rank, 1));
    for (let i = 0; i < axes.elements; i++) {
      let a = constInt(axes, i);
      if (a < 0) a += rank;
      if (a < 0 || a >= rank) return "axis " + constInt(axes, i).toString() + " out of range for rank " + rank.toString();
      reduced[a] = true;
    }
    let kept = 1;
    let keptRank = 0;
    this.count = 1;
    for (let d = 0; d < rank; d++) {
      if (reduced[d]) this.count *= input.dim(d);
      else { kept *= input.dim(d); keptRank++; }
    }
    const keep = op.optBool(OPT_KEEP_DIMS, false);
    if (output.elements != kept) return "output has " + output.elements.toString() + " elements, the reduction " + kept.toString();
    if (output.rank != (keep ? rank : keptRank)) return "output rank must be " + (keep ? rank : keptRank).toString() + (keep ? " (keep_dims)" : "");
    this.outStride = reducedStrides(input, reduced);
    this.index = new StaticArray<i32>(max(rank, 1));
    this.isFloat = input.type == TYPE_FLOAT32;
    this.input = input;
    this.output = output;
    return this.prepareOp(input, output);
  }

  /** Calls visit for every input element in order with its output element index. */
  protected walk(acc: usize): void {
    const input = changetype<Tensor>(this.input);
    const rank = input.rank;
    const n = input.elements;
    if (n == 0) return;
    const index = this.index;
    const stride = this.outStride;
    for (let d = 0; d < rank; d++) unchecked(index[d] = 0);
    let o = 0;
    for (let i = 0; i < n; i++) {
      this.visit(acc, i, o);
      let d = rank - 1;
      while (d >= 0) {
        const v = unchecked(index[d]) + 1;
        o += unchecked(stride[d]);
        if (v < input.dim(d)) { unchecked(index[d] = v); break; }
        o -= v * unchecked(stride[d]);
        unchecked(index[d] = 0);
        d--;
      }
    }
  }

  abstract visit(acc: usize, i: i32, o: i32): void;
}

export class Sum extends Reduction {
  private scale: f32 = 1;
  private bias: f32 = 0;

  scratchBytes(): i32 {
    return this.output === null ? 0 : changetype<Tensor>(this.output).elements * 4;
  }

  prepareOp(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    this.scale = input.scale / output.scale;
    this.bias = <f32>(-input.zeroPoint) * this.scale * <f32>this.count;
    return "";
  }

  visit(acc: usize, i: i32, o: i32): void {
    const src = changetype<Tensor>(this.input).data;
    if (this.isFloat) {
      const at = acc + (<usize>o << 2);
      store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
    } else {
      const at = acc + (<usize>o << 2);
      store<i32>(at, load<i32>(at) + <i32>load<i8>(src + <usize>i));
    }
  }

  eval(scratch: usize): void {
    const output = changetype<Tensor>(this.output);
    const n = output.elements;
    const acc = this.isFloat ? output.data : scratch;
    memory.fill(acc, 0, <usize>n * 4);
    this.walk(acc);
    if (this.isFloat) return;
    const zp = output.zeroPoint;
    for (let k = 0; k < n; k++) {
      const v = <i32>roundAway(<f64>(<f32>load<i32>(acc + (<usize>k << 2)) * this.scale + this.bias)) + zp;
      store<i8>(output.data + <usize>k, <i8>v);
    }
  }
}

export class ReduceMax extends Reduction {
  prepareOp(input: Tensor, output: Tensor): string {
    if (!this.isFloat && (input.scale != output.scale || input.zeroPoint != output.zeroPoint)) return "int8 output must keep the input's scale and zero point";
    return "";
  }

  visit(acc: usize, i: i32, o: i32): void {
    const src = changetype<Tensor>(this.input).data;
    if (this.isFloat) {
      const at = acc + (<usize>o << 2);
      const x = load<f32>(src + (<usize>i << 2));
      if (x > load<f32>(at)) store<f32>(at, x);
    } else {
      const at = acc + <usize>o;
      const x = load<i8>(src + <usize>i);
      if (x > load<i8>(at)) store<i8>(at, x);
    }
  }

  eval(scratch: usize): void {
    const output = changetype<Tensor>(this.output);
    const n = output.elements;
    if (this.isFloat) for (let k = 0; k < n; k++) store<f32>(output.data + (<usize>k << 2), -f32.MAX_VALUE);
    else memory.fill(output.data, 0x80, <usize>n);
    this.walk(output.data);
  }
}

/** ARG_MAX (isMax) and ARG_MIN along one constant axis. */
export class ArgMinMax extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private outer: i32 = 1;
  private axisLen: i32 = 1;
  private inner: i32 = 1;

  constructor(private isMax: bool) {
    super();
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input and an axis tensor";
    const input = op.input(0);
    const axisT = op.input(1);
    const output = op.output(0);
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32 && input.type != TYPE_INT32) return "input must be int8, float32 or int32";
    if (output.type != TYPE_INT32 && output.type != TYPE_INT64) return "output must be int32 or int64";
    const why = checkConstInts(axisT, 1, "axis");
    if (why.length > 0) return why;
    let axis = constInt(axisT, 0);
    if (axis < 0) axis += input.rank;
    if (axis < 0 || axis >= input.rank) return "axis out of range for rank " + input.rank.toString();
    if (output.rank != input.rank - 1) return "output must have rank " + (input.rank - 1).toString();
    for (let d = 0; d < output.rank; d++) if (output.dim(d) != input.dim(d < axis ? d : d + 1)) return "output shape must be the input's without the axis";
    this.outer = 1;
    for (let d = 0; d < axis; d++) this.outer *= input.dim(d);
    this.axisLen = input.dim(axis);
    this.inner = 1;
    for (let d = axis + 1; d < input.rank; d++) this.inner *= input.dim(d);
    this.input = input;
    this.output = output;
    return "";
  }

  private value(i: i32): f64 {
    const t = changetype<Tensor>(this.input);
    if (t.type == TYPE_FLOAT32) return <f64>load<f32>(t.data + (<usize>i << 2));
    if (t.type == TYPE_INT32) return <f64>load<i32>(t.data + (<usize>i << 2));
    return <f64>load<i8>(t.data + <usize>i);
  }

  eval(scratch: usize): void {
    const output = changetype<Tensor>(this.output);
    const wide = output.type == TYPE_INT64;
    for (let o = 0; o < this.outer; o++) {
      for (let k = 0; k < this.inner; k++) {
        const base = o * this.axisLen * this.inner + k;
        let best = this.value(base);
        let at = 0;
        for (let j = 1; j < this.axisLen; j++) {
          const v = this.value(base + j * this.inner);
          if (this.isMax ? v > best : v < best) { best = v; at = j; }
        }
        const q = o * this.inner + k;
        if (wide) store<i64>(output.data + (<usize>q << 3), <i64>at);
        else store<i32>(output.data + (<usize>q << 2), at);
      }
    }
  }
}
