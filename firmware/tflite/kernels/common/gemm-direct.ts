// Rows of int8 activations against int8 weight rows with nothing in the arena: no widened
// copy of the rows (each group of 8 inputs is widened in registers as it is read, the input
// offset added, as TFLM's input_offset) and no requantisation records (each channel's fields
// are derived from the layer's kept multiplier and shift once per block of 8 or 4 rows). The
// lean path of a 1x1 CONV_2D or a batched FULLY_CONNECTED whose widened rows and records
// would make the arena's head longer than its tensors, as TFLM's reference kernels keep none.
// Blocks of 8 (then 4) rows x 4 channels share each widened input group between 4 weight
// rows; rows past the blocks run as single rows (gemv.ts).
import { ChannelQuant, negativeBelow, requant, roundingNeg, roundingPos, scaledMultiplier, totalShift } from "./requant";
import { hsum } from "./gemm";
import { gemvRow } from "./gemv";

/** Outputs o[r·n + c] of `rows` input rows x (K int8 values each, consecutive) against weight
 *  rows w (n rows of K bytes); `bias` the int32 bias data or 0. */
export function gemmDirect(x: usize, rows: i32, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  if (cq.folded) gemmDirectF<u8>(x, rows, K, offset, w, bias, n, cq, o);
  else gemmDirectF<i8>(x, rows, K, offset, w, bias, n, cq, o);
}

/** F: u8 for the ReLU requantisation form, i8 for the general one (see ChannelQuant). */
function gemmDirectF<F>(x: usize, rows: i32, K: i32, offset: i32, w: usize, bias: usize, n: i32, cq: ChannelQuant, o: usize): void {
  const off = i16x8.splat(<i16>offset);
  // Lanes past K in the last group are zeroed, so the bytes read past a row add nothing.
  const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(K & 7)));
  const rowBytes = <usize>K, os = <usize>n;
  let r = 0;
  // Blocks need one whole group of 8 to start their accumulators; shorter rows go one by one.
  if (K >= 8) {
    for (; r + 8 <= rows; r += 8) {
      const xr = x + <usize>r * rowBytes, orow = o + <usize>r * os;
      let c = 0;
      for (; c + 4 <= n; c += 4) block8x4<F>(xr, K, off, keep, w + <usize>c * rowBytes, bias, c, cq, orow + <usize>c, os);
      for (; c < n; c++) channelRows<F>(xr, 8, K, off, keep, w + <usize>c * rowBytes, bias, c, cq, orow + <usize>c, os);
    }
    for (; r + 4 <= rows; r += 4) {
      const xr = x + <usize>r * rowBytes, orow = o + <usize>r * os;
      let c = 0;
      for (; c + 4 <= n; c += 4) block4x4<F>(xr, K, off, keep, w + <usize>c * rowBytes, bias, c, cq, orow + <usize>c, os);
      for (; c < n; c++) channelRows<F>(xr, 4, K, off, keep, w + <usize>c * rowBytes, bias, c, cq, orow + <usize>c, os);
    }
  }
  for (; r < rows; r++) gemvRow(x + <usize>r * rowBytes, K, offset, w, bias, n, cq, o + <usize>r * os);
}

/** Eight int8 values at p widened to int16 with the offset added. */
// @ts-ignore: decorator
@inline function widened(p: usize, off: v128): v128 {
  return i16x8.add(v128.load8x8_s(p), off);
}

