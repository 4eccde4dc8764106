// A debugged run takes the same cycles and prints the same as an undebugged one, however
// often it stops and whatever is inspected while stopped (here: the MCX N947, CPU and NPU).
import test from "ava";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import type { RunSummary } from "../../emulator/events.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import type { StopInfo } from "../../emulator/debug/protocol.ts";
import { build } from "../faults/helpers.ts";

test("stopping at every layer and inspecting changes no cycle and no output (mcxn947, NPU)", async (t) => {
  const target = loadTarget("mcxn947");
  const { image } = await build("person-model", "mcxn947");
  const plain = new Machine({ target, image, sdcard: null });
  let plainConsole = "";
  plain.events.on("console", (s) => {
    plainConsole += s;
  });
  const want = await plain.run({ seconds: 2 });

  const engine = await DebugEngine.launch({ image, target, seconds: 2 });
  t.teardown(() => engine.close());
  let debugConsole = "";
  engine.on("console", (s: string) => {
    debugConsole += s;
  });
  const units = new Set<string>();
  let stops = 0;
  let r: StopInfo | RunSummary = await engine.resume("step");
  while ("description" in r) {
    stops++;
    if (r.layer) units.add(r.layer.unit);
    const before = (await engine.peripherals()).cycles;
    await engine.layers();
    await engine.memoryMap();
    if (r.layer) await engine.tensor(String(r.layer.index === 0 ? 88 : 1));
    t.is((await engine.peripherals()).cycles, before, "inspecting does not move the clock");
    t.is(before, r.cycles);
    r = await engine.resume("step");
  }
  t.is(stops, 31 + 1, "every layer, then the end of the inference");
  t.deepEqual([...units].sort(), ["cpu", "npu"]);
  t.is(r.cycles, want.cycles);
  t.is(r.busyCycles, want.busyCycles);
  t.is(r.idleCycles, want.idleCycles);
  t.deepEqual(r.peripherals, want.peripherals);
  t.is(debugConsole, plainConsole);
});
