// DEPTHWISE_CONV_2D 3x3, multiplier 1, with nothing in the arena: no pair rows, no widened
// filter vectors and no requantisation records. The lean path of a layer whose pair rows would
// make the arena's head longer than its tensors (kws: its activations leave no gap), as TFLM's
// reference kernel keeps none. Eight channels at a time: each tap's 8 input values are widened
// as they are read, and one i32x4.dot_i16x8_s against the tap's weights with every other lane
// zeroed (held in locals for the whole layer pass) applies it to 4 of them, the even channels
// in one accumulator, the odd in another. Each channel's requantisation fields are derived once
// per pass from the kept multiplier, shift and folded bias. Taps outside the image read the
// input zero point (folded into the bias, so they add nothing, as TFLite's skipped taps do).
import { ChannelQuant } from "./common/channel-quant";
import { negativeBelow, requant, roundingNeg, roundingPos, scaledMultiplier, totalShift } from "./common/requant";
import { ConvGeometry } from "./common/conv-geometry";

/** The 3x3 depthwise layer g (multiplier 1, dilation 1) over int8 data, inZp the input's zero point. */
export function depthwise3x3Direct(g: ConvGeometry, input: usize, filter: usize, out: usize, inZp: i32, cq: ChannelQuant): void {
  if (cq.folded) direct3x3<u8>(g, input, filter, out, inZp, cq);
  else direct3x3<i8>(g, input, filter, out, inZp, cq);
}

/** Eight int8 values at p widened to int16. */
// @ts-ignore: decorator
@inline function eight(p: usize): v128 {
  return v128.load8x8_s(p);
}