/** Four output channels (c..c+3) x 8 rows: out[o + row·os + 0..3]. */
function block8x4<F>(x: usize, K: i32, off: v128, keep: v128, w: usize, bias: usize, c: i32, cq: ChannelQuant, o: usize, os: usize): void {
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb, kb4 = kb2 << 1, kb5 = kb4 + kb, kb6 = kb3 << 1, kb7 = kb6 + kb;
  const full = <usize>(K & ~7);
  let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
  let t = widened(x, off);
  let a00 = i32x4.dot_i16x8_s(t, v0); let a01 = i32x4.dot_i16x8_s(t, v1); let a02 = i32x4.dot_i16x8_s(t, v2); let a03 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb, off);
  let a10 = i32x4.dot_i16x8_s(t, v0); let a11 = i32x4.dot_i16x8_s(t, v1); let a12 = i32x4.dot_i16x8_s(t, v2); let a13 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb2, off);
  let a20 = i32x4.dot_i16x8_s(t, v0); let a21 = i32x4.dot_i16x8_s(t, v1); let a22 = i32x4.dot_i16x8_s(t, v2); let a23 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb3, off);
  let a30 = i32x4.dot_i16x8_s(t, v0); let a31 = i32x4.dot_i16x8_s(t, v1); let a32 = i32x4.dot_i16x8_s(t, v2); let a33 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb4, off);
  let a40 = i32x4.dot_i16x8_s(t, v0); let a41 = i32x4.dot_i16x8_s(t, v1); let a42 = i32x4.dot_i16x8_s(t, v2); let a43 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb5, off);
  let a50 = i32x4.dot_i16x8_s(t, v0); let a51 = i32x4.dot_i16x8_s(t, v1); let a52 = i32x4.dot_i16x8_s(t, v2); let a53 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb6, off);
  let a60 = i32x4.dot_i16x8_s(t, v0); let a61 = i32x4.dot_i16x8_s(t, v1); let a62 = i32x4.dot_i16x8_s(t, v2); let a63 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb7, off);
  let a70 = i32x4.dot_i16x8_s(t, v0); let a71 = i32x4.dot_i16x8_s(t, v1); let a72 = i32x4.dot_i16x8_s(t, v2); let a73 = i32x4.dot_i16x8_s(t, v3);
  // The remaining whole groups, then (when K is not a multiple of 8) the masked last one.
  let g: usize = 8;
  for (; g < full; g += 8) {
    const wg = w + g, xg = x + g;
    v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
    t = widened(xg, off);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb, off);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb2, off);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb3, off);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb4, off);
    a40 = i32x4.add(a40, i32x4.dot_i16x8_s(t, v0)); a41 = i32x4.add(a41, i32x4.dot_i16x8_s(t, v1)); a42 = i32x4.add(a42, i32x4.dot_i16x8_s(t, v2)); a43 = i32x4.add(a43, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb5, off);
    a50 = i32x4.add(a50, i32x4.dot_i16x8_s(t, v0)); a51 = i32x4.add(a51, i32x4.dot_i16x8_s(t, v1)); a52 = i32x4.add(a52, i32x4.dot_i16x8_s(t, v2)); a53 = i32x4.add(a53, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb6, off);
    a60 = i32x4.add(a60, i32x4.dot_i16x8_s(t, v0)); a61 = i32x4.add(a61, i32x4.dot_i16x8_s(t, v1)); a62 = i32x4.add(a62, i32x4.dot_i16x8_s(t, v2)); a63 = i32x4.add(a63, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb7, off);
    a70 = i32x4.add(a70, i32x4.dot_i16x8_s(t, v0)); a71 = i32x4.add(a71, i32x4.dot_i16x8_s(t, v1)); a72 = i32x4.add(a72, i32x4.dot_i16x8_s(t, v2)); a73 = i32x4.add(a73, i32x4.dot_i16x8_s(t, v3));
  }
  if (g < <usize>K) {
    const wg = w + g, xg = x + g;
    v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
    t = v128.and(widened(xg, off), keep);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb, off), keep);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb2, off), keep);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb3, off), keep);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb4, off), keep);
    a40 = i32x4.add(a40, i32x4.dot_i16x8_s(t, v0)); a41 = i32x4.add(a41, i32x4.dot_i16x8_s(t, v1)); a42 = i32x4.add(a42, i32x4.dot_i16x8_s(t, v2)); a43 = i32x4.add(a43, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb5, off), keep);
    a50 = i32x4.add(a50, i32x4.dot_i16x8_s(t, v0)); a51 = i32x4.add(a51, i32x4.dot_i16x8_s(t, v1)); a52 = i32x4.add(a52, i32x4.dot_i16x8_s(t, v2)); a53 = i32x4.add(a53, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb6, off), keep);
    a60 = i32x4.add(a60, i32x4.dot_i16x8_s(t, v0)); a61 = i32x4.add(a61, i32x4.dot_i16x8_s(t, v1)); a62 = i32x4.add(a62, i32x4.dot_i16x8_s(t, v2)); a63 = i32x4.add(a63, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb7, off), keep);
    a70 = i32x4.add(a70, i32x4.dot_i16x8_s(t, v0)); a71 = i32x4.add(a71, i32x4.dot_i16x8_s(t, v1)); a72 = i32x4.add(a72, i32x4.dot_i16x8_s(t, v2)); a73 = i32x4.add(a73, i32x4.dot_i16x8_s(t, v3));
  }
  out8<F>(hsum(a00), hsum(a10), hsum(a20), hsum(a30), hsum(a40), hsum(a50), hsum(a60), hsum(a70), cq, c, bias, o, os);
  out8<F>(hsum(a01), hsum(a11), hsum(a21), hsum(a31), hsum(a41), hsum(a51), hsum(a61), hsum(a71), cq, c + 1, bias, o + 1, os);
  out8<F>(hsum(a02), hsum(a12), hsum(a22), hsum(a32), hsum(a42), hsum(a52), hsum(a62), hsum(a72), cq, c + 2, bias, o + 2, os);
  out8<F>(hsum(a03), hsum(a13), hsum(a23), hsum(a33), hsum(a43), hsum(a53), hsum(a63), hsum(a73), cq, c + 3, bias, o + 3, os);
}

