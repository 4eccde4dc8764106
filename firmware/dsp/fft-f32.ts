// Real FFT in float32: an n-point real transform done as an n/2-point complex FFT of the
// even/odd samples packed as re/im, then one split pass (the usual trick that halves the work).
// The complex FFT starts with a radix-4 pass (its twiddles are 1 and -i, so no multiplies) and
// continues with radix-2 stages. Everything works in caller memory: `rfftTableBytes(n)` bytes
// of table, filled once by `rfftInitF32`, then any number of in-place transforms.
//
// Packed spectrum layout (n floats, as CMSIS-DSP): [X0, X(n/2), Re X1, Im X1, ..., Re X(n/2-1), Im X(n/2-1)].
// Sign convention X[k] = sum x[t] e^(-2 pi i k t / n), no scaling forward; rfftInverseF32 scales so that inverse(forward(x)) = x.

const HALF: f32 = 0.5;

/** Bytes of table an n-point real FFT needs (n a power of two, 8..8192). */
export function rfftTableBytes(n: i32): i32 {
  return n * 4 + (n >> 1) * 2; // n/2 twiddles (cos, sin) + n/2 u16 bit-reversal indices
}

/** Fills `table` for an n-point real FFT: cos/sin of 2 pi k / n for k < n/2, then the bit-reversal permutation of n/2. */
export function rfftInitF32(n: i32, table: usize): void {
  const half = n >> 1;
  for (let k = 0; k < half; k++) {
    const a = (2.0 * Math.PI * <f64>k) / <f64>n;
    store<f32>(table + (<usize>k << 3), <f32>Math.cos(a));
    store<f32>(table + (<usize>k << 3) + 4, <f32>Math.sin(a));
  }
  const rev = table + (<usize>n << 2);
  let bits = 0;
  while ((1 << bits) < half) bits++;
  for (let i = 0; i < half; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    store<u16>(rev + (<usize>i << 1), <u16>r);
  }
}

/** In-place complex FFT of m points (interleaved re, im); twiddle stride `tws` into the n-table; inverse when `sign` is -1. */
function complexFft(m: i32, buf: usize, table: usize, rev: usize, sign: f32): void {
  // Bit-reversal permutation.
  for (let i = 0; i < m; i++) {
    const j = <i32>load<u16>(rev + (<usize>i << 1));
    if (j > i) {
      const pi = buf + (<usize>i << 3), pj = buf + (<usize>j << 3);
      const re = load<f32>(pi), im = load<f32>(pi, 4);
      store<f32>(pi, load<f32>(pj)); store<f32>(pi, load<f32>(pj, 4), 4);
      store<f32>(pj, re); store<f32>(pj, im, 4);
    }
  }
  let size = 2;
  if (m >= 4) {
    // Radix-4 first pass: stages of size 2 and 4 in one, twiddles 1 and -i (times sign).
    for (let s = 0; s < m; s += 4) {
      const p = buf + (<usize>s << 3);
      const ar = load<f32>(p), ai = load<f32>(p, 4), br = load<f32>(p, 8), bi = load<f32>(p, 12);
      const cr = load<f32>(p, 16), ci = load<f32>(p, 20), dr = load<f32>(p, 24), di = load<f32>(p, 28);
      const e0r = ar + br, e0i = ai + bi, e1r = ar - br, e1i = ai - bi;
      const f0r = cr + dr, f0i = ci + di, f1r = cr - dr, f1i = ci - di;
      // -i * sign * f1
      const gr = sign * f1i, gi = -sign * f1r;
      store<f32>(p, e0r + f0r); store<f32>(p, e0i + f0i, 4);
      store<f32>(p, e1r + gr, 8); store<f32>(p, e1i + gi, 12);
      store<f32>(p, e0r - f0r, 16); store<f32>(p, e0i - f0i, 20);
      store<f32>(p, e1r - gr, 24); store<f32>(p, e1i - gi, 28);
    }
    size = 8;
  }
  // Radix-2 stages; twiddle for butterfly j of a size-`size` stage is W_m^(j * m / size) = table[2 j n / size].
  const n = m << 1;
  for (; size <= m; size <<= 1) {
    const half = size >> 1;
    const stride = <usize>(n / size) << 3;
    for (let j = 0; j < half; j++) {
      const tw = table + <usize>j * stride;
      const wr = load<f32>(tw), wi = -sign * load<f32>(tw, 4);
      for (let s = j; s < m; s += size) {
        const pa = buf + (<usize>s << 3), pb = pa + (<usize>half << 3);
        const br = load<f32>(pb), bi = load<f32>(pb, 4);
        const tr = br * wr - bi * wi, ti = br * wi + bi * wr;
        const ar = load<f32>(pa), ai = load<f32>(pa, 4);
        store<f32>(pa, ar + tr); store<f32>(pa, ai + ti, 4);
        store<f32>(pb, ar - tr); store<f32>(pb, ai - ti, 4);
      }
    }
  }
}

