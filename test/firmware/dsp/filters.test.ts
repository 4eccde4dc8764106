// firmware/dsp biquads, GCC-PHAT, beamformer, noise suppressor and AGC on an emulated board,
// each against its float64 host reference (test/helpers/dsp-reference-filters.ts) and a
// behaviour it exists for.
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { snrDb } from "../../helpers/dsp-reference.ts";
import { agc, beamform, biquadCascade, gccPhat, noiseSuppress, rbj } from "../../helpers/dsp-reference-filters.ts";
import { fitSine } from "../../helpers/sigma-delta.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
}
const gauss = (r: () => number): number => { let s = 0; for (let i = 0; i < 12; i++) s += r(); return s; };
const power = (x: ArrayLike<number>, from = 0, to = x.length): number => { let s = 0; for (let i = from; i < to; i++) s += x[i] ** 2; return s / (to - from); };
const db = (x: number): number => 10 * Math.log10(x);

// A band-limited "speech-like" source as a function of continuous time, so any fractional delay is exact.
function source(seed: number, topHz = 4000): (t: number) => number {
  const r = rng(seed);
  const parts = Array.from({ length: 40 }, () => ({ f: 200 + (topHz - 200) * (r() + 0.5), a: 0.05 * (r() + 0.6), p: 2 * Math.PI * r() }));
  return (t) => parts.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0);
}

test("biquad cascade (DF2T) equals the float64 reference to >= 90 dB", async (t) => {
  const coefs = [...rbj(1, 100, 0.707, 16000), ...rbj(0, 3000, 0.9, 16000), ...rbj(2, 1000, 2, 16000)];
  const r = rng(5);
  const x = Float32Array.from({ length: 4000 }, () => r());
  const c32 = Float32Array.from(coefs);
  const [res] = await runDsp([{ op: OP.biquad, params: [3], data: new Float32Array([...c32, ...x]) }]);
  const s = snrDb(biquadCascade(c32, 3, x), asF32(res.bytes));
  t.log(`biquad x3: ${s.toFixed(1)} dB, ${(res.cycles / 4000).toFixed(1)} cycles per sample`);
  t.true(s >= 90, `${s} dB`);
});

test("GCC-PHAT finds fractional delays within 0.1 samples and agrees with the reference within 0.02", async (t) => {
  const fs = 16000, len = 512, n = 1024;
  const src = source(11, 7800); // PHAT weighs every bin alike: the test source covers the band
  const delays = [0, 2.3, -3.7, 5.5, -0.4];
  const noise = rng(3);
  const jobs = delays.map((d) => {
    const a = Float32Array.from({ length: len }, (_, i) => src((i - d) / fs) + 0.01 * gauss(noise));
    const b = Float32Array.from({ length: len }, (_, i) => src(i / fs) + 0.01 * gauss(noise));
    return { a, b, job: { op: OP.gccPhat, params: [n, len, 16], data: new Float32Array([...a, ...b]) } };
  });
  const res = await runDsp(jobs.map((j) => j.job));
  delays.forEach((d, i) => {
    const got = asF32(res[i].bytes)[0];
    const ref = gccPhat(jobs[i].a, jobs[i].b, n, 16);
    t.log(`delay ${d}: firmware ${got.toFixed(3)}, reference ${ref.toFixed(3)}`);
    t.true(Math.abs(got - d) <= 0.1, `delay ${d}: got ${got}`);
    t.true(Math.abs(got - ref) <= 0.02, `delay ${d}: firmware ${got}, reference ${ref}`);
  });
  t.log(`GCC-PHAT ${n} points: ${res[0].cycles} cycles`);
});

