// The widened-row "GEMM" blocks FULLY_CONNECTED and CONV_2D share: rows of int16 activations
// against int8 weight rows read in place from flash, four lanes at a time with
// i32x4.dot_i16x8_s, each result requantised per channel (requant.ts).
import { sumInt8 } from "../../weight-sum";
import { ChannelQuant } from "./channel-quant";
import { Q_BIAS, Q_BYTES, Q_KNEG, Q_KPOS, Q_M, Q_NEG, Q_S, Q_ZP, requant, requantAt } from "./requant";

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// ---- Widened-row blocks ---------------------------------------------------------------------
// Rows ("patches") are int16, k8 = K rounded up to 8, stored R rows interleaved per group of 8
// ([k/8][row 0..R-1][8], R = 8 or 4) so that one pointer with constant offsets reaches all of
// them; a single row is stored plainly. Zero padding past K makes over-reads of weight rows
// harmless. Row r of a block writes its outputs at o + r·os. The type parameter F selects the
// requantisation form at compile time: u8 the ReLU form, i8 the general one (ChannelQuant).

/** Widens `k` int8 values to int16 at `dst` (stride 16 bytes per group of 8 · `rows`).
 *  `offset` (minus the input zero point: TFLM's input_offset) is added to every value; the
 *  masked tail lanes stay 0. */
export function widenRow(src: usize, k: i32, dst: usize, groupStride: usize, offset: i32): void {
  const off = i16x8.splat(<i16>offset);
  let g = 0;
  for (; g + 8 <= k; g += 8) {
    v128.store(dst, i16x8.add(v128.load8x8_s(src + <usize>g), off));
    dst += groupStride;
  }
  if (g < k) {
    const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(k - g)));
    v128.store(dst, v128.and(i16x8.add(v128.load8x8_s(src + <usize>g), off), keep));
  }
}

