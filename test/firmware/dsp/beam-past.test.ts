// firmware/dsp/beam-past.ts on an emulated board (dsp-probe op 24): the kept past beamed again
// once the beam is steered is, block for block, what the superdirective beam steered from the
// start gives (dsp-probe op 19 on the same input), times the AGC's recorded gains as agc.ts
// ramps them; and it is not microphone 0's signal, which the live beam heard until then.
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { SD_HOP } from "../../helpers/dsp-reference-superdirective.ts";
import { gauss, rng } from "../../helpers/test-noise.ts";

const TRIANGLE = [0, 28.87, 0, -25, -14.43, 0, 25, -14.43, 0];
const KEPT = 20,
  REBEAM = 12,
  AZIMUTH = Math.PI / 3;

/** Three microphones hearing a noise source from AZIMUTH (whole-sample delays) and their own noise, on the int16 grid (as kept). */
function scene(): Float32Array[] {
  const r = rng(11),
    total = KEPT * SD_HOP;
  const source = Array.from({ length: total + 16 }, () => 0.2 * gauss(r));
  return [0, 1, 2].map((m) => {
    const ahead = (TRIANGLE[3 * m] * Math.cos(AZIMUTH) + TRIANGLE[3 * m + 1] * Math.sin(AZIMUTH)) / 1000 / 343;
    const shift = 8 + Math.round(ahead * 16000);
    return Float32Array.from({ length: total }, (_, i) => Math.round((source[i + shift] + 0.05 * gauss(r)) * 32768) / 32768);
  });
}

async function beam(mics: Float32Array[], azimuth: number): Promise<Float32Array> {
  const total = mics[0].length;
  const [r] = await runDsp([
    {
      op: OP.superdirective,
      params: [3, f32bits(-20), f32bits(azimuth), total],
      data: new Float32Array([...TRIANGLE, ...mics.flatMap((m) => [...m])]),
    },
  ]);
  return asF32(r.bytes);
}

/** agc.ts's ramp within block b from gain[b - 1] to gain[b], its clip, and the history's int16 rounding. */
const agcBlock = (y: Float32Array, gains: number[], b: number): number[] =>
  Array.from({ length: SD_HOP }, (_, i) => {
    const g = gains[b - 1] + ((gains[b] - gains[b - 1]) / SD_HOP) * (i + 1);
    return Math.round(Math.max(-1, Math.min(1, y[b * SD_HOP + i] * g)) * 32767);
  });

test("beam-past: the kept blocks beamed again equal the beam steered from the start, at the recorded AGC gains", async (t) => {
  const mics = scene();
  const gains = Array.from({ length: KEPT }, (_, b) => 2 + Math.sin(b / 3));
  const data: number[] = [...TRIANGLE];
  for (let b = 0; b < KEPT; b++) {
    for (const m of mics) data.push(...m.subarray(b * SD_HOP, (b + 1) * SD_HOP));
    data.push(gains[b]);
  }
  const [r] = await runDsp([
    { op: OP.beamPast, params: [3, f32bits(-20), f32bits(AZIMUTH), KEPT, REBEAM], data: new Float32Array(data) },
  ]);
  const first = new Float32Array(r.bytes.buffer, r.bytes.byteOffset, 1)[0];
  const out = new Int16Array(r.bytes.slice(4).buffer);
  t.is(first, KEPT - REBEAM, "the re-beam starts REBEAM blocks back");
  t.is(out.length, REBEAM * SD_HOP, "one output block per re-beamed block");
  const steered = await beam(mics, AZIMUTH),
    mic0 = await beam(mics, NaN);
  let worst = 0,
    fromMic0 = 0;
  for (let k = 0; k < REBEAM; k++) {
    const b = first + k,
      want = agcBlock(steered, gains, b),
      heard = agcBlock(mic0, gains, b);
    for (let i = 0; i < SD_HOP; i++) {
      worst = Math.max(worst, Math.abs(out[k * SD_HOP + i] - want[i]));
      fromMic0 = Math.max(fromMic0, Math.abs(out[k * SD_HOP + i] - heard[i]));
    }
  }
  t.true(worst <= 1, `largest difference from the beam steered from the start: ${worst} LSB`);
  t.true(fromMic0 > 1000, `the re-beamed past differs from microphone 0's by up to ${fromMic0} LSB`);
});

/** op 25: steered to FIRST_AZIMUTH before block FIRST_AT, that re-beam run `runFirst` blocks (primes included), settled or not, then steered to AZIMUTH after the last block (`union` false: the second start without the union, as on a slow core). */
async function twice(runFirst: number, settle: boolean, union = true) {
  const mics = scene();
  const gains = Array.from({ length: KEPT }, (_, b) => 2 + Math.sin(b / 3));
  const data: number[] = [FIRST_AZIMUTH, FIRST_AT, runFirst, settle ? 1 : union ? 0 : 2, ...TRIANGLE];
  for (let b = 0; b < KEPT; b++) {
    for (const m of mics) data.push(...m.subarray(b * SD_HOP, (b + 1) * SD_HOP));
    data.push(gains[b]);
  }
  const [r] = await runDsp([
    { op: OP.beamPastTwice, params: [3, f32bits(-20), f32bits(AZIMUTH), KEPT, REBEAM], data: new Float32Array(data) },
  ]);
  const head = new Float32Array(r.bytes.buffer, r.bytes.byteOffset, 2);
  const out = new Int16Array(r.bytes.slice(8).buffer);
  const steered = await beam(mics, AZIMUTH);
  let worst = 0;
  for (let k = 0; k < out.length / SD_HOP; k++) {
    const want = agcBlock(steered, gains, head[0] + k);
    for (let i = 0; i < SD_HOP; i++) worst = Math.max(worst, Math.abs(out[k * SD_HOP + i] - want[i]));
  }
  return { from: head[0], first: head[1], blocks: out.length / SD_HOP, worst };
}

const FIRST_AZIMUTH = -Math.PI / 2,
  FIRST_AT = 10; // its span: blocks 2..9 (REBEAM back, the two primes before it)

test("beam-past: a new direction while a re-beam is unsettled re-beams the union of both spans through it", async (t) => {
  // Stopped inside the first span (2 primes and 2 blocks), and after all its blocks but before the caller settled it.
  for (const runFirst of [4, 100]) {
    const r = await twice(runFirst, false);
    t.is(r.from, 2, `first re-beamed block after ${runFirst} units of the first re-beam`);
    t.is(r.first, 2, "the union starts at the first re-beam's first block");
    t.is(r.blocks, KEPT - 2, "every block from there to the steer");
    t.true(r.worst <= 1, `largest difference from the beam steered to the new direction from the start: ${r.worst} LSB`);
  }
  // Settled: the new span alone.
  const settled = await twice(100, true);
  t.is(settled.from, KEPT - REBEAM);
  t.is(settled.first, KEPT - REBEAM);
  t.is(settled.blocks, REBEAM);
  t.true(settled.worst <= 1, `${settled.worst} LSB`);
});

test("beam-past: without the union a new direction re-beams its own span, and `first` keeps the unsettled span's start", async (t) => {
  // apps/voice-control on MCX N947: the earlier span's blocks changed (some re-beamed), so what was derived from them is redone from there.
  const r = await twice(4, false, false);
  t.is(r.from, KEPT - REBEAM, "the new span alone is beamed again");
  t.is(r.first, 2, "first: the unsettled re-beam's first block");
  t.is(r.blocks, REBEAM);
  t.true(r.worst <= 1, `largest difference from the beam steered to the new direction from the start: ${r.worst} LSB`);
});
