// The microphone seen by the debugging tools: `run --trace` puts each DMA buffer on the
// peripherals track as a span (the 10 ms it took to fill) and each overrun as an instant; the
// debugger's `info peripherals` shows the microphone's state while the firmware is stopped.
// Firmware: the mic-pcm fixture (takes 30 buffers on time, stalls 45 ms, takes 10 more).
import test from "ava";
import { PassThrough } from "node:stream";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import { runRepl } from "../../emulator/debug/repl.ts";
import { TraceRecorder, TRACK } from "../../emulator/debug/trace.ts";
import { build } from "../faults/helpers.ts";

const BOARD = "rt1170";
const target = loadTarget(BOARD);

test("--trace: microphone DMA buffers are 10 ms spans on the peripherals track, overruns are instants", async (t) => {
  const { image } = await build("mic-pcm", BOARD);
  const machine = new Machine({ target, image, sdcard: null });
  const recorder = new TraceRecorder(machine);
  const summary = await machine.run({ seconds: 1 });
  const file = recorder.trace(summary);
  const mic = file.traceEvents.filter((e) => e.cat === "mic");
  const dma = mic.filter((e) => / DMA /.test(e.name));
  const overruns = mic.filter((e) => /overrun/.test(e.name));
  t.true(dma.length >= 40, `${dma.length} DMA spans`);
  for (const e of dma) {
    t.is(e.ph, "X");
    t.is(e.tid, TRACK.peripherals);
    t.true(Math.abs(e.dur! - 10000) < 1, `a buffer takes 10 ms to fill, not ${e.dur} us`);
  }
  // Spans follow one another: buffer a, b, a, ... each starting where the last ended.
  for (let i = 1; i < dma.length; i++) {
    t.regex(dma[i].name, new RegExp(`buffer ${"ab"[i % 2]} DMA \\(block ${i},`));
    t.true(Math.abs(dma[i].ts! - (dma[i - 1].ts! + dma[i - 1].dur!)) < 1);
  }
  t.true(overruns.length > 0, "the 45 ms stall overruns");
  t.is(overruns.length, summary.peripherals.mic.micOverruns, "one instant per overrun counted");
  for (const e of overruns) t.is(e.ph, "i");
});

test("debugger: `info peripherals` shows the microphone's buffers, overruns and rate", async (t) => {
  const { image } = await build("mic-pcm", BOARD);
  const engine = await DebugEngine.launch({ image, target, seconds: 1 });
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => {
    text += d;
  });
  // 0.2 s in (996 MHz): 20 buffers filled, none overrun yet; then the end, after the stall.
  input.end(
    ["break cycles 199200000", "continue", "info peripherals", "continue", "info peripherals"].join(
      "\n",
    ) + "\n",
  );
  try {
    await runRepl(engine, { input, output });
  } finally {
    await engine.close();
  }
  const answers = text.split("(tinyboard) ").filter((p) => p.startsWith("info peripherals\n"));
  t.true(answers.length >= 1, text);
  const mic = /^\s*mic\s+(.*)$/m.exec(answers[0])?.[1] ?? "";
  t.log(mic);
  t.regex(mic, /micChannels 2/);
  t.regex(mic, /micRunning 1/);
  const buffers = Number(/micBuffers (\d+)/.exec(mic)?.[1]);
  t.true(buffers >= 19 && buffers <= 20, `${buffers} buffers at 0.2 s`);
  t.regex(mic, /micOverruns 0/);
  t.regex(mic, /micRateHz 16000/);
});
