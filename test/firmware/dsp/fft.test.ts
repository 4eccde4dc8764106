// firmware/dsp FFTs, windows and spectra on an emulated board against float64 references.
import test from "ava";
import { runDsp, OP, asF32, asI16, asI32 } from "../../../emulator/dsp-probe.ts";
import { hann, hamming, packed, rfft, snrDb } from "../../helpers/dsp-reference.ts";

// A deterministic test signal: a few tones, noise and an offset, peak about 0.9.
function signal(n: number, seed = 1): Float64Array {
  let s = seed >>> 0;
  const rnd = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
  return Float64Array.from({ length: n }, (_, i) => 0.4 * Math.sin(2 * Math.PI * 0.0123 * i) + 0.25 * Math.cos(2 * Math.PI * 0.3111 * i + 1) + 0.15 * rnd() + 0.05);
}

const SIZES = [64, 256, 512, 1024];
// Tolerances: float32 >= 90 dB (issue 13; measured 137-144 dB); Q31 >= 120 dB (measured 150-163);
// Q15 >= 50 dB for this signal of about -6 dBFS (measured 53.6 dB at n = 1024 up to 66.6 dB at n = 64:
// every stage halves, so each doubling of n costs about 3 dB).
const F32_SNR = 90, Q31_SNR = 120, Q15_SNR = 50;

test("float32 real FFT matches a float64 DFT to >= 90 dB, and the inverse returns the input", async (t) => {
  const jobs = SIZES.flatMap((n) => {
    const x = signal(n);
    return [{ op: OP.rfftF32, params: [n], data: Float32Array.from(x) }, { op: OP.irfftF32, params: [n], data: Float32Array.from(packed(x)) }];
  });
  const res = await runDsp(jobs);
  SIZES.forEach((n, i) => {
    const x = signal(n);
    const fwd = snrDb(packed(Float32Array.from(x)), asF32(res[2 * i].bytes));
    const inv = snrDb(x, asF32(res[2 * i + 1].bytes));
    t.log(`n=${n}: forward ${fwd.toFixed(1)} dB, inverse ${inv.toFixed(1)} dB, ${res[2 * i].cycles} cycles`);
    t.true(fwd >= F32_SNR, `forward n=${n}: ${fwd} dB`);
    t.true(inv >= F32_SNR, `inverse n=${n}: ${inv} dB`);
  });
});

test("Q15 and Q31 real FFTs give X/n within their stated SNR", async (t) => {
  const jobs = SIZES.flatMap((n) => {
    const x = signal(n, 7);
    return [
      { op: OP.rfftQ15, params: [n], data: Int16Array.from(x, (v) => Math.round(v * 32768)) },
      { op: OP.rfftQ31, params: [n], data: Int32Array.from(x, (v) => Math.round(v * 2 ** 31)) },
    ];
  });
  const res = await runDsp(jobs);
  SIZES.forEach((n, i) => {
    const x = signal(n, 7);
    const want = packed(Float64Array.from(x, (v) => Math.round(v * 32768) / 32768)).map((v) => v / n);
    const q15 = snrDb(want, Array.from(asI16(res[2 * i].bytes), (v) => v / 32768));
    const want31 = packed(Float64Array.from(x, (v) => Math.round(v * 2 ** 31) / 2 ** 31)).map((v) => v / n);
    const q31 = snrDb(want31, Array.from(asI32(res[2 * i + 1].bytes), (v) => v / 2 ** 31));
    t.log(`n=${n}: Q15 ${q15.toFixed(1)} dB (${res[2 * i].cycles} cycles), Q31 ${q31.toFixed(1)} dB (${res[2 * i + 1].cycles} cycles)`);
    t.true(q15 >= Q15_SNR, `Q15 n=${n}: ${q15} dB`);
    t.true(q31 >= Q31_SNR, `Q31 n=${n}: ${q31} dB`);
  });
});

test("a full-scale Q15 sine does not overflow: its bin reads 0.5 and nothing else stands out", async (t) => {
  const n = 512, k = 37;
  const x = Int16Array.from({ length: n }, (_, i) => Math.round(32767 * Math.cos((2 * Math.PI * k * i) / n)));
  const [r] = await runDsp([{ op: OP.rfftQ15, params: [n], data: x }]);
  const y = asI16(r.bytes);
  t.true(Math.abs(y[2 * k] / 32768 - 0.5) < 0.002, `bin ${k}: ${y[2 * k] / 32768}`);
  let worst = 0;
  for (let b = 1; b < n / 2; b++) if (b !== k) worst = Math.max(worst, Math.hypot(y[2 * b], y[2 * b + 1]));
  t.true(worst <= 4, `largest other bin ${worst} LSB`);
});

test("windows equal TensorFlow's definitions (Hann periodic, Hamming periodic=false) to float32 precision", async (t) => {
  const cases: [number, number, Float64Array][] = [[480, 0, hann(480, true)], [480, 1, hann(480, false)], [1024, 2, hamming(1024, false)], [400, 3, hamming(400, true)]];
  const res = await runDsp(cases.map(([n, kind]) => ({ op: OP.window, params: [n, kind], data: new Uint8Array(0) })));
  cases.forEach(([, , want], i) => {
    const got = asF32(res[i].bytes);
    const err = Math.max(...Array.from(got, (v, j) => Math.abs(v - want[j])));
    t.true(err < 1e-7, `window ${i}: max error ${err}`);
  });
});

test("power and magnitude spectra of a packed spectrum", async (t) => {
  const n = 256, x = signal(n, 3);
  const p = Float32Array.from(packed(x));
  const res = await runDsp([{ op: OP.spectrum, params: [n, 0], data: p }, { op: OP.spectrum, params: [n, 1], data: p }]);
  const { re, im } = rfft(x, n);
  const pow = re.map((r, k) => r * r + im[k] * im[k]);
  t.true(snrDb(pow, asF32(res[0].bytes)) > 100);
  t.true(snrDb(pow.map(Math.sqrt), asF32(res[1].bytes)) > 100);
});
