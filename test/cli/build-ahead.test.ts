// demo compiles the images the build cache lacks side by side, in `tinyboard build-worker`
// children fed from a queue, and runs each app as soon as its image is ready; a failing image
// neither stops the others nor hangs the queue (the demo compiles it again itself and shows the
// compiler's message).
import test from "ava";
import path from "node:path";
import { rmSync } from "node:fs";
import { startBuildsAhead, type AheadRun } from "../../emulator/cli/build-ahead.ts";
import { buildApp, cachedBuild } from "../../emulator/toolchain/build.ts";
import { loadTarget } from "../../emulator/board.ts";
import { ROOT } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const fixture = (name: string) => path.join(ROOT, "test", "fixtures", "apps", name);

/** Starts the builds and waits for every run's image; how many were missing. */
async function buildAll(runs: AheadRun[], jobs: number): Promise<number> {
  const ahead = await startBuildsAhead(runs, jobs);
  await Promise.all(runs.map((_, i) => ahead.ready(i)));
  return ahead.missing;
}

/** Runs `body` with a fresh build cache folder in the environment the children inherit (so the
 *  tests are serial). */
async function withCache(body: () => Promise<void>): Promise<void> {
  const cache = tempDir("tinyboard-ahead-");
  const before = process.env.TINYBOARD_BUILD_CACHE;
  process.env.TINYBOARD_BUILD_CACHE = cache;
  try {
    await body();
  } finally {
    if (before === undefined) delete process.env.TINYBOARD_BUILD_CACHE;
    else process.env.TINYBOARD_BUILD_CACHE = before;
    rmSync(cache, { recursive: true, force: true });
  }
}

test.serial(
  "images not in the cache are built by the children; a broken one is left to the demo",
  async (t) => {
    t.timeout(600_000, "three small compiles in children on a loaded machine");
    await withCache(async () => {
      const runs = [
        { dir: fixture("empty-main"), boardId: "rt1060" },
        { dir: fixture("compile-errors"), boardId: "rt1060" },
        { dir: fixture("empty-main"), boardId: "mcxn947" },
      ];
      t.is(await buildAll(runs, 2), 3, "all three were missing");
      t.truthy(cachedBuild(runs[0].dir, loadTarget("rt1060")), "rt1060's image is in the cache");
      t.truthy(cachedBuild(runs[2].dir, loadTarget("mcxn947")), "mcxn947's image is in the cache");
      t.is(cachedBuild(runs[1].dir, loadTarget("rt1060")), null, "the broken app has no image");
      t.is(await buildAll([runs[0], runs[2]], 2), 0, "nothing left to build");
    });
  },
);

test.serial(
  "the first image is ready while later ones still compile: the demo runs it meanwhile",
  async (t) => {
    t.timeout(600_000, "three small compiles on a loaded machine");
    await withCache(async () => {
      const runs = ["rt1060", "rt1170", "mcxn947"].map((boardId) => ({
        dir: fixture("empty-main"),
        boardId,
      }));
      // rt1170's image is in the cache already: ready at once, not compiled again.
      await buildApp(runs[1].dir, loadTarget("rt1170"));
      const ahead = await startBuildsAhead(runs, 2);
      t.is(ahead.missing, 2);
      t.false(ahead.waiting(1), "the cached image waits for nothing");
      t.true(ahead.waiting(0));
      await ahead.ready(1);
      t.is(ahead.done(), 0, "the cached image waited for no compile");
      await ahead.ready(0);
      t.false(ahead.waiting(0));
      t.truthy(cachedBuild(runs[0].dir, loadTarget("rt1060")), "ready means built");
      await ahead.ready(2);
      t.is(ahead.done(), 2);
      t.truthy(cachedBuild(runs[2].dir, loadTarget("mcxn947")));
    });
  },
);
