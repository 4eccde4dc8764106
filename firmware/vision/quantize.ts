// Pixels (0..255) -> a model's int8 input. The pixel range is mapped onto the real range the
// model's input quantisation covers (lo = (-128 - zp) * scale .. hi = (127 - zp) * scale: the
// range its converter calibrated on, [0, 1] for MLPerf's VWW, about [-1, 1] for TFLM's
// person_detect), then quantised with the model's scale and zero point. Precomputed as a
// 256-entry table once per model; applying it costs one load per byte.

/** Fills `table` (256 bytes) for a model input of the given scale and zero point. */
export function buildQuantTable(table: usize, scale: f32, zeroPoint: i32): void {
  const s = <f64>scale;
  const lo = <f64>(-128 - zeroPoint) * s;
  const hi = <f64>(127 - zeroPoint) * s;
  for (let p = 0; p < 256; p++) {
    const real = lo + (<f64>p * (hi - lo)) / 255.0;
    let q = <i32>Math.floor(real / s + 0.5) + zeroPoint;
    q = q < -128 ? -128 : q > 127 ? 127 : q;
    store<i8>(table + <usize>p, <i8>q);
  }
}

/** dst[i] = table[src[i]] for n bytes. */
export function quantize(src: usize, dst: usize, n: i32, table: usize): void {
  for (let i = 0; i < n; i++) store<i8>(dst + <usize>i, load<i8>(table + <usize>load<u8>(src + <usize>i)));
}
