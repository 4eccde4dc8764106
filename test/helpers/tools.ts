// Shared test helpers: builds, temp dirs, and the real FAT tools.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp, type BuildResult } from "../../emulator/toolchain/build.ts";

// One build per app and board per test process, shared by every test that asks for it; across
// processes and runs, buildApp's build cache (build/cache) serves unchanged builds. Builds run
// one after another (a compile is seconds of synchronous work): tests then finish one by one
// instead of all at the end, which keeps ava's inactivity timeout quiet on a loaded machine.
const builds = new Map<string, Promise<BuildResult>>();
let queue: Promise<unknown> = Promise.resolve();

/** Builds an app (folder, absolute or relative to the cwd) for a board once per test process. */
export function built(appDir: string, board: string, core?: string): Promise<BuildResult> {
  const key = `${path.resolve(appDir)}|${board}|${core ?? ""}`;
  let b = builds.get(key);
  if (!b) {
    b = queue.then(() => buildApp(appDir, loadTarget(board, core)));
    queue = b.catch(() => undefined);
    builds.set(key, b);
  }
  return b;
}

export function tempDir(prefix = "tinyboard-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

/** Runs a command; returns exit status and output. */
export function sh(
  cmd: string,
  args: string[],
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
