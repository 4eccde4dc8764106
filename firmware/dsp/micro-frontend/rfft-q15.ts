// Stage 2: the 512-point real FFT in Q15, rounding exactly as kiss_fft's FIXED_POINT=16 build
// (which TFLM's int16 rfft uses): a 256-point complex FFT of the even/odd samples packed as
// re/im, in four radix-4 stages, each stage first dividing its inputs by 4 (x·8191 rounded
// >> 15) so nothing overflows; twiddles are round(32767·cos/sin); then the real-FFT split,
// which halves again. Output bins 0..256 are the spectrum scaled by 1/512.
// Buffers are interleaved int16 (re, im); every product rounds with (x + 2^14) >> 15 and
// every result wraps to int16, as the C stores do.

const N: i32 = 256; // complex points
const CPX: usize = 4; // bytes per complex int16 pair

@inline function sround(x: i32): i32 {
  return <i32><i16>((x + 16384) >> 15);
}
/** sround without the int16 wrap, where the result provably fits. */
@inline function round15(x: i32): i32 {
  return (x + 16384) >> 15;
}
@inline function wrap(x: i32): i32 {
  return <i32><i16>x;
}
@inline function div4(x: i32): i32 {
  return sround(x * 8191); // 32767 / 4
}
@inline function div2(x: i32): i32 {
  return sround(x * 16383); // 32767 / 2
}

export class RfftQ15 {
  /** N twiddles e^(-2πik/N) and N/2 split twiddles e^(-iπ((k+1)/N + 1/2)), Q15 pairs. */
  readonly twiddles: usize = heap.alloc(<usize>N * CPX);
  readonly split: usize = heap.alloc(<usize>(N / 2) * CPX);
  /** The complex FFT's working buffer. */
  readonly work: usize = heap.alloc(<usize>N * CPX);

  constructor() {
    for (let i = 0; i < N; i++) q15(this.twiddles + <usize>i * CPX, (-2.0 * Math.PI * <f64>i) / <f64>N);
    for (let i = 0; i < N / 2; i++) q15(this.split + <usize>i * CPX, -Math.PI * (<f64>(i + 1) / <f64>N + 0.5));
  }

  /** in: 512 int16 samples, each taken << shift (which must keep it in int16); out: 257 complex int16 bins. */
  transform(input: usize, shift: i32, out: usize): void {
    const w = this.work;
    // Inputs in base-4 digit-reversed order: where the decimation-in-time recursion reads them.
    for (let j = 0; j < N; j++) {
      const src = input + (<usize>(((j & 3) << 6) | (((j >> 2) & 3) << 4) | (((j >> 4) & 3) << 2) | ((j >> 6) & 3)) << 2);
      const dst = w + <usize>j * CPX;
      store<i16>(dst, <i16>(<i32>load<i16>(src) << shift));
      store<i16>(dst, <i16>(<i32>load<i16>(src, 2) << shift), 2);
    }
    for (let m = 1; m < N; m <<= 2) {
      const fstride = N / (m << 2);
      for (let g = 0; g < N; g += m << 2) this.butterfly4(w + <usize>g * CPX, fstride, m);
    }
    this.splitReal(out);
  }

