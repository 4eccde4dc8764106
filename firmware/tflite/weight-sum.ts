// Sums of int8 weights, which prepare folds into each channel's bias (bias - inZp * sum(w)).
// Start-up reads every weight of a model once this way, so it goes 16 bytes a step.

/** Sum of `n` int8 values at `p` (exact: the i16 lanes are widened before they can overflow). */
export function sumInt8(p: usize, n: i32): i32 {
  let total = 0;
  let q = p;
  const end = p + <usize>n;
  // A pairwise add puts at most |2 * -128| = 256 into an i16 lane per step: 127 steps stay below 2^15.
  while (end - q >= 16) {
    const steps = <usize>min<usize>((end - q) >> 4, 127);
    const stop = q + (steps << 4);
    let acc = i16x8.splat(0);
    do {
      acc = i16x8.add(acc, i16x8.extadd_pairwise_i8x16_s(v128.load(q)));
      q += 16;
    } while (q < stop);
    const wide = i32x4.extadd_pairwise_i16x8_s(acc);
    total += i32x4.extract_lane(wide, 0) + i32x4.extract_lane(wide, 1) + i32x4.extract_lane(wide, 2) + i32x4.extract_lane(wide, 3);
  }
  while (q < end) {
    total += <i32>load<i8>(q);
    q++;
  }
  return total;
}

/** out[c] (i32) = the sum over r < rows of the int8 at p + r * cols + c: each channel's taps of
 *  a depthwise filter ([1, h, w, channels]), eight channels a step (i16 lanes hold up to 255
 *  rows of -128 exactly; more rows take the scalar loop). */
export function columnSums(p: usize, rows: i32, cols: i32, out: usize): void {
  let c = 0;
  const stride = <usize>cols;
  if (rows <= 255) {
    for (; c + 8 <= cols; c += 8) {
      let acc = i16x8.splat(0);
      let q = p + <usize>c;
      for (let r = 0; r < rows; r++) { acc = i16x8.add(acc, v128.load8x8_s(q)); q += stride; }
      const at = out + (<usize>c << 2);
      v128.store(at, i32x4.extend_low_i16x8_s(acc));
      v128.store(at, i32x4.extend_high_i16x8_s(acc), 16);
    }
  }
  for (; c < cols; c++) {
    let sum = 0;
    let q = p + <usize>c;
    for (let r = 0; r < rows; r++) { sum += <i32>load<i8>(q); q += stride; }
    store<i32>(out + (<usize>c << 2), sum);
  }
}
