// A second-order sigma-delta modulator for the PDM decimator's tests (the microphone
// peripheral has its own, higher-order one): two integrators with unit feedback, a 1-bit
// quantiser; stable for inputs up to about -4 dBFS. Its noise is shaped by (1 - z^-1)^2, so at
// 128x oversampling it leaves about 100 dB in the audio band, well below what is tested.
// Packs bits as the microphone contract says: per channel, earliest bit in bit 7, 1 = +full scale.

/** `signal(t)` (t in seconds, full scale 1) sampled at `bitRate` for `bits` bits (a multiple of 8). */
export function modulate(signal: (t: number) => number, bitRate: number, bits: number): Uint8Array {
  const out = new Uint8Array(bits / 8);
  let i1 = 0,
    i2 = 0,
    y = -1;
  for (let n = 0; n < bits; n++) {
    const x = signal(n / bitRate);
    i1 += x - y;
    i2 += i1 - y;
    y = i2 >= 0 ? 1 : -1;
    if (y > 0) out[n >> 3] |= 0x80 >> (n & 7);
  }
  return out;
}

/** Least-squares fit of a sine of known frequency (plus offset) to x; returns amplitude and the residual's power. */
export function fitSine(
  x: ArrayLike<number>,
  freq: number,
  rate: number,
): { amplitude: number; residual: number; power: number } {
  let scc = 0,
    sss = 0,
    ssc = 0,
    sxc = 0,
    sxs = 0,
    sc = 0,
    ss = 0,
    sx = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const c = Math.cos((2 * Math.PI * freq * i) / rate),
      s = Math.sin((2 * Math.PI * freq * i) / rate);
    scc += c * c;
    sss += s * s;
    ssc += s * c;
    sxc += x[i] * c;
    sxs += x[i] * s;
    sc += c;
    ss += s;
    sx += x[i];
  }
  // Solve the 3x3 normal equations for [a, b, d] in a cos + b sin + d.
  const A = [
      [scc, ssc, sc],
      [ssc, sss, ss],
      [sc, ss, n],
    ],
    B = [sxc, sxs, sx];
  for (let i = 0; i < 3; i++)
    for (let j = i + 1; j < 3; j++) {
      const f = A[j][i] / A[i][i];
      for (let k = i; k < 3; k++) A[j][k] -= f * A[i][k];
      B[j] -= f * B[i];
    }
  const v = [0, 0, 0];
  for (let i = 2; i >= 0; i--) {
    let s = B[i];
    for (let k = i + 1; k < 3; k++) s -= A[i][k] * v[k];
    v[i] = s / A[i][i];
  }
  let res = 0,
    pow = 0;
  for (let i = 0; i < n; i++) {
    const fit =
      v[0] * Math.cos((2 * Math.PI * freq * i) / rate) +
      v[1] * Math.sin((2 * Math.PI * freq * i) / rate) +
      v[2];
    res += (x[i] - fit) ** 2;
    pow += (fit - v[2]) ** 2;
  }
  return { amplitude: Math.hypot(v[0], v[1]), residual: res / n, power: pow / n };
}
