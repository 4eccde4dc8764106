// SLICE (constant begin and size, size -1 = to the end) and STRIDED_SLICE (constant begin,
// end, strides with begin/end/shrink-axis masks and the offset flag; TFLM refuses ellipsis
// and new-axis masks, so do we). Start and stop per axis follow TFLite's strided_slice_logic:
// negative indices count from the end, then clamp to the axis. Pure data movement, exact.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { StridedCopy, MAX_COPY_DIMS, checkConstInts, constInt, stridesOf } from "./strided-copy";
import { checkSameKind } from "./transpose";

const OPT_BEGIN_MASK: u32 = 0;
const OPT_END_MASK: u32 = 1;
const OPT_ELLIPSIS_MASK: u32 = 2;
const OPT_NEW_AXIS_MASK: u32 = 3;
const OPT_SHRINK_AXIS_MASK: u32 = 4;
const OPT_OFFSET: u32 = 5;

abstract class SliceBase extends ExtensionOp {
  protected copy: StridedCopy = new StridedCopy();
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;
  // Per input axis: first index, step and count.
  protected start: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  protected step: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  protected count: StaticArray<i32> = new StaticArray<i32>(MAX_COPY_DIMS);
  protected keep: StaticArray<bool> = new StaticArray<bool>(MAX_COPY_DIMS);

  /** Fills start, step, count and keep for each input axis. */
  abstract axes(input: Tensor): string;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 3 || !op.hasInput(0) || op.outputCount < 1) return "needs an input, begin and " + (op.code == 45 ? "end" : "size") + " inputs";
    const input = op.input(0);
    const output = op.output(0);
    const same = checkSameKind(input, output);
    if (same.length > 0) return same;
    if (input.rank > MAX_COPY_DIMS) return "rank above 6";
    for (let d = 0; d < input.rank; d++) { this.keep[d] = true; this.step[d] = 1; }
    const why = this.axes(input);
    if (why.length > 0) return why;
    // The output shape is the kept axes' counts.
    let k = 0;
    for (let d = 0; d < input.rank; d++) {
      if (!this.keep[d]) continue;
      if (k >= output.rank || output.dim(k) != this.count[d]) return "output shape does not match the slice (axis " + d.toString() + " has " + this.count[d].toString() + " elements)";
      k++;
    }
    if (k != output.rank) return "output rank does not match the slice";
    const strides = stridesOf(input);
    const cp = this.copy;
    cp.elem = input.elementBytes;
    let base = 0;
    let outStride = 1;
    const dst = new StaticArray<i32>(max(input.rank, 1));
    for (let d = input.rank - 1; d >= 0; d--) { dst[d] = outStride; outStride *= this.count[d]; }
    for (let d = 0; d < input.rank; d++) {
      base += this.start[d] * strides[d];
      cp.push(this.count[d], this.step[d] * strides[d], dst[d]);
    }
    cp.srcBase = base;
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    this.copy.run(changetype<Tensor>(this.output).data, changetype<Tensor>(this.input).data);
  }
}

export class Slice extends SliceBase {
  axes(input: Tensor): string {
    const begin = this.op.input(1);
    const size = this.op.input(2);
    const rank = input.rank;
    let why = checkConstInts(begin, rank, "begin");
    if (why.length == 0) why = checkConstInts(size, rank, "size");
    if (why.length > 0) return why;
    for (let d = 0; d < rank; d++) {
      const b = constInt(begin, d);
      let n = constInt(size, d);
      if (n == -1) n = input.dim(d) - b;
      if (b < 0 || n < 0 || b + n > input.dim(d)) return "begin " + b.toString() + " and size " + n.toString() + " do not fit axis " + d.toString() + " of " + input.dim(d).toString();
      this.start[d] = b;
      this.count[d] = n;
    }
    return "";
  }
}

export class StridedSlice extends SliceBase {
  axes(input: Tensor): string {
    const op = this.op;
    if (op.inputCount < 4 || !op.hasInput(3)) return "needs begin, end and strides inputs";
    const begin = op.input(1);
    const end = op.input(2);
    const strides = op.input(3);
    const rank = input.rank;
    let why = checkConstInts(begin, rank, "begin");
    if (why.length == 0) why = checkConstInts(end, rank, "end");
    if (why.length == 0) why = checkConstInts(strides, rank, "strides");
    if (why.length > 0) return why;
    if (begin.elements != rank) return "begin, end and strides must have one value per input dimension";
    if (op.optI32(OPT_ELLIPSIS_MASK, 0) != 0) return "ellipsis_mask is not supported (as TFLM)";
    if (op.optI32(OPT_NEW_AXIS_MASK, 0) != 0) return "new_axis_mask is not supported (as TFLM)";
    const beginMask = op.optI32(OPT_BEGIN_MASK, 0);
    const endMask = op.optI32(OPT_END_MASK, 0);
    const shrinkMask = op.optI32(OPT_SHRINK_AXIS_MASK, 0);
    const offset = op.optBool(OPT_OFFSET, false);
    for (let d = 0; d < rank; d++) {
      const size = input.dim(d);
      const stride = constInt(strides, d);
      if (stride == 0) return "stride of axis " + d.toString() + " is 0";
      const bit = 1 << d;
      // StartForAxis
      let start = constInt(begin, d);
      if ((beginMask & bit) != 0) start = stride > 0 ? i32.MIN_VALUE : i32.MAX_VALUE;
      if (start < 0 && start != i32.MIN_VALUE) start += size;
      start = stride > 0 ? clamp(start, 0, size) : clamp(start, -1, size - 1);
      // StopForAxis
      let stop: i32;
      if ((shrinkMask & bit) != 0) {
        stop = start + 1;
        this.keep[d] = false;
      } else {
        stop = constInt(end, d);
        if (offset) stop += constInt(begin, d);
        if ((endMask & bit) != 0) stop = stride > 0 ? i32.MAX_VALUE : i32.MIN_VALUE;
        if (stop < 0 && stop != i32.MIN_VALUE) stop += size;
        stop = stride > 0 ? clamp(stop, 0, size) : clamp(stop, -1, size - 1);
      }
      let n = stride > 0 ? (stop - start + stride - 1) / stride : (start - stop - stride - 1) / -stride;
      if (n < 0) n = 0;
      if (!this.keep[d]) n = 1;
      if (size == 0) { start = 0; n = 0; }
      this.start[d] = start;
      this.step[d] = stride;
      this.count[d] = n;
    }
    return "";
  }
}

function clamp(v: i32, lo: i32, hi: i32): i32 {
  return v < lo ? lo : v > hi ? hi : v;
}
