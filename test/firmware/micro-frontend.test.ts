// The micro front end (firmware/dsp/micro-frontend) against TFLM itself: the 40 int8 features
// TFLM's micro_speech front end produces for the first 30 ms of yes/no (fixtures made by TFLM,
// not here) must come out byte for byte, on every board; then micro_speech_quantized.tflite,
// run by the firmware on the firmware's 49 x 40 features, must hear yes, no, silence, silence.
// The host twin (test/helpers/micro-frontend-reference.ts) is checked against the same bytes
// and then against the firmware on whole clips, so any later mismatch points at a stage.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { build, fixture, ROOT } from "../faults/helpers.ts";
import { MicroFrontendReference, rfft, wavSamples, FFT_SIZE } from "../helpers/micro-frontend-reference.ts";

const TFLM = path.join(ROOT, "../shared/fixtures/tflite-micro");
const read = (name: string) => readFileSync(path.join(TFLM, name));
const CLIPS = { yes: "yes", no: "no", silence: "silence", noise: "silence" } as const;
// The RT1060 and the MCX N947 (its NPU): the fixture's code knows no board (the front end and
// engine read no board constant), and the RT1170's build would be a ~20 CPU s compile for this
// file alone (docs/test-time.md); apps/micro-speech's test hears the words there.
const BOARDS = ["rt1060", "mcxn947"];
const APP = "micro-speech";

const expected = (word: string) => new Int8Array(read(`${word}_30ms_expected_features.i8.bin`));
const hexOf = (b: Int8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

test("host twin: reproduces TFLM's features for the first 30 ms of yes and no exactly", (t) => {
  for (const word of ["yes", "no"]) {
    const samples = wavSamples(read(`${word}_30ms.wav`));
    t.is(samples.length, 480);
    t.deepEqual(Array.from(new MicroFrontendReference().frame(samples).features), Array.from(expected(word)), word);
  }
});

test("host twin: the Q15 real FFT is an FFT (≥ 45 dB SNR against float64 on a windowed chirp, scaled 1/512: Q15 rounding in 5 halving stages)", (t) => {
  const x = new Int16Array(FFT_SIZE);
  for (let i = 0; i < 480; i++) x[i] = Math.round(20000 * Math.sin(0.002 * i * i + 0.3) * (0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / 480)));
  const { re, im } = rfft(x);
  let signal = 0, error = 0;
  for (let k = 0; k <= FFT_SIZE / 2; k++) {
    let r = 0, i = 0;
    for (let n = 0; n < FFT_SIZE; n++) { r += x[n] * Math.cos((2 * Math.PI * k * n) / FFT_SIZE); i -= x[n] * Math.sin((2 * Math.PI * k * n) / FFT_SIZE); }
    r /= FFT_SIZE; i /= FFT_SIZE;
    signal += r * r + i * i;
    error += (re[k] - r) ** 2 + (im[k] - i) ** 2;
  }
  const snr = 10 * Math.log10(signal / error);
  t.true(snr >= 45, `SNR ${snr.toFixed(1)} dB`);
});

interface Parsed {
  frames: Record<string, string>;
  features: Record<string, string>;
  scores: Record<string, { scores: number[]; label: string }>;
  cycles: Record<string, { frames: number; min: number; max: number; mean: number }>;
}

function parse(text: string): Parsed {
  const p: Parsed = { frames: {}, features: {}, scores: {}, cycles: {} };
  for (const m of text.matchAll(/^frame (\S+): ([0-9a-f]+) frames (\d+)$/gm)) p.frames[m[1]] = m[2];
  for (const m of text.matchAll(/^features (\S+): ([0-9a-f]+)$/gm)) p.features[m[1]] = m[2];
  for (const m of text.matchAll(/^scores (\S+): (-?\d+) (-?\d+) (-?\d+) (-?\d+) -> (\w+)$/gm)) p.scores[m[1]] = { scores: m.slice(2, 6).map(Number), label: m[6] };
  for (const m of text.matchAll(/^cycles (\S+): frames (\d+) min (\d+) max (\d+) mean (\d+)/gm)) p.cycles[m[1]] = { frames: +m[2], min: +m[3], max: +m[4], mean: +m[5] };
  return p;
}

async function run(board: string): Promise<{ text: string; cycles: number; exit: string }> {
  const built = await build(APP, board);
  const machine = new Machine({ target: loadTarget(board), image: built.image, sdcard: null });
  let text = "";
  machine.events.on("console", (s) => { text += s; });
  const summary = await machine.run({ seconds: 10 });
  return { text, cycles: summary.cycles, exit: `${summary.reason} ${summary.exitCode ?? ""}`.trim() };
}

const twinClip = (clip: string) => hexOf(new MicroFrontendReference().clip(wavSamples(read(`${clip}_1000ms.wav`))));

// Serial: each board's build is seconds of synchronous compiling, so a test finishes right
// after its own build instead of all of them after the last one.
for (const board of BOARDS) {
  test.serial(`${board}: firmware features equal TFLM's bytes and micro_speech hears yes / no / silence / silence`, async (t) => {
    t.timeout(600_000);
    const { text, exit } = await run(board);
    t.is(exit, "exit 0", text.slice(-400));
    const p = parse(text);
    for (const word of ["yes", "no"]) t.is(p.frames[`${word}_30ms`], hexOf(expected(word)), `${word}_30ms: the 40 features TFLM produces`);
    for (const [clip, want] of Object.entries(CLIPS)) {
      t.is(p.features[clip], twinClip(clip), `${clip}: all 49 x 40 features equal the host twin's`);
      t.is(p.cycles[clip]?.frames, 49, `${clip}: 49 frames from 16,000 samples`);
      t.is(p.scores[clip]?.label, want, `${clip}: scores ${p.scores[clip]?.scores.join(" ")}`);
    }
    t.is(p.features["yes/320"], p.features.yes, "20 ms blocks give the same features as 10 ms blocks");
    t.is(p.features["yes/77"], p.features.yes, "77-sample blocks give the same features");
  });
}

test.serial(`rt1060: same image, same output and cycles (${fixture(APP)})`, async (t) => {
  t.timeout(600_000);
  const a = await run("rt1060");
  const b = await run("rt1060");
  t.is(a.text, b.text);
  t.is(a.cycles, b.cycles);
});