/** Tap (iy, ix) of channels c0.. in image (checked): the input, or the zero point outside. */
// @ts-ignore: decorator
@inline function tap(image: usize, iy: i32, ix: i32, g: ConvGeometry, c0: i32, zp: v128): v128 {
  return iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW ? v128.load8x8_s(image + <usize>((iy * g.inW + ix) * g.inC + c0)) : zp;
}

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function direct3x3<F>(g: ConvGeometry, input: usize, filter: usize, out: usize, inZp: i32, cq: ChannelQuant): void {
  const folded = !isSigned<F>();
  const C = g.inC, amin = cq.amin, amax = cq.amax, zp = folded ? 0 : cq.zp, ozp = cq.zp;
  const zp16 = i16x8.splat(<i16>inZp);
  const evenLanes = i32x4.splat(0xffff), oddLanes = i32x4.splat(0xffff0000);
  const step = <usize>C, rowStep = <usize>(g.inW * C);
  for (let c0 = 0; c0 < C; c0 += 8) {
    const n = min(8, C - c0);
    const w0 = v128.load8x8_s(filter + <usize>(0 * C + c0));
    const e0 = v128.and(w0, evenLanes), o0 = v128.and(w0, oddLanes);
    const w1 = v128.load8x8_s(filter + <usize>(1 * C + c0));
    const e1 = v128.and(w1, evenLanes), o1 = v128.and(w1, oddLanes);
    const w2 = v128.load8x8_s(filter + <usize>(2 * C + c0));
    const e2 = v128.and(w2, evenLanes), o2 = v128.and(w2, oddLanes);
    const w3 = v128.load8x8_s(filter + <usize>(3 * C + c0));
    const e3 = v128.and(w3, evenLanes), o3 = v128.and(w3, oddLanes);
    const w4 = v128.load8x8_s(filter + <usize>(4 * C + c0));
    const e4 = v128.and(w4, evenLanes), o4 = v128.and(w4, oddLanes);
    const w5 = v128.load8x8_s(filter + <usize>(5 * C + c0));
    const e5 = v128.and(w5, evenLanes), o5 = v128.and(w5, oddLanes);
    const w6 = v128.load8x8_s(filter + <usize>(6 * C + c0));
    const e6 = v128.and(w6, evenLanes), o6 = v128.and(w6, oddLanes);
    const w7 = v128.load8x8_s(filter + <usize>(7 * C + c0));
    const e7 = v128.and(w7, evenLanes), o7 = v128.and(w7, oddLanes);
    const w8 = v128.load8x8_s(filter + <usize>(8 * C + c0));
    const e8 = v128.and(w8, evenLanes), o8 = v128.and(w8, oddLanes);
    let b0 = 0, m0: i64 = 0, kp0: i64 = 0, kn0: i64 = 0, s0: i64 = 0, g0 = 0;
    if (0 < n) { const c = c0 + 0, sh = cq.shiftOf(c); b0 = cq.biasOf(c); m0 = scaledMultiplier(cq.multiplierOf(c), sh); s0 = totalShift(sh); kp0 = roundingPos(sh); kn0 = folded ? 0 : roundingNeg(sh, kp0); g0 = folded ? 0 : negativeBelow(m0); if (folded) kp0 += <i64>ozp << s0; }
    let b1 = 0, m1: i64 = 0, kp1: i64 = 0, kn1: i64 = 0, s1: i64 = 0, g1 = 0;
    if (1 < n) { const c = c0 + 1, sh = cq.shiftOf(c); b1 = cq.biasOf(c); m1 = scaledMultiplier(cq.multiplierOf(c), sh); s1 = totalShift(sh); kp1 = roundingPos(sh); kn1 = folded ? 0 : roundingNeg(sh, kp1); g1 = folded ? 0 : negativeBelow(m1); if (folded) kp1 += <i64>ozp << s1; }
    let b2 = 0, m2: i64 = 0, kp2: i64 = 0, kn2: i64 = 0, s2: i64 = 0, g2 = 0;
    if (2 < n) { const c = c0 + 2, sh = cq.shiftOf(c); b2 = cq.biasOf(c); m2 = scaledMultiplier(cq.multiplierOf(c), sh); s2 = totalShift(sh); kp2 = roundingPos(sh); kn2 = folded ? 0 : roundingNeg(sh, kp2); g2 = folded ? 0 : negativeBelow(m2); if (folded) kp2 += <i64>ozp << s2; }
    let b3 = 0, m3: i64 = 0, kp3: i64 = 0, kn3: i64 = 0, s3: i64 = 0, g3 = 0;
    if (3 < n) { const c = c0 + 3, sh = cq.shiftOf(c); b3 = cq.biasOf(c); m3 = scaledMultiplier(cq.multiplierOf(c), sh); s3 = totalShift(sh); kp3 = roundingPos(sh); kn3 = folded ? 0 : roundingNeg(sh, kp3); g3 = folded ? 0 : negativeBelow(m3); if (folded) kp3 += <i64>ozp << s3; }
    let b4 = 0, m4: i64 = 0, kp4: i64 = 0, kn4: i64 = 0, s4: i64 = 0, g4 = 0;
    if (4 < n) { const c = c0 + 4, sh = cq.shiftOf(c); b4 = cq.biasOf(c); m4 = scaledMultiplier(cq.multiplierOf(c), sh); s4 = totalShift(sh); kp4 = roundingPos(sh); kn4 = folded ? 0 : roundingNeg(sh, kp4); g4 = folded ? 0 : negativeBelow(m4); if (folded) kp4 += <i64>ozp << s4; }
    let b5 = 0, m5: i64 = 0, kp5: i64 = 0, kn5: i64 = 0, s5: i64 = 0, g5 = 0;
    if (5 < n) { const c = c0 + 5, sh = cq.shiftOf(c); b5 = cq.biasOf(c); m5 = scaledMultiplier(cq.multiplierOf(c), sh); s5 = totalShift(sh); kp5 = roundingPos(sh); kn5 = folded ? 0 : roundingNeg(sh, kp5); g5 = folded ? 0 : negativeBelow(m5); if (folded) kp5 += <i64>ozp << s5; }
    let b6 = 0, m6: i64 = 0, kp6: i64 = 0, kn6: i64 = 0, s6: i64 = 0, g6 = 0;
    if (6 < n) { const c = c0 + 6, sh = cq.shiftOf(c); b6 = cq.biasOf(c); m6 = scaledMultiplier(cq.multiplierOf(c), sh); s6 = totalShift(sh); kp6 = roundingPos(sh); kn6 = folded ? 0 : roundingNeg(sh, kp6); g6 = folded ? 0 : negativeBelow(m6); if (folded) kp6 += <i64>ozp << s6; }
    let b7 = 0, m7: i64 = 0, kp7: i64 = 0, kn7: i64 = 0, s7: i64 = 0, g7 = 0;
    if (7 < n) { const c = c0 + 7, sh = cq.shiftOf(c); b7 = cq.biasOf(c); m7 = scaledMultiplier(cq.multiplierOf(c), sh); s7 = totalShift(sh); kp7 = roundingPos(sh); kn7 = folded ? 0 : roundingNeg(sh, kp7); g7 = folded ? 0 : negativeBelow(m7); if (folded) kp7 += <i64>ozp << s7; }
    for (let b = 0; b < g.batches; b++) {
      const image = input + <usize>(b * g.inH) * rowStep;
      let o = out + <usize>(b * g.outH * g.outW * C + c0);
      for (let oy = 0; oy < g.outH; oy++) {
        const y0 = oy * g.strideH - g.padT;
        const rowsInside = y0 >= 0 && y0 + 2 < g.inH;
        for (let ox = 0; ox < g.outW; ox++) {
          const x0 = ox * g.strideW - g.padL;
          let x0v: v128, x1v: v128, x2v: v128, x3v: v128, x4v: v128, x5v: v128, x6v: v128, x7v: v128, x8v: v128;
          if (rowsInside && x0 >= 0 && x0 + 2 < g.inW) {
            // The window lies inside the image (most of them): no tests per tap.
            const p = image + <usize>(y0 * g.inW + x0) * step + <usize>c0;
            x0v = eight(p); x1v = eight(p + step); x2v = eight(p + (step << 1));
            const q = p + rowStep;
            x3v = eight(q); x4v = eight(q + step); x5v = eight(q + (step << 1));
            const r = q + rowStep;
            x6v = eight(r); x7v = eight(r + step); x8v = eight(r + (step << 1));
          } else {
            x0v = tap(image, y0, x0, g, c0, zp16); x1v = tap(image, y0, x0 + 1, g, c0, zp16); x2v = tap(image, y0, x0 + 2, g, c0, zp16);
            x3v = tap(image, y0 + 1, x0, g, c0, zp16); x4v = tap(image, y0 + 1, x0 + 1, g, c0, zp16); x5v = tap(image, y0 + 1, x0 + 2, g, c0, zp16);
            x6v = tap(image, y0 + 2, x0, g, c0, zp16); x7v = tap(image, y0 + 2, x0 + 1, g, c0, zp16); x8v = tap(image, y0 + 2, x0 + 2, g, c0, zp16);
          }
          // Even channels (c0, c0+2, ...) in ev, odd ones in od, in tap order.
          const ev = i32x4.add(i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x0v, e0), i32x4.dot_i16x8_s(x1v, e1)), i32x4.add(i32x4.dot_i16x8_s(x2v, e2), i32x4.dot_i16x8_s(x3v, e3))),
            i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x4v, e4), i32x4.dot_i16x8_s(x5v, e5)), i32x4.add(i32x4.dot_i16x8_s(x6v, e6), i32x4.dot_i16x8_s(x7v, e7)))), i32x4.dot_i16x8_s(x8v, e8));
          const od = i32x4.add(i32x4.add(i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x0v, o0), i32x4.dot_i16x8_s(x1v, o1)), i32x4.add(i32x4.dot_i16x8_s(x2v, o2), i32x4.dot_i16x8_s(x3v, o3))),
            i32x4.add(i32x4.add(i32x4.dot_i16x8_s(x4v, o4), i32x4.dot_i16x8_s(x5v, o5)), i32x4.add(i32x4.dot_i16x8_s(x6v, o6), i32x4.dot_i16x8_s(x7v, o7)))), i32x4.dot_i16x8_s(x8v, o8));
          if (n == 8) {
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 0) + b0, m0, kp0, kn0, s0, g0, zp, amin, amax, folded));
            store<i8>(o, <i8>requant(i32x4.extract_lane(od, 0) + b1, m1, kp1, kn1, s1, g1, zp, amin, amax, folded), 1);
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 1) + b2, m2, kp2, kn2, s2, g2, zp, amin, amax, folded), 2);
            store<i8>(o, <i8>requant(i32x4.extract_lane(od, 1) + b3, m3, kp3, kn3, s3, g3, zp, amin, amax, folded), 3);
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 2) + b4, m4, kp4, kn4, s4, g4, zp, amin, amax, folded), 4);
            store<i8>(o, <i8>requant(i32x4.extract_lane(od, 2) + b5, m5, kp5, kn5, s5, g5, zp, amin, amax, folded), 5);
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 3) + b6, m6, kp6, kn6, s6, g6, zp, amin, amax, folded), 6);
            store<i8>(o, <i8>requant(i32x4.extract_lane(od, 3) + b7, m7, kp7, kn7, s7, g7, zp, amin, amax, folded), 7);
          } else {
            // Channel tail: the real channels only.
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 0) + b0, m0, kp0, kn0, s0, g0, zp, amin, amax, folded));
            if (1 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 0) + b1, m1, kp1, kn1, s1, g1, zp, amin, amax, folded), 1);
            if (2 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 1) + b2, m2, kp2, kn2, s2, g2, zp, amin, amax, folded), 2);
            if (3 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 1) + b3, m3, kp3, kn3, s3, g3, zp, amin, amax, folded), 3);
            if (4 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 2) + b4, m4, kp4, kn4, s4, g4, zp, amin, amax, folded), 4);
            if (5 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 2) + b5, m5, kp5, kn5, s5, g5, zp, amin, amax, folded), 5);
            if (6 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 3) + b6, m6, kp6, kn6, s6, g6, zp, amin, amax, folded), 6);
            if (7 < n) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 3) + b7, m7, kp7, kn7, s7, g7, zp, amin, amax, folded), 7);
          }
          o += step;
        }
      }
    }
  }
}
