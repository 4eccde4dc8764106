// Real FFT in Q15 and Q31 fixed point, same structure and packed layout as fft-f32.ts
// (radix-4 first pass, radix-2 stages, one split pass). Each stage halves its outputs
// (rounding), so nothing overflows for any input and the result is X[k] / n:
// a full-scale sine of bin k gives about 0.5 at bin k. The price is log2(n) bits of headroom
// spent on small signals; the tests state the SNR this leaves (test/firmware/dsp/fft.test.ts).

/** Bytes of table an n-point Q15 real FFT needs. */
export function rfftTableBytesQ15(n: i32): i32 {
  return (n >> 1) * 4 + (n >> 1) * 2;
}

/** Bytes of table an n-point Q31 real FFT needs. */
export function rfftTableBytesQ31(n: i32): i32 {
  return (n >> 1) * 8 + (n >> 1) * 2;
}

function fillBitReverse(half: i32, rev: usize): void {
  let bits = 0;
  while ((1 << bits) < half) bits++;
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    store<u16>(rev + (<usize>i << 1), <u16>r);
  }
}

/** Fills the Q15 table: cos/sin of 2 pi k / n (Q15, k < n/2), then the bit reversal of n/2. */
export function rfftInitQ15(n: i32, table: usize): void {
  const half = n >> 1;
  for (let k = 0; k < half; k++) {
    const a = (2.0 * Math.PI * <f64>k) / <f64>n;
    store<i16>(table + (<usize>k << 2), <i16>min(32767, <i32>Math.round(Math.cos(a) * 32768.0)));
    store<i16>(table + (<usize>k << 2) + 2, <i16>min(32767, <i32>Math.round(Math.sin(a) * 32768.0)));
  }
  fillBitReverse(half, table + (<usize>half << 2));
}

/** Fills the Q31 table: cos/sin of 2 pi k / n (Q31, k < n/2), then the bit reversal of n/2. */
export function rfftInitQ31(n: i32, table: usize): void {
  const half = n >> 1;
  for (let k = 0; k < half; k++) {
    const a = (2.0 * Math.PI * <f64>k) / <f64>n;
    store<i32>(table + (<usize>k << 3), <i32>min<i64>(2147483647, <i64>Math.round(Math.cos(a) * 2147483648.0)));
    store<i32>(table + (<usize>k << 3) + 4, <i32>min<i64>(2147483647, <i64>Math.round(Math.sin(a) * 2147483648.0)));
  }
  fillBitReverse(half, table + (<usize>half << 3));
}

// ---- Q15 ----

// (a * b) >> 15 with rounding, a and b Q15.
@inline function mulQ15(a: i32, b: i32): i32 { return (a * b + 0x4000) >> 15; }

