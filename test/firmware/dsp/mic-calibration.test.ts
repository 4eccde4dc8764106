// firmware/dsp/mic-calibration.ts inside the superdirective beam, on an emulated board: three
// microphones of the 50 mm triangle with a known gain spread (+1, -1, +0.4 dB) hear a diffuse
// noise field (the room renderer's own mixing) and a talker in bursts. The calibration learns
// from the first 1.5 s; its estimate must be within 0.25 dB of the truth and match the float64
// reference (test/helpers/dsp-reference-mic-calibration.ts), and the beam with the learnt
// gains (frozen) must gain more over microphone 0 than the beam without them.
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { relativeGainsDb } from "../../helpers/dsp-reference-mic-calibration.ts";
import { calibrationTrajectory, SD_HOP } from "../../helpers/dsp-reference-superdirective.ts";
import { mixDiffuse, MIXING_TAPS } from "../../../emulator/inputs/room/diffuse.ts";
import { db, gauss, power, rng } from "../../helpers/test-noise.ts";


const FS = 16000;
const TOTAL = 24000; // 1.5 s
const TRIANGLE = [
  [0, 28.87, 0],
  [-25, -14.43, 0],
  [25, -14.43, 0],
];
const GAINS_DB = [1, -1, 0.4];
const WNG = -20;
const AZ = (70 * Math.PI) / 180;

// A talker as a plane wave from AZ: tones 200..4000 Hz, most power low, on for 0.3 s of every 0.6 s.
function talker(): Float64Array[] {
  const r = rng(5);
  const parts = Array.from({ length: 40 }, (_, i) => ({
    f: 200 + 3800 * (r() + 0.5),
    a: 0.05 / (1 + i / 10),
    p: 2 * Math.PI * r(),
  }));
  const u = [Math.cos(AZ), Math.sin(AZ)];
  return TRIANGLE.map((p) =>
    Float64Array.from({ length: TOTAL }, (_, i) => {
      const t = i / FS + (p[0] * u[0] + p[1] * u[1]) / 1000 / 343;
      return (i / FS) % 0.6 >= 0.3
        ? parts.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0)
        : 0;
    }),
  );
}

// Diffuse noise from independent low-passed (speech-band) sources.
function diffuse(): Float64Array[] {
  const r = rng(9);
  const sources = TRIANGLE.map(() => {
    let y = 0;
    return Float64Array.from({ length: TOTAL + MIXING_TAPS }, () => (y = 0.9 * y + 0.05 * gauss(r)));
  });
  return mixDiffuse(
    TRIANGLE.map((p) => [p[0] / 1000, p[1] / 1000, p[2] / 1000] as [number, number, number]),
    FS,
    sources,
    TOTAL,
  );
}

test("microphone calibration: a +1 / -1 / +0.4 dB spread estimated within 0.25 dB in 1.5 s, as the reference; the calibrated beam gains more", async (t) => {
  const gains = GAINS_DB.map((g) => 10 ** (g / 20));
  const f32 = (x: Float64Array[]) => x.map((c, m) => Float64Array.from(Float32Array.from(c.map((v) => v * gains[m]))));
  const clean = f32(talker()),
    noise = f32(diffuse());
  const mixed = clean.map((c, m) => c.map((v, i) => v + noise[m][i]));
  const job = (op: number, sig: Float64Array[], learn = 0) => ({
    op,
    params: [3, f32bits(WNG), f32bits(AZ), TOTAL, learn],
    data: new Float32Array([...TRIANGLE.flat(), ...sig.flatMap((s) => [...s])]),
  });
  const res = await runDsp([
    job(OP.superdirectiveCalibrated, mixed, 1),
    job(OP.superdirectiveCalibrated, clean),
    job(OP.superdirectiveCalibrated, noise),
    job(OP.superdirective, clean),
    job(OP.superdirective, noise),
  ]);
  const out = res.map((r) => asF32(r.bytes).subarray(0, TOTAL)); // op 20 appends each microphone's gain
  const learnt = Array.from(asF32(res[0].bytes).subarray(TOTAL), (g) => -20 * Math.log10(g));
  const truth = relativeGainsDb(gains);
  const ref = calibrationTrajectory(mixed);
  const refDb = Array.from(ref.cal.gain, (g) => -20 * Math.log10(g));
  // Convergence: the first frame from which every estimate stays within 0.25 dB (reference).
  let last = -1;
  ref.gains.forEach((g, f) => {
    if (Array.from(g).some((v, m) => Math.abs(-20 * Math.log10(v) - truth[m]) > 0.25)) last = f;
  });
  const skip = 4 * SD_HOP;
  const inSnr = db(power(clean[0], skip) / power(noise[0], skip));
  const calibrated = db(power(out[1], skip) / power(out[2], skip)) - inSnr;
  const uncalibrated = db(power(out[3], skip) / power(out[4], skip)) - inSnr;
  t.log(
    `truth ${truth.map((x) => x.toFixed(2)).join(" ")} dB; firmware ${learnt.map((x) => x.toFixed(2)).join(" ")}; reference ${refDb.map((x) => x.toFixed(2)).join(" ")}; ` +
      `converged after ${(((last + 1) * SD_HOP) / FS).toFixed(2)} s (${ref.cal.noiseFrames} of ${ref.gains.length} frames noise); ` +
      `beam over microphone 0: ${calibrated.toFixed(2)} dB calibrated, ${uncalibrated.toFixed(2)} dB not; ` +
      `${(res[0].cycles / (TOTAL / SD_HOP)).toFixed(0)} vs ${(res[3].cycles / (TOTAL / SD_HOP)).toFixed(0)} cycles per 10 ms`,
  );
  learnt.forEach((g, m) => {
    t.true(Math.abs(g - truth[m]) <= 0.25, `microphone ${m}: ${g} dB, truth ${truth[m]} dB`);
    t.true(Math.abs(g - refDb[m]) <= 0.01, `microphone ${m}: ${g} dB, reference ${refDb[m]} dB`);
  });
  t.true(last + 1 < ref.gains.length / 2, "converged in the first half");
  t.true(calibrated >= uncalibrated + 1, `calibrated ${calibrated} dB vs ${uncalibrated} dB`);
});
