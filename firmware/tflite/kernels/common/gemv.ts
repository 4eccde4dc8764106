// One input row against every weight row, straight from the int8 input (no widened copy in
// scratch) and requantised from the layer's kept multiplier and shift (no record area): a
// batch-1 FULLY_CONNECTED then needs nothing in the arena beyond its tensors, as TFLM's
// reference kernel. Four output channels at a time, eight inputs a step with
// i32x4.dot_i16x8_s; the input offset (minus its zero point, TFLM's input_offset) is added as
// the input is widened, and the bias is read in place.
import { ChannelQuant } from "./channel-quant";
import { deriveDirect, directKneg, directKpos, directM, directNeg, directS, requant } from "./requant";
import { hsum } from "./gemm";

/** Outputs o[0..n) of input row x (K values) against weight rows w (n rows of K bytes);
 *  `bias` the int32 bias data or 0. */
export function gemvRow(x: usize, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  if (cq.folded) gemvRowF<u8>(x, K, offset, w, bias, n, cq, o);
  else gemvRowF<i8>(x, K, offset, w, bias, n, cq, o);
}

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function gemvRowF<F>(x: usize, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  const folded = !isSigned<F>();
  const off = i16x8.splat(<i16>offset);
  const full = <usize>(K & ~7), tail = K & 7;
  // Lanes past K are zeroed, so the weight bytes read past a row add nothing.
  const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>tail));
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const amin = cq.amin, amax = cq.amax, zp = cq.zp, uniform = cq.uniform;
  // Per-tensor weights: one set of requantisation fields for the whole layer.
  if (uniform) deriveDirect(cq.keptMultiplier(0), cq.keptShift(0));
  const um = directM, us = directS, ukn = directKneg, uneg = directNeg;
  const ukp = directKpos + (folded ? <i64>zp << us : 0);
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const wr = w + <usize>c * kb;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let g: usize = 0;
    for (; g < full; g += 8) {
      const xv = i16x8.add(v128.load8x8_s(x + g), off);
      const wg = wr + g;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb2)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb3)));
    }
    if (tail != 0) {
      const xv = v128.and(i16x8.add(v128.load8x8_s(x + g), off), keep);
      const wg = wr + g;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg)));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb)));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb2)));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load8x8_s(wg + kb3)));
    }
    const oc = o + <usize>c;
    store<i8>(oc, <i8>outputOf<F>(hsum(a0), c, bias, cq, uniform, um, ukp, ukn, us, uneg, zp, amin, amax));
    store<i8>(oc, <i8>outputOf<F>(hsum(a1), c + 1, bias, cq, uniform, um, ukp, ukn, us, uneg, zp, amin, amax), 1);
    store<i8>(oc, <i8>outputOf<F>(hsum(a2), c + 2, bias, cq, uniform, um, ukp, ukn, us, uneg, zp, amin, amax), 2);
    store<i8>(oc, <i8>outputOf<F>(hsum(a3), c + 3, bias, cq, uniform, um, ukp, ukn, us, uneg, zp, amin, amax), 3);
  }
  for (; c < n; c++) {
    const wr = w + <usize>c * kb;
    let a = i32x4.splat(0);
    let g: usize = 0;
    for (; g < full; g += 8) a = i32x4.add(a, i32x4.dot_i16x8_s(i16x8.add(v128.load8x8_s(x + g), off), v128.load8x8_s(wr + g)));
    if (tail != 0) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.and(i16x8.add(v128.load8x8_s(x + g), off), keep), v128.load8x8_s(wr + g)));
    store<i8>(o + <usize>c, <i8>outputOf<F>(hsum(a), c, bias, cq, uniform, um, ukp, ukn, us, uneg, zp, amin, amax));
  }
}

/** Channel c's output from its accumulator: the bias added, then the layer's fields (per-tensor
 *  weights) or the channel's, derived from its kept multiplier and shift. */
// @ts-ignore: decorator
@inline function outputOf<F>(acc: i32, c: i32, bias: usize, cq: ChannelQuant, uniform: bool, um: i64, ukp: i64, ukn: i64, us: i64, uneg: i32, zp: i32, amin: i32, amax: i32): i32 {
  const folded = !isSigned<F>();
  const total = acc + (bias != 0 ? load<i32>(bias + (<usize>c << 2)) : 0);
  if (uniform) return requant(total, um, ukp, ukn, us, uneg, zp, amin, amax, folded);
  deriveDirect(cq.keptMultiplier(c), cq.keptShift(c));
  const s = directS;
  return requant(total, directM, directKpos + (folded ? <i64>zp << s : 0), directKneg, s, directNeg, zp, amin, amax, folded);
}
