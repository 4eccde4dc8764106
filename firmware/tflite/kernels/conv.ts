// CONV_2D, int8 (per-channel or per-tensor filter scales) and float32.
// int8: each output pixel's receptive field ("patch") is widened once to int16 in scratch,
// with the input zero point where the window leaves the image (the zero point is folded into
// the bias, so those taps add nothing, as TFLite's skipped taps do); blocks of 4 pixels × 4
// output channels then run as i32x4.dot_i16x8_s over the patches and the int8 weight rows,
// which are read in place from flash. 1x1 stride-1 convolutions use the input rows directly.
import { Tensor } from "../tensor";
import { ACT_NONE, PADDING_SAME, PADDING_VALID, TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { activationMaxF, activationMinF, isSupportedActivation } from "../quant";
import { ChannelQuant } from "./common/channel-quant";
import { gemmRows, rowSum, widenRow } from "./common/gemm";
import { gemmDirect } from "./common/gemm-direct";
import { biasF32, biasI32, checkBias, checkFilterQuant } from "./common/weights";
import { ConvGeometry } from "./common/conv-geometry";

export class Conv2D extends ConvGeometry {
  // Few fields: the object stays in the arena's tail for the whole run (k8, the float clamp
  // bounds and the requantisation are derived from what is kept).
  private float: bool = false;
  private pointwise: bool = false;
  /** The pointwise path straight from the int8 input with the kept requantisation data
   *  (useLeanPath): nothing in the arena's head beyond the tensors. */
  private direct: bool = false;
  private act: u8 = <u8>ACT_NONE;
  private K: i32 = 0;
  private bias: Tensor | null = null;
  private inZp: i32 = 0;

  /** The patch length rounded up to the 8 values of a dot-product chunk. */
  private get k8(): i32 {
    return (this.K + 7) & ~7;
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input, a filter and an output";
    const input = op.input(0), filter = op.input(1), output = op.output(0);
    this.float = input.type == TYPE_FLOAT32;
    if (this.float ? (filter.type != TYPE_FLOAT32 || output.type != TYPE_FLOAT32) : (input.type != TYPE_INT8 || filter.type != TYPE_INT8 || output.type != TYPE_INT8)) {
      return "input, filter and output must all be int8 or all float32";
    }
    if (filter.rank != 4) return "filter must be 4-D [out, h, w, in]";
    const act = <i32>op.optU8(3, ACT_NONE);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    const g = this;
    const why = g.check(input, filter.dim(1), filter.dim(2), output, <i32>op.optU8(0, PADDING_SAME), op.optI32(1, 0), op.optI32(2, 0), op.optI32(4, 1), op.optI32(5, 1));
    if (why.length > 0) return why;
    if (filter.dim(3) != g.inC) return "filter depth " + filter.dim(3).toString() + " differs from the input's " + g.inC.toString() + " (grouped convolution is not supported)";
    if (filter.dim(0) != g.outC) return "filter has " + filter.dim(0).toString() + " output channels, the output " + g.outC.toString();
    const bias = op.hasInput(2) ? op.input(2) : null;
    const bw = checkBias(bias, this.float, g.outC);
    if (bw.length > 0) return bw;
    this.bias = bias;
    this.K = g.kH * g.kW * g.inC;
    this.pointwise = g.kH == 1 && g.kW == 1 && g.strideH == 1 && g.strideW == 1 && g.outH == g.inH && g.outW == g.inW;
    this.act = <u8>act;
    if (this.float) return "";
    const fq = checkFilterQuant(filter, g.outC, 0);
    if (fq.length > 0) return fq;
    this.inZp = input.zeroPoint;
    // 1x1: the input zero point is subtracted as the rows are widened (TFLM's input_offset), so
    // the bias is read in place; the im2col path folds it into the bias (its padding taps hold
    // the zero point and add nothing).
    const inPlace = this.pointwise;
    const cq = ChannelQuant.create(g.outC, act, output.scale, output.zeroPoint, !filter.isPerChannel(), inPlace, bias);
    cq.setMultipliers(input.scale, filter, output.scale);
    if (!inPlace) {
      // Each channel's weight sum, in a block given back straight after (the last on the heap).
      const sums = heap.alloc(<usize>g.outC << 2);
      for (let c = 0; c < g.outC; c++) store<i32>(sums + (<usize>c << 2), rowSum(filter.data + <usize>c * <usize>this.K, this.K));
      cq.foldBiases(bias, sums, input.zeroPoint);
      heap.free(sums);
    }
    cq.finish();
    this.quant = cq;
    return "";
  }

  readsRecords(): bool {
    return this.quant !== null && !this.direct;
  }

  scratchBytes(): i32 {
    // Eight interleaved patches, then one linear patch with a chunk of slack.
    return this.float || this.direct ? 0 : 8 * this.k8 * 2 + (this.k8 + 16) * 2;
  }

  hasLeanPath(): bool {
    // A pointwise layer can read its rows straight from the input (common/gemm-direct.ts).
    return this.pointwise && !this.float;
  }

  useLeanPath(): void {
    this.direct = true;
  }

  macs(): u64 {
    const g = this;
    return <u64>g.batches * <u64>g.outH * <u64>g.outW * <u64>g.outC * <u64>this.K;
  }

  eval(scratch: usize): void {
    if (this.float) this.evalFloat();
    else if (this.direct) this.evalDirect();
    else if (this.pointwise) this.evalPointwise(scratch);
    else this.evalIm2col(scratch);
  }

  private evalPointwise(scratch: usize): void {
    const g = this, cq = changetype<ChannelQuant>(this.quant);
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const C = g.inC, n = g.outC, K = this.K, k8 = this.k8, off = -this.inZp;
    const pixels = g.batches * g.outH * g.outW;
    const os = <usize>n;
    let p = 0;
    for (; p + 8 <= pixels; p += 8) {
      let src = input + <usize>(p * C);
      for (let r = 0; r < 8; r++) { widenRow(src, C, scratch + <usize>(r << 4), 128, off); src += <usize>C; }
      gemmRows(scratch, 8, k8, w, K, n, cq, out + <usize>(p * n), os);
    }
    for (; p + 4 <= pixels; p += 4) {
      let src = input + <usize>(p * C);
      for (let r = 0; r < 4; r++) { widenRow(src, C, scratch + <usize>(r << 4), 64, off); src += <usize>C; }
      gemmRows(scratch, 4, k8, w, K, n, cq, out + <usize>(p * n), os);
    }
    for (; p < pixels; p++) {
      widenRow(input + <usize>(p * C), C, scratch, 16, off);
      gemmRows(scratch, 1, k8, w, K, n, cq, out + <usize>(p * n), os);
    }
  }

  /** The pointwise layer with no scratch and no records: every pixel is a row of the input. */
  private evalDirect(): void {
    const g = this, op = this.op;
    const bias = op.hasInput(2) ? op.input(2).data : 0;
    gemmDirect(op.input(0).data, g.batches * g.outH * g.outW, g.inC, -this.inZp, op.input(1).data, bias, g.outC, changetype<ChannelQuant>(this.quant), op.output(0).data);
  }

  private evalIm2col(scratch: usize): void {
    const g = this, cq = changetype<ChannelQuant>(this.quant);
    const w = this.op.input(1).data, out = this.op.output(0).data;
    const n = g.outC, K = this.K, k8 = this.k8;
    const linear = scratch + <usize>(8 * k8 * 2);
    const groups = k8 >> 3;
    const pixels = g.batches * g.outH * g.outW;
    const os = <usize>n;
    // Output coordinates advance incrementally (no division per pixel).
    let b = 0, oy = 0, ox = 0;
    let p = 0;
    while (p < pixels) {
      const rows = p + 8 <= pixels ? 8 : p + 4 <= pixels ? 4 : 1;
      if (rows == 1) {
        this.patch(b, oy, ox, linear);
        if (++ox == g.outW) { ox = 0; if (++oy == g.outH) { oy = 0; b++; } }
        gemmRows(linear, 1, k8, w, K, n, cq, out + <usize>(p * n), os);
        p++;
        continue;
      }
      // Build each patch linearly, then deal its groups of 8 into the interleaved layout.
      const stride = <usize>(rows << 4);
      for (let r = 0; r < rows; r++) {
        this.patch(b, oy, ox, linear);
        if (++ox == g.outW) { ox = 0; if (++oy == g.outH) { oy = 0; b++; } }
        let dst = scratch + <usize>(r << 4);
        for (let i = 0; i < groups; i++) { v128.store(dst, v128.load(linear + <usize>(i << 4))); dst += stride; }
      }
      gemmRows(scratch, rows, k8, w, K, n, cq, out + <usize>(p * n), os);
      p += rows;
    }
  }

  /** The widened receptive field of output pixel (b, oy, ox) at dst: K values, zeros up to k8. */
  private patch(b: i32, oy: i32, ox: i32, dst: usize): void {
    const g = this;
    const C = g.inC;
    const y0 = oy * g.strideH - g.padT, x0 = ox * g.strideW - g.padL;
    const image = this.op.input(0).data + <usize>(b * g.inH * g.inW * C);
    const rowBytes = <usize>(g.inW * C), tapBytes = <usize>(g.dilW * C);
    const chunk = <usize>C << 1;
    let at = dst;
    if (y0 >= 0 && x0 >= 0 && y0 + (g.kH - 1) * g.dilH < g.inH && x0 + (g.kW - 1) * g.dilW < g.inW) {
      // The window lies inside the image: plain copies. Chunks of 8 may run past a tap;
      // the next tap (or the final zeroing) overwrites them.
      let row = image + <usize>(y0 * g.inW + x0) * <usize>C;
      const rowStep = rowBytes * <usize>g.dilH;
      if (g.dilW == 1) {
        // The window's row is kW·C contiguous bytes: widen it 8 at a time.
        const span = <usize>(g.kW * C), spanBytes = span << 1;
        for (let dy = 0; dy < g.kH; dy++) {
          for (let c: usize = 0; c < span; c += 8) v128.store(at + (c << 1), v128.load8x8_s(row + c));
          at += spanBytes;
          row += rowStep;
        }
      } else {
        for (let dy = 0; dy < g.kH; dy++) {
          let src = row;
          if (C <= 8) {
            for (let dx = 0; dx < g.kW; dx++) { v128.store(at, v128.load8x8_s(src)); src += tapBytes; at += chunk; }
          } else {
            for (let dx = 0; dx < g.kW; dx++) {
              for (let c = 0; c < C; c += 8) v128.store(at + (<usize>c << 1), v128.load8x8_s(src + <usize>c));
              src += tapBytes;
              at += chunk;
            }
          }
          row += rowStep;
        }
      }
    } else {
      const zp = i16x8.splat(<i16>this.inZp);
      for (let dy = 0; dy < g.kH; dy++) {
        const iy = y0 + dy * g.dilH;
        const rowInside = iy >= 0 && iy < g.inH;
        const row = image + <usize>(iy * g.inW * C);
        for (let dx = 0; dx < g.kW; dx++) {
          const ix = x0 + dx * g.dilW;
          if (rowInside && ix >= 0 && ix < g.inW) {
            const src = row + <usize>(ix * C);
            for (let c = 0; c < C; c += 8) v128.store(at + (<usize>c << 1), v128.load8x8_s(src + <usize>c));
          } else {
            for (let c = 0; c < C; c += 8) v128.store(at + (<usize>c << 1), zp);
          }
          at += chunk;
        }
      }
    }
    v128.store(at, i32x4.splat(0));
  }

  private evalFloat(): void {
    const g = this;
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const C = g.inC, lo = activationMinF(<i32>this.act), hi = activationMaxF(<i32>this.act), bias = this.bias;
    let o = out;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        const y0 = oy * g.strideH - g.padT;
        for (let ox = 0; ox < g.outW; ox++) {
          const x0 = ox * g.strideW - g.padL;
          for (let oc = 0; oc < g.outC; oc++) {
            let s: f32 = 0;
            for (let dy = 0; dy < g.kH; dy++) {
              const iy = y0 + dy * g.dilH;
              if (iy < 0 || iy >= g.inH) continue;
              for (let dx = 0; dx < g.kW; dx++) {
                const ix = x0 + dx * g.dilW;
                if (ix < 0 || ix >= g.inW) continue;
                const src = input + (<usize>(((b * g.inH + iy) * g.inW + ix) * C) << 2);
                const wr = w + (<usize>(((oc * g.kH + dy) * g.kW + dx) * C) << 2);
                for (let c = 0; c < C; c++) s += load<f32>(src + (<usize>c << 2)) * load<f32>(wr + (<usize>c << 2));
              }
            }
            store<f32>(o, min(max(s + biasF32(bias, oc), lo), hi));
            o += 4;
          }
        }
      }
    }
  }
}
