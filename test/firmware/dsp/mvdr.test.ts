// firmware/dsp/mvdr.ts on an emulated board: a talker in bursts at 70 degrees, a point-source
// interferer (a fan or a television: continuous, from 200 degrees) and weak diffuse noise (the
// room renderer's own mixing) on the 50 mm triangle. The MVDR learns the noise between the
// bursts and must gain well over the superdirective beam there (host reference, speech and
// noise put through the same weights apart), keep the talker, learn only between bursts, and
// the firmware must match its float64 reference (test/helpers/dsp-reference-mvdr.ts).
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { mvdr, MV_HOP } from "../../helpers/dsp-reference-mvdr.ts";
import { superdirective } from "../../helpers/dsp-reference-superdirective.ts";
import { snrDb } from "../../helpers/dsp-reference.ts";
import { mixDiffuse, MIXING_TAPS } from "../../../emulator/inputs/room/diffuse.ts";
import { db, gauss, rng } from "../../helpers/test-noise.ts";

const FS = 16000;
const TRIANGLE = [
  [0, 28.87, 0],
  [-25, -14.43, 0],
  [25, -14.43, 0],
];

/** `count` tones in lo..hi Hz, most power low, as a function of continuous time (many: noise-like, steady power). */
function tones(seed: number, lo: number, hi: number, count = 40): (t: number) => number {
  const r = rng(seed);
  const parts = Array.from({ length: count }, (_, i) => ({
    f: lo + (hi - lo) * r(),
    a: (0.05 / (1 + (i * 40) / count / 10)) * Math.sqrt(40 / count),
    p: 2 * Math.PI * r(),
  }));
  return (t) => parts.reduce((s, c) => s + c.a * Math.sin(2 * Math.PI * c.f * t + c.p), 0);
}

/** A plane wave from azimuth az at each microphone. */
const planeWave = (f: (t: number) => number, az: number, total: number) =>
  TRIANGLE.map((p) =>
    Float64Array.from({ length: total }, (_, i) =>
      f(i / FS + (p[0] * Math.cos(az) + p[1] * Math.sin(az)) / 1000 / 343),
    ),
  );

// Noise alone for 1.4 s (the beam learns it), then the talker speaks 0.5 s of every second.
const LEAD = 1.4;
const talking = (t: number) => t >= LEAD && (t - LEAD) % 1 < 0.5;

test("MVDR on the 50 mm triangle: nulls a point-source interferer the superdirective beam passes (>= 3 dB more gain), keeps the talker, learns between bursts only, firmware within 40 dB of the reference", async (t) => {
  const total = 3 * FS,
    from = LEAD * FS, // the probe's arena holds the state and the output from here on
    az = (70 * Math.PI) / 180,
    wng = -20;
  const talk = tones(5, 200, 4000);
  const speech = planeWave((s) => (talking(s) ? talk(s) : 0), az, total);
  const fan = planeWave(tones(11, 150, 2000, 300), (200 * Math.PI) / 180, total);
  const r = rng(9);
  const sources = TRIANGLE.map(() => {
    let y = 0;
    return Float64Array.from({ length: total + MIXING_TAPS }, () => (y = 0.9 * y + 0.005 * gauss(r)));
  });
  const diffuse = mixDiffuse(
    TRIANGLE.map((p) => [p[0] / 1000, p[1] / 1000, p[2] / 1000] as [number, number, number]),
    FS,
    sources,
    total,
  );
  const noise = fan.map((x, m) => x.map((v, i) => v + diffuse[m][i]));
  const mix = speech.map((x, m) => x.map((v, i) => v + noise[m][i]));
  const [res] = await runDsp([
    {
      op: OP.mvdr,
      params: [3, f32bits(wng), f32bits(az), total, from << 1],
      data: new Float32Array([...TRIANGLE.flat(), ...mix.flatMap((s) => [...s])]),
    },
  ]);
  const fw = asF32(res.bytes);
  const fwNoiseFrames = fw[total - from];
  const f32 = (x: Float64Array[]) => x.map((c) => Float64Array.from(Float32Array.from(c)));
  const ref = mvdr(TRIANGLE, f32(mix), az, FS, wng, { shadows: [speech, noise] });
  const [ms, mn] = ref.shadows;
  // SNR over the talker's bursts (all after the lead), output one hop late.
  const snr = (s: ArrayLike<number>, n: ArrayLike<number>, late: number) => {
    let a = 0,
      b = 0;
    for (let i = 0; i < total; i++)
      if (talking((i - late) / FS)) {
        a += s[i] ** 2;
        b += n[i] ** 2;
      }
    return db(a / b);
  };
  const in0 = snr(speech[0], noise[0], 0);
  const gainMvdr = snr(ms, mn, MV_HOP) - in0;
  const gainSd =
    snr(superdirective(TRIANGLE, speech, az, FS, wng), superdirective(TRIANGLE, noise, az, FS, wng), MV_HOP) - in0;
  // The talker through the beam against the talker at the array's centre (the steering's phase reference), one hop late.
  const centre = Float64Array.from({ length: total }, (_, i) => {
    const s = (i - MV_HOP) / FS;
    return i >= MV_HOP && talking(s) ? talk(s) : 0;
  });
  const kept = snrDb(centre, ms);
  const vsRef = snrDb(ref.out.subarray(from), Float64Array.from(fw.subarray(0, total - from)));
  // Noise frames: at most the lead (140) and the 0.2 s between a burst's hang-over and the next (20) of 300;
  // the gate takes the interferer's louder frames for speech too (about 97 measured).
  const hops = total / MV_HOP;
  t.log(
    `interferer + diffuse: MVDR ${gainMvdr.toFixed(2)} dB, superdirective ${gainSd.toFixed(2)} dB over microphone 0; ` +
      `talker kept to ${kept.toFixed(1)} dB; noise frames ${ref.noiseFrames} (firmware ${fwNoiseFrames}) of ${hops}; ` +
      `firmware vs reference ${vsRef.toFixed(1)} dB; ${(res.cycles / hops).toFixed(0)} cycles per 10 ms`,
  );
  t.true(gainMvdr - gainSd >= 3, `MVDR ${gainMvdr} dB vs superdirective ${gainSd} dB`);
  t.true(kept >= 15, `talker: error ${kept} dB below it`);
  t.true(ref.noiseFrames >= 60 && ref.noiseFrames <= 160, `noise frames ${ref.noiseFrames} of ${hops}`);
  t.is(fwNoiseFrames, ref.noiseFrames);
  t.true(vsRef >= 40, `firmware vs reference ${vsRef} dB`);
});
