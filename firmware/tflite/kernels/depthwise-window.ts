// DEPTHWISE_CONV_2D, int8, multiplier 1, any window: filter size, stride, dilation and padding
// (the streaming wake-word model's Kx1 filters over time, 3x3 with dilation, 5x5...). Nothing
// in the arena, as the 3x3 path (depthwise-direct.ts): eight channels at a time, each tap's 8
// input values widened as they are read and dotted (i32x4.dot_i16x8_s) with the tap's weights,
// every other lane zeroed, the even channels into one accumulator and the odd into another.
// The weights change per tap, so they are read straight from the filter, and each pair of
// neighbouring output pixels along the line shares them: one weight load and mask per tap feeds
// both. Each channel's requantisation fields are derived once per 8-channel pass from the kept
// multiplier, shift and folded bias. Taps outside the image read the input zero point (folded
// into the bias, so they add nothing, as TFLite's skipped taps do).
import { ChannelQuant } from "./common/channel-quant";
import { negativeBelow, requant, roundingNeg, roundingPos, scaledMultiplier, totalShift } from "./common/requant";
import { ConvGeometry } from "./common/conv-geometry";

/** The depthwise layer g (multiplier 1) over int8 data, inZp the input's zero point. */
export function depthwiseWindowInt8(g: ConvGeometry, input: usize, filter: usize, out: usize, inZp: i32, cq: ChannelQuant): void {
  if (cq.folded) windowInt8<u8>(g, input, filter, out, inZp, cq);
  else windowInt8<i8>(g, input, filter, out, inZp, cq);
}

