// FULLY_CONNECTED (int8 per-tensor or per-channel, float32), plus the int8 machinery the
// convolutions share with it: per-channel requantisation records and the widened-row
// "GEMM" blocks (rows of int16 activations against int8 weight rows read in place from flash).
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { ACT_NONE, TYPE_FLOAT32, TYPE_INT32, TYPE_INT8 } from "../schema";
import { activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation, quantizedMultiplier, quantizedShift } from "../quant";

// ---- Requantisation -------------------------------------------------------------------------
// One 48-byte record per output channel. TFLite's two-rounding arithmetic is
//   y = SRDHM(acc << left, M);  out = RDBPOT(y, e) + zp;  clamp.
// For M >= 0, SRDHM(x, M) = floor((x*M + 2^30) / 2^31) (both of its nudges collapse to +2^30
// under a flooring shift), and RDBPOT(y, e) = floor((y + 2^(e-1) - [y<0]) / 2^e); nested
// floors merge, so out - zp = (acc*M' + K) >> (31+e) with K = 2^30 + 2^(30+e) - [y<0]*2^31
// (K = 2^30 when e = 0) and M' = M << left. y < 0 exactly when acc < negThr (M' >= 2^30).
// As acc -> out is monotonic, the clamp becomes two precomputed thresholds: below lo the
// output is act_min, above hi act_max, and in between no clamp is needed (nor can i64 overflow).
export const Q_M: usize = 0; // i64 multiplier << left
export const Q_KPOS: usize = 8; // i64 rounding constant when y >= 0
export const Q_KNEG: usize = 16; // i64 rounding constant when y < 0
export const Q_S: usize = 24; // i64 total right shift 31 + e
export const Q_BIAS: usize = 32; // bias - inZp * sum(w): the input zero point folded in
export const Q_NEG: usize = 36; // acc < neg  <=>  y < 0
export const Q_LO: usize = 40; // acc < lo  -> act_min
export const Q_HI: usize = 44; // acc > hi  -> act_max
export const Q_ZP: usize = 28; // output zero point (act_min/max for channels that always clamp)
export const Q_BYTES: i32 = 48;

/** TFLite's exact result for acc (before clamping), with an unwrapped left shift. */
function exactRequant(acc: i64, mult: i32, shift: i32): i64 {
  const left = shift > 0 ? shift : 0;
  const e = shift > 0 ? 0 : -shift;
  const x = acc << left;
  if (x > <i64>i32.MAX_VALUE) return 1 << 40; // beyond any output range
  if (x < <i64>i32.MIN_VALUE) return -(1 << 40);
  const y = (x * <i64>mult + (1 << 30)) >> 31;
  const mask: i64 = (<i64>1 << e) - 1;
  return (y >> e) + ((y & mask) > ((mask >> 1) + (y < 0 ? 1 : 0)) ? 1 : 0);
}

export class ChannelQuant {
  records: usize = 0;
  amin: i32 = -128;
  amax: i32 = 127;
  zp: i32 = 0;

  constructor(readonly channels: i32, act: i32, outScale: f32, outZp: i32) {
    this.records = heap.alloc(<usize>(channels * Q_BYTES + 16));
    this.records = (this.records + 15) & ~<usize>15;
    this.amin = activationMin(act, outScale, outZp);
    this.amax = activationMax(act, outScale, outZp);
    this.zp = outZp;
  }

