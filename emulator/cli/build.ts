// tinyboard build / tinyboard size
import { buildApp } from "./lazy-build.ts";
import { parseOptionFlag } from "../toolchain/app-options.ts";
import { parsePartitionFlag } from "../toolchain/app.ts";
import path from "node:path";
import { outputRoot, shownPath } from "../paths.ts";
import { loadTarget, type Target } from "../board.ts";
import { readImage, writeImage } from "../toolchain/image.ts";
import {
  fitLine,
  formatReport,
  memoryReport,
  needsOf,
  type MemoryReport,
} from "../toolchain/memory-report.ts";
import { UserError } from "../errors.ts";

function printReport(report: MemoryReport, json?: boolean): void {
  if (json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatReport(report));
}

/** Where `build` and `run` write an app's image: build/<app>-<board>.tbi in the project the cwd
 *  is in (paths.ts outputRoot), or
 *  build/<app>-<board>-<core>.tbi for a core other than the board's first, so a `--core cm4`
 *  build never replaces the main core's image. */
export function imagePath(app: string, target: Target): string {
  const core = target.core.id === target.board.cores[0].id ? "" : `-${target.core.id}`;
  return path.join(outputRoot(), "build", `${app}-${target.board.id}${core}.tbi`);
}

/** Fails with the report's problems (after it was printed). */
export function assertFits(report: MemoryReport): void {
  if (!report.fits)
    throw new UserError(`does not fit on ${report.board}: ${report.problems.join("; ")}`);
}

export async function buildCommand(
  appDir: string,
  opts: {
    board: string;
    core?: string;
    out?: string;
    json?: boolean;
    rebuild?: boolean;
    debugLines?: boolean;
    option?: string[];
    partition?: string[];
  },
): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  const { app, image, report, cached } = await buildApp(appDir, target, {
    cache: !opts.rebuild,
    debugLines: opts.debugLines,
    appOptions: Object.assign({}, ...(opts.option ?? []).map(parseOptionFlag)),
    partitions: (opts.partition ?? []).map(parsePartitionFlag),
  });
  printReport(report, opts.json);
  assertFits(report);
  const out = opts.out ?? imagePath(app.name, target);
  writeImage(out, image);
  if (!opts.json)
    console.log(
      `wrote ${shownPath(out)} (${app.name} for ${target.board.id}/${target.core.id}${cached ? ", unchanged: from the build cache" : ""})`,
    );
}

export async function sizeCommand(
  file: string,
  opts: { board: string[]; json?: boolean },
): Promise<void> {
  const image = readImage(file);
  const needs = needsOf(image.manifest);
  const own = loadTarget(image.manifest.board, image.manifest.core);
  const boards = opts.board.length ? opts.board : [];
  const checks = boards.map((b) => {
    const c = fitLine(needs, loadTarget(b));
    return b === own.board.id
      ? c
      : { ...c, line: `${c.line} (by size; built for ${own.board.id})` };
  });
  const report = memoryReport(needs, own);
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          ...report,
          app: image.manifest.app,
          builtFor: own.board.id,
          checks: checks.map((c, i) => ({
            ...c,
            board: boards[i],
            runsOn: boards[i] === own.board.id,
          })),
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`${file}: ${image.manifest.app} built for ${own.board.id}/${own.core.id}`);
    console.log(formatReport(report));
    for (const c of checks) console.log(c.line);
    // Sizes carry over; the image does not (other memory map, board constants, cost table).
    const others = boards.filter((b) => b !== own.board.id);
    if (others.length)
      console.log(
        `note: this image runs only on ${own.board.id}; the lines above compare its sizes. Build the app with --board ${others[0]} to run it there.`,
      );
  }
  if (!report.fits || checks.some((c) => !c.fits)) process.exitCode = 1;
}
