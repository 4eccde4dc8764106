// Shared test helpers: cached builds, temp dirs, and the real FAT tools.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp, type BuildResult } from "../../emulator/build/build.ts";

const builds = new Map<string, Promise<BuildResult>>();

/** Builds an app for a board once per test process. */
export function built(appDir: string, board: string, core?: string): Promise<BuildResult> {
  const key = `${appDir}|${board}|${core ?? ""}`;
  if (!builds.has(key)) builds.set(key, buildApp(appDir, loadTarget(board, core)));
  return builds.get(key)!;
}

export function tempDir(prefix = "tinyboard-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
}

/** Runs a command; returns exit status and output. */
export function sh(cmd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
