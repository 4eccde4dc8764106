// asc runs its own -O1 after the meter. The counted-loop charges the meter emits must come
// through it in a shape the image verifier proves (verify-counted.ts, verify-counted-entry.ts):
// else a model app's engine is built again with every loop checked per iteration (build.ts).
// The sine model's app holds the engine's interpreter and kernels, where -O1 once broke every
// proof (a copied loop index read through its source, a folded trip count past the limit).
import test from "ava";
import path from "node:path";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { verifyImageCode } from "../../emulator/toolchain/verify-image.ts";
import { tempDir } from "../helpers/tools.ts";

const tmp = tempDir("tinyboard-counted-o1-");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

/** Builds without the cache and reads this process's build-log events (build-log.ts). */
async function buildLogged(app: string, board: string) {
  const log = path.join(tmp, `${path.basename(app)}-${board}.jsonl`);
  process.env.TINYBOARD_BUILD_LOG = log;
  try {
    const result = await buildApp(app, loadTarget(board), { cache: false });
    const events = (existsSync(log) ? readFileSync(log, "utf8") : "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.pid === process.pid);
    return { result, events };
  } finally {
    delete process.env.TINYBOARD_BUILD_LOG;
  }
}

test("sine-model on rt1060: the engine's counted loops survive asc's -O1, one compile", async (t) => {
  const { result, events } = await buildLogged("test/fixtures/apps/sine-model", "rt1060");
  const meter = result.image.manifest.meter!;
  t.deepEqual(
    events.filter((e) => e.event === "countedRefused"),
    [],
    "not built again per iteration",
  );
  t.is(events.filter((e) => e.event === "compile").length, 1, "compiled once");
  // The interpreter's and kernels' inner loops: dozens of them (counted / checked).
  const counted = meter.counted ?? 0;
  t.true(counted >= 20, `counted loops: ${counted} of ${meter.loops + counted}`);
  t.is(events.find((e) => e.event === "build")?.counted, meter.counted, "the build log counts them");
  t.notThrows(() => verifyImageCode(result.image.wasm, "firmware"));
});
