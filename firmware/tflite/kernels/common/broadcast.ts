// numpy broadcasting of two inputs to an output, planned at prepare as 4-D strides (TFLM's
// "slow" broadcast): the binary elementwise kernels walk it in eval.
import { Tensor } from "../../tensor";

/** Broadcasting kernels work on shapes extended to this rank (TFLM's 4-D "slow" broadcast). */
export const MAX_RANK: i32 = 4;

/** Dimension d of t's shape extended to rank 4 with leading ones. */
export function extendedDim(t: Tensor, d: i32): i32 {
  const k = d - (MAX_RANK - t.rank);
  return k >= 0 ? t.dim(k) : 1;
}

/**
 * Plans numpy broadcasting of a and b to out: out's shape extended to rank 4 into `dims`, and
 * each input's element stride per dimension (0 along a dimension it repeats over). "" when
 * the shapes broadcast, else why not. Callers take the same-shape case before this.
 */
export function planBroadcast(a: Tensor, b: Tensor, out: Tensor, dims: StaticArray<i32>, strideA: StaticArray<i32>, strideB: StaticArray<i32>): string {
  if (a.rank > MAX_RANK || b.rank > MAX_RANK || out.rank > MAX_RANK) return "broadcasting supports rank 4 at most";
  if (out.rank != max(a.rank, b.rank)) return "output rank does not match the broadcast rank";
  let sa = 1;
  let sb = 1;
  for (let d = MAX_RANK - 1; d >= 0; d--) {
    const k = d - (MAX_RANK - out.rank);
    const da = extendedDim(a, d);
    const db = extendedDim(b, d);
    const dout = k >= 0 ? out.dim(k) : 1;
    if ((da != dout && da != 1) || (db != dout && db != 1)) return "input shapes do not broadcast to the output shape";
    if (max(da, db) != dout && out.elements > 0) return "output shape is not the broadcast of the input shapes";
    dims[d] = dout;
    strideA[d] = da == 1 ? 0 : sa;
    strideB[d] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  return "";
}
