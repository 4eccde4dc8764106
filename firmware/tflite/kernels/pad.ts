// PAD and PADV2 with a constant int32 [rank, 2] paddings tensor (before, after per
// dimension), any element type the engine holds, rank up to 6. The pad value is the output
// zero point for int8 (TFLite's quantised 0) and 0 otherwise, or PADV2's one-element
// constant_values tensor, which for int8 must share the output's quantisation (TFLM's rule).
// Eval fills the output with the pad value and copies the input in rows: trailing dimensions
// without padding merge into one row.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { OP_PADV2, TYPE_INT32, TYPE_INT8 } from "../schema";
import { copyBytes } from "./concatenation";
import { ExtensionOp } from "./extension";

const MAX_DIMS: i32 = 6;

export class Pad extends Kernel {
  input: Tensor | null = null;
  output: Tensor | null = null;
  fill: u8 = 0;
  /** PADV2's pad value tensor, when its bytes are not all `fill` (read at eval, as TFLM). */
  value: Tensor | null = null;
  /** Outer dimensions (before the merged row) and their output strides in bytes. */
  dims: StaticArray<i32> = new StaticArray<i32>(0);
  outStride: StaticArray<i32> = new StaticArray<i32>(0);
  index: StaticArray<i32> = new StaticArray<i32>(0);
  rowBytes: i32 = 0;
  /** Byte offset in the output of the input's first element. */
  origin: i32 = 0;

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
    if (op.inputCount > 2 && op.hasInput(2)) {
      const v = op.input(2);
      if (v.type != input.type) return "constant_values type differs from the input's";
      if (v.elements != 1) return "constant_values must have one element";
      if (input.type == TYPE_INT8 && (v.zeroPoint != output.zeroPoint || v.scale != output.scale)) return "int8 constant_values must have the output's scale and zero point";
      this.value = v;
    }
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
    // A constant pad value whose bytes all equal one byte (any int8 value, float 0) fills as PAD does.
    const v = this.value;
    if (v !== null && v.isConstant) {
      const first = load<u8>(v.data);
      let uniform = true;
      for (let k = 1; k < elem; k++) if (load<u8>(v.data + <usize>k) != first) uniform = false;
      if (uniform) { this.fill = first; this.value = null; }
    }
    if (this.value !== null && op.code != OP_PADV2) return "a pad value other than a repeated byte is supported as PADV2 only";
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

/** PADV2: PAD whose pad value may be any element (a float, a non-constant tensor). An
 *  extension kernel around a Pad, so that PAD's own dispatch is unchanged. */
export class PadV2 extends ExtensionOp {
  private pad: Pad = new Pad();

  prepare(): string {
    this.pad.op = this.op;
    return this.pad.prepare();
  }

  eval(scratch: usize): void {
    // Pad's eval is not called from here: a second caller would change how PAD is compiled.
    const p = this.pad;
    const v = p.value;
    const input = changetype<Tensor>(p.input);
    const output = changetype<Tensor>(p.output);
    const dst = output.data;
    if (v === null) {
      memory.fill(dst, p.fill, <usize>output.bytes);
    } else {
      const elem = <usize>output.elementBytes;
      const end = dst + <usize>output.bytes;
      for (let at = dst; at < end; at += elem) memory.copy(at, v.data, elem);
    }
    if (input.bytes == 0) return;
    copyPaddedRows(dst + <usize>p.origin, input.data, p.rowBytes, p.dims, p.outStride, p.index);
  }
}

/** Copies the input's rows to their places in a padded output (Pad.eval's loop, for PADV2). */
function copyPaddedRows(at: usize, src: usize, row: i32, dims: StaticArray<i32>, stride: StaticArray<i32>, index: StaticArray<i32>): void {
  const outer = dims.length;
  for (let d = 0; d < outer; d++) unchecked(index[d] = 0);
  while (true) {
    copyBytes(at, src, row);
    src += <usize>row;
    let d = outer - 1;
    while (d >= 0) {
      const v = unchecked(index[d]) + 1;
      at += <usize>unchecked(stride[d]);
      if (v < unchecked(dims[d])) { unchecked(index[d] = v); break; }
      at -= <usize>(v * unchecked(stride[d]));
      unchecked(index[d] = 0);
      d--;
    }
    if (d < 0) return;
  }
}