/** Four output channels × 8 interleaved rows: out[o + row·os + c..c+3]. */
export function block8x4<F>(pat: usize, k8: i32, w: usize, K: i32, q: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  // Weight rows 1-3 are addressed relative to row 0: one moving pointer. The first group of
  // 8 initialises the accumulators (no zeroing, no adds).
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const end = pat + <usize>(k8 * 16);
  let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
  let x = v128.load(pat);
  let a00 = i32x4.dot_i16x8_s(x, v0); let a01 = i32x4.dot_i16x8_s(x, v1); let a02 = i32x4.dot_i16x8_s(x, v2); let a03 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 16);
  let a10 = i32x4.dot_i16x8_s(x, v0); let a11 = i32x4.dot_i16x8_s(x, v1); let a12 = i32x4.dot_i16x8_s(x, v2); let a13 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 32);
  let a20 = i32x4.dot_i16x8_s(x, v0); let a21 = i32x4.dot_i16x8_s(x, v1); let a22 = i32x4.dot_i16x8_s(x, v2); let a23 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 48);
  let a30 = i32x4.dot_i16x8_s(x, v0); let a31 = i32x4.dot_i16x8_s(x, v1); let a32 = i32x4.dot_i16x8_s(x, v2); let a33 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 64);
  let a40 = i32x4.dot_i16x8_s(x, v0); let a41 = i32x4.dot_i16x8_s(x, v1); let a42 = i32x4.dot_i16x8_s(x, v2); let a43 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 80);
  let a50 = i32x4.dot_i16x8_s(x, v0); let a51 = i32x4.dot_i16x8_s(x, v1); let a52 = i32x4.dot_i16x8_s(x, v2); let a53 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 96);
  let a60 = i32x4.dot_i16x8_s(x, v0); let a61 = i32x4.dot_i16x8_s(x, v1); let a62 = i32x4.dot_i16x8_s(x, v2); let a63 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 112);
  let a70 = i32x4.dot_i16x8_s(x, v0); let a71 = i32x4.dot_i16x8_s(x, v1); let a72 = i32x4.dot_i16x8_s(x, v2); let a73 = i32x4.dot_i16x8_s(x, v3);
  let w0 = w + 8;
  for (let p = pat + 128; p < end; p += 128) {
    v0 = v128.load8x8_s(w0); v1 = v128.load8x8_s(w0 + kb); v2 = v128.load8x8_s(w0 + kb2); v3 = v128.load8x8_s(w0 + kb3);
    x = v128.load(p);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(x, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(x, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(x, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 16);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(x, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(x, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(x, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 32);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(x, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(x, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(x, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 48);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(x, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(x, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(x, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 64);
    a40 = i32x4.add(a40, i32x4.dot_i16x8_s(x, v0)); a41 = i32x4.add(a41, i32x4.dot_i16x8_s(x, v1)); a42 = i32x4.add(a42, i32x4.dot_i16x8_s(x, v2)); a43 = i32x4.add(a43, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 80);
    a50 = i32x4.add(a50, i32x4.dot_i16x8_s(x, v0)); a51 = i32x4.add(a51, i32x4.dot_i16x8_s(x, v1)); a52 = i32x4.add(a52, i32x4.dot_i16x8_s(x, v2)); a53 = i32x4.add(a53, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 96);
    a60 = i32x4.add(a60, i32x4.dot_i16x8_s(x, v0)); a61 = i32x4.add(a61, i32x4.dot_i16x8_s(x, v1)); a62 = i32x4.add(a62, i32x4.dot_i16x8_s(x, v2)); a63 = i32x4.add(a63, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 112);
    a70 = i32x4.add(a70, i32x4.dot_i16x8_s(x, v0)); a71 = i32x4.add(a71, i32x4.dot_i16x8_s(x, v1)); a72 = i32x4.add(a72, i32x4.dot_i16x8_s(x, v2)); a73 = i32x4.add(a73, i32x4.dot_i16x8_s(x, v3));
    w0 += 8;
  }
  store8<F>(hsum(a00), hsum(a10), hsum(a20), hsum(a30), hsum(a40), hsum(a50), hsum(a60), hsum(a70), q + <usize>(0 * Q_BYTES), amin, amax, o + 0, os);
  store8<F>(hsum(a01), hsum(a11), hsum(a21), hsum(a31), hsum(a41), hsum(a51), hsum(a61), hsum(a71), q + <usize>(1 * Q_BYTES), amin, amax, o + 1, os);
  store8<F>(hsum(a02), hsum(a12), hsum(a22), hsum(a32), hsum(a42), hsum(a52), hsum(a62), hsum(a72), q + <usize>(2 * Q_BYTES), amin, amax, o + 2, os);
  store8<F>(hsum(a03), hsum(a13), hsum(a23), hsum(a33), hsum(a43), hsum(a53), hsum(a63), hsum(a73), q + <usize>(3 * Q_BYTES), amin, amax, o + 3, os);
}

/** Four output channels × 4 interleaved rows: out[o + row·os + c..c+3]. */
export function block4x4<F>(pat: usize, k8: i32, w: usize, K: i32, q: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  // Weight rows 1-3 are addressed relative to row 0: one moving pointer. The first group of
  // 8 initialises the accumulators (no zeroing, no adds).
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const end = pat + <usize>(k8 * 8);
  let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
  let x = v128.load(pat);
  let a00 = i32x4.dot_i16x8_s(x, v0); let a01 = i32x4.dot_i16x8_s(x, v1); let a02 = i32x4.dot_i16x8_s(x, v2); let a03 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 16);
  let a10 = i32x4.dot_i16x8_s(x, v0); let a11 = i32x4.dot_i16x8_s(x, v1); let a12 = i32x4.dot_i16x8_s(x, v2); let a13 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 32);
  let a20 = i32x4.dot_i16x8_s(x, v0); let a21 = i32x4.dot_i16x8_s(x, v1); let a22 = i32x4.dot_i16x8_s(x, v2); let a23 = i32x4.dot_i16x8_s(x, v3);
  x = v128.load(pat, 48);
  let a30 = i32x4.dot_i16x8_s(x, v0); let a31 = i32x4.dot_i16x8_s(x, v1); let a32 = i32x4.dot_i16x8_s(x, v2); let a33 = i32x4.dot_i16x8_s(x, v3);
  let w0 = w + 8;
  for (let p = pat + 64; p < end; p += 64) {
    v0 = v128.load8x8_s(w0); v1 = v128.load8x8_s(w0 + kb); v2 = v128.load8x8_s(w0 + kb2); v3 = v128.load8x8_s(w0 + kb3);
    x = v128.load(p);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(x, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(x, v1)); a02 = i32x4.add(a02, i32x4.dot_i16x8_s(x, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 16);
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(x, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(x, v1)); a12 = i32x4.add(a12, i32x4.dot_i16x8_s(x, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 32);
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(x, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(x, v1)); a22 = i32x4.add(a22, i32x4.dot_i16x8_s(x, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(x, v3));
    x = v128.load(p, 48);
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(x, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(x, v1)); a32 = i32x4.add(a32, i32x4.dot_i16x8_s(x, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(x, v3));
    w0 += 8;
  }
  store4<F>(hsum(a00), hsum(a10), hsum(a20), hsum(a30), q + <usize>(0 * Q_BYTES), amin, amax, o + 0, os);
  store4<F>(hsum(a01), hsum(a11), hsum(a21), hsum(a31), q + <usize>(1 * Q_BYTES), amin, amax, o + 1, os);
  store4<F>(hsum(a02), hsum(a12), hsum(a22), hsum(a32), q + <usize>(2 * Q_BYTES), amin, amax, o + 2, os);
  store4<F>(hsum(a03), hsum(a13), hsum(a23), hsum(a33), q + <usize>(3 * Q_BYTES), amin, amax, o + 3, os);
}

/** One channel's results for 8 rows: the channel record is read once. */
// @ts-ignore: decorator
@inline function store8<F>(s0: i32, s1: i32, s2: i32, s3: i32, s4: i32, s5: i32, s6: i32, s7: i32, r: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  const folded = !isSigned<F>();
  const bias = load<i32>(r, Q_BIAS), m = load<i64>(r, Q_M), kp = load<i64>(r, Q_KPOS), kn = folded ? 0 : load<i64>(r, Q_KNEG), sh = load<i64>(r, Q_S);
  const neg = folded ? 0 : load<i32>(r, Q_NEG), zp = folded ? 0 : load<i32>(r, Q_ZP);
  store<i8>(o, <i8>requant(s0 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s1 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s2 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s3 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s4 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s5 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s6 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s7 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
}

/** One channel's results for 4 rows: the channel record is read once. */
// @ts-ignore: decorator
@inline function store4<F>(s0: i32, s1: i32, s2: i32, s3: i32, r: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  const folded = !isSigned<F>();
  const bias = load<i32>(r, Q_BIAS), m = load<i64>(r, Q_M), kp = load<i64>(r, Q_KPOS), kn = folded ? 0 : load<i64>(r, Q_KNEG), sh = load<i64>(r, Q_S);
  const neg = folded ? 0 : load<i32>(r, Q_NEG), zp = folded ? 0 : load<i32>(r, Q_ZP);
  store<i8>(o, <i8>requant(s0 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s1 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s2 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
  o += os;
  store<i8>(o, <i8>requant(s3 + bias, m, kp, kn, sh, neg, zp, amin, amax, folded));
}

/** One output channel × 8 interleaved rows (channel tails). */
export function block1x8<F>(pat: usize, k8: i32, w: usize, q: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  let v = v128.load8x8_s(w);
  let a0 = i32x4.dot_i16x8_s(v128.load(pat), v);
  let a1 = i32x4.dot_i16x8_s(v128.load(pat, 16), v);
  let a2 = i32x4.dot_i16x8_s(v128.load(pat, 32), v);
  let a3 = i32x4.dot_i16x8_s(v128.load(pat, 48), v);
  let a4 = i32x4.dot_i16x8_s(v128.load(pat, 64), v);
  let a5 = i32x4.dot_i16x8_s(v128.load(pat, 80), v);
  let a6 = i32x4.dot_i16x8_s(v128.load(pat, 96), v);
  let a7 = i32x4.dot_i16x8_s(v128.load(pat, 112), v);
  let w0 = w + 8;
  const end = pat + <usize>(k8 * 16);
  for (let p = pat + 128; p < end; p += 128) {
    v = v128.load8x8_s(w0);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p), v));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p, 16), v));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p, 32), v));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p, 48), v));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(p, 64), v));
    a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(p, 80), v));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(p, 96), v));
    a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(p, 112), v));
    w0 += 8;
  }
  store8<F>(hsum(a0), hsum(a1), hsum(a2), hsum(a3), hsum(a4), hsum(a5), hsum(a6), hsum(a7), q, amin, amax, o, os);
}

