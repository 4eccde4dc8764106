// The flatbuffer reader caches the last table's checked vtable (firmware/tflite/flatbuffer.ts).
// The cache must not outlive the bytes it was found in: a reader given back to the heap and a
// new one over other bytes at its address, reading a table at the same offset, must see its own
// vtable (keyed on the reader's address, the second read took the first buffer's field offset).
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { Machine } from "../../emulator/machine.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

const PROBE = path.join(PROJECT_ROOT, "test", "fixtures", "flatbuffer-probe");

test("a new reader at a freed reader's address reads its own vtable", async (t) => {
  const target = loadTarget("rt1060");
  const { image } = await buildApp(PROBE, target, {});
  const machine = new Machine({ target, image, sdcard: null });
  let out = new Int32Array(0);
  machine.events.on("report", (kind, bytes) => {
    if (kind === 1) out = new Int32Array(new Uint8Array(bytes).buffer);
  });
  const summary = await machine.run({ seconds: 60 });
  t.is(summary.exitCode, 0, `probe stopped: ${summary.reason}`);
  t.is(out[2], 1, "the second reader did not take the first one's address: the case was not made");
  t.is(out[0], 111);
  t.is(out[1], 222);
});
