// DEPTHWISE_CONV_2D with a depth multiplier above 1 and nothing in the arena: no widened
// weights, no gathered window and no requantisation records, as TFLM's reference kernel keeps
// none. The lean path of a layer whose scratch would make the arena's head longer than its
// tensors (micro_speech's first layer: its input and output fill the head; magic_wand's, in
// float). Loops run per input channel and group of outputs, the pixels inside, so that the
// group's requantisation fields (int8) are derived once from the kept data and held in locals;
// each tap's input value is read in place and its weights straight from the filter.
import { Tensor } from "../tensor";
import { ChannelQuant } from "./common/channel-quant";
import { negativeBelow, requant, roundingNeg, roundingPos, scaledMultiplier, totalShift } from "./common/requant";
import { biasF32 } from "./common/weights";
import { ConvGeometry } from "./common/conv-geometry";

/**
 * int8, 8 outputs of one input channel at a time: a tap's input value x as the int16 pairs
 * (x, 0) and (0, x) in every lane, each dotted with the tap's 8 weights, applies it to the even
 * and to the odd outputs (one i32x4.dot_i16x8_s each). Taps outside the image read the input
 * zero point (folded into the bias, so they add nothing). The weight bytes read past the last
 * output of a short group land in lanes that are not stored.
 */
export function depthwiseMultiplierInt8Direct(g: ConvGeometry, input: usize, filter: usize, out: usize, M: i32, zp: i32, cq: ChannelQuant): void {
  if (cq.folded) multiplierInt8<u8>(g, input, filter, out, M, zp, cq);
  else multiplierInt8<i8>(g, input, filter, out, M, zp, cq);
}

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function multiplierInt8<F>(g: ConvGeometry, input: usize, filter: usize, out: usize, M: i32, inZp: i32, cq: ChannelQuant): void {
  const folded = !isSigned<F>();
  const C = g.inC, OC = g.outC, amin = cq.amin, amax = cq.amax, zp = folded ? 0 : cq.zp, ozp = cq.zp;
  const rowBytes = g.inW * C, tapStep = <usize>OC;
  for (let ic = 0; ic < C; ic++) {
    for (let m0 = 0; m0 < M; m0 += 8) {
      const n = min(8, M - m0), oc0 = ic * M + m0;
      let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0, b7 = 0;
      let k0: i64 = 0, k1: i64 = 0, k2: i64 = 0, k3: i64 = 0, k4: i64 = 0, k5: i64 = 0, k6: i64 = 0, k7: i64 = 0;
      let j0: i64 = 0, j1: i64 = 0, j2: i64 = 0, j3: i64 = 0, j4: i64 = 0, j5: i64 = 0, j6: i64 = 0, j7: i64 = 0;
      let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0, s4: i64 = 0, s5: i64 = 0, s6: i64 = 0, s7: i64 = 0;
      let u0: i64 = 0, u1: i64 = 0, u2: i64 = 0, u3: i64 = 0, u4: i64 = 0, u5: i64 = 0, u6: i64 = 0, u7: i64 = 0;
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0;
      // Each output's fields: bias b, multiplier u, rounding k (j when y < 0), shift s, threshold g.
      for (let l = 0; l < n; l++) {
        const c = oc0 + l, sh = cq.shiftOf(c), m = scaledMultiplier(cq.multiplierOf(c), sh), s = totalShift(sh), kp = roundingPos(sh);
        const k = folded ? kp + (<i64>ozp << s) : kp, j = folded ? 0 : roundingNeg(sh, kp), t = folded ? 0 : negativeBelow(m), b = cq.biasOf(c);
        if (l == 0) { b0 = b; u0 = m; k0 = k; j0 = j; s0 = s; g0 = t; }
        else if (l == 1) { b1 = b; u1 = m; k1 = k; j1 = j; s1 = s; g1 = t; }
        else if (l == 2) { b2 = b; u2 = m; k2 = k; j2 = j; s2 = s; g2 = t; }
        else if (l == 3) { b3 = b; u3 = m; k3 = k; j3 = j; s3 = s; g3 = t; }
        else if (l == 4) { b4 = b; u4 = m; k4 = k; j4 = j; s4 = s; g4 = t; }
        else if (l == 5) { b5 = b; u5 = m; k5 = k; j5 = j; s5 = s; g5 = t; }
        else if (l == 6) { b6 = b; u6 = m; k6 = k; j6 = j; s6 = s; g6 = t; }
        else { b7 = b; u7 = m; k7 = k; j7 = j; s7 = s; g7 = t; }
      }
      const w0 = filter + <usize>oc0;
      for (let b = 0; b < g.batches; b++) {
        const image = input + <usize>(b * g.inH * rowBytes + ic);
        let o = out + <usize>(b * g.outH * g.outW * OC + oc0);
        for (let oy = 0; oy < g.outH; oy++) {
          const iy0 = oy * g.strideH - g.padT;
          for (let ox = 0; ox < g.outW; ox++) {
            const ix0 = ox * g.strideW - g.padL;
            const inside = iy0 >= 0 && iy0 + (g.kH - 1) * g.dilH < g.inH && ix0 >= 0 && ix0 + (g.kW - 1) * g.dilW < g.inW;
            let ev = i32x4.splat(0), od = i32x4.splat(0);
            let w = w0;
            if (inside) {
              // Windows wholly inside the image (most of them): no tests per tap.
              const colStep = <usize>(g.dilW * C), rowStep = <usize>(g.dilH * rowBytes);
              let row = image + <usize>(iy0 * rowBytes + ix0 * C);
              for (let dy = 0; dy < g.kH; dy++) {
                let at = row;
                for (let dx = 0; dx < g.kW; dx++) {
                  const x = <i32>load<i8>(at), wv = v128.load8x8_s(w);
                  ev = i32x4.add(ev, i32x4.dot_i16x8_s(i32x4.splat(x & 0xffff), wv));
                  od = i32x4.add(od, i32x4.dot_i16x8_s(i32x4.splat(x << 16), wv));
                  at += colStep;
                  w += tapStep;
                }
                row += rowStep;
              }
            } else {
              for (let dy = 0; dy < g.kH; dy++) {
                const iy = iy0 + dy * g.dilH;
                const rowOk = iy >= 0 && iy < g.inH;
                const row = image + <usize>(iy * rowBytes);
                for (let dx = 0; dx < g.kW; dx++) {
                  const ix = ix0 + dx * g.dilW;
                  const x = rowOk && ix >= 0 && ix < g.inW ? <i32>load<i8>(row + <usize>(ix * C)) : inZp;
                  const wv = v128.load8x8_s(w);
                  ev = i32x4.add(ev, i32x4.dot_i16x8_s(i32x4.splat(x & 0xffff), wv));
                  od = i32x4.add(od, i32x4.dot_i16x8_s(i32x4.splat(x << 16), wv));
                  w += tapStep;
                }
              }
            }
            store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 0) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
            if (n > 1) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 0) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
            if (n > 2) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 1) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
            if (n > 3) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 1) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
            if (n > 4) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 2) + b4, u4, k4, j4, s4, g4, zp, amin, amax, folded), 4);
            if (n > 5) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 2) + b5, u5, k5, j5, s5, g5, zp, amin, amax, folded), 5);
            if (n > 6) store<i8>(o, <i8>requant(i32x4.extract_lane(ev, 3) + b6, u6, k6, j6, s6, g6, zp, amin, amax, folded), 6);
            if (n > 7) store<i8>(o, <i8>requant(i32x4.extract_lane(od, 3) + b7, u7, k7, j7, s7, g7, zp, amin, amax, folded), 7);
            o += tapStep;
          }
        }
      }
    }
  }
}

