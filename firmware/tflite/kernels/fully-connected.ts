// FULLY_CONNECTED (int8 per-tensor or per-channel, float32) over the widened-row GEMM blocks
// it shares with CONV_2D (common/gemm.ts).
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { ACT_NONE, TYPE_FLOAT32, TYPE_INT32, TYPE_INT8 } from "../schema";
import { activationMaxF, activationMinF, isSupportedActivation } from "../quant";
import { ChannelQuant } from "./common/channel-quant";
import { gemmRows, widenRow } from "./common/gemm";
import { gemvRow } from "./common/gemv";
import { gemmDirect } from "./common/gemm-direct";
import { biasF32, checkBias, checkFilterQuant } from "./common/weights";

// ---- FULLY_CONNECTED ------------------------------------------------------------------------
export class FullyConnected extends Kernel {
  // Few fields: the object stays in the arena's tail for the whole run (k8, the float clamp
  // bounds and the requantisation are derived from what is kept).
  private float: bool = false;
  private act: u8 = <u8>ACT_NONE;
  /** Fewer than 4 batch rows: each row runs straight from the int8 input (common/gemv.ts), with
   *  no scratch and no requantisation records in the arena; more rows do so in blocks
   *  (common/gemm-direct.ts) when the interpreter takes this lean path (useLeanPath). */
  private direct: bool = false;
  private batches: i32 = 0;
  private inputs: i32 = 0;
  private inOffset: i32 = 0;

  /** Output units: the weights' rows. */
  private get outputs(): i32 {
    return this.op.input(1).dim(0);
  }

  /** The depth rounded up to the 8 values of a dot-product chunk. */
  private get k8(): i32 {
    return (this.inputs + 7) & ~7;
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input, weights and an output";
    const input = op.input(0), weights = op.input(1), output = op.output(0);
    const act = op.optU8(0, ACT_NONE);
    if (!isSupportedActivation(<i32>act)) return "unsupported fused activation " + act.toString();
    if (op.optU8(1, 0) != 0) return "only the default weights format is supported";
    this.float = input.type == TYPE_FLOAT32;
    if (this.float ? (weights.type != TYPE_FLOAT32 || output.type != TYPE_FLOAT32) : (input.type != TYPE_INT8 || weights.type != TYPE_INT8 || output.type != TYPE_INT8)) {
      return "input, weights and output must all be int8 or all float32";
    }
    if (weights.rank != 2) return "weights must be 2-D";
    const n = weights.dim(0), k = weights.dim(1);
    if (n <= 0 || k <= 0 || input.elements % k != 0) return "input size is not a multiple of the weights' depth";
    this.inputs = k;
    this.batches = input.elements / k;
    if (output.rank < 1 || output.dim(-1) != n || output.elements != this.batches * n) return "output shape does not match batch x units";
    const bias = op.hasInput(2) ? op.input(2) : null;
    const why = checkBias(bias, this.float, n);
    if (why.length > 0) return why;
    this.act = <u8>act;
    if (this.float) return "";
    const fq = checkFilterQuant(weights, n, 0);
    if (fq.length > 0) return fq;
    // The input zero point is subtracted as the input is widened (TFLM's input_offset), so the
    // bias is read in place and nothing is kept per channel beyond the multiplier and shift.
    this.inOffset = -input.zeroPoint;
    const cq = ChannelQuant.create(n, <i32>act, output.scale, output.zeroPoint, !weights.isPerChannel(), true, bias);
    // TFLite: per-tensor scales multiply in float (one multiplier for the layer), per-channel
    // ones in double (found in integers by setMultipliers; a double division is a software routine
    // on the M33). The bias is read in place, so nothing else is set per channel.
    if (!weights.isPerChannel()) cq.setMultiplier(<f64>(input.scale * weights.scale) / <f64>output.scale);
    else cq.setMultipliers(input.scale, weights, output.scale);
    cq.finish();
    this.quant = cq;
    this.direct = this.batches < 4;
    return "";
  }

  /** Only the blocked path (4 or more batch rows) reads expanded records. */
  readsRecords(): bool {
    return this.quant !== null && !this.direct;
  }

  hasLeanPath(): bool {
    return !this.float && !this.direct;
  }

  useLeanPath(): void {
    this.direct = true;
  }

  scratchBytes(): i32 {
    // The widened rows of the largest block eval runs (8 or 4 batch rows; single rows past
    // them reuse the first), plus the slack of a chunk; a direct layer needs none.
    const rows = this.batches >= 8 ? 8 : 4;
    return this.float || this.direct ? 0 : rows * this.k8 * 2 + 16;
  }

  macs(): u64 {
    return <u64>this.batches * <u64>this.inputs * <u64>this.outputs;
  }

  eval(scratch: usize): void {
    if (this.float) { this.evalFloat(); return; }
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const K = this.inputs, n = this.outputs, k8 = this.k8, cq = changetype<ChannelQuant>(this.quant), off = this.inOffset;
    if (this.direct) {
      const bias = this.op.hasInput(2) ? this.op.input(2).data : 0;
      if (this.batches >= 4) { gemmDirect(input, this.batches, K, off, w, bias, n, cq, out); return; }
      for (let b = 0; b < this.batches; b++) gemvRow(input + <usize>(b * K), K, off, w, bias, n, cq, out + <usize>(b * n));
      return;
    }
    const os = <usize>n;
    let b = 0;
    for (; b + 8 <= this.batches; b += 8) {
      for (let r = 0; r < 8; r++) widenRow(input + <usize>((b + r) * K), K, scratch + <usize>(r << 4), 128, off);
      gemmRows(scratch, 8, k8, w, K, n, cq, out + <usize>(b * n), os);
    }
    for (; b + 4 <= this.batches; b += 4) {
      for (let r = 0; r < 4; r++) widenRow(input + <usize>((b + r) * K), K, scratch + <usize>(r << 4), 64, off);
      gemmRows(scratch, 4, k8, w, K, n, cq, out + <usize>(b * n), os);
    }
    for (; b < this.batches; b++) {
      widenRow(input + <usize>(b * K), K, scratch, 16, off);
      gemmRows(scratch, 1, k8, w, K, n, cq, out + <usize>(b * n), os);
    }
  }

  private evalFloat(): void {
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const K = this.inputs, n = this.outputs, lo = activationMinF(<i32>this.act), hi = activationMaxF(<i32>this.act);
    const bias = this.op.hasInput(2) ? this.op.input(2) : null;
    for (let b = 0; b < this.batches; b++) {
      const x = input + (<usize>(b * K) << 2);
      for (let c = 0; c < n; c++) {
        const wr = w + (<usize>(c * K) << 2);
        let s: f32 = 0;
        for (let k = 0; k < K; k++) s += load<f32>(x + (<usize>k << 2)) * load<f32>(wr + (<usize>k << 2));
        s += biasF32(bias, c);
        store<f32>(out + (<usize>(b * n + c) << 2), min(max(s, lo), hi));
      }
    }
  }
}
