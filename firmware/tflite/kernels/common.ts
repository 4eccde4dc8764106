// What several kernels' prepare shares (TFLM's *_common files): the checks of a one-input
// elementwise op, positive int8 scales, numpy broadcasting planned as 4-D strides, and the
// per-byte tables of rescaled inputs. Prepare-time code only: no kernel's eval changes.
import { Operator } from "../operator";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../quant";

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

/** The checks of a one-input, one-output elementwise op on int8 or float32; "" when fine. */
export function checkUnary(o: Operator): string {
  if (o.inputCount < 1 || !o.hasInput(0)) return "missing input";
  if (o.outputCount < 1) return "missing output";
  const input = o.input(0);
  const output = o.output(0);
  if (input.type != output.type) return "input and output types differ";
  if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
  if (input.elements != output.elements) return "input and output element counts differ";
  return "";
}

/** Whether all three int8 tensors have a positive scale (else: "int8 tensors need positive scales"). */
export function positiveScales(a: Tensor, b: Tensor, out: Tensor): bool {
  return a.scale > 0 && b.scale > 0 && out.scale > 0;
}

/** Per-byte value of one int8 input: ((q - zeroPoint) << leftShift) rescaled by (multiplier, shift). */
export function inputTable(zeroPoint: i32, multiplier: i32, shift: i32, leftShift: i32): StaticArray<i32> {
  const t = new StaticArray<i32>(256);
  for (let u = 0; u < 256; u++) {
    const q = <i32><i8>u;
    t[u] = multiplyByQuantizedMultiplier((q - zeroPoint) * (1 << leftShift), multiplier, shift);
  }
  return t;
}

/** inputTable for a real rescale factor. */
export function scaledInputTable(zeroPoint: i32, real: f64, leftShift: i32): StaticArray<i32> {
  return inputTable(zeroPoint, quantizedMultiplier(real), quantizedShift(real), leftShift);
}