  // After the divide by 4 every |value| ≤ 8192, so a twiddle product is ≤ 11585 and the sums
  // before the last are ≤ 23170: only the stores can wrap, and store<i16> does that.
  private butterfly4(f: usize, fstride: i32, m: i32): void {
    const step = <usize>m * CPX;
    const twStep = <usize>fstride * CPX;
    let t1 = this.twiddles, t2 = t1, t3 = t1;
    for (let k = 0; k < m; k++, t1 += twStep, t2 += 2 * twStep, t3 += 3 * twStep) {
      const p0 = f + <usize>k * CPX, p1 = p0 + step, p2 = p1 + step, p3 = p2 + step;
      const r0 = div4(load<i16>(p0)), i0 = div4(load<i16>(p0, 2));
      const r1 = div4(load<i16>(p1)), i1 = div4(load<i16>(p1, 2));
      const r2 = div4(load<i16>(p2)), i2 = div4(load<i16>(p2, 2));
      const r3 = div4(load<i16>(p3)), i3 = div4(load<i16>(p3, 2));
      const c1 = <i32>load<i16>(t1), s1 = <i32>load<i16>(t1, 2);
      const c2 = <i32>load<i16>(t2), s2 = <i32>load<i16>(t2, 2);
      const c3 = <i32>load<i16>(t3), s3 = <i32>load<i16>(t3, 2);
      const a0r = round15(r1 * c1 - i1 * s1), a0i = round15(r1 * s1 + i1 * c1);
      const a1r = round15(r2 * c2 - i2 * s2), a1i = round15(r2 * s2 + i2 * c2);
      const a2r = round15(r3 * c3 - i3 * s3), a2i = round15(r3 * s3 + i3 * c3);
      const a5r = r0 - a1r, a5i = i0 - a1i;
      const b0r = r0 + a1r, b0i = i0 + a1i;
      const a3r = a0r + a2r, a3i = a0i + a2i;
      const a4r = a0r - a2r, a4i = a0i - a2i;
      store<i16>(p2, <i16>(b0r - a3r)); store<i16>(p2, <i16>(b0i - a3i), 2);
      store<i16>(p0, <i16>(b0r + a3r)); store<i16>(p0, <i16>(b0i + a3i), 2);
      store<i16>(p1, <i16>(a5r + a4i)); store<i16>(p1, <i16>(a5i - a4r), 2);
      store<i16>(p3, <i16>(a5r - a4i)); store<i16>(p3, <i16>(a5i + a4r), 2);
    }
  }

  /** The real FFT from the packed complex one: bin k from Z[k] and conj(Z[N-k]). */
  private splitReal(out: usize): void {
    const w = this.work;
    const dcR = div2(load<i16>(w)), dcI = div2(load<i16>(w, 2));
    store<i16>(out, <i16>(dcR + dcI)); store<i16>(out, 0, 2);
    store<i16>(out + <usize>N * CPX, <i16>(dcR - dcI)); store<i16>(out + <usize>N * CPX, 0, 2);
    for (let k = 1; k <= N / 2; k++) {
      const pk = w + <usize>k * CPX, pn = w + <usize>(N - k) * CPX;
      const kr = div2(load<i16>(pk)), ki = div2(load<i16>(pk, 2));
      const nr = div2(load<i16>(pn)), ni = div2(wrap(-<i32>load<i16>(pn, 2)));
      const f1r = wrap(kr + nr), f1i = wrap(ki + ni);
      const f2r = wrap(kr - nr), f2i = wrap(ki - ni);
      const t = this.split + <usize>(k - 1) * CPX;
      const c = <i32>load<i16>(t), s = <i32>load<i16>(t, 2);
      const twr = sround(f2r * c - f2i * s), twi = sround(f2r * s + f2i * c);
      const ok = out + <usize>k * CPX, on = out + <usize>(N - k) * CPX;
      store<i16>(ok, <i16>((f1r + twr) >> 1)); store<i16>(ok, <i16>((f1i + twi) >> 1), 2);
      store<i16>(on, <i16>((f1r - twr) >> 1)); store<i16>(on, <i16>((twi - f1i) >> 1), 2);
    }
  }
}

/** e^(i·phase) in Q15 as kiss_fft rounds it: floor(0.5 + 32767·cos), floor(0.5 + 32767·sin). */
function q15(at: usize, phase: f64): void {
  store<i16>(at, <i16>Math.floor(0.5 + 32767.0 * Math.cos(phase)));
  store<i16>(at, <i16>Math.floor(0.5 + 32767.0 * Math.sin(phase)), 2);
}
