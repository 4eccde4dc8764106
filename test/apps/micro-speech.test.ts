// apps/micro-speech end to end: TFLM's 1 s clips through the microphone (sigma-delta modulator,
// decimation: the PDM receiver's, or on RT1060 the firmware's) into the firmware's micro front
// end and micro_speech_quantized.tflite. yes → "heard yes" (LED on), no → "heard no", silence and
// noise → no word, on every board; same input, same cycles. The features differ from the WAV
// path's (the microphone adds noise, filtering and a group delay): the test logs by how much.
import test from "ava";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { readFileSync } from "node:fs";
import { built } from "../helpers/tools.ts";
import { MicroFrontendReference, wavSamples } from "../helpers/micro-frontend-reference.ts";

const APP = "apps/micro-speech";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const clip = (name: string) => path.join(ROOT, APP, "samples", `${name}_1000ms.wav`);
const BOARDS = ["rt1060", "rt1170", "mcxn947"];
const FEATURES = 40,
  FRAMES = 49;
/** Boards without microphones of their own get an add-on array: RT1060 NXP's SLN-LOCAL2 (an RT1060 kit), FRDM-MCXN947 a 4-mic array on its PDM pins. */
const MIC_ARRAY: Record<string, string> = { rt1060: "sln-local2-tri", mcxn947: "linear4-35mm" };

/** Runs the app on `mic` for `seconds`; returns its console, words heard, feature frames and summary. */
async function listen(board: string, mic: string, seconds = 2.5) {
  const { image } = await built(APP, board);
  const micArray = MIC_ARRAY[board] ?? null;
  const machine = new Machine({
    target: loadTarget(board),
    image,
    sdcard: null,
    inputs: { mic },
    micArray,
  });
  let text = "";
  const frames: Int8Array[] = [];
  machine.events.on("console", (s) => (text += s));
  machine.events.on("report", (kind, bytes) => {
    if (kind === 7) frames.push(new Int8Array(bytes.slice().buffer));
  });
  const summary = await machine.run({ seconds });
  const words = [...text.matchAll(/heard (\w+) \(score (\d+)\) at (\d+) ms/g)].map((m) => ({
    word: m[1],
    score: Number(m[2]),
    ms: Number(m[3]),
  }));
  return { text, words, frames, summary };
}

/** Mean absolute difference (int8 feature units) between the microphone path's first 49 frames and the WAV's. */
function featureDistance(frames: Int8Array[], wav: string): number {
  const want = new MicroFrontendReference().clip(wavSamples(readFileSync(wav)));
  let sum = 0;
  for (let f = 0; f < FRAMES; f++)
    for (let k = 0; k < FEATURES; k++) sum += Math.abs(frames[f][k] - want[f * FEATURES + k]);
  return sum / (FRAMES * FEATURES);
}

for (const board of BOARDS) {
  test.serial(`${board}: yes → yes, no → no, silence and noise → nothing`, async (t) => {
    const yes = await listen(board, clip("yes"));
    t.is(yes.summary.fault, null);
    t.deepEqual(
      yes.words.map((w) => w.word),
      ["yes"],
      yes.text,
    );
    t.true(yes.words[0].ms >= 1000 && yes.words[0].ms <= 2000, `heard at ${yes.words[0].ms} ms`);
    t.is(yes.summary.peripherals.mic?.micOverruns, 0);
    t.true((yes.summary.peripherals.gpio?.ledToggles ?? 0) >= 1, "the LED went on for yes");
    const no = await listen(board, clip("no"));
    t.deepEqual(
      no.words.map((w) => w.word),
      ["no"],
      no.text,
    );
    t.is(no.summary.peripherals.gpio?.ledToggles ?? 0, 0, "no LED for no");
    for (const quiet of ["silence", "noise"]) {
      const r = await listen(board, clip(quiet));
      t.deepEqual(r.words, [], `${quiet}: ${r.text}`);
    }
    const dYes = featureDistance(yes.frames, clip("yes")),
      dNo = featureDistance(no.frames, clip("no"));
    t.log(
      `${board}: yes score ${yes.words[0].score} at ${yes.words[0].ms} ms, no score ${no.words[0].score} at ${no.words[0].ms} ms; ` +
        `features vs the WAV path: mean |diff| ${dYes.toFixed(2)} (yes), ${dNo.toFixed(2)} (no) of 0..255 int8 steps; CPU load ${(yes.summary.cpuLoad * 100).toFixed(2)} %`,
    );
    t.true(dYes < 20 && dNo < 20, "the microphone changes the features only a little");
  });
}

test.serial("rt1060: the same input gives the same cycles and words", async (t) => {
  const a = await listen("rt1060", clip("yes"), 1.5),
    b = await listen("rt1060", clip("yes"), 1.5);
  t.is(a.summary.cycles, b.summary.cycles);
  t.is(a.summary.busyCycles, b.summary.busyCycles);
  t.is(a.text, b.text);
});

test.serial("far field: yes from 1 m at 30°, RT60 0.3 s, pink noise at 20 dB SNR", async (t) => {
  const scene = `scene:speech=${clip("yes")},az=30,dist=1,rt60=0.3,noise=pink,snr=20`;
  const heard: string[] = [];
  for (const board of ["rt1170", "rt1060"]) {
    const r = await listen(board, scene);
    t.is(r.summary.fault, null);
    t.log(
      `${board}: ${r.words.map((w) => `${w.word} ${w.score} at ${w.ms} ms`).join(", ") || "nothing heard"}`,
    );
    if (r.words.some((w) => w.word === "yes")) heard.push(board);
    t.false(
      r.words.some((w) => w.word === "no"),
      "never mistaken for no",
    );
  }
  t.true(heard.length >= 1, "yes heard on at least one board");
});
