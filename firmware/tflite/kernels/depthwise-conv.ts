// DEPTHWISE_CONV_2D, int8 (per-channel or per-tensor) and float32, any depth multiplier.
// The int8 3x3 / multiplier 1 / stride 1-2 case (MobileNets) is vectorised along channels:
// each input row is widened once into "pair rows" holding, for 4 channels, the values of two
// neighbouring columns side by side, so one i32x4.dot_i16x8_s applies two filter taps to 4
// channels at once. Rows outside the image are a row of the input zero point (folded into
// the bias, so they add nothing, as TFLite's skipped taps do). A depth multiplier above 1 has
// its own path (depthwise-multiplier.ts). Other windows (Kx1 over time, 5x5, dilated...) run
// 8 channels at a time straight from the input and the filter (depthwise-window.ts).
import { Tensor } from "../tensor";
import { ACT_NONE, PADDING_SAME, TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { activationMaxF, activationMinF, isSupportedActivation } from "../quant";
import { ChannelQuant } from "./common/channel-quant";
import { Q_BIAS, Q_BYTES, Q_KNEG, Q_KPOS, Q_M, Q_NEG, Q_S, Q_ZP, requant, requantAt } from "./common/requant";
import { biasF32, biasI32, checkBias, checkFilterQuant } from "./common/weights";
import { columnSums } from "../weight-sum";
import { ConvGeometry } from "./common/conv-geometry";
import { depthwiseMultiplierFloat, depthwiseMultiplierInt8, multiplierScratchBytes } from "./depthwise-multiplier";
import { depthwise3x3Direct } from "./depthwise-direct";
import { depthwiseWindowInt8 } from "./depthwise-window";
import { depthwiseMultiplierFloatDirect, depthwiseMultiplierInt8Direct } from "./depthwise-multiplier-direct";

export class DepthwiseConv2D extends ConvGeometry {
  // Few fields, the small ones together: the object stays in the arena's tail for the whole
  // run (the float clamp bounds, the fast path's group count and row size are derived).
  private float: bool = false;
  private fast: bool = false;
  private act: u8 = <u8>ACT_NONE;
  // The 3x3 or depth-multiplier layer straight from the input and the filter, with the kept
  // requantisation data (useLeanPath; depthwise-direct.ts, depthwise-multiplier-direct.ts):
  // nothing in the arena's head beyond the tensors.
  private direct: bool = false;
  private mult: i32 = 1;
  private bias: Tensor | null = null;
  private inZp: i32 = 0;
  // Fast path: pairs per row, 4-channel groups (even), bytes per pair row, the row in each slot.
  private pairs: i32 = 0;
  // The input row each of the 4 pair-row slots holds: four fields addressed by slot (slotRow),
  // not an array object of their own in the arena's tail.
  private slot0: i16 = -1;
  private slot1: i16 = -1;
  private slot2: i16 = -1;
  private slot3: i16 = -1;

  private get multi(): bool {
    return this.mult > 1;
  }

  private get groups(): i32 {
    return ((this.outC + 7) >> 3) << 1;
  }

  private get rowBytes(): i32 {
    return this.pairs * this.groups * 16;
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input, a filter and an output";
    const input = op.input(0), filter = op.input(1), output = op.output(0);
    this.float = input.type == TYPE_FLOAT32;
    if (this.float ? (filter.type != TYPE_FLOAT32 || output.type != TYPE_FLOAT32) : (input.type != TYPE_INT8 || filter.type != TYPE_INT8 || output.type != TYPE_INT8)) {
      return "input, filter and output must all be int8 or all float32";
    }
    if (filter.rank != 4 || filter.dim(0) != 1) return "filter must be 4-D [1, h, w, channels]";
    const act = <i32>op.optU8(4, ACT_NONE);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    const g = this;
    const why = g.check(input, filter.dim(1), filter.dim(2), output, <i32>op.optU8(0, PADDING_SAME), op.optI32(1, 0), op.optI32(2, 0), op.optI32(5, 1), op.optI32(6, 1));
    if (why.length > 0) return why;
    if (g.inC < 1 || g.outC % g.inC != 0) return "output channels are not a multiple of the input channels";
    this.mult = g.outC / g.inC;
    const dm = op.optI32(3, 0);
    if (dm != 0 && dm != this.mult) return "depth multiplier " + dm.toString() + " does not match the channel counts";
    if (filter.dim(3) != g.outC) return "filter channels differ from the output channels";
    const bias = op.hasInput(2) ? op.input(2) : null;
    const bw = checkBias(bias, this.float, g.outC);
    if (bw.length > 0) return bw;
    this.bias = bias;
    this.act = <u8>act;
    if (this.float) return "";
    const fq = checkFilterQuant(filter, g.outC, 3);
    if (fq.length > 0) return fq;
    this.inZp = input.zeroPoint;
    const taps = g.kH * g.kW;
    const cq = ChannelQuant.create(g.outC, act, output.scale, output.zeroPoint, !filter.isPerChannel());
    cq.setMultipliers(input.scale, filter, output.scale);
    // Each channel's taps summed (the filter is [1, h, w, channels]), in a block given back
    // straight after (the last on the heap), for the input zero point folded into the bias.
    const sums = heap.alloc(<usize>g.outC << 2);
    columnSums(filter.data, taps, g.outC, sums);
    cq.foldBiases(bias, sums, input.zeroPoint);
    heap.free(sums);
    cq.finish();
    this.quant = cq;
    this.fast = this.mult == 1 && g.kH == 3 && g.kW == 3 && g.dilH == 1 && g.dilW == 1 &&
      (g.strideW == 1 || g.strideW == 2) && g.strideH >= 1 && g.inH <= i16.MAX_VALUE; // rows fit the i16 slots
    if (this.fast) {
      this.pairs = ((g.outW - 1) * g.strideW + 4) / 2 + 1;
    }
    return "";
  }

  /** The vectorised paths read expanded records; the direct and any-window paths derive them
   *  from the kept data (depthwise-direct.ts, depthwise-window.ts). */
  readsRecords(): bool {
    return this.quant !== null && !this.direct && (this.fast || this.multi);
  }

  scratchBytes(): i32 {
    // Four pair rows, a zero-point row and the widened filter vectors of every channel group.
    if (this.multi) return this.direct ? 0 : multiplierScratchBytes(this, this.mult, this.float);
    return this.fast && !this.float && !this.direct ? 5 * this.rowBytes + this.groups * 12 * 16 : 0;
  }

  hasLeanPath(): bool {
    return this.multi || (this.fast && !this.float);
  }

  useLeanPath(): void {
    this.direct = true;
  }

  macs(): u64 {
    const g = this;
    return <u64>g.batches * <u64>g.outH * <u64>g.outW * <u64>g.outC * <u64>(g.kH * g.kW);
  }

  eval(scratch: usize): void {
    const op = this.op;
    if (this.float && this.multi && this.direct) depthwiseMultiplierFloatDirect(this, op.input(0).data, op.input(1).data, this.bias, op.output(0).data, this.mult, activationMinF(<i32>this.act), activationMaxF(<i32>this.act));
    else if (this.float && this.multi) depthwiseMultiplierFloat(this, op.input(0).data, op.input(1).data, this.bias, op.output(0).data, this.mult, activationMinF(<i32>this.act), activationMaxF(<i32>this.act), scratch);
    else if (this.float) this.evalFloat();
    else if (this.direct && this.multi) depthwiseMultiplierInt8Direct(this, op.input(0).data, op.input(1).data, op.output(0).data, this.mult, this.inZp, changetype<ChannelQuant>(this.quant));
    else if (this.direct) depthwise3x3Direct(this, op.input(0).data, op.input(1).data, op.output(0).data, this.inZp, changetype<ChannelQuant>(this.quant));
    else if (this.fast) { if (changetype<ChannelQuant>(this.quant).folded) this.evalFast<u8>(scratch); else this.evalFast<i8>(scratch); }
    else if (this.multi) depthwiseMultiplierInt8(this, op.input(0).data, op.input(1).data, op.output(0).data, this.mult, this.inZp, changetype<ChannelQuant>(this.quant), scratch);
    else depthwiseWindowInt8(this, op.input(0).data, op.input(1).data, op.output(0).data, this.inZp, changetype<ChannelQuant>(this.quant));
  }

  /** Widens channels c0.. (one pass) of input row iy of batch b into pair-row layout
   *  [group][pair][c0 x, c0 x+1, c1 x, ...]. */
  private buildRow(b: i32, iy: i32, dst: usize, c0: i32): void {
    const g = this;
    const C = g.inC, J = this.pairs, cEnd = min(C, c0 + (this.groups << 2));
    const zp = i8x16.splat(<i8>this.inZp);
    const row = this.op.input(0).data + <usize>((b * g.inH + iy) * g.inW * C);
    const groupBytes = <usize>(J << 4);
    for (let j = 0; j < J; j++) {
      const x = 2 * j - g.padL;
      const inA = x >= 0 && x < g.inW, inB = x + 1 >= 0 && x + 1 < g.inW;
      let d = dst + <usize>(j << 4);
      for (let c = c0; c < cEnd; c += 8) {
        const a = inA ? v128.load64_zero(row + <usize>(x * C + c)) : zp;
        const bb = inB ? v128.load64_zero(row + <usize>((x + 1) * C + c)) : zp;
        const mix = i8x16.shuffle(a, bb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        v128.store(d, i16x8.extend_low_i8x16_s(mix));
        v128.store(d + groupBytes, i16x8.extend_high_i8x16_s(mix));
        d += groupBytes << 1;
      }
    }
  }

  /** Where slot k's input row is kept (slot0..slot3, consecutive fields). */
  // @ts-ignore: decorator
  @inline private slotRow(k: i32): usize {
    return changetype<usize>(this) + offsetof<DepthwiseConv2D>("slot0") + (<usize>k << 1);
  }

  /** The pair row holding input row iy (building it if needed), or the zero-point row. */
  private rowFor(b: i32, iy: i32, scratch: usize, c0: i32): usize {
    if (iy < 0 || iy >= this.inH) return scratch + <usize>(4 * this.rowBytes);
    const slot = iy & 3;
    const at = scratch + <usize>(slot * this.rowBytes);
    const held = this.slotRow(slot);
    if (<i32>load<i16>(held) != iy) {
      this.buildRow(b, iy, at, c0);
      store<i16>(held, <i16>iy);
    }
    return at;
  }

  /** F: u8 for the folded requantisation form, i8 for the general one (see ChannelQuant). */
  private evalFast<F>(scratch: usize): void {
    const folded = !isSigned<F>();
    const g = this, cq = changetype<ChannelQuant>(this.quant);
    const C = g.outC, J = this.pairs, s = g.strideW;
    const filter = this.op.input(1).data, out = this.op.output(0).data;
    const zpRow = scratch + <usize>(4 * this.rowBytes);
    const zp16 = i16x8.splat(<i16>this.inZp);
    for (let i = 0; i < this.rowBytes; i += 16) v128.store(zpRow + <usize>i, zp16);
    const wvAll = scratch + <usize>(5 * this.rowBytes);
    const amin = cq.amin, amax = cq.amax, passC = this.groups << 2;
    for (let c0 = 0; c0 < C; c0 += passC) {
      const cEnd = min(C, c0 + passC);
      for (let c = c0; c < cEnd; c += 4) this.filterVectors(filter, c, wvAll + <usize>(((c - c0) >> 2) * 192));
      for (let b = 0; b < g.batches; b++) {
        for (let k = 0; k < 4; k++) store<i16>(this.slotRow(k), -1);
        for (let oy = 0; oy < g.outH; oy++) {
          const y0 = oy * g.strideH - g.padT;
          const r0 = this.rowFor(b, y0, scratch, c0), r1 = this.rowFor(b, y0 + 1, scratch, c0), r2 = this.rowFor(b, y0 + 2, scratch, c0);
          const orow = out + <usize>(((b * g.outH + oy) * g.outW) * C);
          for (let c = c0; c < cEnd; c += 4) {
            const wv = wvAll + <usize>(((c - c0) >> 2) * 192);
            const A0 = v128.load(wv), B0 = v128.load(wv, 16), C0 = v128.load(wv, 32), D0 = v128.load(wv, 48);
            const A1 = v128.load(wv, 64), B1 = v128.load(wv, 80), C1 = v128.load(wv, 96), D1 = v128.load(wv, 112);
            const A2 = v128.load(wv, 128), B2 = v128.load(wv, 144), C2 = v128.load(wv, 160), D2 = v128.load(wv, 176);
            const off = <usize>(((c - c0) >> 2) * J) << 4;
            const p0 = r0 + off, p1 = r1 + off, p2 = r2 + off;
            const q = cq.records + <usize>(c * Q_BYTES);
            if (C - c < 4) {
              // Channel tail: requantise lane by lane, storing only real channels.
              for (let ox = 0; ox < g.outW; ox++) {
                // Stride 2 reads pairs ox, ox+1; stride 1 pairs ox/2 (A, B) or (ox-1)/2 (C, D).
                const at = s == 2 ? <usize>(ox << 4) : <usize>((ox >> 1) << 4);
                let acc: v128;
                if (s == 2 || (ox & 1) == 0) {
                  acc = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p0 + at), A0), i32x4.dot_i16x8_s(v128.load(p0 + at, 16), B0)),
                    i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p1 + at), A1), i32x4.dot_i16x8_s(v128.load(p1 + at, 16), B1)),
                      i32x4.add(i32x4.dot_i16x8_s(v128.load(p2 + at), A2), i32x4.dot_i16x8_s(v128.load(p2 + at, 16), B2))));
                } else {
                  acc = i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p0 + at), C0), i32x4.dot_i16x8_s(v128.load(p0 + at, 16), D0)),
                    i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p1 + at), C1), i32x4.dot_i16x8_s(v128.load(p1 + at, 16), D1)),
                      i32x4.add(i32x4.dot_i16x8_s(v128.load(p2 + at), C2), i32x4.dot_i16x8_s(v128.load(p2 + at, 16), D2))));
                }
                const o = orow + <usize>(ox * C + c);
                const n = C - c;
                if (n > 0) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 0), q, amin, amax, folded));
                if (n > 1) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 1), q + <usize>Q_BYTES, amin, amax, folded), 1);
                if (n > 2) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 2), q + <usize>(2 * Q_BYTES), amin, amax, folded), 2);
              }
              continue;
            }
            // Four full channels: their requantisation fields live in locals for the whole row.
            const b0 = load<i32>(q, Q_BIAS), m0 = load<i64>(q, Q_M), kp0 = load<i64>(q, Q_KPOS), n0 = folded ? 0 : load<i64>(q, Q_KNEG), s0 = load<i64>(q, Q_S);
            const g0 = folded ? 0 : load<i32>(q, Q_NEG), z0 = folded ? 0 : load<i32>(q, Q_ZP);
            const b1 = load<i32>(q, 48 + Q_BIAS), m1 = load<i64>(q, 48 + Q_M), kp1 = load<i64>(q, 48 + Q_KPOS), n1 = folded ? 0 : load<i64>(q, 48 + Q_KNEG), s1 = load<i64>(q, 48 + Q_S);
            const g1 = folded ? 0 : load<i32>(q, 48 + Q_NEG), z1 = folded ? 0 : load<i32>(q, 48 + Q_ZP);
            const b2 = load<i32>(q, 96 + Q_BIAS), m2 = load<i64>(q, 96 + Q_M), kp2 = load<i64>(q, 96 + Q_KPOS), n2 = folded ? 0 : load<i64>(q, 96 + Q_KNEG), s2 = load<i64>(q, 96 + Q_S);
            const g2 = folded ? 0 : load<i32>(q, 96 + Q_NEG), z2 = folded ? 0 : load<i32>(q, 96 + Q_ZP);
            const b3 = load<i32>(q, 144 + Q_BIAS), m3 = load<i64>(q, 144 + Q_M), kp3 = load<i64>(q, 144 + Q_KPOS), n3 = folded ? 0 : load<i64>(q, 144 + Q_KNEG), s3 = load<i64>(q, 144 + Q_S);
            const g3 = folded ? 0 : load<i32>(q, 144 + Q_NEG), z3 = folded ? 0 : load<i32>(q, 144 + Q_ZP);
            let o = orow + <usize>c;
            const step = <usize>C;
            if (s == 1) {
              // Two outputs per step share the pair loads: ox uses (A, B), ox+1 uses (C, D).
              let ox = 0;
              let at: usize = 0;
              for (; ox + 2 <= g.outW; ox += 2) {
                const x00 = v128.load(p0 + at), x01 = v128.load(p0 + at, 16);
                const x10 = v128.load(p1 + at), x11 = v128.load(p1 + at, 16);
                const x20 = v128.load(p2 + at), x21 = v128.load(p2 + at, 16);
                const u = i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x00, A0), i32x4.dot_i16x8_s(x01, B0)), i32x4.add(i32x4.dot_i16x8_s(x10, A1), i32x4.dot_i16x8_s(x11, B1))),
                  i32x4.add(i32x4.dot_i16x8_s(x20, A2), i32x4.dot_i16x8_s(x21, B2)));
                const v = i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x00, C0), i32x4.dot_i16x8_s(x01, D0)), i32x4.add(i32x4.dot_i16x8_s(x10, C1), i32x4.dot_i16x8_s(x11, D1))),
                  i32x4.add(i32x4.dot_i16x8_s(x20, C2), i32x4.dot_i16x8_s(x21, D2)));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 0) + b0, m0, kp0, n0, s0, g0, z0, amin, amax, folded));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 1) + b1, m1, kp1, n1, s1, g1, z1, amin, amax, folded), 1);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 2) + b2, m2, kp2, n2, s2, g2, z2, amin, amax, folded), 2);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 3) + b3, m3, kp3, n3, s3, g3, z3, amin, amax, folded), 3);
                o += step;
                store<i8>(o, <i8>requant(i32x4.extract_lane(v, 0) + b0, m0, kp0, n0, s0, g0, z0, amin, amax, folded));
                store<i8>(o, <i8>requant(i32x4.extract_lane(v, 1) + b1, m1, kp1, n1, s1, g1, z1, amin, amax, folded), 1);
                store<i8>(o, <i8>requant(i32x4.extract_lane(v, 2) + b2, m2, kp2, n2, s2, g2, z2, amin, amax, folded), 2);
                store<i8>(o, <i8>requant(i32x4.extract_lane(v, 3) + b3, m3, kp3, n3, s3, g3, z3, amin, amax, folded), 3);
                o += step;
                at += 16;
              }
              if (ox < g.outW) {
                const u = i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p0 + at), A0), i32x4.dot_i16x8_s(v128.load(p0 + at, 16), B0)),
                  i32x4.add(i32x4.dot_i16x8_s(v128.load(p1 + at), A1), i32x4.dot_i16x8_s(v128.load(p1 + at, 16), B1))),
                  i32x4.add(i32x4.dot_i16x8_s(v128.load(p2 + at), A2), i32x4.dot_i16x8_s(v128.load(p2 + at, 16), B2)));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 0) + b0, m0, kp0, n0, s0, g0, z0, amin, amax, folded));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 1) + b1, m1, kp1, n1, s1, g1, z1, amin, amax, folded), 1);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 2) + b2, m2, kp2, n2, s2, g2, z2, amin, amax, folded), 2);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 3) + b3, m3, kp3, n3, s3, g3, z3, amin, amax, folded), 3);
              }
            } else {
              // Stride 2: output ox reads pairs ox and ox+1.
              const end = p0 + <usize>(g.outW << 4);
              const d1 = p1 - p0, d2 = p2 - p0;
              for (let p = p0; p < end; p += 16) {
                const u = i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(p), A0), i32x4.dot_i16x8_s(v128.load(p, 16), B0)),
                  i32x4.add(i32x4.dot_i16x8_s(v128.load(p + d1), A1), i32x4.dot_i16x8_s(v128.load(p + d1, 16), B1))),
                  i32x4.add(i32x4.dot_i16x8_s(v128.load(p + d2), A2), i32x4.dot_i16x8_s(v128.load(p + d2, 16), B2)));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 0) + b0, m0, kp0, n0, s0, g0, z0, amin, amax, folded));
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 1) + b1, m1, kp1, n1, s1, g1, z1, amin, amax, folded), 1);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 2) + b2, m2, kp2, n2, s2, g2, z2, amin, amax, folded), 2);
                store<i8>(o, <i8>requant(i32x4.extract_lane(u, 3) + b3, m3, kp3, n3, s3, g3, z3, amin, amax, folded), 3);
                o += step;
              }
            }
          }
        }
      }
    }
  }

  /** For channels c..c+3, per filter row: (w0,w1), (w2,0), (0,w0), (w1,w2) as int16 pairs. */
  private filterVectors(filter: usize, c: i32, dst: usize): void {
    const C = this.outC;
    for (let dy = 0; dy < 3; dy++) {
      const row = dst + <usize>(dy * 64);
      for (let l = 0; l < 4; l++) {
        const ch = min(c + l, C - 1); // lanes past the last channel repeat it (their results are dropped)
        const base = filter + <usize>(dy * 3 * C + ch);
        const w0 = <i32>load<i8>(base), w1 = <i32>load<i8>(base + <usize>C), w2 = <i32>load<i8>(base + <usize>(2 * C));
        const at = row + <usize>(l << 2);
        store<i32>(at, (w0 & 0xffff) | (w1 << 16));
        store<i32>(at, w2 & 0xffff, 16);
        store<i32>(at, w0 << 16, 32);
        store<i32>(at, (w1 & 0xffff) | (w2 << 16), 48);
      }
    }
  }


  private evalFloat(): void {
    const g = this;
    const input = this.op.input(0).data, filter = this.op.input(1).data;
    const C = g.inC, M = this.mult, OC = g.outC, lo = activationMinF(<i32>this.act), hi = activationMaxF(<i32>this.act), bias = this.bias;
    let o = this.op.output(0).data;
    for (let b = 0; b < g.batches; b++) {
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          for (let ic = 0; ic < C; ic++) {
            for (let m = 0; m < M; m++) {
              const oc = ic * M + m;
              let s: f32 = 0;
              for (let dy = 0; dy < g.kH; dy++) {
                const iy = oy * g.strideH - g.padT + dy * g.dilH;
                if (iy < 0 || iy >= g.inH) continue;
                for (let dx = 0; dx < g.kW; dx++) {
                  const ix = ox * g.strideW - g.padL + dx * g.dilW;
                  if (ix < 0 || ix >= g.inW) continue;
                  s += load<f32>(input + (<usize>(((b * g.inH + iy) * g.inW + ix) * C + ic) << 2)) *
                    load<f32>(filter + (<usize>((dy * g.kW + dx) * OC + oc) << 2));
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
}
