// DEPTHWISE_CONV_2D with a depth multiplier above 1 (person_detect's and micro_speech's first
// layers: one input channel, 8 outputs; magic_wand's in float). Each window is gathered once
// per input channel; weights are widened once per inference into vectors of 4 outputs of the
// same input channel, so one vector operation applies a tap (float) or two taps (int8) to 4
// outputs.
import { Tensor } from "../tensor";
import { ChannelQuant } from "./common/channel-quant";
import { Q_BYTES, requantAt } from "./common/requant";
import { biasF32 } from "./common/weights";
import { ConvGeometry } from "./common/conv-geometry";

/** Scratch bytes: the widened weights and one gathered window. */
export function multiplierScratchBytes(g: ConvGeometry, M: i32, float: bool): i32 {
  const taps = g.kH * g.kW, groups = g.inC * ((M + 3) >> 2);
  return float ? groups * taps * 16 + taps * 4 : groups * ((taps + 1) >> 1) * 16 + ((taps + 1) >> 1) * 4;
}

/**
 * Depth multiplier > 1, any filter size, stride and dilation. Weights are widened once per
 * inference to [input channel][4-output group][tap pair] vectors of int16 (tap 2p, tap 2p+1)
 * per output lane, zero past the last tap or output; each window is gathered once per input
 * channel as int16 taps (the zero point outside the image), so a splat of one tap pair
 * times one weight vector is 8 MACs.
 */
export function depthwiseMultiplierInt8(g: ConvGeometry, input: usize, filter: usize, out: usize, M: i32, zp: i32, cq: ChannelQuant, scratch: usize): void {
  const C = g.inC, OC = g.outC;
  const taps = g.kH * g.kW, P = (taps + 1) >> 1, GM = (M + 3) >> 2;
  const groupBytes = <usize>(P << 4);
  const wv = scratch, xs = scratch + <usize>(C * GM) * groupBytes;
  for (let ic = 0; ic < C; ic++) {
    for (let gi = 0; gi < GM; gi++) {
      const at = wv + <usize>(ic * GM + gi) * groupBytes;
      for (let p = 0; p < P; p++) {
        for (let l = 0; l < 4; l++) {
          const m = gi * 4 + l, t0 = 2 * p, t1 = t0 + 1;
          const oc = ic * M + m;
          const w0 = m < M ? <i32>load<i8>(filter + <usize>(t0 * OC + oc)) : 0;
          const w1 = m < M && t1 < taps ? <i32>load<i8>(filter + <usize>(t1 * OC + oc)) : 0;
          store<i32>(at + <usize>((p << 4) + (l << 2)), (w0 & 0xffff) | (w1 << 16));
        }
      }
    }
  }
  store<i16>(xs + <usize>(taps << 1), 0); // the odd tap's partner
  const amin = cq.amin, amax = cq.amax, folded = cq.folded;
  const rowBytes = g.inW * C;
  let o = out;
  for (let b = 0; b < g.batches; b++) {
    const image = input + <usize>(b * g.inH * rowBytes);
    for (let oy = 0; oy < g.outH; oy++) {
      const iy0 = oy * g.strideH - g.padT;
      for (let ox = 0; ox < g.outW; ox++) {
        const ix0 = ox * g.strideW - g.padL;
        // Windows wholly inside the image (most of them) are gathered without bounds tests.
        const inside = iy0 >= 0 && iy0 + (g.kH - 1) * g.dilH < g.inH && ix0 >= 0 && ix0 + (g.kW - 1) * g.dilW < g.inW;
        for (let ic = 0; ic < C; ic++) {
          let t: usize = xs;
          if (inside) {
            const colStep = <usize>(g.dilW * C), rowStep = <usize>(g.dilH * rowBytes);
            let row = image + <usize>(iy0 * rowBytes + ix0 * C + ic);
            for (let dy = 0; dy < g.kH; dy++) {
              let at = row;
              for (let dx = 0; dx < g.kW; dx++) {
                store<i16>(t, <i32>load<i8>(at));
                at += colStep;
                t += 2;
              }
              row += rowStep;
            }
          } else {
            for (let dy = 0; dy < g.kH; dy++) {
              const iy = iy0 + dy * g.dilH;
              const rowOk = iy >= 0 && iy < g.inH;
              const row = image + <usize>(iy * rowBytes + ic);
              for (let dx = 0; dx < g.kW; dx++) {
                const ix = ix0 + dx * g.dilW;
                store<i16>(t, rowOk && ix >= 0 && ix < g.inW ? <i32>load<i8>(row + <usize>(ix * C)) : zp);
                t += 2;
              }
            }
          }
          let w = wv + <usize>(ic * GM) * groupBytes;
          for (let gi = 0; gi < GM; gi++) {
            let acc = i32x4.splat(0);
            for (let p = 0; p < P; p++) {
              acc = i32x4.add(acc, i32x4.dot_i16x8_s(v128.load32_splat(xs + <usize>(p << 2)), v128.load(w + <usize>(p << 4))));
            }
            w += groupBytes;
            const m0 = gi * 4, n = min(4, M - m0);
            const q = cq.records + <usize>((ic * M + m0) * Q_BYTES);
            store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 0), q, amin, amax, folded));
            if (n > 1) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 1), q + <usize>Q_BYTES, amin, amax, folded), 1);
            if (n > 2) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 2), q + <usize>(2 * Q_BYTES), amin, amax, folded), 2);
            if (n > 3) store<i8>(o, <i8>requantAt(i32x4.extract_lane(acc, 3), q + <usize>(3 * Q_BYTES), amin, amax, folded), 3);
            o += <usize>n;
          }
        }
      }
    }
  }
}