/** Four output channels (c..c+3) x 4 rows. */
function block4x4<F>(x: usize, K: i32, off: v128, keep: v128, w: usize, bias: usize, c: i32, cq: ChannelQuant, o: usize, os: usize): void {
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const full = <usize>(K & ~7);
  let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
  let t = widened(x, off);
  let a00 = i32x4.dot_i16x8_s(t, v0); let a01 = i32x4.dot_i16x8_s(t, v1); let a02 = i32x4.dot_i16x8_s(t, v2); let a03 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb, off);
  let a10 = i32x4.dot_i16x8_s(t, v0); let a11 = i32x4.dot_i16x8_s(t, v1); let a12 = i32x4.dot_i16x8_s(t, v2); let a13 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb2, off);
  let a20 = i32x4.dot_i16x8_s(t, v0); let a21 = i32x4.dot_i16x8_s(t, v1); let a22 = i32x4.dot_i16x8_s(t, v2); let a23 = i32x4.dot_i16x8_s(t, v3);
  t = widened(x + kb3, off);
  let a30 = i32x4.dot_i16x8_s(t, v0); let a31 = i32x4.dot_i16x8_s(t, v1); let a32 = i32x4.dot_i16x8_s(t, v2); let a33 = i32x4.dot_i16x8_s(t, v3);
  let g: usize = 8;
  for (; g < full; g += 8) {
    const wg = w + g, xg = x + g;
    v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
    t = widened(xg, off);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb, off);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb2, off);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
    t = widened(xg + kb3, off);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
  }
  if (g < <usize>K) {
    const wg = w + g, xg = x + g;
    v0 = v128.load8x8_s(wg); v1 = v128.load8x8_s(wg + kb); v2 = v128.load8x8_s(wg + kb2); v3 = v128.load8x8_s(wg + kb3);
    t = v128.and(widened(xg, off), keep);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(t, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(t, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(t, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb, off), keep);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(t, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(t, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(t, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb2, off), keep);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(t, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(t, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(t, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(t, v3));
    t = v128.and(widened(xg + kb3, off), keep);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(t, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(t, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(t, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(t, v3));
  }
  out4<F>(hsum(a00), hsum(a10), hsum(a20), hsum(a30), cq, c, bias, o, os);
  out4<F>(hsum(a01), hsum(a11), hsum(a21), hsum(a31), cq, c + 1, bias, o + 1, os);
  out4<F>(hsum(a02), hsum(a12), hsum(a22), hsum(a32), cq, c + 2, bias, o + 2, os);
  out4<F>(hsum(a03), hsum(a13), hsum(a23), hsum(a33), cq, c + 3, bias, o + 3, os);
}

/** One output channel x `rows` rows (channel tails). */
function channelRows<F>(x: usize, rows: i32, K: i32, off: v128, keep: v128, w: usize, bias: usize, c: i32, cq: ChannelQuant, o: usize, os: usize): void {
  const folded = !isSigned<F>();
  const b = bias != 0 ? load<i32>(bias + (<usize>c << 2)) : 0;
  const zp = cq.zp, amin = cq.amin, amax = cq.amax;
  const mult = cq.multiplierOf(c), shift = cq.shiftOf(c);
  const m = scaledMultiplier(mult, shift), sh = totalShift(shift), kpos = roundingPos(shift);
  const kp = kpos + (folded ? <i64>zp << sh : 0), kn = roundingNeg(shift, kpos), neg = negativeBelow(m);
  const full = <usize>(K & ~7);
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>K;
    let a = i32x4.splat(0);
    let g: usize = 0;
    for (; g < full; g += 8) a = i32x4.add(a, i32x4.dot_i16x8_s(widened(xr + g, off), v128.load8x8_s(w + g)));
    if (g < <usize>K) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.and(widened(xr + g, off), keep), v128.load8x8_s(w + g)));
    store<i8>(o + <usize>r * os, <i8>requant(hsum(a) + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  }
}

/** Channel c's results for 8 rows: its requantisation fields derived once from the kept data. */
// @ts-ignore: decorator
@inline function out8<F>(s0: i32, s1: i32, s2: i32, s3: i32, s4: i32, s5: i32, s6: i32, s7: i32, cq: ChannelQuant, c: i32, bias: usize, o: usize, os: usize): void {
  const folded = !isSigned<F>();
  const b = bias != 0 ? load<i32>(bias + (<usize>c << 2)) : 0;
  const zp = folded ? 0 : cq.zp, amin = cq.amin, amax = cq.amax;
  const mult = cq.multiplierOf(c), shift = cq.shiftOf(c);
  const m = scaledMultiplier(mult, shift), sh = totalShift(shift), kpos = roundingPos(shift);
  const kp = kpos + (folded ? <i64>cq.zp << sh : 0);
  const kn = folded ? 0 : roundingNeg(shift, kpos), neg = folded ? 0 : negativeBelow(m);
  store<i8>(o, <i8>requant(s0 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s1 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s2 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s3 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s4 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s5 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s6 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s7 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
}

/** Channel c's results for 4 rows. */
// @ts-ignore: decorator
@inline function out4<F>(s0: i32, s1: i32, s2: i32, s3: i32, cq: ChannelQuant, c: i32, bias: usize, o: usize, os: usize): void {
  const folded = !isSigned<F>();
  const b = bias != 0 ? load<i32>(bias + (<usize>c << 2)) : 0;
  const zp = folded ? 0 : cq.zp, amin = cq.amin, amax = cq.amax;
  const mult = cq.multiplierOf(c), shift = cq.shiftOf(c);
  const m = scaledMultiplier(mult, shift), sh = totalShift(shift), kpos = roundingPos(shift);
  const kp = kpos + (folded ? <i64>cq.zp << sh : 0);
  const kn = folded ? 0 : roundingNeg(shift, kpos), neg = folded ? 0 : negativeBelow(m);
  store<i8>(o, <i8>requant(s0 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s1 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s2 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s3 + b, m, kp, kn, sh, neg, zp, amin, amax, folded));
}

