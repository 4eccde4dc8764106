// SPLIT (a constant axis, equal parts), SPLIT_V (constant sizes, one may be -1), PACK and
// UNPACK along an axis: each output (or input) is a block-strided view of the other side,
// copied with StridedCopy as an [outer, part, inner] index space. Exact, any element type;
// int8 parts keep the input's quantisation, as TFLM requires.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { StridedCopy, checkConstInts, constInt } from "./strided-copy";
import { checkSameKind } from "./transpose";

const OPT_PACK_VALUES_COUNT: u32 = 0;
const OPT_PACK_AXIS: u32 = 1;
const OPT_UNPACK_NUM: u32 = 0;
const OPT_UNPACK_AXIS: u32 = 1;

function product(t: Tensor, from: i32, to: i32): i32 {
  let n = 1;
  for (let d = from; d < to; d++) n *= t.dim(d);
  return n;
}

/** One whole tensor split into (or assembled from) parts along an axis. */
abstract class Parts extends ExtensionOp {
  protected copies: StaticArray<StridedCopy> = new StaticArray<StridedCopy>(0);
  protected whole: Tensor | null = null;
  protected parts: StaticArray<Tensor> = new StaticArray<Tensor>(0);
  protected toParts: bool = true;

  /** Sets up copy k between the whole (outer x axis x inner) and part k of `size` along the axis at `at`. */
  protected plan(k: i32, whole: Tensor, outer: i32, axisLen: i32, inner: i32, at: i32, size: i32): void {
    const cp = new StridedCopy();
    cp.elem = whole.elementBytes;
    // Index space [outer, size * inner]: whole rows are axisLen * inner apart, part rows size * inner.
    if (this.toParts) {
      cp.push(outer, axisLen * inner, size * inner);
      cp.push(size * inner, 1, 1);
      cp.srcBase = at * inner;
    } else {
      cp.push(outer, size * inner, axisLen * inner);
      cp.push(size * inner, 1, 1);
      cp.dstBase = at * inner;
    }
    this.copies[k] = cp;
  }

  eval(scratch: usize): void {
    const whole = changetype<Tensor>(this.whole).data;
    for (let k = 0; k < this.parts.length; k++) {
      const part = unchecked(this.parts[k]).data;
      if (this.toParts) unchecked(this.copies[k]).run(part, whole);
      else unchecked(this.copies[k]).run(whole, part);
    }
  }
}

/** Resolves a possibly negative axis; -1 when out of range. */
function axisOf(a: i32, rank: i32): i32 {
  if (a < 0) a += rank;
  return a >= 0 && a < rank ? a : -1;
}

/** SPLIT and SPLIT_V: the input cut along the axis into the outputs, in order. */
export class Split extends Parts {
  prepare(): string {
    const op = this.op;
    const v = op.code == 102; // SPLIT_V: value, size_splits, axis; SPLIT: axis, value
    const need = v ? 3 : 2;
    if (op.inputCount < need || op.outputCount < 1) return v ? "needs value, size_splits and axis inputs" : "needs axis and value inputs";
    const axisT = op.input(v ? 2 : 0);
    const input = op.input(v ? 0 : 1);
    const why = checkConstInts(axisT, 1, "axis");
    if (why.length > 0) return why;
    const axis = axisOf(constInt(axisT, 0), input.rank);
    if (axis < 0) return "axis " + constInt(axisT, 0).toString() + " out of range for rank " + input.rank.toString();
    const n = op.outputCount;
    const outer = product(input, 0, axis);
    const inner = product(input, axis + 1, input.rank);
    const axisLen = input.dim(axis);
    if (!v && axisLen % n != 0) return "axis of " + axisLen.toString() + " does not split into " + n.toString() + " equal parts";
    this.copies = new StaticArray<StridedCopy>(n);
    this.parts = new StaticArray<Tensor>(n);
    let at = 0;
    for (let k = 0; k < n; k++) {
      const out = op.output(k);
      const same = checkSameKind(input, out);
      if (same.length > 0) return "output " + k.toString() + ": " + same;
      const size = out.rank == input.rank ? out.dim(axis) : -1;
      if (size < 0 || out.elements != outer * size * inner) return "output " + k.toString() + " does not have the input's shape outside the axis";
      if (!v && size != axisLen / n) return "output " + k.toString() + " is not 1/" + n.toString() + " of the axis";
      this.plan(k, input, outer, axisLen, inner, at, size);
      this.parts[k] = out;
      at += size;
    }
    if (at != axisLen) return "outputs cover " + at.toString() + " of the axis's " + axisLen.toString();
    if (v) {
      const sizes = op.input(1);
      const sw = checkConstInts(sizes, n, "size_splits");
      if (sw.length > 0) return sw;
      for (let k = 0; k < n; k++) {
        const s = constInt(sizes, k);
        const have = op.output(k).dim(axis);
        if (s != -1 && s != have) return "size_splits[" + k.toString() + "] is " + s.toString() + ", output has " + have.toString();
      }
    }
    this.whole = input;
    this.toParts = true;
    return "";
  }
}

/** UNPACK: the input's slices along the axis as outputs of one rank less. */
export class Unpack extends Parts {
  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0) || op.outputCount < 1) return "needs an input and outputs";
    const input = op.input(0);
    const axis = axisOf(op.optI32(OPT_UNPACK_AXIS, 0), input.rank);
    if (axis < 0) return "axis out of range for rank " + input.rank.toString();
    const n = op.outputCount;
    if (input.dim(axis) != n || op.optI32(OPT_UNPACK_NUM, n) != n) return "num and the outputs must equal the axis length " + input.dim(axis).toString();
    return this.setUp(input, axis, n, true);
  }

  protected setUp(whole: Tensor, axis: i32, n: i32, toParts: bool): string {
    const outer = product(whole, 0, axis);
    const inner = product(whole, axis + 1, whole.rank);
    this.toParts = toParts;
    this.copies = new StaticArray<StridedCopy>(n);
    this.parts = new StaticArray<Tensor>(n);
    for (let k = 0; k < n; k++) {
      const part = toParts ? this.op.output(k) : this.op.input(k);
      const same = toParts ? checkSameKind(whole, part) : checkSameKind(part, whole);
      if (same.length > 0) return (toParts ? "output " : "input ") + k.toString() + ": " + same;
      if (part.rank != whole.rank - 1) return (toParts ? "output " : "input ") + k.toString() + " must have rank " + (whole.rank - 1).toString();
      for (let d = 0; d < part.rank; d++) {
        if (part.dim(d) != whole.dim(d < axis ? d : d + 1)) return (toParts ? "output " : "input ") + k.toString() + " shape does not match";
      }
      this.plan(k, whole, outer, n, inner, k, 1);
      this.parts[k] = part;
    }
    this.whole = whole;
    return "";
  }
}

/** PACK: the inputs stacked along a new axis. */
export class Pack extends Unpack {
  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || op.outputCount < 1) return "needs inputs and an output";
    for (let k = 0; k < op.inputCount; k++) if (!op.hasInput(k)) return "input " + k.toString() + " is absent";
    const output = op.output(0);
    const axis = axisOf(op.optI32(OPT_PACK_AXIS, 0), output.rank);
    if (axis < 0) return "axis out of range for rank " + output.rank.toString();
    const n = op.inputCount;
    if (output.dim(axis) != n || op.optI32(OPT_PACK_VALUES_COUNT, n) != n) return "values_count and the inputs must equal the output's axis length " + output.dim(axis).toString();
    return this.setUp(output, axis, n, false);
  }
}
