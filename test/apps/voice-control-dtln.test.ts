// apps/voice-control with TFLM's DTLN model in a "dtln" flash partition (--partition, not in
// app.json by default): where the core runs a hop in time (RT1170) the learnt suppressor takes
// the Wiener one's place and the demo scene's words all come through it; where it cannot (MCX
// N947's 150 MHz M33: more than a hop's 8 ms a hop) the app says so in one line and runs
// without it.
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { VOICE_APP, runVoiceImage } from "../helpers/voice-control-run.ts";
import { dtlnSnr } from "../bench/voice-dtln-snr.ts";

const DTLN = { name: "dtln", file: path.join(VOICE_APP, "model/dtln_noise_suppression.tflite") };
const DEMO = path.join(VOICE_APP, "scenes/demo.json");

const withDtln = (board: string) =>
  buildApp(VOICE_APP, loadTarget(board), { partitions: [DTLN] }).then((r) => r.image);

test("rt1170: DTLN suppresses noise on the beam; the demo's wake words and commands come through", async (t) => {
  const { summary, text } = await runVoiceImage("rt1170", await withDtln("rt1170"), DEMO, 12);
  t.is(summary.fault, null);
  const cost = /noise suppressor: DTLN, ([\d.]+) ms of each 8 ms hop \(([\d.]+) %\)/.exec(text);
  t.truthy(cost, text);
  // One hop: the magnitudes, two LSTMs, the mask, the synthesis (docs/ops.md: 1.15 ms for the model alone).
  t.true(Number(cost![1]) > 1 && Number(cost![1]) < 2, cost![0]);
  t.notRegex(text, /re-beam \d+ ms/, "the re-beam is off with DTLN");
  t.deepEqual(
    [...text.matchAll(/command (\w+) \d+%/g)].map((m) => m[1]),
    ["on", "left", "yes"],
  );
  t.is([...text.matchAll(/wake marvin/g)].length, 3);
  for (const m of text.matchAll(
    /load ([\d.]+) % average, ([\d.]+) % worst 40 ms buffer; overruns (\d+)/g,
  )) {
    t.true(Number(m[2]) < 100, m[0]);
    t.is(m[3], "0");
  }
});

test("mcxn947: DTLN does not fit the core's time: one line, and the app runs without it", async (t) => {
  const { summary, text } = await runVoiceImage("mcxn947", await withDtln("mcxn947"), DEMO, 6);
  t.is(summary.fault, null);
  const refused =
    /voice-control: DTLN takes ([\d.]+) ms of each 8 ms hop on this core \(([\d.]+) %, at most 35 %\): running without a noise suppressor/.exec(
      text,
    );
  t.truthy(refused, text);
  t.true(Number(refused![2]) > 100, "a hop takes longer than 8 ms on the 150 MHz M33");
  t.regex(text, /wake marvin/);
  // Without it the re-beam runs (spread over buffers on this core) and its cap holds exactly: the
  // first 5 s hold the demo's first re-beam, app.json's REBEAM_LOAD_PCT 95 the worst buffer's bound.
  const load = /load [\d.]+ % average, ([\d.]+) % worst 40 ms buffer; overruns (\d+)/.exec(text);
  t.truthy(load, text);
  t.regex(text, /re-beam 400 ms \(\d+ B\): 1 of 1 done/);
  t.true(Number(load![1]) <= 95, load![0]);
  t.is(load![2], "0");
});

test("DTLN on the signal: speech in fan noise at 5 dB comes out with a higher SNR, the speech kept", async (t) => {
  // The model through the firmware engine frame by frame, its mask applied to speech and noise apart.
  const [row] = await dtlnSnr("rt1170", [5], [-26], ["fan"]);
  t.log(JSON.stringify(row));
  t.true(row.snrOut - row.snrIn > 5, `SNR gain ${(row.snrOut - row.snrIn).toFixed(1)} dB`);
  t.true(row.speechGain > -2, `speech ${row.speechGain.toFixed(1)} dB`);
  t.true(row.maskNoise < row.maskSpeech, "noise-only frames get less than speech frames");
});