/** In-place forward real FFT of n float32 samples at `buf`; leaves the packed spectrum (see top). */
export function rfftF32(n: i32, table: usize, buf: usize): void {
  const m = n >> 1;
  complexFft(m, buf, table, table + (<usize>n << 2), 1.0);
  // Split: X[k] = Fe + W^k Fo with Fe = (Z[k] + conj Z[m-k]) / 2, Fo = -i (Z[k] - conj Z[m-k]) / 2.
  const z0r = load<f32>(buf), z0i = load<f32>(buf, 4);
  store<f32>(buf, z0r + z0i);
  store<f32>(buf, z0r - z0i, 4);
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = buf + (<usize>k << 3), pm = buf + (<usize>(m - k) << 3);
    const ar = load<f32>(pk), ai = load<f32>(pk, 4), br = load<f32>(pm), bi = load<f32>(pm, 4);
    const fer = HALF * (ar + br), fei = HALF * (ai - bi);
    const for_ = HALF * (ai + bi), foi = -HALF * (ar - br);
    const tw = table + (<usize>k << 3);
    const wr = load<f32>(tw), wi = -load<f32>(tw, 4);
    const tr = for_ * wr - foi * wi, ti = for_ * wi + foi * wr;
    store<f32>(pk, fer + tr); store<f32>(pk, fei + ti, 4);
    // X[m-k] = conj(Fe) + W^(m-k) conj(Fo)... equals conj(Fe - W^k Fo).
    store<f32>(pm, fer - tr); store<f32>(pm, ti - fei, 4);
  }
}

/** In-place inverse of rfftF32: packed spectrum in, n real samples out (inverse(forward(x)) = x). */
export function rfftInverseF32(n: i32, table: usize, buf: usize): void {
  const m = n >> 1;
  const x0 = load<f32>(buf), xm = load<f32>(buf, 4);
  store<f32>(buf, HALF * (x0 + xm));
  store<f32>(buf, HALF * (x0 - xm), 4);
  for (let k = 1; k <= (m >> 1); k++) {
    const pk = buf + (<usize>k << 3), pm = buf + (<usize>(m - k) << 3);
    const ar = load<f32>(pk), ai = load<f32>(pk, 4), br = load<f32>(pm), bi = load<f32>(pm, 4);
    // E = (X[k] + conj X[m-k]) / 2, O = (X[k] - conj X[m-k]) W^-k / 2, Z[k] = E + i O.
    const er = HALF * (ar + br), ei = HALF * (ai - bi);
    const dr = HALF * (ar - br), di = HALF * (ai + bi);
    const tw = table + (<usize>k << 3);
    const wr = load<f32>(tw), wi = load<f32>(tw, 4); // W^-k = cos + i sin
    const or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
    store<f32>(pk, er - oi); store<f32>(pk, ei + or_, 4);
    // Z[m-k] = conj(E) + i conj(O) ... from the mirrored pair: E' = conj E, O' = -conj O.
    store<f32>(pm, er + oi); store<f32>(pm, or_ - ei, 4);
  }
  complexFft(m, buf, table, table + (<usize>n << 2), -1.0);
  const scale: f32 = 1.0 / <f32>m;
  for (let i = 0; i < n; i++) store<f32>(buf + (<usize>i << 2), load<f32>(buf + (<usize>i << 2)) * scale);
}
