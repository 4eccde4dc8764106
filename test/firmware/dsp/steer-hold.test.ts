// firmware/dsp/steer-hold.ts on an emulated board (dsp-probe op 23): the beam does not follow
// estimates that disagree (it listens through microphone 0 instead), takes a direction once
// STEER_CONFIRM (2) estimates in a row agree on it (within 20 degrees), follows small moves, and
// agrees across 0/360.
// And the superdirective beam's microphone-0 mode (sdSelectMic) is microphone 0, one hop late.
import test from "ava";
import { runDsp, OP, asF32, f32bits } from "../../../emulator/dsp-probe.ts";
import { SD_HOP } from "../../helpers/dsp-reference-superdirective.ts";
import { gauss, rng } from "../../helpers/test-noise.ts";

const MIC0 = -1;

async function holdTrace(estimates: number[]): Promise<number[]> {
  const [r] = await runDsp([
    { op: OP.steerHold, params: [estimates.length], data: new Float32Array(estimates) },
  ]);
  return [...asF32(r.bytes)].map((x) => (x === MIC0 ? MIC0 : Math.round(x * 10) / 10));
}

test("steering hold: microphone 0 until 2 estimates agree, no re-steer on a stray estimate, follows small moves", async (t) => {
  // Babble-like estimates first (each elsewhere), then a talker near 60 degrees, a stray 200,
  // the talker again, then a second talker near 0 across the 0/360 seam.
  const estimates = [90, 335, 150, 20, 100, 62, 58, 64, 200, 61, 70, 80, 300, 355, 5, 2];
  const trace = await holdTrace(estimates);
  t.deepEqual(trace, [
    MIC0, MIC0, MIC0, MIC0, MIC0, // no two in a row within 20 degrees: never steered (the old rule steered to each)
    MIC0, 58, 64, // 100 -> 62 disagree, 62, 58 agree: steered at the second; 64 is near: followed
    MIC0, // a stray estimate far from the beam: back to microphone 0, not to 200
    MIC0, 70, 80, // 61 does not agree with 200; 61, 70 agree: steered; 80 followed
    MIC0, MIC0, 5, 2, // 300 and 355 disagree; 355, 5 agree across 0/360
  ]);
});

test("steering hold: a held direction releases to a new talker after 2 agreeing estimates", async (t) => {
  const trace = await holdTrace([40, 41, 42, 43, 170, 171, 172, 173]);
  t.deepEqual(trace, [MIC0, 41, 42, 43, MIC0, 171, 172, 173]);
});

test("superdirective with microphone 0 selected (NaN azimuth) is microphone 0, SD_HOP samples late", async (t) => {
  const triangle = [0, 28.87, 0, -25, -14.43, 0, 25, -14.43, 0];
  const total = 8 * SD_HOP,
    r = rng(3);
  const mics = [0, 1, 2].map(() => Float32Array.from({ length: total }, () => 0.1 * gauss(r)));
  const [res] = await runDsp([
    {
      op: OP.superdirective,
      params: [3, f32bits(-20), f32bits(NaN), total],
      data: new Float32Array([...triangle, ...mics.flatMap((m) => [...m])]),
    },
  ]);
  const out = asF32(res.bytes);
  let worst = 0;
  for (let i = 2 * SD_HOP; i < total; i++) worst = Math.max(worst, Math.abs(out[i] - mics[0][i - SD_HOP]));
  t.true(worst < 1e-5, `largest difference from microphone 0: ${worst}`);
});
