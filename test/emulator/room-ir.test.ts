// Image-source impulse responses against geometry and Sabine: direct-path delay and 1/r level,
// and the reverberation time measured by Schroeder integration.
import test from "ava";
import { roomImpulseResponse } from "../../emulator/inputs/room/image-source.ts";
import {
  distance,
  reflectionCoefficients,
  sabineAbsorption,
  SPEED_OF_SOUND,
  type Vec3,
  type Walls,
} from "../../emulator/inputs/room/room-geometry.ts";
import { measureRt60 } from "../../emulator/inputs/room/schroeder.ts";
import { fractionalPeak } from "./room-helpers.ts";

const FS = 16000;

test("direct path: delay is distance / c and the level falls as 1/r between two microphones", (t) => {
  // A large, very absorbent room: the first reflection arrives > 5 ms after the direct sound.
  const size: Vec3 = [20, 20, 10];
  const room = {
    size,
    beta: reflectionCoefficients([0.95, 0.95, 0.95, 0.95, 0.95, 0.95] as Walls),
  };
  const src: Vec3 = [10, 10, 5];
  const mics: Vec3[] = [
    [11.0, 10, 5],
    [10, 12.37, 5],
  ]; // 1.00 m and 2.37 m away
  const win = 40; // samples either side of the expected arrival (the sinc is ±32)
  const found = mics.map((m) => {
    const ir = roomImpulseResponse(room, src, m, { sampleRate: FS, length: 2048, highPass: false });
    const r = distance(src, m);
    const expected = (r / SPEED_OF_SOUND) * FS;
    const from = Math.round(expected) - win;
    const direct = ir.slice(from, from + 2 * win + 1);
    let energy = 0;
    for (const v of direct) energy += v * v;
    return { r, expected, delay: from + fractionalPeak(direct), amplitude: Math.sqrt(energy) };
  });
  for (const f of found)
    t.true(
      Math.abs(f.delay - f.expected) < 0.05,
      `delay ${f.delay.toFixed(3)} vs ${f.expected.toFixed(3)} samples`,
    );
  const tdoa = found[1].delay - found[0].delay;
  const want = ((found[1].r - found[0].r) / SPEED_OF_SOUND) * FS;
  t.true(Math.abs(tdoa - want) < 0.05, `TDOA ${tdoa.toFixed(3)} vs ${want.toFixed(3)}`);
  // A unit impulse at 1 m: the windowed sinc's energy is ~1, so the amplitude is 1/r.
  t.true(Math.abs(found[0].amplitude - 1) < 0.02, `amplitude at 1 m ${found[0].amplitude}`);
  const ratio = found[0].amplitude / found[1].amplitude;
  t.true(
    Math.abs(ratio / (found[1].r / found[0].r) - 1) < 0.01,
    `level ratio ${ratio.toFixed(4)} vs r2/r1 ${(found[1].r / found[0].r).toFixed(4)}`,
  );
});

test("the 100 Hz high-pass removes the image sum's DC and keeps the direct sound", (t) => {
  const size: Vec3 = [5, 4, 2.8];
  const a = sabineAbsorption(size, 0.5);
  const room = { size, beta: reflectionCoefficients([a, a, a, a, a, a] as Walls) };
  const opts = { sampleRate: FS, length: 8000 };
  const raw = roomImpulseResponse(room, [1, 1, 1.5], [3.5, 2.5, 1], { ...opts, highPass: false });
  const hp = roomImpulseResponse(room, [1, 1, 1.5], [3.5, 2.5, 1], opts);
  const sum = (x: Float64Array) => x.reduce((s, v) => s + v, 0);
  t.true(sum(raw) > 1, `raw DC sum ${sum(raw)}`);
  t.true(Math.abs(sum(hp)) < 0.02 * sum(raw), `filtered DC sum ${sum(hp)}`);
  const peak = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  t.true(Math.abs(peak(hp) / peak(raw) - 1) < 0.1);
});

const ROOMS: [Vec3, number][] = [
  [[5, 4, 2.8], 0.3],
  [[5, 4, 2.8], 0.6],
  [[4, 3, 2.5], 0.25],
  [[8, 6, 3], 0.4],
  [[6, 5, 3], 0.8],
];

for (const [size, rt60] of ROOMS) {
  test(`measured RT60 (Schroeder, T20) of a ${size.join("x")} m room is within 20 % of the Sabine target ${rt60} s`, (t) => {
    const a = sabineAbsorption(size, rt60);
    const room = { size, beta: reflectionCoefficients([a, a, a, a, a, a] as Walls) };
    const ir = roomImpulseResponse(room, [1.3, 1.1, 1.5], [size[0] - 1.7, size[1] - 1.2, 1.1], {
      sampleRate: FS,
      length: Math.round(1.2 * rt60 * FS),
    });
    const measured = measureRt60(ir, FS);
    t.log(`T20 ${measured.toFixed(3)} s (${(((measured - rt60) / rt60) * 100).toFixed(1)} %)`);
    t.true(Math.abs(measured - rt60) <= 0.2 * rt60, `measured ${measured.toFixed(3)} s`);
  });
}

test("a more absorbent room decays faster", (t) => {
  const size: Vec3 = [5, 4, 2.8];
  const rt = (alpha: number) => {
    const room = {
      size,
      beta: reflectionCoefficients([alpha, alpha, alpha, alpha, alpha, alpha] as Walls),
    };
    return measureRt60(
      roomImpulseResponse(room, [1.3, 1.1, 1.5], [3.3, 2.8, 1.1], {
        sampleRate: FS,
        length: 12000,
      }),
      FS,
    );
  };
  t.true(rt(0.5) < rt(0.3) && rt(0.3) < rt(0.15));
});
