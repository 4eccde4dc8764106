// GATHER along an axis with batch_dims, int32 (or int64) indices, any element type; the
// output is params[:axis] + indices[batch_dims:] + params[axis + 1:]. Exact. Constant indices
// are range-checked in prepare; an out-of-range index computed at run time gives a zero
// slice (TFLM stops the inference with an error; a kernel here cannot, so it is not silent
// garbage either).
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_INT32, TYPE_INT64 } from "../schema";
import { checkSameKind } from "./transpose";

const OPT_AXIS: u32 = 0;
const OPT_BATCH_DIMS: u32 = 1;

export class Gather extends ExtensionOp {
  private params: Tensor | null = null;
  private indices: Tensor | null = null;
  private output: Tensor | null = null;
  private batch: i32 = 1;
  private outer: i32 = 1;
  private axisLen: i32 = 0;
  private inner: i32 = 1;
  private coords: i32 = 1;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs params and indices inputs";
    const params = op.input(0);
    const indices = op.input(1);
    const output = op.output(0);
    const same = checkSameKind(params, output);
    if (same.length > 0) return same;
    if (indices.type != TYPE_INT32 && indices.type != TYPE_INT64) return "indices must be int32 or int64";
    let axis = op.optI32(OPT_AXIS, 0);
    if (axis < 0) axis += params.rank;
    if (axis < 0 || axis >= params.rank) return "axis out of range for rank " + params.rank.toString();
    let bd = op.optI32(OPT_BATCH_DIMS, 0);
    if (bd < 0) bd += indices.rank;
    if (bd < 0 || bd > axis || bd > indices.rank) return "batch_dims must lie in [0, axis] and within the indices' rank";
    for (let d = 0; d < bd; d++) if (params.dim(d) != indices.dim(d)) return "params and indices differ in batch dimension " + d.toString();
    // Expected output shape.
    const rank = axis + (indices.rank - bd) + (params.rank - axis - 1);
    if (output.rank != rank) return "output rank must be " + rank.toString();
    let k = 0;
    for (let d = 0; d < axis; d++) if (output.dim(k++) != params.dim(d)) return "output shape does not match the gather";
    for (let d = bd; d < indices.rank; d++) if (output.dim(k++) != indices.dim(d)) return "output shape does not match the gather";
    for (let d = axis + 1; d < params.rank; d++) if (output.dim(k++) != params.dim(d)) return "output shape does not match the gather";
    this.batch = 1;
    for (let d = 0; d < bd; d++) this.batch *= params.dim(d);
    this.outer = 1;
    for (let d = bd; d < axis; d++) this.outer *= params.dim(d);
    this.axisLen = params.dim(axis);
    this.inner = 1;
    for (let d = axis + 1; d < params.rank; d++) this.inner *= params.dim(d);
    this.coords = 1;
    for (let d = bd; d < indices.rank; d++) this.coords *= indices.dim(d);
    if (indices.isConstant) {
      for (let i = 0; i < indices.elements; i++) {
        const v = readIndex(indices, i);
        if (v < 0 || v >= this.axisLen) return "index " + v.toString() + " out of range for an axis of " + this.axisLen.toString();
      }
    }
    this.params = params;
    this.indices = indices;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const params = changetype<Tensor>(this.params);
    const indices = changetype<Tensor>(this.indices);
    const output = changetype<Tensor>(this.output);
    const elem = params.elementBytes;
    const block = <usize>(this.inner * elem);
    let dst = output.data;
    for (let b = 0; b < this.batch; b++) {
      for (let o = 0; o < this.outer; o++) {
        const row = params.data + <usize>((b * this.outer + o) * this.axisLen) * block;
        for (let i = 0; i < this.coords; i++) {
          const v = readIndex(indices, b * this.coords + i);
          if (v >= 0 && v < this.axisLen) memory.copy(dst, row + <usize>v * block, block);
          else memory.fill(dst, 0, block);
          dst += block;
        }
      }
    }
  }
}

function readIndex(t: Tensor, i: i32): i32 {
  if (t.type == TYPE_INT64) {
    const v = load<i64>(t.data + (<usize>i << 3));
    return v < -1 || v > 0x7fffffff ? -1 : <i32>v;
  }
  return load<i32>(t.data + (<usize>i << 2));
}