/** One output channel × 4 interleaved rows (channel tails). */
export function block1x4<F>(pat: usize, k8: i32, w: usize, q: usize, amin: i32, amax: i32, o: usize, os: usize): void {
  let v = v128.load8x8_s(w);
  let a0 = i32x4.dot_i16x8_s(v128.load(pat), v);
  let a1 = i32x4.dot_i16x8_s(v128.load(pat, 16), v);
  let a2 = i32x4.dot_i16x8_s(v128.load(pat, 32), v);
  let a3 = i32x4.dot_i16x8_s(v128.load(pat, 48), v);
  let w0 = w + 8;
  const end = pat + <usize>(k8 * 8);
  for (let p = pat + 64; p < end; p += 64) {
    v = v128.load8x8_s(w0);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p), v));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p, 16), v));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p, 32), v));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p, 48), v));
    w0 += 8;
  }
  store4<F>(hsum(a0), hsum(a1), hsum(a2), hsum(a3), q, amin, amax, o, os);
}

/** Four output channels × one plain row (row tails, batch-1 fully connected layers). */
export function block4x1<F>(pat: usize, k8: i32, w: usize, K: i32, q: usize, amin: i32, amax: i32, o: usize): void {
  const folded = !isSigned<F>();
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const x0 = v128.load(pat);
  let a0 = i32x4.dot_i16x8_s(x0, v128.load8x8_s(w)), a1 = i32x4.dot_i16x8_s(x0, v128.load8x8_s(w + kb));
  let a2 = i32x4.dot_i16x8_s(x0, v128.load8x8_s(w + kb2)), a3 = i32x4.dot_i16x8_s(x0, v128.load8x8_s(w + kb3));
  let w0 = w + 8;
  const end = pat + <usize>(k8 << 1);
  for (let p = pat + 16; p < end; p += 16) {
    const x = v128.load(p);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(x, v128.load8x8_s(w0)));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(x, v128.load8x8_s(w0 + kb)));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(x, v128.load8x8_s(w0 + kb2)));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(x, v128.load8x8_s(w0 + kb3)));
    w0 += 8;
  }
  store<i8>(o, <i8>requantAt(hsum(a0), q, amin, amax, folded));
  store<i8>(o, <i8>requantAt(hsum(a1), q + <usize>Q_BYTES, amin, amax, folded), 1);
  store<i8>(o, <i8>requantAt(hsum(a2), q + <usize>(2 * Q_BYTES), amin, amax, folded), 2);
  store<i8>(o, <i8>requantAt(hsum(a3), q + <usize>(3 * Q_BYTES), amin, amax, folded), 3);
}

