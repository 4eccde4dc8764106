// Rows of int8 activations against int8 weight rows with nothing in the arena: no widened
// copy of the rows (each group of 8 inputs is widened in registers as it is read) and no
// requantisation records. The lean path of a 1x1 CONV_2D or a batched FULLY_CONNECTED whose
// widened rows and records would make the arena's head longer than its tensors, as TFLM's
// reference kernels keep none. The loops run 4 output channels at a time, all rows inside, so
// that each channel's requantisation fields are derived once per layer from the kept
// multiplier and shift, and the input offset (minus the input zero point, TFLM's
// input_offset) enters once per channel as offset * sum(w) added to its bias instead of once
// per input value (the same i32 sum: the accumulator wraps as TFLite's does not need to).
// Blocks of 8 (then 4, then 1) rows x 4 channels share each widened input group between 4
// weight rows.
import { ChannelQuant } from "./channel-quant";
import { negativeBelow, requant, roundingNeg, roundingPos, scaledMultiplier, totalShift } from "./requant";
import { hsum } from "./gemm";
import { sumInt8 } from "../../weight-sum";

/** Outputs o[r·n + c] of `rows` input rows x (K int8 values each, consecutive) against weight
 *  rows w (n rows of K bytes); `bias` the int32 bias data or 0. */
export function gemmDirect(x: usize, rows: i32, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  if (cq.folded) gemmDirectF<u8>(x, rows, K, offset, w, bias, n, cq, o);
  else gemmDirectF<i8>(x, rows, K, offset, w, bias, n, cq, o);
}

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function gemmDirectF<F>(x: usize, rows: i32, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  // Lanes past K in the last group are zeroed, so the bytes read past a row add nothing.
  const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(K & 7)));
  const rowBytes = <usize>K;
  let c = 0;
  // Blocks need one whole group of 8 to start their accumulators; shorter rows go one channel
  // at a time.
  if (K >= 8) for (; c + 4 <= n; c += 4) column4<F>(x, rows, K, offset, keep, w + <usize>c * rowBytes, bias, c, n, cq, o + <usize>c);
  for (; c < n; c++) channel<F>(x, rows, K, offset, keep, w + <usize>c * rowBytes, bias, c, n, cq, o + <usize>c);
}

