// Per-channel requantisation: the records a layer's inner loops read, written just before it
// runs from what the layer keeps (channel-quant.ts), and their arithmetic.

// One 48-byte record per output channel, written for the running layer only. TFLite's two-rounding arithmetic is
//   y = SRDHM(acc << left, M);  out = RDBPOT(y, e) + zp;  clamp.
// For M >= 0, SRDHM(x, M) = floor((x*M + 2^30) / 2^31) (both of its nudges collapse to +2^30
// under a flooring shift), and RDBPOT(y, e) = floor((y + 2^(e-1) - [y<0]) / 2^e); nested
// floors merge, so out - zp = (acc*M' + K) >> (31+e) with K = 2^30 + 2^(30+e) - [y<0]*2^31
// (K = 2^30 when e = 0) and M' = M << left. y < 0 exactly when acc < negThr (M' >= 2^30).
// The clamp to the activation range follows, as in TFLM's and CMSIS-NN's inner loops.
// A layer whose activation's lower bound is its zero point (ReLU, ReLU6: TFLite's
// CalculateActivationRangeQuantized gives act_min = max(-128, zp) = zp) takes the "ReLU"
// form: acc <= 0 gives y <= 0, so out <= zp = act_min without the multiply (the half of
// the outputs a ReLU zeroes cost a compare); acc > 0 gives y >= 0, one K, zp folded into it:
// out = min((acc*M' + K + (zp << S)) >> S, act_max), where zp << S must fit (S <= 54).
// Otherwise the general form picks K by the sign of y, adds zp and clamps both ends
// (i64 shifts use 6 bits, so zp is kept in the high word of the shift).
// Exact wherever TFLite's own int32 arithmetic is defined (acc << left inside int32).
export const Q_M: usize = 0; // i64 multiplier << left
export const Q_KPOS: usize = 8; // i64 rounding constant when y >= 0 (+ zp << S when folded)
export const Q_KNEG: usize = 16; // i64 rounding constant when y < 0 (general form)
export const Q_S: usize = 24; // i64 total right shift 31 + e (low word)
export const Q_ZP: usize = 28; // output zero point (general form), the shift's high word
export const Q_BIAS: usize = 32; // bias - inZp * sum(w): the input zero point folded in
export const Q_NEG: usize = 36; // acc < neg  <=>  y < 0
export const Q_BYTES: i32 = 48; // 40 used; 48 keeps records 16-byte aligned

/** acc < negThreshold  <=>  y < 0: acc <= -1 when M' > 2^30, acc <= -2 when M' = 2^30, never when 0. */
function negThreshold(mult: i32, shift: i32): i32 {
  const m64 = <i64>mult << (shift > 0 ? shift : 0);
  return m64 == 0 ? i32.MIN_VALUE : m64 == (1 << 30) ? -1 : 0;
}

// @ts-ignore: decorator
@inline export function writeRecord(r: usize, mult: i32, shift: i32, zp: i32, bias: i32, folded: bool): void {
  const e = shift > 0 ? 0 : -shift;
  const m64 = <i64>mult << (shift > 0 ? shift : 0);
  const kpos: i64 = e == 0 ? (1 << 30) : (1 << 30) + (<i64>1 << (30 + e));
  const s: i64 = 31 + e;
  store<i64>(r, m64, Q_M);
  store<i64>(r, e == 0 ? kpos : kpos - (<i64>1 << 31), Q_KNEG);
  if (folded) {
    store<i64>(r, kpos + (<i64>zp << s), Q_KPOS);
    store<i64>(r, s, Q_S);
  } else {
    store<i64>(r, kpos, Q_KPOS);
    store<i64>(r, s, Q_S);
    store<i32>(r, zp, Q_ZP);
  }
  store<i32>(r, bias, Q_BIAS);
  store<i32>(r, negThreshold(mult, shift), Q_NEG);
}

/** The record fields of one channel (what writeRecord stores), for kernels that keep no
 *  records: derived from the kept multiplier and shift into these globals, which the caller
 *  copies into locals (no object, nothing allocated). General form (the zero point added). */
export let directM: i64 = 0;
export let directKpos: i64 = 0;
export let directKneg: i64 = 0;
export let directS: i64 = 0;
export let directNeg: i32 = 0;

export function deriveDirect(mult: i32, shift: i32): void {
  const e = shift > 0 ? 0 : -shift;
  const kpos: i64 = e == 0 ? (1 << 30) : (1 << 30) + (<i64>1 << (30 + e));
  directM = <i64>mult << (shift > 0 ? shift : 0);
  directKpos = kpos;
  directKneg = e == 0 ? kpos : kpos - (<i64>1 << 31);
  directS = 31 + e;
  directNeg = negThreshold(mult, shift);
}

/** Requantises acc (bias already added) with the record's fields held in locals and clamps it
 *  to [amin, amax]; `folded` (the ReLU form) must be a compile-time constant. */
// @ts-ignore: decorator
@inline export function requant(acc: i32, m: i64, kpos: i64, kneg: i64, s: i64, neg: i32, zp: i32, amin: i32, amax: i32, folded: bool): i32 {
  if (folded) {
    if (acc <= 0) return amin;
    return min(<i32>((<i64>acc * m + kpos) >> s), amax);
  }
  return min(max(<i32>((<i64>acc * m + (acc < neg ? kneg : kpos)) >> s) + zp, amin), amax);
}

/** Requantises acc with channel record r (bias added here). */
// @ts-ignore: decorator
@inline export function requantAt(acc: i32, r: usize, amin: i32, amax: i32, folded: bool): i32 {
  return requant(acc + load<i32>(r, Q_BIAS), load<i64>(r, Q_M), load<i64>(r, Q_KPOS), load<i64>(r, Q_KNEG), load<i64>(r, Q_S),
    load<i32>(r, Q_NEG), load<i32>(r, Q_ZP), amin, amax, folded);
}

// A channel's record fields (requant.ts writeRecord, deriveDirect) from its kept Q31 multiplier
// and shift, inlined into locals: no globals, no call.
// @ts-ignore: decorator
@inline export function scaledMultiplier(mult: i32, shift: i32): i64 {
  return <i64>mult << <i64>(shift > 0 ? shift : 0);
}

// @ts-ignore: decorator
@inline export function totalShift(shift: i32): i64 {
  return <i64>(31 + (shift > 0 ? 0 : -shift));
}

// @ts-ignore: decorator
@inline export function roundingPos(shift: i32): i64 {
  return shift >= 0 ? <i64>(1 << 30) : <i64>(1 << 30) + (<i64>1 << <i64>(30 - shift));
}

// @ts-ignore: decorator
@inline export function roundingNeg(shift: i32, kpos: i64): i64 {
  return shift >= 0 ? kpos : kpos - (<i64>1 << 31);
}

/** acc < this <=> y < 0 (requant.ts negThreshold), from the scaled multiplier. */
// @ts-ignore: decorator
@inline export function negativeBelow(m: i64): i32 {
  return m == 0 ? i32.MIN_VALUE : m == (1 << 30) ? -1 : 0;
}