  /** Channel c's record from its real multiplier, int32 bias and the folded input offset. */
  set(c: i32, real: f64, bias: i32, foldedZp: i32): void {
    let mult = quantizedMultiplier(real);
    const shift = quantizedShift(real);
    const r = this.records + <usize>(c * Q_BYTES);
    const e = shift > 0 ? 0 : -shift;
    const zp = <i64>this.zp;
    // lo: the smallest acc whose output exceeds act_min; hi: the largest below act_max.
    let lo = i32.MIN_VALUE, hi = i32.MAX_VALUE, zpc = this.zp;
    if (exactRequant(<i64>i32.MAX_VALUE, mult, shift) + zp <= <i64>this.amin) {
      zpc = this.amin; mult = 0; // always act_min
    } else if (exactRequant(<i64>i32.MIN_VALUE, mult, shift) + zp >= <i64>this.amax) {
      zpc = this.amax; mult = 0; // always act_max
    } else {
      let a: i64 = i32.MIN_VALUE, b: i64 = i32.MAX_VALUE; // first acc with out > amin
      while (a < b) { const m = (a + b) >> 1; if (exactRequant(m, mult, shift) + zp > <i64>this.amin) b = m; else a = m + 1; }
      lo = <i32>a;
      a = i32.MIN_VALUE; b = i32.MAX_VALUE; // last acc with out < amax
      while (a < b) { const m = (a + b + 1) >> 1; if (exactRequant(m, mult, shift) + zp < <i64>this.amax) a = m; else b = m - 1; }
      hi = <i32>a;
    }
    const m64 = <i64>mult << (shift > 0 ? shift : 0);
    const kpos: i64 = e == 0 ? (1 << 30) : (1 << 30) + (<i64>1 << (30 + e));
    store<i64>(r, m64, Q_M);
    store<i64>(r, kpos, Q_KPOS);
    store<i64>(r, e == 0 ? kpos : kpos - (<i64>1 << 31), Q_KNEG);
    store<i64>(r, 31 + e, Q_S);
    store<i32>(r, bias - foldedZp, Q_BIAS);
    // y < 0 iff acc*M' + 2^30 < 0: acc <= -1 when M' > 2^30, acc <= -2 when M' = 2^30, never when 0.
    store<i32>(r, m64 == 0 ? i32.MIN_VALUE : m64 == (1 << 30) ? -1 : 0, Q_NEG);
    store<i32>(r, lo, Q_LO);
    store<i32>(r, hi, Q_HI);
    store<i32>(r, zpc, Q_ZP);
  }
}

/** Requantises acc (bias already added) with the record's fields held in locals. */
// @ts-ignore: decorator
@inline export function requant(acc: i32, m: i64, kpos: i64, kneg: i64, s: i64, neg: i32, lo: i32, hi: i32, zp: i32, amin: i32, amax: i32): i32 {
  if (acc < lo) return amin;
  if (acc > hi) return amax;
  return <i32>((<i64>acc * m + (acc < neg ? kneg : kpos)) >> s) + zp;
}

/** Requantises acc with channel record r (bias added here). */
// @ts-ignore: decorator
@inline export function requantAt(acc: i32, r: usize, amin: i32, amax: i32): i32 {
  return requant(acc + load<i32>(r, Q_BIAS), load<i64>(r, Q_M), load<i64>(r, Q_KPOS), load<i64>(r, Q_KNEG), load<i64>(r, Q_S),
    load<i32>(r, Q_NEG), load<i32>(r, Q_LO), load<i32>(r, Q_HI), load<i32>(r, Q_ZP), amin, amax);
}

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// ---- Widened-row blocks ---------------------------------------------------------------------
// Rows ("patches") are int16, k8 = K rounded up to 8, stored 4 rows interleaved per group of 8
// ([k/8][row 0..3][8]) so that one pointer with constant offsets reaches all four; a single
// row is stored plainly. Zero padding past K makes over-reads of weight rows harmless.

/** Widens `k` int8 values to int16 at `dst` (stride 16 bytes per group of 8 · `rows`). */
export function widenRow(src: usize, k: i32, dst: usize, groupStride: usize): void {
  let g = 0;
  for (; g + 8 <= k; g += 8) {
    v128.store(dst, v128.load8x8_s(src + <usize>g));
    dst += groupStride;
  }
  if (g < k) {
    // The tail group: mask off lanes past k (the load may read the next row's bytes).
    const keep = i16x8.lt_s(i16x8(0, 1, 2, 3, 4, 5, 6, 7), i16x8.splat(<i16>(k - g)));
    v128.store(dst, v128.and(v128.load8x8_s(src + <usize>g), keep));
  }
}