/**
 * float32, 4 outputs of one input channel per f32x4, as depthwiseMultiplierFloat (one tap at a
 * time, multiply then add in tap order: the same rounding) with each tap's input read in place
 * and its 4 weights straight from the filter. Taps outside the image are 0.0.
 */
export function depthwiseMultiplierFloatDirect(g: ConvGeometry, input: usize, filter: usize, bias: Tensor | null, out: usize, M: i32, fmin: f32, fmax: f32): void {
  const C = g.inC, OC = g.outC;
  const lo = f32x4.splat(fmin), hi = f32x4.splat(fmax);
  const rowFloats = g.inW * C, tapStep = <usize>OC << 2;
  for (let ic = 0; ic < C; ic++) {
    for (let m0 = 0; m0 < M; m0 += 4) {
      const n = min(4, M - m0), oc = ic * M + m0;
      const bv = f32x4(biasF32(bias, oc), n > 1 ? biasF32(bias, oc + 1) : 0, n > 2 ? biasF32(bias, oc + 2) : 0, n > 3 ? biasF32(bias, oc + 3) : 0);
      const w0 = filter + (<usize>oc << 2);
      for (let b = 0; b < g.batches; b++) {
        const image = input + (<usize>(b * g.inH * rowFloats + ic) << 2);
        let o = out + (<usize>(b * g.outH * g.outW * OC + oc) << 2);
        for (let oy = 0; oy < g.outH; oy++) {
          const iy0 = oy * g.strideH - g.padT;
          for (let ox = 0; ox < g.outW; ox++) {
            const ix0 = ox * g.strideW - g.padL;
            let acc = f32x4.splat(0);
            let w = w0;
            for (let dy = 0; dy < g.kH; dy++) {
              const iy = iy0 + dy * g.dilH;
              const rowOk = iy >= 0 && iy < g.inH;
              const row = image + (<usize>(iy * rowFloats) << 2);
              for (let dx = 0; dx < g.kW; dx++) {
                const ix = ix0 + dx * g.dilW;
                const x = rowOk && ix >= 0 && ix < g.inW ? v128.load32_splat(row + (<usize>(ix * C) << 2)) : f32x4.splat(0);
                // A short last group takes its weights lane by lane (nothing read past the filter).
                acc = f32x4.add(acc, f32x4.mul(x, n == 4 ? v128.load(w) : f32x4(load<f32>(w), n > 1 ? load<f32>(w, 4) : 0, n > 2 ? load<f32>(w, 8) : 0, 0)));
                w += tapStep;
              }
            }
            const r = f32x4.min(f32x4.max(f32x4.add(acc, bv), lo), hi);
            store<f32>(o, f32x4.extract_lane(r, 0));
            if (n > 1) store<f32>(o, f32x4.extract_lane(r, 1), 4);
            if (n > 2) store<f32>(o, f32x4.extract_lane(r, 2), 8);
            if (n > 3) store<f32>(o, f32x4.extract_lane(r, 3), 12);
            o += tapStep;
          }
        }
      }
    }
  }
}
