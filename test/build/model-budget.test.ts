// The build's SRAM estimate for an app with a model against the peak a run measures: the
// engine's head (tensors, scratch, records) and tail (persistent data) are planned on the host,
// so "fits" at build time means the run fits. One board each, through the CLI as a user runs it.
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import { modelBudgets } from "../../emulator/toolchain/model-budget.ts";

const CLI = path.join(PROJECT_ROOT, "bin/tinyboard.js");

function buildAndRun(app: string, board: string, seconds: number): { built: number; peak: number; console: string } {
  // No wall-clock limit: a cold build on a loaded machine takes what it takes.
  const r = spawnSync("node", [CLI, "run", app, "--board", board, "--seconds", String(seconds)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${app} on ${board}: exit ${r.status}: ${r.stderr}`);
  const out = r.stdout + r.stderr;
  const built = /SRAM (\d+) B -> build\//.exec(out);
  const peak = /SRAM peak\s+(\d+) B/.exec(out);
  if (!built || !peak) throw new Error(`no SRAM figures in: ${out}`);
  return { built: Number(built[1]), peak: Number(peak[1]), console: out };
}

const FEW_KB = 4096;

test.serial("hello-model on rt1060: the build's SRAM is the run's peak within a few KB, never below", (t) => {
  const r = buildAndRun(path.join(PROJECT_ROOT, "apps/hello-model"), "rt1060", 0.3);
  t.true(r.built >= r.peak, `build ${r.built} B, peak ${r.peak} B`);
  t.true(r.built - r.peak <= FEW_KB, `build ${r.built} B, peak ${r.peak} B`);
});

test.serial("person-detector on mcxn947: the build's SRAM is the run's peak within a few KB, never below; the engine estimate is the engine's own", (t) => {
  const r = buildAndRun(path.join(PROJECT_ROOT, "apps/person-detector"), "mcxn947", 1);
  t.true(r.built >= r.peak, `build ${r.built} B, peak ${r.peak} B`);
  // app.json's heapBytes also covers the /CAPTURE buffers (3 KB row + header, ~5 KB margin) this run does not allocate.
  t.true(r.built - r.peak <= 3 * FEW_KB, `build ${r.built} B, peak ${r.peak} B`);
  // The app prints the engine's arena_used_bytes (head + tail) as the firmware counts it.
  const engine = Number(/arena (\d+) B/.exec(r.console)![1]);
  const [budget] = modelBudgets([{ name: "model", data: new Uint8Array(readFileSync(path.join(PROJECT_ROOT, "apps/person-detector/model/vww_96_int8.tflite"))) }]);
  t.true(budget.arenaBytes >= engine && budget.arenaBytes - engine <= FEW_KB, `estimate ${budget.arenaBytes} B (head ${budget.headBytes}, tail ${budget.tailBytes}), engine ${engine} B`);
});
