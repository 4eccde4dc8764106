// Shared by the reliability suite: the real CLI in child processes (async, so several can
// run at once), images built once, and crafted images derived from them.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp, type BuildResult } from "../../emulator/toolchain/build.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = path.join(ROOT, "bin/tinyboard.js");

export interface CliResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Starts the CLI; `done` resolves when it exits (killed after timeoutMs: a hang). */
export function startCli(
  args: string[],
  o: { cwd?: string; timeoutMs?: number; stdin?: string } = {},
): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: o.cwd ?? ROOT,
    env: { ...process.env, TINYBOARD_DEBUG: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "",
    stderr = "",
    timedOut = false;
  child.stdout!.on("data", (d) => {
    if (stdout.length < 1 << 20) stdout += d;
  });
  child.stderr!.on("data", (d) => {
    if (stderr.length < 1 << 20) stderr += d;
  });
  child.stdin!.end(o.stdin ?? "");
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, o.timeoutMs ?? 300_000);
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    }),
  );
  return { child, done };
}

export function cli(
  args: string[],
  o: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return startCli(args, o).done;
}

export function tempDir(prefix = "tb-rel-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

const builds = new Map<string, Promise<BuildResult>>();
let queue: Promise<unknown> = Promise.resolve();

/** Builds an app (project-relative folder) once per test process, one build at a time. */
export function built(app: string, board = "rt1060"): Promise<BuildResult> {
  const key = `${app}@${board}`;
  let b = builds.get(key);
  if (!b) {
    b = queue.then(() => buildApp(path.join(ROOT, app), loadTarget(board)));
    queue = b.catch(() => undefined);
    builds.set(key, b);
  }
  return b;
}

/** Polls until `check` holds (a file appears...), at most timeoutMs. */
export async function until(check: () => boolean, timeoutMs = 60_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