function complexFftQ15(m: i32, buf: usize, table: usize, rev: usize): void {
  for (let i = 0; i < m; i++) {
    const j = <i32>load<u16>(rev + (<usize>i << 1));
    if (j > i) {
      const pi = buf + (<usize>i << 2), pj = buf + (<usize>j << 2);
      const v = load<u32>(pi);
      store<u32>(pi, load<u32>(pj));
      store<u32>(pj, v);
    }
  }
  let size = 2;
  if (m >= 4) {
    // Radix-4 pass (two stages, each halving: >> 2 overall), twiddles 1 and -i.
    for (let s = 0; s < m; s += 4) {
      const p = buf + (<usize>s << 2);
      const ar = <i32>load<i16>(p), ai = <i32>load<i16>(p, 2), br = <i32>load<i16>(p, 4), bi = <i32>load<i16>(p, 6);
      const cr = <i32>load<i16>(p, 8), ci = <i32>load<i16>(p, 10), dr = <i32>load<i16>(p, 12), di = <i32>load<i16>(p, 14);
      const e0r = ar + br, e0i = ai + bi, e1r = ar - br, e1i = ai - bi;
      const f0r = cr + dr, f0i = ci + di, f1r = cr - dr, f1i = ci - di;
      store<i16>(p, <i16>((e0r + f0r + 2) >> 2)); store<i16>(p, <i16>((e0i + f0i + 2) >> 2), 2);
      store<i16>(p, <i16>((e1r + f1i + 2) >> 2), 4); store<i16>(p, <i16>((e1i - f1r + 2) >> 2), 6);
      store<i16>(p, <i16>((e0r - f0r + 2) >> 2), 8); store<i16>(p, <i16>((e0i - f0i + 2) >> 2), 10);
      store<i16>(p, <i16>((e1r - f1i + 2) >> 2), 12); store<i16>(p, <i16>((e1i + f1r + 2) >> 2), 14);
    }
    size = 8;
  }
  const n = m << 1;
  for (; size <= m; size <<= 1) {
    const half = size >> 1;
    const stride = <usize>(n / size) << 2;
    for (let j = 0; j < half; j++) {
      const tw = table + <usize>j * stride;
      const wr = <i32>load<i16>(tw), wi = -<i32>load<i16>(tw, 2);
      for (let s = j; s < m; s += size) {
        const pa = buf + (<usize>s << 2), pb = pa + (<usize>half << 2);
        const br = <i32>load<i16>(pb), bi = <i32>load<i16>(pb, 2);
        const tr = mulQ15(br, wr) - mulQ15(bi, wi), ti = mulQ15(br, wi) + mulQ15(bi, wr);
        const ar = <i32>load<i16>(pa), ai = <i32>load<i16>(pa, 2);
        store<i16>(pa, <i16>((ar + tr + 1) >> 1)); store<i16>(pa, <i16>((ai + ti + 1) >> 1), 2);
        store<i16>(pb, <i16>((ar - tr + 1) >> 1)); store<i16>(pb, <i16>((ai - ti + 1) >> 1), 2);
      }
    }
  }
}

/** In-place forward real FFT of n Q15 samples; packed spectrum of X[k] / n in Q15. */
export function rfftQ15(n: i32, table: usize, buf: usize): void {
  const m = n >> 1;
  complexFftQ15(m, buf, table, table + (<usize>m << 2));
  const z0r = <i32>load<i16>(buf), z0i = <i32>load<i16>(buf, 2);
  store<i16>(buf, <i16>((z0r + z0i + 1) >> 1));
  store<i16>(buf, <i16>((z0r - z0i + 1) >> 1), 2);
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = buf + (<usize>k << 2), pm = buf + (<usize>(m - k) << 2);
    const ar = <i32>load<i16>(pk), ai = <i32>load<i16>(pk, 2), br = <i32>load<i16>(pm), bi = <i32>load<i16>(pm, 2);
    // Fe, Fo at half scale (the split's own halving), then X = Fe + W Fo, again halved into the output scale.
    const fer = ar + br, fei = ai - bi, for_ = ai + bi, foi = br - ar;
    const tw = table + (<usize>k << 2);
    const wr = <i32>load<i16>(tw), wi = -<i32>load<i16>(tw, 2);
    const tr = mulQ15(for_, wr) - mulQ15(foi, wi), ti = mulQ15(for_, wi) + mulQ15(foi, wr);
    store<i16>(pk, <i16>((fer + tr + 2) >> 2)); store<i16>(pk, <i16>((fei + ti + 2) >> 2), 2);
    store<i16>(pm, <i16>((fer - tr + 2) >> 2)); store<i16>(pm, <i16>((ti - fei + 2) >> 2), 2);
  }
}

// ---- Q31 ----

@inline function mulQ31(a: i64, b: i64): i64 { return (a * b + 0x40000000) >> 31; }