/** Four output channels × four rows: out[row][c..c+3] for interleaved patches `pat`. */
export function block4x4(pat: usize, k8: i32, w: usize, K: i32, q: usize, amin: i32, amax: i32,
  o0: usize, o1: usize, o2: usize, o3: usize): void {
  // Weight rows 1-3 are addressed relative to row 0: one moving pointer. The first group of
  // 8 initialises the accumulators (no zeroing, no adds).
  const kb = <usize>K, kb2 = kb << 1, kb3 = kb2 + kb;
  const end = pat + <usize>(k8 << 3); // 4 rows * 2 bytes per k
  let x0 = v128.load(pat), x1 = v128.load(pat, 16), x2 = v128.load(pat, 32), x3 = v128.load(pat, 48);
  let v0 = v128.load8x8_s(w), v1 = v128.load8x8_s(w + kb), v2 = v128.load8x8_s(w + kb2), v3 = v128.load8x8_s(w + kb3);
  let a00 = i32x4.dot_i16x8_s(x0, v0), a01 = i32x4.dot_i16x8_s(x0, v1), a02 = i32x4.dot_i16x8_s(x0, v2), a03 = i32x4.dot_i16x8_s(x0, v3);
  let a10 = i32x4.dot_i16x8_s(x1, v0), a11 = i32x4.dot_i16x8_s(x1, v1), a12 = i32x4.dot_i16x8_s(x1, v2), a13 = i32x4.dot_i16x8_s(x1, v3);
  let a20 = i32x4.dot_i16x8_s(x2, v0), a21 = i32x4.dot_i16x8_s(x2, v1), a22 = i32x4.dot_i16x8_s(x2, v2), a23 = i32x4.dot_i16x8_s(x2, v3);
  let a30 = i32x4.dot_i16x8_s(x3, v0), a31 = i32x4.dot_i16x8_s(x3, v1), a32 = i32x4.dot_i16x8_s(x3, v2), a33 = i32x4.dot_i16x8_s(x3, v3);
  let w0 = w + 8;
  for (let p = pat + 64; p < end; p += 64) {
    x0 = v128.load(p); x1 = v128.load(p, 16); x2 = v128.load(p, 32); x3 = v128.load(p, 48);
    v0 = v128.load8x8_s(w0); v1 = v128.load8x8_s(w0 + kb); v2 = v128.load8x8_s(w0 + kb2); v3 = v128.load8x8_s(w0 + kb3);
    a00 = i32x4.add(a00, i32x4.dot_i16x8_s(x0, v0)); a01 = i32x4.add(a01, i32x4.dot_i16x8_s(x0, v1));
    a02 = i32x4.add(a02, i32x4.dot_i16x8_s(x0, v2)); a03 = i32x4.add(a03, i32x4.dot_i16x8_s(x0, v3));
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(x1, v0)); a11 = i32x4.add(a11, i32x4.dot_i16x8_s(x1, v1));
    a12 = i32x4.add(a12, i32x4.dot_i16x8_s(x1, v2)); a13 = i32x4.add(a13, i32x4.dot_i16x8_s(x1, v3));
    a20 = i32x4.add(a20, i32x4.dot_i16x8_s(x2, v0)); a21 = i32x4.add(a21, i32x4.dot_i16x8_s(x2, v1));
    a22 = i32x4.add(a22, i32x4.dot_i16x8_s(x2, v2)); a23 = i32x4.add(a23, i32x4.dot_i16x8_s(x2, v3));
    a30 = i32x4.add(a30, i32x4.dot_i16x8_s(x3, v0)); a31 = i32x4.add(a31, i32x4.dot_i16x8_s(x3, v1));
    a32 = i32x4.add(a32, i32x4.dot_i16x8_s(x3, v2)); a33 = i32x4.add(a33, i32x4.dot_i16x8_s(x3, v3));
    w0 += 8;
  }
  store4(hsum(a00), hsum(a10), hsum(a20), hsum(a30), q, amin, amax, o0, o1, o2, o3);
  store4(hsum(a01), hsum(a11), hsum(a21), hsum(a31), q + <usize>Q_BYTES, amin, amax, o0 + 1, o1 + 1, o2 + 1, o3 + 1);
  store4(hsum(a02), hsum(a12), hsum(a22), hsum(a32), q + <usize>(2 * Q_BYTES), amin, amax, o0 + 2, o1 + 2, o2 + 2, o3 + 2);
  store4(hsum(a03), hsum(a13), hsum(a23), hsum(a33), q + <usize>(3 * Q_BYTES), amin, amax, o0 + 3, o1 + 3, o2 + 3, o3 + 3);
}