/** One output channel × one plain row. */
export function block1x1<F>(pat: usize, k8: i32, w: usize, q: usize, amin: i32, amax: i32, o: usize): void {
  let a = i32x4.dot_i16x8_s(v128.load(pat), v128.load8x8_s(w));
  let w0 = w + 8;
  const end = pat + <usize>(k8 << 1);
  for (let p = pat + 16; p < end; p += 16) {
    a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(p), v128.load8x8_s(w0)));
    w0 += 8;
  }
  store<i8>(o, <i8>requantAt(hsum(a), q, amin, amax, !isSigned<F>()));
}

/** All `n` output channels for the patches at `pat` (8 or 4 interleaved rows, or 1 plain row);
 *  row r's outputs go to o + r·os. */
export function gemmRows(pat: usize, rows: i32, k8: i32, w: usize, K: i32, n: i32, cq: ChannelQuant, o: usize, os: usize): void {
  if (cq.folded) gemmRowsF<u8>(pat, rows, k8, w, K, n, cq, o, os);
  else gemmRowsF<i8>(pat, rows, k8, w, K, n, cq, o, os);
}

function gemmRowsF<F>(pat: usize, rows: i32, k8: i32, w: usize, K: i32, n: i32, cq: ChannelQuant, o: usize, os: usize): void {
  const q = cq.records, amin = cq.amin, amax = cq.amax;
  const rowBytes = <usize>K;
  let c = 0;
  if (rows == 8) {
    for (; c + 4 <= n; c += 4) {
      const cc = <usize>c;
      block8x4<F>(pat, k8, w + cc * rowBytes, K, q + cc * <usize>Q_BYTES, amin, amax, o + cc, os);
    }
    for (; c < n; c++) {
      const cc = <usize>c;
      block1x8<F>(pat, k8, w + cc * rowBytes, q + cc * <usize>Q_BYTES, amin, amax, o + cc, os);
    }
  } else if (rows == 4) {
    for (; c + 4 <= n; c += 4) {
      const cc = <usize>c;
      block4x4<F>(pat, k8, w + cc * rowBytes, K, q + cc * <usize>Q_BYTES, amin, amax, o + cc, os);
    }
    for (; c < n; c++) {
      const cc = <usize>c;
      block1x4<F>(pat, k8, w + cc * rowBytes, q + cc * <usize>Q_BYTES, amin, amax, o + cc, os);
    }
  } else {
    for (; c + 4 <= n; c += 4) {
      const cc = <usize>c;
      block4x1<F>(pat, k8, w + cc * rowBytes, K, q + cc * <usize>Q_BYTES, amin, amax, o + cc);
    }
    for (; c < n; c++) {
      const cc = <usize>c;
      block1x1<F>(pat, k8, w + cc * rowBytes, q + cc * <usize>Q_BYTES, amin, amax, o + cc);
    }
  }
}

/** Sum of weights of row c (for folding the input zero point into the bias). */
export function rowSum(w: usize, K: i32): i32 {
  return sumInt8(w, K);
}
