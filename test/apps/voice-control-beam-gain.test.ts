// The superdirective beam's SNR gain over microphone 0 on the far-field bench's own 5 dB scenes
// (apps/voice-control/eval/scenes.ts: 1 / 3 m, RT60 0.3 / 0.6 s, babble / fan), measured on the
// signal itself (speech and noise rendered apart, test/bench/voice-frontend-snr.ts), with the
// host reference of the beam (held to the firmware by test/firmware/dsp/superdirective.test.ts).
// Measured when it was made (README "Beamformer and noise suppressor, measured"): median
// +2.95 dB on sln-local2-tri (rt1060, mcxn947) and +0.60 dB on RT1170's pair; delay-and-sum
// +0.26 / +0.11 dB. The bounds leave 0.5 dB / 0.3 dB of margin; the scenes are seeded, so
// the figures only move when the beam, the array or the room model does.
import test from "ava";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { measureFrontEndSnr } from "../bench/voice-frontend-snr.ts";

const cases = [
  { board: "rt1060", array: "sln-local2-tri", atLeast: 2.45, overDelayAndSum: 2 },
  { board: "rt1170", array: "RT1170's pair", atLeast: 0.3, overDelayAndSum: 0.2 },
];

for (const c of cases)
  test(`superdirective beam on ${c.board} (${c.array}): median SNR gain over microphone 0 at 5 dB >= ${c.atLeast} dB`, (t) => {
    t.timeout(600_000, "renders 8 scenes of the far-field bench");
    const dir = mkdtempSync(path.join(os.tmpdir(), "tb-beam-gain-"));
    const r = measureFrontEndSnr(c.board, dir, [5], undefined, false);
    const sd = r.superdirectiveGainDb.all,
      das = r.beamGainDb.all;
    t.log(
      `${c.board}: superdirective ${sd} dB (below 1 kHz ${r.superdirectiveGainDb["below 1 kHz"]}, above 2 kHz ${r.superdirectiveGainDb["above 2 kHz"]}), delay-and-sum ${das} dB over microphone 0, ${r.scenes.length} scenes`,
    );
    t.is(r.scenes.length, 8);
    t.true(sd >= c.atLeast, `superdirective gain ${sd} dB`);
    t.true(sd - das >= c.overDelayAndSum, `superdirective ${sd} dB vs delay-and-sum ${das} dB`);
  });