/** One channel's results for four rows: the channel record is read once. */
// @ts-ignore: decorator
@inline function store4(s0: i32, s1: i32, s2: i32, s3: i32, r: usize, amin: i32, amax: i32, o0: usize, o1: usize, o2: usize, o3: usize): void {
  const bias = load<i32>(r, Q_BIAS), m = load<i64>(r, Q_M), kp = load<i64>(r, Q_KPOS), kn = load<i64>(r, Q_KNEG), sh = load<i64>(r, Q_S);
  const neg = load<i32>(r, Q_NEG), lo = load<i32>(r, Q_LO), hi = load<i32>(r, Q_HI), zp = load<i32>(r, Q_ZP);
  store<i8>(o0, <i8>requant(s0 + bias, m, kp, kn, sh, neg, lo, hi, zp, amin, amax));
  store<i8>(o1, <i8>requant(s1 + bias, m, kp, kn, sh, neg, lo, hi, zp, amin, amax));
  store<i8>(o2, <i8>requant(s2 + bias, m, kp, kn, sh, neg, lo, hi, zp, amin, amax));
  store<i8>(o3, <i8>requant(s3 + bias, m, kp, kn, sh, neg, lo, hi, zp, amin, amax));
}

/** One output channel × four interleaved rows (channel tails). */
export function block1x4(pat: usize, k8: i32, w: usize, q: usize, amin: i32, amax: i32,
  o0: usize, o1: usize, o2: usize, o3: usize): void {
  const v = v128.load8x8_s(w);
  let a0 = i32x4.dot_i16x8_s(v128.load(pat), v), a1 = i32x4.dot_i16x8_s(v128.load(pat, 16), v);
  let a2 = i32x4.dot_i16x8_s(v128.load(pat, 32), v), a3 = i32x4.dot_i16x8_s(v128.load(pat, 48), v);
  let w0 = w + 8;
  const end = pat + <usize>(k8 << 3);
  for (let p = pat + 64; p < end; p += 64) {
    const v = v128.load8x8_s(w0);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(p), v));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(p, 16), v));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(p, 32), v));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(p, 48), v));
    w0 += 8;
  }
  store4(hsum(a0), hsum(a1), hsum(a2), hsum(a3), q, amin, amax, o0, o1, o2, o3);
}

/** Four output channels × one plain row (row tails, batch-1 fully connected layers). */
export function block4x1(pat: usize, k8: i32, w: usize, K: i32, q: usize, amin: i32, amax: i32, o: usize): void {
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
  store<i8>(o, <i8>requantAt(hsum(a0), q, amin, amax));
  store<i8>(o, <i8>requantAt(hsum(a1), q + <usize>Q_BYTES, amin, amax), 1);
  store<i8>(o, <i8>requantAt(hsum(a2), q + <usize>(2 * Q_BYTES), amin, amax), 2);
  store<i8>(o, <i8>requantAt(hsum(a3), q + <usize>(3 * Q_BYTES), amin, amax), 3);
}