/**
 * Float32 with a depth multiplier above 1: as evalMultiplier, 4 outputs of one input channel
 * per f32x4, one tap at a time (multiply, then add, in tap order: the scalar loop's rounding).
 * Taps outside the image are 0.0, which adds nothing, as the scalar loop's skipped taps.
 */
export function depthwiseMultiplierFloat(g: ConvGeometry, input: usize, filter: usize, bias: Tensor | null, out: usize, M: i32, fmin: f32, fmax: f32, scratch: usize): void {
  const C = g.inC, OC = g.outC, GM = (M + 3) >> 2;
  const taps = g.kH * g.kW;
  const groupBytes = <usize>(taps << 4);
  const wv = scratch, xs = scratch + <usize>(C * GM) * groupBytes;
  for (let ic = 0; ic < C; ic++) {
    for (let gi = 0; gi < GM; gi++) {
      const at = wv + <usize>(ic * GM + gi) * groupBytes;
      for (let t = 0; t < taps; t++) {
        for (let l = 0; l < 4; l++) {
          const m = gi * 4 + l;
          store<f32>(at + <usize>((t << 4) + (l << 2)), m < M ? load<f32>(filter + (<usize>(t * OC + ic * M + m) << 2)) : 0);
        }
      }
    }
  }
  const lo = f32x4.splat(fmin), hi = f32x4.splat(fmax);
  const rowFloats = g.inW * C;
  let o = out;
  for (let b = 0; b < g.batches; b++) {
    const image = input + (<usize>(b * g.inH * rowFloats) << 2);
    for (let oy = 0; oy < g.outH; oy++) {
      const iy0 = oy * g.strideH - g.padT;
      for (let ox = 0; ox < g.outW; ox++) {
        const ix0 = ox * g.strideW - g.padL;
        for (let ic = 0; ic < C; ic++) {
          let t: usize = xs;
          for (let dy = 0; dy < g.kH; dy++) {
            const iy = iy0 + dy * g.dilH;
            const rowOk = iy >= 0 && iy < g.inH;
            const row = image + (<usize>(iy * rowFloats + ic) << 2);
            for (let dx = 0; dx < g.kW; dx++) {
              const ix = ix0 + dx * g.dilW;
              store<f32>(t, rowOk && ix >= 0 && ix < g.inW ? load<f32>(row + (<usize>(ix * C) << 2)) : 0);
              t += 4;
            }
          }
          let w = wv + <usize>(ic * GM) * groupBytes;
          for (let gi = 0; gi < GM; gi++) {
            let acc = f32x4.splat(0);
            for (let k = 0; k < taps; k++) {
              acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(xs + <usize>(k << 2)), v128.load(w + <usize>(k << 4))));
            }
            w += groupBytes;
            const m0 = gi * 4, n = min(4, M - m0), oc = ic * M + m0;
            const bv = f32x4(biasF32(bias, oc), n > 1 ? biasF32(bias, oc + 1) : 0, n > 2 ? biasF32(bias, oc + 2) : 0, n > 3 ? biasF32(bias, oc + 3) : 0);
            const r = f32x4.min(f32x4.max(f32x4.add(acc, bv), lo), hi);
            store<f32>(o, f32x4.extract_lane(r, 0));
            if (n > 1) store<f32>(o, f32x4.extract_lane(r, 1), 4);
            if (n > 2) store<f32>(o, f32x4.extract_lane(r, 2), 8);
            if (n > 3) store<f32>(o, f32x4.extract_lane(r, 3), 12);
            o += <usize>(n << 2);
          }
        }
      }
    }
  }
}
