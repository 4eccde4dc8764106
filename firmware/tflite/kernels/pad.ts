// PAD with a constant int32 [rank, 2] paddings tensor (before, after per dimension), any
// element type the engine holds, rank up to 6. The pad value is the output zero point for
// int8 (TFLite's quantised 0) and 0 otherwise. Eval fills the output with the pad value and
// copies the input in rows: trailing dimensions without padding merge into one row.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { TYPE_INT32, TYPE_INT8 } from "../schema";
import { copyBytes } from "./concatenation";

const MAX_DIMS: i32 = 6;

export class Pad extends Kernel {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private fill: u8 = 0;
  /** Outer dimensions (before the merged row) and their output strides in bytes. */
  private dims: StaticArray<i32> = new StaticArray<i32>(0);
  private outStride: StaticArray<i32> = new StaticArray<i32>(0);
  private index: StaticArray<i32> = new StaticArray<i32>(0);
  private rowBytes: i32 = 0;
  /** Byte offset in the output of the input's first element. */
  private origin: i32 = 0;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1)) return "needs an input and a paddings tensor";
    if (op.outputCount < 1) return "missing output";
    const input = op.input(0);
    const pads = op.input(1);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    const elem = input.elementBytes;
    if (elem == 0) return "unsupported input type";
    if (op.inputCount > 2 && op.hasInput(2)) return "constant pad values (PADV2) are not supported";
    if (pads.type != TYPE_INT32) return "paddings must be int32";
    if (!pads.isConstant || pads.data == 0) return "paddings must be constant";
    const rank = input.rank;
    if (rank > MAX_DIMS) return "input rank above 6";
    if (output.rank != rank) return "output rank differs from the input's";
    if (pads.rank != 2 || pads.dim(0) != rank || pads.dim(1) != 2) return "paddings must have shape [rank, 2]";
    // Output strides in bytes, and where the input's origin lands.
    const stride = new StaticArray<i32>(max(rank, 1));
    let s = elem;
    let origin = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const before = load<i32>(pads.data + (<usize>(2 * d) << 2));
      const after = load<i32>(pads.data + (<usize>(2 * d + 1) << 2));
      if (before < 0 || after < 0) return "negative padding";
      if (output.dim(d) != input.dim(d) + before + after) return "output shape does not match the padded input shape";
      stride[d] = s;
      origin += before * s;
      s *= output.dim(d);
    }
    // Merge trailing dimensions that are not padded into the row copied at once.
    let split = rank;
    let row = elem;
    while (split > 0 && input.dim(split - 1) == output.dim(split - 1)) { split--; row *= input.dim(split); }
    if (split > 0) { split--; row *= input.dim(split); } // the innermost padded dimension is copied whole too
    this.dims = new StaticArray<i32>(max(split, 1));
    this.outStride = new StaticArray<i32>(max(split, 1));
    this.index = new StaticArray<i32>(max(split, 1));
    this.dims[0] = 1;
    for (let d = 0; d < split; d++) { this.dims[d] = input.dim(d); this.outStride[d] = stride[d]; }
    this.rowBytes = row;
    this.origin = origin;
    this.fill = input.type == TYPE_INT8 ? <u8>output.zeroPoint : 0;
    if (input.type == TYPE_INT8 && (output.zeroPoint < -128 || output.zeroPoint > 127)) return "output zero point out of int8 range";
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const dst = output.data;
    memory.fill(dst, this.fill, <usize>output.bytes);
    if (input.bytes == 0) return;
    let src = input.data;
    const row = this.rowBytes;
    const dims = this.dims;
    const stride = this.outStride;
    const index = this.index;
    const outer = dims.length;
    for (let d = 0; d < outer; d++) unchecked(index[d] = 0);
    let at = this.origin;
    while (true) {
      copyBytes(dst + <usize>at, src, row);
      src += <usize>row;
      let d = outer - 1;
      while (d >= 0) {
        const v = unchecked(index[d]) + 1;
        at += unchecked(stride[d]);
        if (v < unchecked(dims[d])) { unchecked(index[d] = v); break; }
        at -= v * unchecked(stride[d]);
        unchecked(index[d] = 0);
        d--;
      }
      if (d < 0) return;
    }
  }
}
