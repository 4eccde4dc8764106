// apps/active-speaker's frame budget (frame-budget.ts) on MCX N947 without its NPU, where the
// full-rate work (the face detector on the CPU, two faces' models, the direction cue) does not
// fit a 66.7 ms frame: the app says once that it degrades and to which level, the status line
// carries the level, and no camera frame and no microphone buffer is lost. Without the budget
// the same run loses microphone buffers within 3 s.
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { built } from "../helpers/tools.ts";

const APP = "apps/active-speaker";

test("MCX N947 --cpu-only degrades on purpose and drops nothing", async (t) => {
  const { image } = await built(APP, "mcxn947");
  const machine = new Machine({
    target: loadTarget("mcxn947"),
    image,
    sdcard: null,
    inputs: { scene: path.resolve(APP, "scenes/demo.json") },
    micArray: "sln-local2-tri",
    noNpu: true,
  });
  let text = "";
  machine.events.on("console", (s) => {
    text += s;
  });
  const summary = await machine.run({ seconds: 3 });
  t.is(summary.fault, null);
  const switches =
    text.match(/^active-speaker: frames predicted .* degraded to level \d.*$/gm) ?? [];
  t.true(switches.length >= 1, text.slice(0, 600));
  t.regex(text, /degraded level [1-3]: face detector every [24] frames/);
  t.is(summary.peripherals.camera.cameraDropped, 0);
  t.is(summary.peripherals.mic.micOverruns, 0);
  t.log(switches.join("\n"));
});