/** Four output channels (c..c+3) x every row: out[o + row·os + 0..3]. */
function column4<F>(x: usize, rows: i32, K: i32, offset: i32, keep: v128, w: usize, bias: usize, c: i32, os32: i32, cq: ChannelQuant, o: usize): void {
  const folded = !isSigned<F>();
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb, kb4 = kb2 << 1, kb5 = kb4 + kb, kb6 = kb3 << 1, kb7 = kb6 + kb;
  const full = <usize>(K & ~7), os = <usize>os32;
  const zp = folded ? 0 : cq.zp, amin = cq.amin, amax = cq.amax;
  const h0 = cq.shiftOf(c + 0), u0 = scaledMultiplier(cq.multiplierOf(c + 0), h0), s0 = totalShift(h0), p0 = roundingPos(h0);
  const k0 = folded ? p0 + (<i64>cq.zp << s0) : p0, j0 = folded ? 0 : roundingNeg(h0, p0), g0 = folded ? 0 : negativeBelow(u0);
  const b0 = (bias != 0 ? load<i32>(bias + (<usize>(c + 0) << 2)) : 0) + offset * sumInt8(w, K);
  const h1 = cq.shiftOf(c + 1), u1 = scaledMultiplier(cq.multiplierOf(c + 1), h1), s1 = totalShift(h1), p1 = roundingPos(h1);
  const k1 = folded ? p1 + (<i64>cq.zp << s1) : p1, j1 = folded ? 0 : roundingNeg(h1, p1), g1 = folded ? 0 : negativeBelow(u1);
  const b1 = (bias != 0 ? load<i32>(bias + (<usize>(c + 1) << 2)) : 0) + offset * sumInt8(w + kb, K);
  const h2 = cq.shiftOf(c + 2), u2 = scaledMultiplier(cq.multiplierOf(c + 2), h2), s2 = totalShift(h2), p2 = roundingPos(h2);
  const k2 = folded ? p2 + (<i64>cq.zp << s2) : p2, j2 = folded ? 0 : roundingNeg(h2, p2), g2 = folded ? 0 : negativeBelow(u2);
  const b2 = (bias != 0 ? load<i32>(bias + (<usize>(c + 2) << 2)) : 0) + offset * sumInt8(w + kb2, K);
  const h3 = cq.shiftOf(c + 3), u3 = scaledMultiplier(cq.multiplierOf(c + 3), h3), s3 = totalShift(h3), p3 = roundingPos(h3);
  const k3 = folded ? p3 + (<i64>cq.zp << s3) : p3, j3 = folded ? 0 : roundingNeg(h3, p3), g3 = folded ? 0 : negativeBelow(u3);
  const b3 = (bias != 0 ? load<i32>(bias + (<usize>(c + 3) << 2)) : 0) + offset * sumInt8(w + kb3, K);
  let r = 0;
  let xr = x, out = o;
  for (; r + 8 <= rows; r += 8) {
    let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
    let t = v128.load8x8_s(xr);
    let a00 = i32x4.dot_i16x8_s(t, v0); let a01 = i32x4.dot_i16x8_s(t, v1); let a02 = i32x4.dot_i16x8_s(t, v2); let a03 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb);
    let a10 = i32x4.dot_i16x8_s(t, v0); let a11 = i32x4.dot_i16x8_s(t, v1); let a12 = i32x4.dot_i16x8_s(t, v2); let a13 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb2);
    let a20 = i32x4.dot_i16x8_s(t, v0); let a21 = i32x4.dot_i16x8_s(t, v1); let a22 = i32x4.dot_i16x8_s(t, v2); let a23 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb3);
    let a30 = i32x4.dot_i16x8_s(t, v0); let a31 = i32x4.dot_i16x8_s(t, v1); let a32 = i32x4.dot_i16x8_s(t, v2); let a33 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb4);
    let a40 = i32x4.dot_i16x8_s(t, v0); let a41 = i32x4.dot_i16x8_s(t, v1); let a42 = i32x4.dot_i16x8_s(t, v2); let a43 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb5);
    let a50 = i32x4.dot_i16x8_s(t, v0); let a51 = i32x4.dot_i16x8_s(t, v1); let a52 = i32x4.dot_i16x8_s(t, v2); let a53 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb6);
    let a60 = i32x4.dot_i16x8_s(t, v0); let a61 = i32x4.dot_i16x8_s(t, v1); let a62 = i32x4.dot_i16x8_s(t, v2); let a63 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb7);
    let a70 = i32x4.dot_i16x8_s(t, v0); let a71 = i32x4.dot_i16x8_s(t, v1); let a72 = i32x4.dot_i16x8_s(t, v2); let a73 = i32x4.dot_i16x8_s(t, v3);
    let g: usize = 8;
    for (; g < full; g += 8) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.load8x8_s(xg);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb2);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb3);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb4);
      a40 = i32x4.add(a40, i32x4.dot_i16x8_s(t, v0)); a41 = i32x4.add(a41, i32x4.dot_i16x8_s(t, v1)); a42 = i32x4.add(a42, i32x4.dot_i16x8_s(t, v2)); a43 = i32x4.add(a43, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb5);
      a50 = i32x4.add(a50, i32x4.dot_i16x8_s(t, v0)); a51 = i32x4.add(a51, i32x4.dot_i16x8_s(t, v1)); a52 = i32x4.add(a52, i32x4.dot_i16x8_s(t, v2)); a53 = i32x4.add(a53, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb6);
      a60 = i32x4.add(a60, i32x4.dot_i16x8_s(t, v0)); a61 = i32x4.add(a61, i32x4.dot_i16x8_s(t, v1)); a62 = i32x4.add(a62, i32x4.dot_i16x8_s(t, v2)); a63 = i32x4.add(a63, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb7);
      a70 = i32x4.add(a70, i32x4.dot_i16x8_s(t, v0)); a71 = i32x4.add(a71, i32x4.dot_i16x8_s(t, v1)); a72 = i32x4.add(a72, i32x4.dot_i16x8_s(t, v2)); a73 = i32x4.add(a73, i32x4.dot_i16x8_s(t, v3));
    }
    if (g < <usize>K) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.and(v128.load8x8_s(xg), keep);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb), keep);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb2), keep);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb3), keep);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb4), keep);
      a40 = i32x4.add(a40, i32x4.dot_i16x8_s(t, v0)); a41 = i32x4.add(a41, i32x4.dot_i16x8_s(t, v1)); a42 = i32x4.add(a42, i32x4.dot_i16x8_s(t, v2)); a43 = i32x4.add(a43, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb5), keep);
      a50 = i32x4.add(a50, i32x4.dot_i16x8_s(t, v0)); a51 = i32x4.add(a51, i32x4.dot_i16x8_s(t, v1)); a52 = i32x4.add(a52, i32x4.dot_i16x8_s(t, v2)); a53 = i32x4.add(a53, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb6), keep);
      a60 = i32x4.add(a60, i32x4.dot_i16x8_s(t, v0)); a61 = i32x4.add(a61, i32x4.dot_i16x8_s(t, v1)); a62 = i32x4.add(a62, i32x4.dot_i16x8_s(t, v2)); a63 = i32x4.add(a63, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb7), keep);
      a70 = i32x4.add(a70, i32x4.dot_i16x8_s(t, v0)); a71 = i32x4.add(a71, i32x4.dot_i16x8_s(t, v1)); a72 = i32x4.add(a72, i32x4.dot_i16x8_s(t, v2)); a73 = i32x4.add(a73, i32x4.dot_i16x8_s(t, v3));
    }
    store<i8>(out, <i8>requant(hsum(a00) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(out, <i8>requant(hsum(a01) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(out, <i8>requant(hsum(a02) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(out, <i8>requant(hsum(a03) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at1 = out + <usize>1 * os;
    store<i8>(at1, <i8>requant(hsum(a10) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at1, <i8>requant(hsum(a11) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at1, <i8>requant(hsum(a12) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at1, <i8>requant(hsum(a13) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at2 = out + <usize>2 * os;
    store<i8>(at2, <i8>requant(hsum(a20) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at2, <i8>requant(hsum(a21) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at2, <i8>requant(hsum(a22) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at2, <i8>requant(hsum(a23) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at3 = out + <usize>3 * os;
    store<i8>(at3, <i8>requant(hsum(a30) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at3, <i8>requant(hsum(a31) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at3, <i8>requant(hsum(a32) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at3, <i8>requant(hsum(a33) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at4 = out + <usize>4 * os;
    store<i8>(at4, <i8>requant(hsum(a40) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at4, <i8>requant(hsum(a41) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at4, <i8>requant(hsum(a42) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at4, <i8>requant(hsum(a43) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at5 = out + <usize>5 * os;
    store<i8>(at5, <i8>requant(hsum(a50) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at5, <i8>requant(hsum(a51) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at5, <i8>requant(hsum(a52) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at5, <i8>requant(hsum(a53) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at6 = out + <usize>6 * os;
    store<i8>(at6, <i8>requant(hsum(a60) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at6, <i8>requant(hsum(a61) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at6, <i8>requant(hsum(a62) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at6, <i8>requant(hsum(a63) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at7 = out + <usize>7 * os;
    store<i8>(at7, <i8>requant(hsum(a70) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at7, <i8>requant(hsum(a71) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at7, <i8>requant(hsum(a72) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at7, <i8>requant(hsum(a73) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    xr += kb << 3;
    out += os << 3;
  }
  for (; r + 4 <= rows; r += 4) {
    let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
    let t = v128.load8x8_s(xr);
    let a00 = i32x4.dot_i16x8_s(t, v0); let a01 = i32x4.dot_i16x8_s(t, v1); let a02 = i32x4.dot_i16x8_s(t, v2); let a03 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb);
    let a10 = i32x4.dot_i16x8_s(t, v0); let a11 = i32x4.dot_i16x8_s(t, v1); let a12 = i32x4.dot_i16x8_s(t, v2); let a13 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb2);
    let a20 = i32x4.dot_i16x8_s(t, v0); let a21 = i32x4.dot_i16x8_s(t, v1); let a22 = i32x4.dot_i16x8_s(t, v2); let a23 = i32x4.dot_i16x8_s(t, v3);
    t = v128.load8x8_s(xr + kb3);
    let a30 = i32x4.dot_i16x8_s(t, v0); let a31 = i32x4.dot_i16x8_s(t, v1); let a32 = i32x4.dot_i16x8_s(t, v2); let a33 = i32x4.dot_i16x8_s(t, v3);
    let g: usize = 8;
    for (; g < full; g += 8) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.load8x8_s(xg);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb2);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
      t = v128.load8x8_s(xg + kb3);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
    }
    if (g < <usize>K) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.and(v128.load8x8_s(xg), keep);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb), keep);
      a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb2), keep);
      a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
      t = v128.and(v128.load8x8_s(xg + kb3), keep);
      a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
    }
    store<i8>(out, <i8>requant(hsum(a00) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(out, <i8>requant(hsum(a01) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(out, <i8>requant(hsum(a02) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(out, <i8>requant(hsum(a03) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at1 = out + <usize>1 * os;
    store<i8>(at1, <i8>requant(hsum(a10) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at1, <i8>requant(hsum(a11) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at1, <i8>requant(hsum(a12) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at1, <i8>requant(hsum(a13) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at2 = out + <usize>2 * os;
    store<i8>(at2, <i8>requant(hsum(a20) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at2, <i8>requant(hsum(a21) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at2, <i8>requant(hsum(a22) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at2, <i8>requant(hsum(a23) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    const at3 = out + <usize>3 * os;
    store<i8>(at3, <i8>requant(hsum(a30) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(at3, <i8>requant(hsum(a31) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(at3, <i8>requant(hsum(a32) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(at3, <i8>requant(hsum(a33) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    xr += kb << 2;
    out += os << 2;
  }
  for (; r < rows; r++) {
    let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
    let t = v128.load8x8_s(xr);
    let a00 = i32x4.dot_i16x8_s(t, v0); let a01 = i32x4.dot_i16x8_s(t, v1); let a02 = i32x4.dot_i16x8_s(t, v2); let a03 = i32x4.dot_i16x8_s(t, v3);
    let g: usize = 8;
    for (; g < full; g += 8) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.load8x8_s(xg);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    }
    if (g < <usize>K) {
      const wg = w + g, xg = xr + g;
      v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
      t = v128.and(v128.load8x8_s(xg), keep);
      a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    }
    store<i8>(out, <i8>requant(hsum(a00) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    store<i8>(out, <i8>requant(hsum(a01) + b1, u1, k1, j1, s1, g1, zp, amin, amax, folded), 1);
    store<i8>(out, <i8>requant(hsum(a02) + b2, u2, k2, j2, s2, g2, zp, amin, amax, folded), 2);
    store<i8>(out, <i8>requant(hsum(a03) + b3, u3, k3, j3, s3, g3, zp, amin, amax, folded), 3);
    xr += kb;
    out += os;
  }
}

/** One output channel x every row (channel tails, rows shorter than a group). */
function channel<F>(x: usize, rows: i32, K: i32, offset: i32, keep: v128, w: usize, bias: usize, c: i32, os32: i32, cq: ChannelQuant, o: usize): void {
  const folded = !isSigned<F>();
  const full = <usize>(K & ~7), os = <usize>os32;
  const zp = folded ? 0 : cq.zp, amin = cq.amin, amax = cq.amax;
  const h0 = cq.shiftOf(c), u0 = scaledMultiplier(cq.multiplierOf(c), h0), s0 = totalShift(h0), p0 = roundingPos(h0);
  const k0 = folded ? p0 + (<i64>cq.zp << s0) : p0, j0 = folded ? 0 : roundingNeg(h0, p0), g0 = folded ? 0 : negativeBelow(u0);
  const b0 = (bias != 0 ? load<i32>(bias + (<usize>(c) << 2)) : 0) + offset * sumInt8(w, K);
  let xr = x, out = o;
  for (let r = 0; r < rows; r++) {
    let a = i32x4.splat(0);
    let g: usize = 0;
    for (; g < full; g += 8) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load8x8_s(xr + g), v128.load8x8_s(w + g)));
    if (g < <usize>K) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.and(v128.load8x8_s(xr + g), keep), v128.load8x8_s(w + g)));
    store<i8>(out, <i8>requant(hsum(a) + b0, u0, k0, j0, s0, g0, zp, amin, amax, folded));
    xr += <usize>K;
    out += os;
  }
}