/** One output channel × one plain row. */
export function block1x1(pat: usize, k8: i32, w: usize, q: usize, amin: i32, amax: i32, o: usize): void {
  let a = i32x4.dot_i16x8_s(v128.load(pat), v128.load8x8_s(w));
  let w0 = w + 8;
  const end = pat + <usize>(k8 << 1);
  for (let p = pat + 16; p < end; p += 16) {
    a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(p), v128.load8x8_s(w0)));
    w0 += 8;
  }
  store<i8>(o, <i8>requantAt(hsum(a), q, amin, amax));
}

/** All `n` output channels for the patches at `pat` (4 interleaved rows, or 1 plain row). */
export function gemmRows(pat: usize, rows: i32, k8: i32, w: usize, K: i32, n: i32, cq: ChannelQuant,
  o0: usize, o1: usize, o2: usize, o3: usize): void {
  const q = cq.records, amin = cq.amin, amax = cq.amax;
  const rowBytes = <usize>K;
  let c = 0;
  if (rows == 4) {
    for (; c + 4 <= n; c += 4) {
      const cc = <usize>c;
      block4x4(pat, k8, w + cc * rowBytes, K, q + cc * <usize>Q_BYTES, amin, amax, o0 + cc, o1 + cc, o2 + cc, o3 + cc);
    }
    for (; c < n; c++) {
      const cc = <usize>c;
      block1x4(pat, k8, w + cc * rowBytes, q + cc * <usize>Q_BYTES, amin, amax, o0 + cc, o1 + cc, o2 + cc, o3 + cc);
    }
  } else {
    for (; c + 4 <= n; c += 4) {
      const cc = <usize>c;
      block4x1(pat, k8, w + cc * rowBytes, K, q + cc * <usize>Q_BYTES, amin, amax, o0 + cc);
    }
    for (; c < n; c++) {
      const cc = <usize>c;
      block1x1(pat, k8, w + cc * rowBytes, q + cc * <usize>Q_BYTES, amin, amax, o0 + cc);
    }
  }
}

/** Sum of weights of row c (for folding the input zero point into the bias). */
export function rowSum(w: usize, K: i32): i32 {
  let s = 0;
  for (let k = 0; k < K; k++) s += <i32>load<i8>(w + <usize>k);
  return s;
}

/** Bias element c as int32, 0 when absent. */
export function biasI32(bias: Tensor | null, c: i32): i32 {
  return bias === null ? 0 : load<i32>(bias.data + (<usize>c << 2));
}

export function biasF32(bias: Tensor | null, c: i32): f32 {
  return bias === null ? 0 : load<f32>(bias.data + (<usize>c << 2));
}

/** Checks the optional bias: int32 (int8 models) or float32 with `n` elements. */
export function checkBias(bias: Tensor | null, float: bool, n: i32): string {
  if (bias === null) return "";
  if (bias.type != (float ? TYPE_FLOAT32 : TYPE_INT32)) return float ? "bias must be float32" : "bias must be int32";
  if (bias.elements != n) return "bias has " + bias.elements.toString() + " elements, expected " + n.toString();
  return "";
}

/** Checks per-channel / per-tensor filter quantisation against n output channels on `dim`. */
export function checkFilterQuant(filter: Tensor, n: i32, dim: i32): string {
  if (filter.zeroPoint != 0) return "int8 filter zero point must be 0";
  if (filter.isPerChannel() && (filter.channels != n || filter.quantizedDimension != dim)) return "filter per-channel scales do not match the output channels";
  return "";
}

