// A model named in an app's manifest is flashed as a partition and run in place by the
// firmware's interpreter, on every board.
import test from "ava";
import { runFixture } from "../faults/helpers.ts";

for (const board of ["rt1060", "rt1170", "mcxn947"]) {
  test(`sine-model estimates sin(x) within 0.05 on ${board}, reading the model from flash`, async (t) => {
    const r = await runFixture("sine-model", { board });
    const model = r.build.image.manifest.partitions.find((p) => p.name === "model");
    t.is(model?.size, 2704);
    t.is(r.summary.exitCode, 0, r.console);
    const rows = [...r.console.matchAll(/^x=([\d.e+-]+) y=([\d.e+-]+)$/gm)];
    t.is(rows.length, 4, r.console);
    for (const [, x, y] of rows)
      t.true(
        Math.abs(Math.sin(Number(x)) - Number(y)) <= 0.05,
        `x=${x}: ${y} vs ${Math.sin(Number(x))}`,
      );
  });
}
