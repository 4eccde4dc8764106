// apps/hello-model, the guide's example of running a model from a partition: on two boards
// the model's estimate of sin(x) is within 0.06 of sin(x) for the ten x of its sweep, and the
// app ends with exit(0).
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { built } from "../helpers/tools.ts";
import { ROOT } from "../faults/helpers.ts";

// rt1060 and the MCX N947 (its NPU): the rt1170 build differs from rt1060 only in its clock.
for (const board of ["rt1060", "mcxn947"]) {
  test(`hello-model on ${board}: ten estimates of sin(x) within 0.06, then exit(0)`, async (t) => {
    const { image } = await built(path.join(ROOT, "apps/hello-model"), board);
    const machine = new Machine({ target: loadTarget(board), image, sdcard: null });
    let out = "";
    machine.events.on("console", (s) => {
      out += s;
    });
    const s = await machine.run({ seconds: 2 });
    t.is(s.fault, null);
    t.is(s.reason, "exit");
    t.is(s.exitCode, 0);
    const rows = [
      ...out.matchAll(
        /^x (-?\d+\.\d+) {2}model (-?\d+\.\d+) {2}sin (-?\d+\.\d+) {2}\((\d+) cycles\)$/gm,
      ),
    ];
    t.is(rows.length, 10, out);
    for (const [, x, model, sin] of rows) {
      t.true(Math.abs(Number(sin) - Math.sin(Number(x))) < 0.001, `x ${x}: sin ${sin}`);
      t.true(Math.abs(Number(model) - Number(sin)) < 0.06, `x ${x}: model ${model}, sin ${sin}`);
    }
  });
}
