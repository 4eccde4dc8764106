// Cascade of biquads in transposed direct form II (float32). Per section 5 coefficients
// [b0, b1, b2, a1, a2] (a0 = 1, y = b0 x + s1; s1 = b1 x - a1 y + s2; s2 = b2 x - a2 y) and
// 2 state words. Coefficients and state are caller memory; `biquadDesign*` fill one section.

/** y = cascade(x) for n samples; src may equal dst. */
export function biquadCascade(coefs: usize, state: usize, sections: i32, src: usize, dst: usize, n: i32): void {
  let from = src;
  for (let s = 0; s < sections; s++) {
    const c = coefs + <usize>(s * 20), st = state + <usize>(s * 8);
    const b0 = load<f32>(c), b1 = load<f32>(c, 4), b2 = load<f32>(c, 8), a1 = load<f32>(c, 12), a2 = load<f32>(c, 16);
    let s1 = load<f32>(st), s2 = load<f32>(st, 4);
    for (let i = 0; i < n; i++) {
      const x = load<f32>(from + (<usize>i << 2));
      const y = b0 * x + s1;
      s1 = b1 * x - a1 * y + s2;
      s2 = b2 * x - a2 * y;
      store<f32>(dst + (<usize>i << 2), y);
    }
    store<f32>(st, s1);
    store<f32>(st, s2, 4);
    from = dst;
  }
}

function put(c: usize, b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64): void {
  store<f32>(c, <f32>(b0 / a0)); store<f32>(c, <f32>(b1 / a0), 4); store<f32>(c, <f32>(b2 / a0), 8);
  store<f32>(c, <f32>(a1 / a0), 12); store<f32>(c, <f32>(a2 / a0), 16);
}

/** RBJ cookbook low-pass (kind 0), high-pass (1) or band-pass with 0 dB peak (2), at f0 Hz and quality q. */
export function biquadDesign(c: usize, kind: i32, f0: f64, q: f64, sampleRate: f64): void {
  const w = (2.0 * Math.PI * f0) / sampleRate;
  const cw = Math.cos(w), alpha = Math.sin(w) / (2.0 * q);
  if (kind == 0) put(c, (1.0 - cw) / 2.0, 1.0 - cw, (1.0 - cw) / 2.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha);
  else if (kind == 1) put(c, (1.0 + cw) / 2.0, -(1.0 + cw), (1.0 + cw) / 2.0, 1.0 + alpha, -2.0 * cw, 1.0 - alpha);
  else put(c, alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * cw, 1.0 - alpha);
}
