// DCT-II of a log-mel vector by a precomputed cosine table (coefs x n floats).
// Scalings: "htk" as tf.signal.mfccs_from_log_mel_spectrograms (TF's unnormalised DCT-II
// times 1/sqrt(2n), i.e. sqrt(2/n) for every coefficient, including c0), or "ortho"
// (c0 scaled by sqrt(1/n) instead, an orthonormal transform).

export const DCT_HTK: i32 = 0;
export const DCT_ORTHO: i32 = 1;

export function dctTableBytes(n: i32, coefs: i32): i32 {
  return n * coefs * 4;
}

/** table[k][i] = s_k cos(pi k (2i + 1) / (2n)) for k < coefs, i < n. */
export function dctInit(table: usize, n: i32, coefs: i32, scaling: i32 = DCT_HTK): void {
  const s = Math.sqrt(2.0 / <f64>n);
  for (let k = 0; k < coefs; k++) {
    const sk = k == 0 && scaling == DCT_ORTHO ? Math.sqrt(1.0 / <f64>n) : s;
    for (let i = 0; i < n; i++) {
      const c = sk * Math.cos((Math.PI * <f64>k * <f64>(2 * i + 1)) / <f64>(2 * n));
      store<f32>(table + (<usize>(k * n + i) << 2), <f32>c);
    }
  }
}

/** out[k] = sum_i table[k][i] * x[i] for k < coefs. */
export function dctApply(x: usize, table: usize, n: i32, coefs: i32, out: usize): void {
  for (let k = 0; k < coefs; k++) {
    const row = table + (<usize>(k * n) << 2);
    let acc: f32 = 0;
    for (let i = 0; i < n; i++) acc += load<f32>(row + (<usize>i << 2)) * load<f32>(x + (<usize>i << 2));
    store<f32>(out + (<usize>k << 2), acc);
  }
}
