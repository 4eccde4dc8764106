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

/** Builds (from the build cache when it holds the image: test/build/build.test.ts and
 *  test/model/app-model.test.ts build the same one) and reads this process's build-log events
 *  (build-log.ts). */
async function buildLogged(app: string, board: string) {
  const log = path.join(tmp, `${path.basename(app)}-${board}.jsonl`);
  const outer = process.env.TINYBOARD_BUILD_LOG;
  process.env.TINYBOARD_BUILD_LOG = log;
  try {
    const result = await buildApp(app, loadTarget(board));
    const events = (existsSync(log) ? readFileSync(log, "utf8") : "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.pid === process.pid);
    return { result, events };
  } finally {
    if (outer === undefined) delete process.env.TINYBOARD_BUILD_LOG;
    else process.env.TINYBOARD_BUILD_LOG = outer;
  }
}

test("sine-model on rt1060: the engine's counted loops survive asc's -O1, one compile", async (t) => {
  const { result, events } = await buildLogged("test/fixtures/apps/sine-model", "rt1060");
  const meter = result.image.manifest.meter!;
  // A refused build is compiled again with every loop checked per iteration (build.ts), and that
  // image counts no loop: the count below fails for it whether this process compiled it or
  // another test's build left it in the cache (the cache key holds the toolchain's sources).
  const counted = meter.counted ?? 0;
  t.true(counted >= 20, `counted loops: ${counted} of ${meter.loops + counted}`);
  const build = events.find((e) => e.event === "build");
  t.is(build?.counted, meter.counted, "the build log counts them");
  if (!build?.cached) {
    t.deepEqual(
      events.filter((e) => e.event === "countedRefused"),
      [],
      "not built again per iteration",
    );
    t.is(events.filter((e) => e.event === "compile").length, 1, "compiled once");
  }
  t.notThrows(() => verifyImageCode(result.image.wasm, "firmware"));
});
