// The voice-control app's own command set (LED control, trained here on synthetic speech):
// the committed model takes the firmware's KWS features as they are, TFLite's runtime and the
// firmware's engine make the same decisions on held-out clips, the app on rt1060 hears the
// held-out clips after "marvin" and drives the LED, and a short training run repeats byte
// for byte (skipped, with the reason, where the speech engines are not installed).
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { readWav, writeWav } from "../../emulator/inputs/wav.ts";
import { runModel, withPartitions } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { kwsFeatures, quantize } from "../helpers/dsp-reference.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { built, tempDir } from "../helpers/tools.ts";
import { runVoiceImage } from "../helpers/voice-control-run.ts";
import { CLASSES, COMMAND_TEXT } from "../../apps/voice-control/train/dataset.ts";
import { clipFile } from "../../apps/voice-control/train/sample-clips.ts";
import { missingTools } from "../../apps/voice-control/train/synth.ts";
import { KWS_INPUT, MODEL_FILE, train } from "../../apps/voice-control/train/train.ts";

const APP = "apps/voice-control";
const MODEL = readFileSync(path.resolve(APP, "model", MODEL_FILE));
const RATE = 16000;
const WORDS = ["led-red", "led-green", "led-blue", "cycle-fast", "cycle-slow"];
const clip = (label: number) => readWav(path.resolve(APP, "audio", clipFile(label))).channels[0];

/** A clip centred in one second, as int16. */
function second(x: Float64Array): Int16Array {
  const out = new Int16Array(RATE);
  const from = Math.max(0, Math.floor((x.length - RATE) / 2));
  const at = Math.max(0, Math.floor((RATE - x.length) / 2));
  for (let i = 0; i < Math.min(RATE, x.length); i++)
    out[at + i] = Math.max(-32768, Math.min(32767, Math.round(x[from + i] * 32768)));
  return out;
}

const argmax = (a: ArrayLike<number>) =>
  Array.from(a).reduce((b, v, i, all) => (v > all[b] ? i : b), 0);

test("the committed LED model: 49 x 10 int8 in at kws_ref_model's quantisation, 7 classes out", (t) => {
  const m = readModel(MODEL);
  const input = m.tensors[m.inputs[0]];
  t.deepEqual(input.shape, [1, 49, 1, 10]);
  t.is(input.quantization!.scale[0], Math.fround(KWS_INPUT.scale));
  t.is(input.quantization!.zeroPoint[0], KWS_INPUT.zeroPoint);
  t.deepEqual(m.tensors[m.outputs[0]].shape, [1, CLASSES.length]);
});

test("held-out clips: TFLite's runtime and the firmware's engine decide the same, and right", async (t) => {
  const inputs = COMMAND_TEXT.map((_, label) =>
    quantize(kwsFeatures(second(clip(label))), KWS_INPUT.scale, KWS_INPUT.zeroPoint),
  );
  const ref = await loadReference(MODEL);
  const theirs = inputs.map((x) => argmax(ref.run([x])[0]));
  ref.dispose();
  const run = await runModel(
    MODEL,
    inputs.map((x) => new Uint8Array(x.buffer)),
    loadTarget("rt1060"),
  );
  const ours = run.inferences.map((r) =>
    argmax(new Int8Array(r.outputs[0].buffer, r.outputs[0].byteOffset, CLASSES.length)),
  );
  t.deepEqual(ours, theirs, "identical decisions");
  const right = ours.filter((c, label) => c === label).length;
  t.log(`held-out sample clips: ${right}/${ours.length} right (${ours.map((c) => CLASSES[c])})`);
  // Today 4 of 5 (the streaming-trained model; "cycle slow" is heard as unknown).
  t.true(right >= 4, `${ours.map((c) => CLASSES[c])}`);
});

test("rt1060: with the 'led' partition the app hears held-out LED commands after 'marvin'", async (t) => {
  const { image } = await built(APP, "rt1060");
  const ww = readFileSync(path.resolve(APP, "model/str_ww_ref_model.tflite"));
  const led = withPartitions(image, [
    { name: "ww", data: new Uint8Array(ww) },
    { name: "led", data: new Uint8Array(MODEL) },
  ]);
  // "marvin", then a held-out command 1.2 s later, every 3.5 s: all five sample clips.
  // Through the whole app (front end, beam, AGC, streaming windows) the model trained with
  // streaming windows (a command cut by the window's edge, the end of "marvin" into a command's
  // onset, as "unknown") and the first scoring 700 ms after the wake word: 3 of 5 right and
  // none wrong (the first model: 2 right, 3 taken for "cycle slow"). A wrong action is worse
  // than none: the test holds both.
  const marvin = readWav(path.resolve(APP, "audio/marvin_617de221_0.wav")).channels[0];
  const order = [0, 1, 2, 3, 4];
  const input = new Float64Array(Math.round(RATE * (1 + 3.5 * order.length)));
  order.forEach((label, i) => {
    const at = Math.round(RATE * (0.3 + 3.5 * i));
    input.set(marvin, at);
    input.set(clip(label), at + Math.round(1.2 * RATE));
  });
  const file = path.join(tempDir("tinyboard-voice-led-"), "led.wav");
  writeWav(file, { sampleRate: RATE, channels: [input] });
  const { summary, text } = await runVoiceImage("rt1060", led, file, input.length / RATE);
  t.is(summary.fault, null);
  t.regex(text, /model led \d+ B/);
  const said = order.map((l) => WORDS[l]);
  // Each command line belongs to the trial (3.5 s) it falls in.
  const heard = [
    ...text.matchAll(/\[([\d.]+) s\] command ([\w-]+) (\d+)% doa \d+ deg -> (.*)/g),
  ].map((m) => ({ trial: Math.floor((Number(m[1]) - 0.3) / 3.5), word: m[2], state: m[4] }));
  t.log(`said ${said}; heard ${heard.map((h) => `${h.word} (trial ${h.trial + 1})`)}`);
  t.true(heard.length <= order.length, text);
  for (const h of heard) t.is(h.word, said[h.trial], `a wrong command: ${text}`);
  t.true(heard.length >= 3, text);
  for (const h of heard) {
    if (h.word === "cycle-fast") t.regex(h.state, /^light on blink 4 Hz/);
    if (h.word === "cycle-slow") t.regex(h.state, /^light on blink 1 Hz/);
    if (h.word.startsWith("led-")) t.regex(h.state, new RegExp(`colour ${h.word.slice(4)}$`));
  }
});

const tools = missingTools();
(tools.length ? test.skip : test)(
  `a short training run repeats byte for byte${tools.length ? ` (skipped: no ${tools.join(", ")})` : ""}`,
  async (t) => {
    const a = await train({ smoke: true, epochs: 1, outDir: tempDir("tb-led-"), log: () => {} });
    const b = await train({ smoke: true, epochs: 1, outDir: tempDir("tb-led-"), log: () => {} });
    t.deepEqual(readFileSync(a.modelPath), readFileSync(b.modelPath));
    t.true(a.int8Accuracy.all >= 0 && a.int8Accuracy.all <= 1);
  },
);
