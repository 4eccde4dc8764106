// firmware/dsp/superdirective.ts on an emulated board: against a synthetic diffuse field (the
// room renderer's own mixing, emulator/inputs/room/diffuse.ts) on the 50 mm triangle it must
// gain well over delay-and-sum, keep a steered plane wave, and match the float64 reference
// (test/helpers/dsp-reference-superdirective.ts).
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { snrDb } from "../../helpers/dsp-reference.ts";
import { beamform } from "../../helpers/dsp-reference-filters.ts";
import { superdirective, SD_HOP } from "../../helpers/dsp-reference-superdirective.ts";
import { mixDiffuse, MIXING_TAPS } from "../../../emulator/inputs/room/diffuse.ts";
import { db, gauss, power, rng } from "../../helpers/test-noise.ts";


// A "speech-like" source as a function of continuous time (tones 200..4000 Hz, most power low).
function source(seed: number): (t: number) => number {
  const r = rng(seed);
  const parts = Array.from({ length: 40 }, (_, i) => ({
    f: 200 + 3800 * (r() + 0.5),
    a: 0.05 / (1 + i / 10),
    p: 2 * Math.PI * r(),
  }));
  return (t) => parts.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0);
}

const FS = 16000;
const TRIANGLE = [
  [0, 28.87, 0],
  [-25, -14.43, 0],
  [25, -14.43, 0],
];

test("superdirective on the 50 mm triangle: >= 3 dB over delay-and-sum against diffuse pink-ish noise, steered source reproduced to >= 20 dB, within 60 dB of the reference", async (t) => {
  const total = 16000,
    az = (70 * Math.PI) / 180,
    wng = -20;
  const src = source(5);
  const u = [Math.cos(az), Math.sin(az)];
  const clean = TRIANGLE.map((p) =>
    Float64Array.from({ length: total }, (_, i) =>
      src(i / FS + (p[0] * u[0] + p[1] * u[1]) / 1000 / 343),
    ),
  );
  // Diffuse noise from independent low-passed (speech-band) sources: most power below 1 kHz.
  const r = rng(9);
  const sources = TRIANGLE.map(() => {
    let y = 0;
    return Float64Array.from({ length: total + MIXING_TAPS }, () => (y = 0.9 * y + 0.05 * gauss(r)));
  });
  const noise = mixDiffuse(
    TRIANGLE.map((p) => [p[0] / 1000, p[1] / 1000, p[2] / 1000] as [number, number, number]),
    FS,
    sources,
    total,
  );
  const job = (sig: Float64Array[]) => ({
    op: OP.superdirective,
    params: [3, f32bits(wng), f32bits(az), total],
    data: new Float32Array([...TRIANGLE.flat(), ...sig.flatMap((s) => [...s])]),
  });
  const res = await runDsp([job(clean), job(noise)]);
  const outSig = asF32(res[0].bytes),
    outNoise = asF32(res[1].bytes);
  const skip = 4 * SD_HOP;
  const inSnr = db(power(clean[0], skip) / power(noise[0], skip));
  const gain = db(power(outSig, skip) / power(outNoise, skip)) - inSnr;
  const das = db(power(beamform(TRIANGLE, clean, az, FS), skip) / power(beamform(TRIANGLE, noise, az, FS), skip)) - inSnr;
  // The output is SD_HOP late: compare it with microphone 0's source at the array's centre, delayed.
  const centre = Float64Array.from({ length: total }, (_, i) => (i >= SD_HOP ? src((i - SD_HOP) / FS) : 0));
  const kept = snrDb(centre.subarray(skip), outSig.subarray(skip));
  const f32 = (x: Float64Array[]) => x.map((c) => Float64Array.from(Float32Array.from(c)));
  const ref = snrDb(superdirective(TRIANGLE, f32(clean), az, FS, wng).subarray(skip), outSig.subarray(skip));
  t.log(
    `diffuse noise: superdirective ${gain.toFixed(2)} dB, delay-and-sum ${das.toFixed(2)} dB over microphone 0; ` +
      `steered source reproduced to ${kept.toFixed(1)} dB; vs reference ${ref.toFixed(1)} dB; ${(res[0].cycles / (total / SD_HOP)).toFixed(0)} cycles per 10 ms`,
  );
  t.true(gain - das >= 3, `superdirective ${gain} dB vs delay-and-sum ${das} dB`);
  t.true(kept >= 20, `steered source: error ${kept} dB below the signal`);
  t.true(ref >= 60, `vs reference ${ref} dB`);
});
