// A model named in an app's manifest is flashed as a partition and run in place by the
// firmware's interpreter. On rt1060 only: the build of this fixture is shared with
// test/build/build.test.ts and counted-loops-o1; reading a model from flash on the other boards
// is what every model app's test does (apps/hello-model, the same sine model, on the MCX N947 and
// its NPU; fan-monitor, micro-speech, person-detector on all three), and each board's build of
// this fixture would be a ~15 CPU s compile no other test needs (docs/test-time.md).
import test from "ava";
import { runFixture } from "../faults/helpers.ts";

test("sine-model estimates sin(x) within 0.05 on rt1060, reading the model from flash", async (t) => {
  const r = await runFixture("sine-model", { board: "rt1060" });
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
