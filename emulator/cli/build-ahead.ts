// The demo's images, compiled side by side while the demo runs the ones already built. A fresh
// clone has none in the build cache and a model app's compile is tens of CPU seconds of
// single-threaded work: one after another they kept a newcomer's first `npm start` waiting on
// one core of several, and all of them before the first run kept it waiting some 10 minutes. The
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

// Below the demo's own runs: their real-time figures are the emulator's, not the compiler's.
const BUILD_NICENESS = 10;

/** Compiles side by side by default: the host's cores, at most 4 (a compile holds ~0.4 GB). */
export const defaultBuildJobs = (): number => Math.max(1, Math.min(4, os.availableParallelism()));

/** Builds started ahead: `ready(i)` resolves when run i's image is built (or its build failed,
 *  or it needed none), in the order of the runs, so the demo can run each one as it comes. */
export interface BuildsAhead {
  /** How many of the runs' images the cache lacked. */
  missing: number;
  ready(run: number): Promise<void>;
  /** Whether run i still waits for its image (ready(i) not yet resolved). */
  waiting(run: number): boolean;
  /** Images built (or failed) so far, of `missing`. */
  done(): number;
}

/** Starts building the runs' images that the cache lacks, `jobs` at a time, in the runs' order.
 *  The children run at a lower priority, so a run beside them keeps the host's time first. */
export async function startBuildsAhead(runs: AheadRun[], jobs: number): Promise<BuildsAhead> {
  const missing: number[] = [];
  for (const [i, run] of runs.entries())
    if (!(await cachedBuild(run.dir, loadTarget(run.boardId)))) missing.push(i);
  const settled = runs.map(() => Promise.resolve());
  const resolvers = new Map<number, () => void>();
  let done = 0;
  const ahead: BuildsAhead = {
    missing: missing.length,
    ready: (i) => settled[i],
    waiting: (i) => resolvers.has(i),
    done: () => done,
  };
  // One image compiles as fast in the demo's own process.
  if (missing.length < 2 || jobs < 2) return ahead;
  for (const i of missing) settled[i] = new Promise<void>((r) => resolvers.set(i, r));
  const finish = (i: number | null) => {
    if (i === null) return;
    done++;
    resolvers.get(i)?.();
    resolvers.delete(i);
  };
  let next = 0;
  const worker = () =>
    new Promise<void>((resolve) => {
      const child = spawn(
        process.execPath,
        [path.join(PROJECT_ROOT, "bin", "tinyboard.js"), "build-worker"],
        { stdio: ["pipe", "pipe", "ignore"] },
      );
      try {
        if (child.pid) os.setPriority(child.pid, BUILD_NICENESS);
      } catch {
        /* not permitted here: the builds run at the demo's priority */
      }
      // Two images queued per child: a run in the demo holds its event loop for seconds, and
      // the child goes on with the next one meanwhile instead of waiting to be fed.
      const queued: number[] = [];
      let ended = false;
      const feed = () => {
        if (next < missing.length) {
          queued.push(missing[next]);
          child.stdin.write(`${JSON.stringify(runs[missing[next++]])}\n`);
        } else if (!queued.length && !ended) {
          ended = true;
          child.stdin.end();
        }
      };
      createInterface({ input: child.stdout }).on("line", () => {
        finish(queued.shift() ?? null);
        feed();
      });
      // A child that dies leaves its images to the demo's own builds.
      const end = () => {
        for (const i of queued.splice(0)) finish(i);
        resolve();
      };
      child.on("error", end);
      child.on("exit", end);
      // Each child its first image, then (once every child has one) its second.
      feed();
      setImmediate(feed);
    });
  const slots = Math.min(jobs, missing.length);
  void Promise.all(Array.from({ length: slots }, worker)).then(() => {
    // Whatever no child took (all of them died) is the demo's to build.
    for (const r of resolvers.values()) r();
  });
  return ahead;
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