function complexFftQ31(m: i32, buf: usize, table: usize, rev: usize): void {
  for (let i = 0; i < m; i++) {
    const j = <i32>load<u16>(rev + (<usize>i << 1));
    if (j > i) {
      const pi = buf + (<usize>i << 3), pj = buf + (<usize>j << 3);
      const v = load<u64>(pi);
      store<u64>(pi, load<u64>(pj));
      store<u64>(pj, v);
    }
  }
  let size = 2;
  if (m >= 4) {
    for (let s = 0; s < m; s += 4) {
      const p = buf + (<usize>s << 3);
      const ar = <i64>load<i32>(p), ai = <i64>load<i32>(p, 4), br = <i64>load<i32>(p, 8), bi = <i64>load<i32>(p, 12);
      const cr = <i64>load<i32>(p, 16), ci = <i64>load<i32>(p, 20), dr = <i64>load<i32>(p, 24), di = <i64>load<i32>(p, 28);
      const e0r = ar + br, e0i = ai + bi, e1r = ar - br, e1i = ai - bi;
      const f0r = cr + dr, f0i = ci + di, f1r = cr - dr, f1i = ci - di;
      store<i32>(p, <i32>((e0r + f0r + 2) >> 2)); store<i32>(p, <i32>((e0i + f0i + 2) >> 2), 4);
      store<i32>(p, <i32>((e1r + f1i + 2) >> 2), 8); store<i32>(p, <i32>((e1i - f1r + 2) >> 2), 12);
      store<i32>(p, <i32>((e0r - f0r + 2) >> 2), 16); store<i32>(p, <i32>((e0i - f0i + 2) >> 2), 20);
      store<i32>(p, <i32>((e1r - f1i + 2) >> 2), 24); store<i32>(p, <i32>((e1i + f1r + 2) >> 2), 28);
    }
    size = 8;
  }
  const n = m << 1;
  for (; size <= m; size <<= 1) {
    const half = size >> 1;
    const stride = <usize>(n / size) << 3;
    for (let j = 0; j < half; j++) {
      const tw = table + <usize>j * stride;
      const wr = <i64>load<i32>(tw), wi = -<i64>load<i32>(tw, 4);
      for (let s = j; s < m; s += size) {
        const pa = buf + (<usize>s << 3), pb = pa + (<usize>half << 3);
        const br = <i64>load<i32>(pb), bi = <i64>load<i32>(pb, 4);
        const tr = mulQ31(br, wr) - mulQ31(bi, wi), ti = mulQ31(br, wi) + mulQ31(bi, wr);
        const ar = <i64>load<i32>(pa), ai = <i64>load<i32>(pa, 4);
        store<i32>(pa, <i32>((ar + tr + 1) >> 1)); store<i32>(pa, <i32>((ai + ti + 1) >> 1), 4);
        store<i32>(pb, <i32>((ar - tr + 1) >> 1)); store<i32>(pb, <i32>((ai - ti + 1) >> 1), 4);
      }
    }
  }
}

/** In-place forward real FFT of n Q31 samples; packed spectrum of X[k] / n in Q31. */
export function rfftQ31(n: i32, table: usize, buf: usize): void {
  const m = n >> 1;
  complexFftQ31(m, buf, table, table + (<usize>m << 3));
  const z0r = <i64>load<i32>(buf), z0i = <i64>load<i32>(buf, 4);
  store<i32>(buf, <i32>((z0r + z0i + 1) >> 1));
  store<i32>(buf, <i32>((z0r - z0i + 1) >> 1), 4);
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = buf + (<usize>k << 3), pm = buf + (<usize>(m - k) << 3);
    const ar = <i64>load<i32>(pk), ai = <i64>load<i32>(pk, 4), br = <i64>load<i32>(pm), bi = <i64>load<i32>(pm, 4);
    const fer = ar + br, fei = ai - bi, for_ = ai + bi, foi = br - ar;
    const tw = table + (<usize>k << 3);
    const wr = <i64>load<i32>(tw), wi = -<i64>load<i32>(tw, 4);
    const tr = mulQ31(for_, wr) - mulQ31(foi, wi), ti = mulQ31(for_, wi) + mulQ31(foi, wr);
    store<i32>(pk, <i32>((fer + tr + 2) >> 2)); store<i32>(pk, <i32>((fei + ti + 2) >> 2), 4);
    store<i32>(pm, <i32>((fer - tr + 2) >> 2)); store<i32>(pm, <i32>((ti - fei + 2) >> 2), 4);
  }
}