// ---- FULLY_CONNECTED ------------------------------------------------------------------------
export class FullyConnected extends Kernel {
  private float: bool = false;
  private batches: i32 = 0;
  private inputs: i32 = 0;
  private outputs: i32 = 0;
  private k8: i32 = 0;
  private bias: Tensor | null = null;
  private cq: ChannelQuant | null = null;
  private fmin: f32 = 0;
  private fmax: f32 = 0;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs an input, weights and an output";
    const input = op.input(0), weights = op.input(1), output = op.output(0);
    const act = op.optU8(0, ACT_NONE);
    if (!isSupportedActivation(<i32>act)) return "unsupported fused activation " + act.toString();
    if (op.optU8(1, 0) != 0) return "only the default weights format is supported";
    this.float = input.type == TYPE_FLOAT32;
    if (this.float ? (weights.type != TYPE_FLOAT32 || output.type != TYPE_FLOAT32) : (input.type != TYPE_INT8 || weights.type != TYPE_INT8 || output.type != TYPE_INT8)) {
      return "input, weights and output must all be int8 or all float32";
    }
    if (weights.rank != 2) return "weights must be 2-D";
    const n = weights.dim(0), k = weights.dim(1);
    if (n <= 0 || k <= 0 || input.elements % k != 0) return "input size is not a multiple of the weights' depth";
    this.outputs = n;
    this.inputs = k;
    this.batches = input.elements / k;
    if (output.rank < 1 || output.dim(-1) != n || output.elements != this.batches * n) return "output shape does not match batch x units";
    const bias = op.hasInput(2) ? op.input(2) : null;
    const why = checkBias(bias, this.float, n);
    if (why.length > 0) return why;
    this.bias = bias;
    this.k8 = (k + 7) & ~7;
    if (this.float) {
      this.fmin = activationMinF(<i32>act);
      this.fmax = activationMaxF(<i32>act);
      return "";
    }
    const fq = checkFilterQuant(weights, n, 0);
    if (fq.length > 0) return fq;
    const cq = new ChannelQuant(n, <i32>act, output.scale, output.zeroPoint);
    for (let c = 0; c < n; c++) {
      // TFLite: per-tensor scales multiply in float, per-channel ones in double.
      const real = weights.isPerChannel()
        ? <f64>input.scale * <f64>weights.channelScale(c) / <f64>output.scale
        : <f64>(input.scale * weights.scale) / <f64>output.scale;
      cq.set(c, real, biasI32(bias, c), input.zeroPoint * rowSum(weights.data + <usize>c * <usize>k, k));
    }
    this.cq = cq;
    return "";
  }

  scratchBytes(): i32 {
    return this.float ? 0 : 4 * this.k8 * 2 + 16;
  }

  macs(): u64 {
    return <u64>this.batches * <u64>this.inputs * <u64>this.outputs;
  }

  eval(scratch: usize): void {
    if (this.float) { this.evalFloat(); return; }
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const K = this.inputs, n = this.outputs, k8 = this.k8, cq = this.cq!;
    let b = 0;
    for (; b + 4 <= this.batches; b += 4) {
      for (let r = 0; r < 4; r++) widenRow(input + <usize>((b + r) * K), K, scratch + <usize>(r << 4), 64);
      const o = out + <usize>(b * n);
      gemmRows(scratch, 4, k8, w, K, n, cq, o, o + <usize>n, o + <usize>(2 * n), o + <usize>(3 * n));
    }
    for (; b < this.batches; b++) {
      widenRow(input + <usize>(b * K), K, scratch, 16);
      const o = out + <usize>(b * n);
      gemmRows(scratch, 1, k8, w, K, n, cq, o, o, o, o);
    }
  }

  private evalFloat(): void {
    const input = this.op.input(0).data, w = this.op.input(1).data, out = this.op.output(0).data;
    const K = this.inputs, n = this.outputs, lo = this.fmin, hi = this.fmax;
    const bias = this.bias;
    for (let b = 0; b < this.batches; b++) {
      const x = input + (<usize>(b * K) << 2);
      for (let c = 0; c < n; c++) {
        const wr = w + (<usize>(c * K) << 2);
        let s: f32 = 0;
        for (let k = 0; k < K; k++) s += load<f32>(x + (<usize>k << 2)) * load<f32>(wr + (<usize>k << 2));
        s += biasF32(bias, c);
        store<f32>(out + (<usize>(b * n + c) << 2), min(max(s, lo), hi));
      }
    }
  }
}
