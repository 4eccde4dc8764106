// Shared pieces of the benchmark: building an app, running an image once, medians, the
// README blocks the figures go into.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget, type Target } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { admitUnmeteredBenchmark } from "../../emulator/toolchain/verify-image.ts";
import { appMicArray, resolveInput, type App } from "../../emulator/toolchain/app.ts";
import type { Image } from "../../emulator/toolchain/image.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";
import { Machine } from "../../emulator/machine.ts";
import type { RunSummary } from "../../emulator/events.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const BENCH_BLOCK = /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/;

/** Puts `markdown` between a README's bench markers (a path from the project root); true if the file changed. */
export function writeBenchBlock(readme: string, markdown: string): boolean {
  const file = path.resolve(ROOT, readme);
  const text = readFileSync(file, "utf8");
  if (!BENCH_BLOCK.test(text))
    throw new Error(`${readme}: no <!-- bench:start --> ... <!-- bench:end --> block`);
  const next = text.replace(
    BENCH_BLOCK,
    (_, start: string, end: string) => `${start}${markdown}\n${end}`,
  );
  if (next === text) return false;
  writeFileSync(file, next);
  return true;
}
export const BOARDS = ["rt1060", "rt1170", "mcxn947"] as const;

export interface Built {
  app: App;
  target: Target;
  image: Image;
  /** App inputs resolved against the app folder, as `tinyboard run` passes them. */
  inputs: Record<string, string>;
}

export async function build(
  appDir: string,
  board: string,
  opts: {
    unmetered?: boolean;
    appOptions?: AppOptions;
    partitions?: { name: string; file: string }[];
  } = {},
): Promise<Built> {
  const target = loadTarget(board);
  const { app, image, report } = await buildApp(path.resolve(ROOT, appDir), target, opts);
  if (!report.fits)
    throw new Error(`${app.name} does not fit ${board}: ${report.problems.join("; ")}`);
  // The metering benchmark's baseline: the loader refuses unmetered code unless told in-process.
  if (opts.unmetered) admitUnmeteredBenchmark(image.wasm);
  const inputs = Object.fromEntries(
    Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
  );
  return { app, target, image, inputs };
}

export interface Run {
  summary: RunSummary;
  /** Everything the firmware printed. */
  console: string;
  /** Host wall time of the run alone (boot to end), seconds. */
  wallSeconds: number;
}

/** Boots a fresh machine with the image (the microphone array app.json names for the board)
 * and runs it for up to `seconds` of emulated time; a fault is an error. */
export async function runOnce(
  b: Built,
  seconds: number,
  opts: { sdcard?: string | null; noNpu?: boolean } = {},
): Promise<Run> {
  const machine = new Machine({
    target: b.target,
    image: b.image,
    inputs: b.inputs,
    sdcard: opts.sdcard ?? null,
    micArray: appMicArray(b.app, b.target.board.id) ?? null,
    noNpu: opts.noNpu ?? false,
  });
  let text = "";
  machine.events.on("console", (t) => {
    text += t;
  });
  const t0 = process.hrtime.bigint();
  const summary = await machine.run({ seconds });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (summary.fault)
    throw new Error(
      `${b.app.name} on ${b.target.board.id} faulted: ${summary.fault.kind}: ${summary.fault.message}`,
    );
  return { summary, console: text, wallSeconds };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rounds to `digits` significant digits (for results.json: figures, not float noise). */
export function sig(x: number, digits = 4): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(digits)) : x;
}