// The masks of the even (low halves) and odd (high halves) int16 lanes, read from memory once
// per layer: as constants the optimizer rebuilds them at every use, four words each tap.
const LANE_MASKS: usize = memory.data<u32>([0xffff, 0xffff, 0xffff, 0xffff, 0xffff0000, 0xffff0000, 0xffff0000, 0xffff0000], 16);

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function windowInt8<F>(g: ConvGeometry, input: usize, filter: usize, out: usize, inZp: i32, cq: ChannelQuant): void {
  const folded = !isSigned<F>();
  const C = g.inC, amin = cq.amin, amax = cq.amax, zp = folded ? 0 : cq.zp, ozp = cq.zp;
  const evenLanes = v128.load(LANE_MASKS), oddLanes = v128.load(LANE_MASKS, 16);
  const zp16 = i16x8.splat(<i16>inZp);
  const rowBytes = g.inW * C;
  const spanH = (g.kH - 1) * g.dilH, spanW = (g.kW - 1) * g.dilW;
  // The taps inside a window as rows of columns; a one-column window as one row of kH taps
  // (the Kx1 filters over time), so that each tap costs one loop step.
  const oneColumn = g.kW == 1;
  const tapRows = oneColumn ? 1 : g.kH, tapCols = oneColumn ? g.kH : g.kW;
  const colStep = oneColumn ? <usize>(g.dilH * rowBytes) : <usize>(g.dilW * C), rowStep = <usize>(g.dilH * rowBytes), tapStep = <usize>C;
  // Output pixels run in lines: the rows, or the one column of a layer one pixel wide (a
  // time series [1, T, 1, C]), so that pairs of neighbours share the weights.
  // The geometry in locals: the loops below read it per pixel and per tap.
  const inH = g.inH, inW = g.inW, outH = g.outH, outW = g.outW, kH = g.kH, kW = g.kW;
  const strideH = g.strideH, strideW = g.strideW, dilH = g.dilH, dilW = g.dilW, padT = g.padT, padL = g.padL, batches = g.batches;
  const byRows = outW > 1;
  const lines = byRows ? outH : 1, along = byRows ? outW : outH;
  const inPixelStep = byRows ? <usize>(strideW * C) : <usize>(strideH * rowBytes);
  const outPixelStep = <usize>C;
  for (let c0 = 0; c0 < C; c0 += 8) {
    const n = min(8, C - c0);
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
    let u0: i64 = 0, u1: i64 = 0, u2: i64 = 0, u3: i64 = 0, u4: i64 = 0, u5: i64 = 0, u6: i64 = 0, u7: i64 = 0;
    let k0: i64 = 0, k1: i64 = 0, k2: i64 = 0, k3: i64 = 0, k4: i64 = 0, k5: i64 = 0, k6: i64 = 0, k7: i64 = 0;
    let j0: i64 = 0, j1: i64 = 0, j2: i64 = 0, j3: i64 = 0, j4: i64 = 0, j5: i64 = 0, j6: i64 = 0, j7: i64 = 0;
    let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0, s4: i64 = 0, s5: i64 = 0, s6: i64 = 0, s7: i64 = 0;
    let t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
    // Each channel's fields: bias b, multiplier u, rounding k (j when y < 0), shift s, threshold t.
    for (let l = 0; l < n; l++) {
      const c = c0 + l, sh = cq.shiftOf(c), m = scaledMultiplier(cq.multiplierOf(c), sh), s = totalShift(sh), kp = roundingPos(sh);
      const k = folded ? kp + (<i64>ozp << s) : kp, j = folded ? 0 : roundingNeg(sh, kp), t = folded ? 0 : negativeBelow(m), b = cq.biasOf(c);
      if (l == 0) { b0 = b; u0 = m; k0 = k; j0 = j; s0 = s; t0 = t; }
      else if (l == 1) { b1 = b; u1 = m; k1 = k; j1 = j; s1 = s; t1 = t; }
      else if (l == 2) { b2 = b; u2 = m; k2 = k; j2 = j; s2 = s; t2 = t; }
      else if (l == 3) { b3 = b; u3 = m; k3 = k; j3 = j; s3 = s; t3 = t; }
      else if (l == 4) { b4 = b; u4 = m; k4 = k; j4 = j; s4 = s; t4 = t; }
      else if (l == 5) { b5 = b; u5 = m; k5 = k; j5 = j; s5 = s; t5 = t; }
      else if (l == 6) { b6 = b; u6 = m; k6 = k; j6 = j; s6 = s; t6 = t; }
      else { b7 = b; u7 = m; k7 = k; j7 = j; s7 = s; t7 = t; }
    }
    const w0 = filter + <usize>c0;
    for (let b = 0; b < batches; b++) {
      const image = input + <usize>(b * inH) * <usize>rowBytes + <usize>c0;
      let o = out + <usize>(b * outH * outW * C + c0);
      for (let line = 0; line < lines; line++) {
        for (let i = 0; i < along; i++) {
          const oy = byRows ? line : i, ox = byRows ? i : 0;
          const iy0 = oy * strideH - padT, ix0 = ox * strideW - padL;
          let ev = i32x4.splat(0), od = i32x4.splat(0);
          const inside = iy0 >= 0 && iy0 + spanH < inH && ix0 >= 0 && ix0 + spanW < inW;
          if (inside && i + 1 < along) {
            // This window and the next lie inside the image (the next starts further along the
            // line, so its end is inside when its start is and this one's end is): no tests per
            // tap, and each tap's weights serve both.
            const next = byRows ? ix0 + strideW + spanW < inW : iy0 + strideH + spanH < inH;
            if (next) {
              let ev2 = i32x4.splat(0), od2 = i32x4.splat(0);
              let row = image + <usize>(iy0 * rowBytes + ix0 * C);
              let w = w0;
              for (let r = 0; r < tapRows; r++) {
                let at = row;
                for (let k = 0; k < tapCols; k++) {
                  const wv = v128.load8x8_s(w), we = v128.and(wv, evenLanes), wo = v128.and(wv, oddLanes);
                  const x = v128.load8x8_s(at), x2 = v128.load8x8_s(at + inPixelStep);
                  ev = i32x4.add(ev, i32x4.dot_i16x8_s(x, we));
                  od = i32x4.add(od, i32x4.dot_i16x8_s(x, wo));
                  ev2 = i32x4.add(ev2, i32x4.dot_i16x8_s(x2, we));
                  od2 = i32x4.add(od2, i32x4.dot_i16x8_s(x2, wo));
                  at += colStep;
                  w += tapStep;
                }
                row += rowStep;
              }
              store8<F>(o, ev, od, n, b0, u0, k0, j0, s0, t0, b1, u1, k1, j1, s1, t1, b2, u2, k2, j2, s2, t2, b3, u3, k3, j3, s3, t3,
                b4, u4, k4, j4, s4, t4, b5, u5, k5, j5, s5, t5, b6, u6, k6, j6, s6, t6, b7, u7, k7, j7, s7, t7, zp, amin, amax);
              o += outPixelStep;
              store8<F>(o, ev2, od2, n, b0, u0, k0, j0, s0, t0, b1, u1, k1, j1, s1, t1, b2, u2, k2, j2, s2, t2, b3, u3, k3, j3, s3, t3,
                b4, u4, k4, j4, s4, t4, b5, u5, k5, j5, s5, t5, b6, u6, k6, j6, s6, t6, b7, u7, k7, j7, s7, t7, zp, amin, amax);
              o += outPixelStep;
              i++;
              continue;
            }
          }
          let w = w0;
          if (inside) {
            let row = image + <usize>(iy0 * rowBytes + ix0 * C);
            for (let r = 0; r < tapRows; r++) {
              let at = row;
              for (let k = 0; k < tapCols; k++) {
                const wv = v128.load8x8_s(w), x = v128.load8x8_s(at);
                ev = i32x4.add(ev, i32x4.dot_i16x8_s(x, v128.and(wv, evenLanes)));
                od = i32x4.add(od, i32x4.dot_i16x8_s(x, v128.and(wv, oddLanes)));
                at += colStep;
                w += tapStep;
              }
              row += rowStep;
            }
          } else {
            for (let dy = 0; dy < kH; dy++) {
              const iy = iy0 + dy * dilH;
              const rowOk = iy >= 0 && iy < inH;
              for (let dx = 0; dx < kW; dx++) {
                const ix = ix0 + dx * dilW;
                const x = rowOk && ix >= 0 && ix < inW ? v128.load8x8_s(image + <usize>(iy * rowBytes + ix * C)) : zp16;
                const wv = v128.load8x8_s(w);
                ev = i32x4.add(ev, i32x4.dot_i16x8_s(x, v128.and(wv, evenLanes)));
                od = i32x4.add(od, i32x4.dot_i16x8_s(x, v128.and(wv, oddLanes)));
                w += tapStep;
              }
            }
          }
          store8<F>(o, ev, od, n, b0, u0, k0, j0, s0, t0, b1, u1, k1, j1, s1, t1, b2, u2, k2, j2, s2, t2, b3, u3, k3, j3, s3, t3,
            b4, u4, k4, j4, s4, t4, b5, u5, k5, j5, s5, t5, b6, u6, k6, j6, s6, t6, b7, u7, k7, j7, s7, t7, zp, amin, amax);
          o += outPixelStep;
        }
      }
    }
  }
}