test("delay-and-sum (4 mics, 35 mm) keeps a steered source, gains >= 5 dB against uncorrelated noise, matches the reference", async (t) => {
  const fs = 16000, total = 1600, mics = 4, az = (60 * Math.PI) / 180;
  const pos = [[-52.5, 0, 0], [-17.5, 0, 0], [17.5, 0, 0], [52.5, 0, 0]];
  const src = source(21);
  const u = [Math.cos(az), Math.sin(az)];
  // A plane wave from u arrives (p . u) / c earlier at p.
  const clean = pos.map((p) => Float64Array.from({ length: total }, (_, i) => src(i / fs + (p[0] * u[0] + p[1] * u[1]) / 1000 / 343)));
  const r = rng(9);
  const noise = pos.map(() => Float64Array.from({ length: total }, () => 0.1 * gauss(r)));
  const job = (sig: Float64Array[]) => ({ op: OP.beam, params: [mics, 160, f32bits(az), total], data: new Float32Array([...pos.flat(), ...sig.flatMap((s) => [...s])]) });
  const res = await runDsp([job(clean), job(noise)]);
  const outSig = asF32(res[0].bytes), outNoise = asF32(res[1].bytes);
  const skip = 64;
  const gain = db(power(outSig, skip) / power(outNoise, skip)) - db(power(clean[0], skip) / power(noise[0], skip));
  const kept = db(power(outSig, skip) / power(clean[0], skip));
  const ref = snrDb(beamform(pos, clean.map((c) => Float64Array.from(Float32Array.from(c))), az, fs).subarray(skip), outSig.subarray(skip));
  t.log(`SNR gain ${gain.toFixed(2)} dB (ideal 6.02), steered source kept at ${kept.toFixed(2)} dB, vs reference ${ref.toFixed(1)} dB, ${(res[0].cycles / 10).toFixed(0)} cycles per 10 ms`);
  t.true(gain >= 5, `gain ${gain}`);
  t.true(Math.abs(kept) <= 0.5, `steered source changed by ${kept} dB`);
  t.true(ref >= 80, `vs reference ${ref} dB`);
});

// The target is a tone in 250 ms bursts from 1 s on: a steady tone would (rightly) become
// "noise" to the minimum tracker after its window, like a fan's hum.
test("noise suppressor: >= 10 dB less noise, a tone burst kept within 1 dB, output within 60 dB of the reference", async (t) => {
  const fs = 16000, total = 16000 * 2;
  const r = rng(17);
  const burst = (i: number): boolean => i >= fs && Math.floor(i / 4000) % 2 === 0;
  const x = Float32Array.from({ length: total }, (_, i) => 0.03 * gauss(r) + (burst(i) ? 0.25 * Math.sin((2 * Math.PI * 1000 * i) / fs) : 0));
  const [res] = await runDsp([{ op: OP.noiseSuppressor, data: x }]);
  const y = asF32(res.bytes);
  const noiseIn = power(x, 8000, 16000), noiseOut = power(y, 8160, 16000);
  const reduction = db(noiseIn / noiseOut);
  // The burst at 1.5-1.75 s (the output is 160 samples late; leave its edges out).
  const toneIn = fitSine(Array.from(x.subarray(24400, 27600)), 1000, fs).amplitude;
  const toneOut = fitSine(Array.from(y.subarray(24560, 27760)), 1000, fs).amplitude;
  const kept = 20 * Math.log10(toneOut / toneIn);
  const ref = snrDb(noiseSuppress(x), y);
  t.log(`noise down ${reduction.toFixed(1)} dB, tone ${kept.toFixed(2)} dB, vs reference ${ref.toFixed(1)} dB, ${(res.cycles / 200).toFixed(0)} cycles per 10 ms`);
  t.true(reduction >= 10, `noise reduction ${reduction} dB`);
  t.true(Math.abs(kept) <= 1, `tone changed by ${kept} dB`);
  t.true(ref >= 60, `vs reference ${ref} dB`);
});

test("AGC brings a quiet and a loud passage to -20 dBFS within 1 dB and matches the reference", async (t) => {
  const fs = 16000, total = 16000 * 2;
  const x = Float32Array.from({ length: total }, (_, i) => (i < total / 2 ? 0.005 : 0.6) * Math.sin((2 * Math.PI * 440 * i) / fs));
  const [res] = await runDsp([{ op: OP.agc, params: [160], data: x }]);
  const y = asF32(res.bytes);
  const quiet = db(power(y, 12000, 16000)), loud = db(power(y, 28000, 32000));
  const ref = snrDb(agc(x, 160), y);
  t.log(`quiet passage (-49 dBFS in) ${quiet.toFixed(2)} dBFS, loud (-7.4 dBFS in) ${loud.toFixed(2)} dBFS, vs reference ${ref.toFixed(1)} dB`);
  t.true(Math.abs(quiet + 20) <= 1, `quiet ${quiet}`);
  t.true(Math.abs(loud + 20) <= 1, `loud ${loud}`);
  t.true(ref >= 80, `vs reference ${ref} dB`);
});
