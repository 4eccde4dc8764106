// BATCH_MATMUL: out[..., m, n] = sum_k lhs[..., m, k] * rhs[..., k, n], adj_x / adj_y
// transposing the last two dimensions of lhs / rhs, batch dimensions (up to three) broadcast.
// int8 is TFLite's reference: zero-point-corrected products summed in int32, rescaled by
// s_lhs * s_rhs / s_out (formed in float32) and clamped to int8; float32 sums in k order.
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../quant";
import { ExtensionOp } from "./extension";
import { clampI8 } from "./activations";

const OPT_ADJ_X: u32 = 0; // BatchMatMulOptions.adj_x
const OPT_ADJ_Y: u32 = 1; // BatchMatMulOptions.adj_y
const BATCH_DIMS: i32 = 3;

/** Batch dimension d (0..2) of t, its shape extended to rank 5 with leading ones. */
function batchDim(t: Tensor, d: i32): i32 {
  const k = d - (BATCH_DIMS + 2 - t.rank);
  return k >= 0 ? t.dim(k) : 1;
}

export class BatchMatMul extends ExtensionOp {
  private lhs: Tensor | null = null;
  private rhs: Tensor | null = null;
  private out: Tensor | null = null;
  private M: i32 = 0;
  private N: i32 = 0;
  private K: i32 = 0;
  // Element strides of lhs (m, k) and rhs (k, n) after adj_x / adj_y.
  private lm: i32 = 0;
  private lk: i32 = 0;
  private rk: i32 = 0;
  private rn: i32 = 0;
  private batch: StaticArray<i32> = new StaticArray<i32>(BATCH_DIMS);
  private lhsBatchStride: StaticArray<i32> = new StaticArray<i32>(BATCH_DIMS);
  private rhsBatchStride: StaticArray<i32> = new StaticArray<i32>(BATCH_DIMS);
  private m: i32 = 0;
  private s: i32 = 0;

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 2 || !o.hasInput(0) || !o.hasInput(1) || o.outputCount < 1) return "needs two inputs and one output";
    const lhs = o.input(0);
    const rhs = o.input(1);
    const out = o.output(0);
    if (lhs.type != rhs.type || lhs.type != out.type) return "input and output types must be the same";
    if (lhs.type != TYPE_INT8 && lhs.type != TYPE_FLOAT32) return "inputs must be int8 or float32";
    if (lhs.rank < 2 || rhs.rank < 2 || lhs.rank > 5 || rhs.rank > 5) return "input ranks must be 2 to 5";
    const adjX = o.optBool(OPT_ADJ_X, false);
    const adjY = o.optBool(OPT_ADJ_Y, false);
    const lr = lhs.dim(-2), lc = lhs.dim(-1);
    const rr = rhs.dim(-2), rc = rhs.dim(-1);
    this.M = adjX ? lc : lr;
    this.K = adjX ? lr : lc;
    this.N = adjY ? rr : rc;
    if ((adjY ? rc : rr) != this.K) return "inner dimensions differ (" + this.K.toString() + " and " + (adjY ? rc : rr).toString() + ")";
    this.lm = adjX ? 1 : lc;
    this.lk = adjX ? lc : 1;
    this.rk = adjY ? 1 : rc;
    this.rn = adjY ? rc : 1;
    const outRank = max(lhs.rank, rhs.rank);
    if (out.rank != outRank || out.dim(-2) != this.M || out.dim(-1) != this.N) return "output shape is not the product's";
    let ls = lhs.dim(-2) * lhs.dim(-1);
    let rs = rhs.dim(-2) * rhs.dim(-1);
    for (let d = BATCH_DIMS - 1; d >= 0; d--) {
      const a = batchDim(lhs, d);
      const b = batchDim(rhs, d);
      if (a != b && a != 1 && b != 1) return "batch dimensions do not broadcast";
      const n = max(a, b);
      const k = d - (BATCH_DIMS + 2 - outRank);
      if ((k >= 0 ? out.dim(k) : 1) != n) return "output batch dimensions are not the broadcast of the inputs'";
      this.batch[d] = n;
      this.lhsBatchStride[d] = a == 1 ? 0 : ls;
      this.rhsBatchStride[d] = b == 1 ? 0 : rs;
      ls *= a;
      rs *= b;
    }
    if (lhs.type == TYPE_INT8) {
      if (!(lhs.scale > 0) || !(rhs.scale > 0) || !(out.scale > 0)) return "int8 tensors need positive scales";
      if (lhs.isPerChannel() || rhs.isPerChannel()) return "int8 inputs must be quantised per tensor";
      const real = <f64>(lhs.scale * rhs.scale / out.scale);
      if (!isFinite(real) || !(real > 0)) return "int8 scales give a rescale factor out of range";
      this.m = quantizedMultiplier(real);
      this.s = quantizedShift(real);
    }
    this.lhs = lhs;
    this.rhs = rhs;
    this.out = out;
    return "";
  }

  eval(scratch: usize): void {
    const lhs = changetype<Tensor>(this.lhs);
    const rhs = changetype<Tensor>(this.rhs);
    const out = changetype<Tensor>(this.out);
    const isFloat = lhs.type == TYPE_FLOAT32;
    const M = this.M, N = this.N, K = this.K;
    const lm = this.lm, lk = this.lk, rk = this.rk, rn = this.rn;
    const zl = lhs.zeroPoint, zr = rhs.zeroPoint, zo = out.zeroPoint;
    let o = 0;
    for (let b0 = 0; b0 < unchecked(this.batch[0]); b0++) {
      for (let b1 = 0; b1 < unchecked(this.batch[1]); b1++) {
        for (let b2 = 0; b2 < unchecked(this.batch[2]); b2++) {
          const lb = b0 * unchecked(this.lhsBatchStride[0]) + b1 * unchecked(this.lhsBatchStride[1]) + b2 * unchecked(this.lhsBatchStride[2]);
          const rb = b0 * unchecked(this.rhsBatchStride[0]) + b1 * unchecked(this.rhsBatchStride[1]) + b2 * unchecked(this.rhsBatchStride[2]);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              let li = lb + i * lm;
              let ri = rb + j * rn;
              if (isFloat) {
                let sum: f32 = 0;
                for (let k = 0; k < K; k++) {
                  sum += load<f32>(lhs.data + (<usize>li << 2)) * load<f32>(rhs.data + (<usize>ri << 2));
                  li += lk;
                  ri += rk;
                }
                store<f32>(out.data + (<usize>o << 2), sum);
              } else {
                let acc = 0;
                for (let k = 0; k < K; k++) {
                  acc += (<i32>load<i8>(lhs.data + <usize>li) - zl) * (<i32>load<i8>(rhs.data + <usize>ri) - zr);
                  li += lk;
                  ri += rk;
                }
                store<i8>(out.data + <usize>o, <i8>clampI8(multiplyByQuantizedMultiplier(acc, this.m, this.s) + zo));
              }
              o++;
            }
          }
        }
      }
    }
  }
}