/** Requantises one pixel's n (1..8) channels, even ones in ev and odd in od, and stores them at o. */
// @ts-ignore: decorator
@inline function store8<F>(o: usize, ev: v128, od: v128, n: i32,
  b0: i32, u0: i64, k0: i64, j0: i64, s0: i64, t0: i32, b1: i32, u1: i64, k1: i64, j1: i64, s1: i64, t1: i32,
  b2: i32, u2: i64, k2: i64, j2: i64, s2: i64, t2: i32, b3: i32, u3: i64, k3: i64, j3: i64, s3: i64, t3: i32,
  b4: i32, u4: i64, k4: i64, j4: i64, s4: i64, t4: i32, b5: i32, u5: i64, k5: i64, j5: i64, s5: i64, t5: i32,
  b6: i32, u6: i64, k6: i64, j6: i64, s6: i64, t6: i32, b7: i32, u7: i64, k7: i64, j7: i64, s7: i64, t7: i32,
  zp: i32, amin: i32, amax: i32): void {
  const folded = !isSigned<F>();
  if (n == 8) {
    store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 0) + b0, u0, k0, j0, s0, t0, zp, amin, amax, folded));
    store<i8>(o, <i8>requant(i32x4.extract_lane(od, 0) + b1, u1, k1, j1, s1, t1, zp, amin, amax, folded), 1);
    store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 1) + b2, u2, k2, j2, s2, t2, zp, amin, amax, folded), 2);
    store<i8>(o, <i8>requant(i32x4.extract_lane(od, 1) + b3, u3, k3, j3, s3, t3, zp, amin, amax, folded), 3);
    store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 2) + b4, u4, k4, j4, s4, t4, zp, amin, amax, folded), 4);
    store<i8>(o, <i8>requant(i32x4.extract_lane(od, 2) + b5, u5, k5, j5, s5, t5, zp, amin, amax, folded), 5);
    store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 3) + b6, u6, k6, j6, s6, t6, zp, amin, amax, folded), 6);
    store<i8>(o, <i8>requant(i32x4.extract_lane(od, 3) + b7, u7, k7, j7, s7, t7, zp, amin, amax, folded), 7);
    return;
  }
  // Channel tail: the real channels only.
  store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 0) + b0, u0, k0, j0, s0, t0, zp, amin, amax, folded));
  if (1 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 0) + b1, u1, k1, j1, s1, t1, zp, amin, amax, folded), 1);
  if (2 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 1) + b2, u2, k2, j2, s2, t2, zp, amin, amax, folded), 2);
  if (3 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 1) + b3, u3, k3, j3, s3, t3, zp, amin, amax, folded), 3);
  if (4 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 2) + b4, u4, k4, j4, s4, t4, zp, amin, amax, folded), 4);
  if (5 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 2) + b5, u5, k5, j5, s5, t5, zp, amin, amax, folded), 5);
  if (6 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 3) + b6, u6, k6, j6, s6, t6, zp, amin, amax, folded), 6);
  if (7 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 3) + b7, u7, k7, j7, s7, t7, zp, amin, amax, folded), 7);
}
