// tinyboard demo (npm start): the bundled apps, built (or taken from the build cache), flashed
// and run on every board they target with their bundled inputs; a few console lines and a
// summary per run, then a table of what each achieved. --verbose prints every console line.
import { forTerminal } from "./terminal-text.ts";
import { buildApp } from "./lazy-build.ts";
import { defaultBuildJobs, startBuildsAhead } from "./build-ahead.ts";
import path from "node:path";
import { readdirSync } from "node:fs";
import { loadTarget } from "../board.ts";
import { imageMicArray, isAppDir, loadApp, resolveInput } from "../toolchain/app.ts";
import { PROJECT_ROOT, outputRoot, shownPath } from "../paths.ts";
import { flashImage, openState } from "../state.ts";
import { firmwareExitStatus, runImage } from "./run.ts";
import { formatFault } from "../faults.ts";
import { formatBytes, UserError } from "../errors.ts";
import { formatCycles, formatRealTime } from "./format.ts";

/** Where the demo keeps each board's card and flashed image (.tinyboard/demo/<board>). */
const demoDir = (): string => path.join(outputRoot(), ".tinyboard", "demo");

/** Console lines shown per run without --verbose. */
const SHOWN_LINES = 4;

export async function demoCommand(opts: {
  seconds?: number;
  board?: string[];
  verbose?: boolean;
  rebuild?: boolean;
  jobs?: number;
}): Promise<void> {
  const appsDir = path.join(PROJECT_ROOT, "apps");
  const apps = readdirSync(appsDir)
    .map((d) => path.join(appsDir, d))
    .filter(isAppDir)
    .sort();
  const boards = opts.board?.length ? opts.board : null;
  if (boards) for (const b of boards) loadTarget(b); // an unknown board fails before any build
  if (opts.seconds !== undefined && !(opts.seconds > 0))
    throw new UserError("--seconds must be a positive number");
  const rows: string[] = [];
  let besideAny = false;
  const runs = apps.flatMap((dir) =>
    loadApp(dir)
      .boards.filter((b) => !boards || boards.includes(b))
      .map((boardId) => ({ dir, boardId })),
  );
  // --rebuild compiles each image as its run comes (what it asks for: every compile's own line).
  const ahead = opts.rebuild ? null : await startBuildsAhead(runs, opts.jobs ?? defaultBuildJobs());
  if (ahead && ahead.missing > 1)
    console.error(
      `compiling ${ahead.missing} images not in the build cache in the background (a model app takes tens of seconds); each app runs as soon as its image is ready ...`,
    );
  for (const [i, { dir, boardId }] of runs.entries()) {
    const target = loadTarget(boardId);
    if (ahead?.waiting(i)) {
      console.error(
        `waiting for ${path.basename(dir)} for ${boardId} to compile (${ahead.done()} of ${ahead.missing} images compiled so far) ...`,
      );
      await ahead.ready(i);
    }
    // A fresh clone compiles every image (tens of seconds each for a model app): say which.
    const onCompile = () =>
      console.error(
        `building ${path.basename(dir)} for ${boardId} (run ${i + 1} of ${runs.length}; not in the build cache) ...`,
      );
    const { app, image, report, cached } = await buildApp(dir, target, {
      cache: !opts.rebuild,
      onCompile,
    });
    const state = openState(path.join(demoDir(), boardId));
    flashImage(state, image);
    const seconds = opts.seconds ?? app.seconds;
    console.log(
      `\n=== ${app.name} on ${target.board.name}: flash ${formatBytes(report.flash.used)}, SRAM ${formatBytes(report.sram.used)}${cached ? " (build cache)" : ""}; ${seconds} s emulated`,
    );
    const inputs = Object.fromEntries(
      Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
    );
    // Compiles still running beside this run share the host: its real-time figure says so.
    const beside = !!ahead && ahead.done() < ahead.missing;
    besideAny ||= beside;
    const lines = new ConsoleLines(opts.verbose ? Infinity : SHOWN_LINES);
    const s = await runImage(image, target, {
      inputs,
      micArray: imageMicArray(image.manifest.defaults.micArray),
      sdcard: state.sdcardPath,
      seconds,
      quiet: true,
      onConsole: (t) => lines.write(forTerminal(t)),
    });
    lines.end();
    const periph = Object.entries(s.peripherals).flatMap(([, v]) =>
      Object.entries(v)
        .filter(([, n]) => n)
        .map(([a, b]) => `${a} ${b}`),
    );
    const result = runResult(s);
    console.log(
      `  ${s.fault ? "FAULT" : result}: CPU ${(s.cpuLoad * 100).toFixed(2)} % busy (${formatCycles(s.busyCycles)} of ${formatCycles(s.cycles)}), ${formatRealTime(s.realTimeFactor)}${beside ? " (compiles running beside it)" : ""}, SRAM peak ${formatBytes(s.sramPeakBytes)}`,
    );
    if (periph.length) console.log(`  ${periph.join(", ")}`);
    if (s.fault) console.log(`  ${formatFault(s.fault)}`);
    rows.push(
      `${app.name.padEnd(16)} ${boardId.padEnd(8)} ${(s.cpuLoad * 100).toFixed(2).padStart(6)} % ${(formatRealTime(s.realTimeFactor, false) + (beside ? "*" : "")).padStart(9)}  ${result}`,
    );
    if (s.fault) process.exitCode = 3;
    else if (s.exitCode && !process.exitCode) process.exitCode = firmwareExitStatus(s.exitCode);
  }
  if (!rows.length) throw new UserError(`no bundled app targets ${boards?.join(", ")}`);
  console.log(`\n${"app".padEnd(16)} ${"board".padEnd(8)} CPU load  real-time  result`);
  for (const r of rows) console.log(r);
  if (besideAny)
    console.log(
      "* ran while images still compiled beside it, so its real-time figure is low (run again for the emulator's own speed)",
    );
  console.log(
    `\nSD cards and flashed images are in ${path.join(shownPath(demoDir()), "<board>")}/ (try: mdir -i ${shownPath(path.join(demoDir(), runs[0].boardId, "sdcard.img"))} ::/)`,
  );
  if (!opts.verbose) console.log("Every console line: npm start -- --verbose");
  console.log(
    "Your own app: npx tinyboard new apps/my-app, then npx tinyboard run apps/my-app --board rt1060",
  );
}

/** A row's result: a fault's kind, the firmware's own error exit (a bad partition, no
 *  microphone) as `exit(n)`, else "ok". */
export function runResult(s: {
  fault?: { kind: string } | null;
  exitCode?: number | null;
}): string {
  return s.fault ? s.fault.kind : s.exitCode ? `exit(${s.exitCode})` : "ok";
}

/** The first lines of a run's console, indented, then a count of the rest. */
class ConsoleLines {
  private shown = 0;
  private hidden = 0;
  private partial = "";
  constructor(private readonly limit: number) {}

  write(text: string): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop()!;
    for (const line of parts) this.line(line);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    if (this.hidden) console.log(`  | ... ${this.hidden} more line${this.hidden === 1 ? "" : "s"}`);
  }

  private line(line: string): void {
    if (this.shown < this.limit) {
      console.log(`  | ${line}`);
      this.shown++;
    } else this.hidden++;
  }
}
