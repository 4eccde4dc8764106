// Shared by test/faults and test/cli: build the fixture apps of test/fixtures/apps once each,
// run them on an emulated board, make scratch SD cards, and call the host's FAT tools.
import type { ExecutionContext } from "ava";
import { mkdtempSync, readFileSync, rmSync, openSync, readSync, closeSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import os from "node:os";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import type { BuildResult } from "../../emulator/toolchain/build.ts";
import { built } from "../helpers/tools.ts";
import { Machine } from "../../emulator/machine.ts";
import type { RunSummary } from "../../emulator/events.ts";
import type { FaultKind, FaultReport } from "../../emulator/faults.ts";
import { createFat32Image } from "../../emulator/sdcard/format-fat32.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = path.join(ROOT, "test/fixtures/apps");
export const CARD_BYTES = 64 * 1024 * 1024; // sparse on disk

/** Project-relative folder of a fixture app ("test/fixtures/apps/<name>"). */
export const fixture = (name: string) => `test/fixtures/apps/${name}`;

/** A fixture app built for a board (once per process; see built() in ../helpers/tools.ts). */
export function build(name: string, board = "rt1060"): Promise<BuildResult> {
  return built(path.join(FIXTURES, name), board);
}

export interface RunResult {
  summary: RunSummary;
  /** Everything the firmware wrote to the console. */
  console: string;
  /** Every "fault" event the machine emitted. */
  faults: FaultReport[];
  build: BuildResult;
}

export async function runFixture(
  name: string,
  o: { board?: string; seconds?: number; sdcard?: string | null; watchdogMs?: number } = {},
): Promise<RunResult> {
  const board = o.board ?? "rt1060";
  const built = await build(name, board);
  const machine = new Machine({
    target: loadTarget(board),
    image: built.image,
    sdcard: o.sdcard ?? null,
    watchdogMs: o.watchdogMs,
  });
  let out = "";
  const faults: FaultReport[] = [];
  machine.events.on("console", (s) => {
    out += s;
  });
  machine.events.on("fault", (f) => faults.push(f));
  // A host exception rejects here and fails the test: faults must come back in the summary.
  const summary = await machine.run({ seconds: o.seconds ?? 1 });
  return { summary, console: out, faults, build: built };
}

/**
 * Checks what every fault report must hold and returns it: the run ended with exactly one
 * fault of `kind`, reported by event and in the summary, at a consistent time.
 */
export function assertFault(t: ExecutionContext, r: RunResult, kind: FaultKind): FaultReport {
  const { summary } = r;
  t.is(
    summary.reason,
    "fault",
    `run ended with ${summary.reason}, console: ${JSON.stringify(r.console)}`,
  );
  const f = summary.fault;
  if (!f) throw new Error(`no fault in the summary (reason ${summary.reason})`);
  t.is(f.kind, kind, `fault ${f.kind}: ${f.message}`);
  t.true(f.cycles > 0, "the fault happened after reset");
  t.is(f.cycles, summary.cycles, "the run stopped at the fault");
  t.true(Math.abs(f.timeUs - (f.cycles / summary.clockHz) * 1e6) < 1e-6, "timeUs matches cycles");
  t.deepEqual(r.faults, [f], "one fault event, the same report as the summary");
  t.truthy(f.where, "the fault says where it happened");
  t.true(
    f.where === f.backtrace[0] || f.backtrace.includes(f.where!),
    "where is a frame of the backtrace",
  );
  return f;
}

/** The 1-based line of main.ts of a fixture that contains `marker` (a comment there). */
export function lineOf(name: string, marker: string, file = "main.ts"): number {
  const lines = readFileSync(path.join(FIXTURES, name, file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes(`// ${marker}`));
  if (i < 0) throw new Error(`no '// ${marker}' in ${name}/${file}`);
  return i + 1;
}

/** The function name the fault report gives a firmware function of a fixture's main.ts. */
export const fn = (name: string, func: string) => `${func} (test/fixtures/apps/${name}/main)`;

export function tmpDir(t: ExecutionContext, prefix = "tinyboard-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A blank FAT32 card image in `dir`. */
export function newCard(dir: string, name = "sdcard.img"): string {
  const file = path.join(dir, name);
  createFat32Image(file, CARD_BYTES, { label: "TBTEST" });
  return file;
}

export function readBlock(file: string, lba: number): Buffer {
  const fd = openSync(file, "r");
  try {
    const b = Buffer.alloc(512);
    readSync(fd, b, 0, 512, lba * 512);
    return b;
  } finally {
    closeSync(fd);
  }
}

// ---- host tools (mtools, dosfstools) ----

const hasTool = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
export const TOOLS_MISSING = ["mdir", "mcopy", "fsck.fat"].filter((n) => !hasTool(n));

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function tool(cmd: string, args: string[]): ToolResult {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A file's contents from a card image, by mcopy to stdout. */
export function cardFile(image: string, file: string): string {
  const r = tool("mcopy", ["-n", "-i", image, `::${file}`, "-"]);
  if (r.status !== 0) throw new Error(`mcopy ${file} failed: ${r.stderr}`);
  return r.stdout;
}

// ---- the CLI ----

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

// Without TINYBOARD_DEBUG, which makes the CLI print stacks of internal errors.
const cliEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
delete cliEnv.TINYBOARD_DEBUG;

/** Exit 1 with exactly one "tinyboard: error:" line matching `message`, no stack trace. */
export function oneLineError(t: ExecutionContext, r: CliResult, message: RegExp): void {
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/, JSON.stringify(r.stderr));
  t.regex(r.stderr, message);
}

/** Runs `node bin/tinyboard.js ...args` from the project root (`env` adds variables). */
export function cli(
  args: string[],
  timeoutMs = 110_000,
  cwd = ROOT,
  env: Record<string, string> = {},
): CliResult {
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/tinyboard.js"), ...args], {
    cwd,
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...cliEnv, ...env },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
