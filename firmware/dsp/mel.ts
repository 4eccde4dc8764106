// Mel filter bank as tf.signal.linear_to_mel_weight_matrix: HTK mel scale
// (mel = 1127 ln(1 + f / 700)), triangles with edges equally spaced in mel between the band
// edges, bin k at k * (fs/2) / (bins - 1) Hz, the DC bin excluded (weight 0).
// With equally spaced edges every bin lies on at most two triangles, whose weights sum to 1,
// so the table holds one entry per spectrum bin: which segment of edges it falls in and its
// weight on the upper triangle (1 - weight goes to the one below). Applying the bank is one
// pass over the bins: 2 multiply-adds each.

/** Bytes of table for a bank over `bins` spectrum bins (n/2 + 1 of an n-point FFT). */
export function melTableBytes(bins: i32): i32 {
  return bins * 8;
}

function hzToMel(f: f64): f64 {
  return 1127.0 * Math.log(1.0 + f / 700.0);
}

/** Fills the table: per bin an i32 segment s (edges s, s+1; -1 when outside the bank) and an f32 weight. */
export function melInit(table: usize, bins: i32, bands: i32, sampleRate: f64, lowHz: f64, highHz: f64): void {
  const lo = hzToMel(lowHz), hi = hzToMel(highHz);
  const step = (hi - lo) / <f64>(bands + 1);
  const nyquist = sampleRate / 2.0;
  for (let k = 0; k < bins; k++) {
    const at = table + (<usize>k << 3);
    let seg = -1;
    let w: f64 = 0;
    if (k > 0) {
      const m = hzToMel((<f64>k * nyquist) / <f64>(bins - 1));
      const pos = (m - lo) / step;
      if (pos > 0.0 && pos < <f64>(bands + 1)) {
        seg = <i32>Math.floor(pos);
        w = (m - (lo + <f64>seg * step)) / step;
      }
    }
    store<i32>(at, seg);
    store<f32>(at, <f32>w, 4);
  }
}

/** out[b] = sum_k spec[k] * W[k][b] for b < bands (out is zeroed first). */
export function melApply(spec: usize, table: usize, bins: i32, out: usize, bands: i32): void {
  memory.fill(out, 0, <usize>bands << 2);
  for (let k = 0; k < bins; k++) {
    const at = table + (<usize>k << 3);
    const seg = load<i32>(at);
    if (seg < 0) continue;
    const v = load<f32>(spec + (<usize>k << 2));
    const w = load<f32>(at, 4);
    // Segment s rises on triangle s (band index s) and falls on triangle s - 1.
    if (seg < bands) {
      const p = out + (<usize>seg << 2);
      store<f32>(p, load<f32>(p) + v * w);
    }
    if (seg > 0) {
      const p = out + (<usize>(seg - 1) << 2);
      store<f32>(p, load<f32>(p) + v * (1.0 - w));
    }
  }
}

/** x[i] = ln(x[i] + offset) for i < n. */
export function logInPlace(x: usize, n: i32, offset: f32): void {
  for (let i = 0; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, Mathf.log(load<f32>(p) + offset));
  }
}
