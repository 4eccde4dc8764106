// The demo's images, compiled side by side before anything runs. A fresh clone has none in the
// build cache and a model app's compile is tens of CPU seconds of single-threaded work, so one
// after another they kept a newcomer's first `npm start` waiting on one core of several. The
// compiler is synchronous, so the side-by-side builds are processes: `jobs` long-lived
// `tinyboard build-worker` children, each loading the compiler once and taking the next image
// from the parent's queue when it finishes one (one process per image loaded asc, binaryen and
// jco again each time: 40 % more CPU for 8 images). The build cache's per-image lock and
// entries hand the results to the demo's own buildApp. A child's failed build is only
// counted: the demo then compiles that image itself and shows the compiler's own message.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { loadTarget } from "../board.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { buildApp, cachedBuild } from "./lazy-build.ts";

export interface AheadRun {
  dir: string;
  boardId: string;
}

/** Compiles side by side by default: the host's cores, at most 4 (a compile holds ~0.4 GB). */
export const defaultBuildJobs = (): number => Math.max(1, Math.min(4, os.availableParallelism()));

/** Builds the runs' images that the cache lacks, `jobs` at a time; resolves when all ended.
 *  Returns how many were missing. */
export async function buildAhead(runs: AheadRun[], jobs: number): Promise<number> {
  const missing: AheadRun[] = [];
  for (const run of runs)
    if (!(await cachedBuild(run.dir, loadTarget(run.boardId)))) missing.push(run);
  // One image compiles as fast in the demo's own process.
  if (missing.length < 2 || jobs < 2) return missing.length;
  const started = performance.now();
  const slots = Math.min(jobs, missing.length);
  console.error(
    `compiling ${missing.length} images not in the build cache, ${slots} at a time (a model app takes tens of seconds) ...`,
  );
  let next = 0;
  let done = 0;
  const worker = () =>
    new Promise<void>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, "bin", "tinyboard.js"), "build-worker"],
        {
          stdio: ["pipe", "pipe", "ignore"],
        },
      );
      let current: AheadRun | null = null;
      const feed = () => {
        current = next < missing.length ? missing[next++] : null;
        if (current) child.stdin.write(`${JSON.stringify(current)}\n`);
        else child.stdin.end();
      };
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (!current) return;
        done++;
        const name = `${path.basename(current.dir)} for ${current.boardId}`;
        const seconds = ((performance.now() - started) / 1000).toFixed(0);
        console.error(
          `  ${line === "ok" ? "built" : "not built (its run below says why)"} ${name} (${done} of ${missing.length}, ${seconds} s)`,
        );
        feed();
      });
      // A child that dies leaves its image (and any it had not taken) to the demo's own builds.
      child.on("error", () => resolve());
      child.on("exit", () => resolve());
      feed();
    });
  await Promise.all(Array.from({ length: slots }, worker));
  return missing.length;
}

/** `tinyboard build-worker` (hidden): builds into the build cache each {dir, boardId} line read
 *  from stdin, answering "ok" or "failed" per line. */
export async function buildWorkerCommand(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    let ok = false;
    try {
      const run = JSON.parse(line) as AheadRun;
      await buildApp(run.dir, loadTarget(run.boardId));
      ok = true;
    } catch {
      /* the demo compiles it again and reports the error */
    }
    process.stdout.write(ok ? "ok\n" : "failed\n");
  }
}
