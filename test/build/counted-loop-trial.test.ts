// Model apps whose counted-loop charges asc's final optimiser reshapes past what the image
// verifier proves are metered per iteration: the counted-loop trial
// (emulator/toolchain/counted-loop-trial.ts) finds it on a copy of the module, so such an app is
// compiled once, not compiled, refused and compiled again.
import test from "ava";
import path from "node:path";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { verifyImageCode } from "../../emulator/toolchain/verify-image.ts";
import { tempDir } from "../helpers/tools.ts";

const tmp = tempDir("tinyboard-trial-");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

/** Builds without the cache and counts asc compiles (build-log.ts) of the app's entry. */
async function buildCounting(app: string, board: string) {
  const log = path.join(tmp, `${path.basename(app)}-${board}.jsonl`);
  process.env.TINYBOARD_BUILD_LOG = log;
  try {
    const result = await buildApp(app, loadTarget(board), { cache: false });
    const compiles = (existsSync(log) ? readFileSync(log, "utf8") : "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === "compile" && e.pid === process.pid);
    return { result, compiles };
  } finally {
    delete process.env.TINYBOARD_BUILD_LOG;
  }
}

test("sine-model on rt1060: counted loops refused, found by the trial, one compile", async (t) => {
  const { result, compiles } = await buildCounting("test/fixtures/apps/sine-model", "rt1060");
  t.is(compiles.length, 1, "compiled once");
  t.true("countedTrial" in compiles[0].phases, "the trial ran");
  t.is(result.image.manifest.meter?.counted, 0, "every loop checked per iteration");
  t.notThrows(() => verifyImageCode(result.image.wasm, "firmware"));
});
