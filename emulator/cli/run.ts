// tinyboard flash / tinyboard run
import { forTerminal } from "./terminal-text.ts";
import { buildApp } from "./lazy-build.ts";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { shownPath } from "../paths.ts";
import { checkBoardTiming } from "../peripherals/registry.ts";
import { loadTarget, type Target } from "../board.ts";
import {
  appMicArray,
  imageInputs,
  imageMicArray,
  isAppDir,
  loadApp,
  resolveInput,
  withInputOverrides,
  type App,
} from "../toolchain/app.ts";
import { readImage, writeImage, type Image } from "../toolchain/image.ts";
import { notAnAppMessage } from "../toolchain/app-suggest.ts";
import { formatBytes } from "../errors.ts";
import { formatCycles, formatRealTime } from "./format.ts";
import { defaultStateDir, flashImage, flashedImage, openState, ensureCard } from "../state.ts";
import { Machine } from "../machine.ts";
import { prepareImageCheck } from "../toolchain/verify-image.ts";
import { formatBacktrace, formatFault } from "../faults.ts";
import type { RunSummary } from "../events.ts";
import { UserError } from "../errors.ts";
import { assertFits, imagePath } from "./build.ts";
import { formatReport } from "../toolchain/memory-report.ts";
import { openAvScene } from "../inputs/av-scene/av-source.ts";
import { loadMicArray, micLayout } from "../peripherals/mic/array.ts";
import { inputPeripherals, peripheralNamed } from "../peripherals/registry.ts";
import { validateCardImage } from "../sdcard/card-image.ts";
import { TraceRecorder } from "../debug/trace.ts";
import { Profiler, formatProfile } from "../debug/profile.ts";
import { lockCardImage, lockStateDir } from "../board-lock.ts";
import { regularFile } from "../host-files.ts";
import { runSeconds } from "./options.ts";
import { parseOptionFlag } from "../toolchain/app-options.ts";
import { parsePartitionFlag } from "../toolchain/app.ts";

interface TargetOpts {
  board: string;
  core?: string;
  state?: string;
  /** Compile even if the build cache holds the image. */
  rebuild?: boolean;
  /** `--option NAME=VALUE`: values for options app.json declares (app-options.ts). */
  option?: string[];
  /** `--partition NAME=FILE`: flash partitions added to app.json's. */
  partition?: string[];
}

/** An image for the board from an app folder (built, or from the build cache, and written to
 *  build/<app>-<board>.tbi) or an image file (read; it must be for this board). */
export async function imageFor(
  spec: string,
  target: Target,
  o: {
    quiet?: boolean;
    rebuild?: boolean;
    debugLines?: boolean;
    option?: string[];
    partition?: string[];
  } = {},
): Promise<{ image: Image; inputs: Record<string, string> }> {
  if (isAppDir(spec)) {
    const started = performance.now();
    const { app, image, report, cached } = await buildApp(spec, target, {
      cache: !o.rebuild,
      debugLines: o.debugLines,
      appOptions: Object.assign({}, ...(o.option ?? []).map(parseOptionFlag)),
      partitions: (o.partition ?? []).map(parsePartitionFlag),
    });
    if (!report.fits) {
      console.error(formatReport(report));
      assertFits(report);
    }
    // A debugger's hooked image sits beside the release image, not over it.
    const out = o.debugLines
      ? imagePath(app.name, target).replace(/\.tbi$/, "-debug-lines.tbi")
      : imagePath(app.name, target);
    writeImage(out, image);
    const how = cached
      ? "unchanged, from the build cache"
      : `compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (!o.quiet)
      console.error(
        `built ${app.name} for ${target.board.id}${target.core.id === target.board.cores[0].id ? "" : `/${target.core.id}`} (${how}): flash ${formatBytes(report.flash.used)}, SRAM ${formatBytes(report.sram.used)} -> ${shownPath(out)}`,
      );
    const inputs = Object.fromEntries(
      Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
    );
    return { image, inputs };
  }
  if (existsSync(spec) && !statSync(spec).isDirectory()) {
    regularFile(spec, "image");
    const image = readImage(spec);
    const m = image.manifest;
    if (m.board !== target.board.id || m.core !== target.core.id) {
      // As the machine words it when an image is booted on another board.
      throw new UserError(
        `image was built for ${m.board}/${m.core}, not ${target.board.id}/${target.core.id}: rebuild it for this board`,
      );
    }
    return { image, inputs: imageInputs(image.manifest.defaults.inputs) };
  }
  throw new UserError(notAnAppMessage(spec, true));
}

export async function flashCommand(spec: string, opts: TargetOpts): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  const state = openState(opts.state ?? defaultStateDir(target.board.id));
  lockStateDir(state.dir);
  const { image } = await imageFor(spec, target, {
    rebuild: opts.rebuild,
    option: opts.option,
    partition: opts.partition,
  });
  flashImage(state, image);
  console.log(
    `flashed ${image.manifest.app} to ${target.board.id} (state ${path.relative(process.cwd(), state.dir) || "."})`,
  );
}

export function parseInputs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    const takers = inputPeripherals();
    if (eq <= 0)
      throw new UserError(
        `--input '${item}': expected peripheral=spec, e.g. ${takers[0].name}=${takers[0].input!.example}`,
      );
    const name = item.slice(0, eq);
    // scene= is not a peripheral: an audio-visual scene drives the camera and the microphones.
    const names = [...takers.map((p) => p.name), "scene"];
    if (!names.includes(name))
      throw new UserError(`--input '${item}': unknown peripheral '${name}' (${names.join(", ")})`);
    out[name] = item.slice(eq + 1);
  }
  if (out.scene && (out.camera || out.mic))
    throw new UserError(
      "--input scene=... drives both the camera and the microphones: give it without camera= or mic=",
    );
  return out;
}

export interface RunCliOptions extends TargetOpts {
  seconds?: number;
  input: string[];
  sdcard?: string;
  watchdog?: number;
  maxCycles?: number;
  json?: boolean;
  quiet?: boolean;
  /** No limit on the emulated time. */
  forever?: boolean;
  /** Write a Chrome trace event / Perfetto timeline here. */
  trace?: string;
  /** Print the per-layer and per-function cycle tables. */
  profile?: boolean;
  /** Attach an add-on microphone array (bundled name or JSON file). */
  micArray?: string;
  /** Leave the board's NPU out. */
  cpuOnly?: boolean;
}

export async function runCommand(spec: string | undefined, opts: RunCliOptions): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  checkBoardTiming(target.board); // as the machine will, before any build
  // The user's inputs and card are checked before building and flashing: a bad one fails
  // fast, as one error line, and leaves the board's flash as it was.
  const overrides = parseInputs(opts.input);
  const app = spec && isAppDir(spec) ? loadApp(spec) : undefined;
  if (app) checkDefaultInputs(app, overrides);
  // The app's own add-on array (app.json micArray) unless --mic-array names one.
  const appArray = app ? imageMicArray(appMicArray(app, target.board.id)) : undefined;
  const mics = micLayout(
    target.board,
    (opts.micArray ?? appArray) ? loadMicArray((opts.micArray ?? appArray)!) : null,
  );
  for (const [name, inputSpec] of Object.entries(overrides)) {
    if (name === "scene") continue; // opened below
    const input = peripheralNamed(name)!.input!;
    const source = input.open(inputSpec, { target, mics });
    if (input.describe && !opts.json) console.error(`input ${name}: ${input.describe(source)}`);
  }
  if (overrides.scene) openAvScene(overrides.scene, mics);
  if (opts.sdcard && existsSync(opts.sdcard)) validateCardImage(opts.sdcard);
  const state = openState(opts.state ?? defaultStateDir(target.board.id));
  // One board, one runner: held until the process ends.
  lockStateDir(state.dir);
  if (opts.sdcard) lockCardImage(opts.sdcard);
  let inputs: Record<string, string> = {};
  if (spec) {
    const built = await imageFor(spec, target, {
      quiet: opts.json,
      rebuild: opts.rebuild,
      option: opts.option,
      partition: opts.partition,
    });
    flashImage(state, built.image);
    inputs = built.inputs;
  }
  const image = flashedImage(state, target.board.id);
  if (!spec) inputs = imageInputs(image.manifest.defaults.inputs);
  inputs = withInputOverrides(inputs, overrides);
  if (opts.sdcard && !existsSync(opts.sdcard)) ensureCard(opts.sdcard);
  const seconds = runSeconds(opts.seconds, image.manifest.defaults.seconds, opts.forever);
  const micArray = opts.micArray ?? imageMicArray(image.manifest.defaults.micArray);
  const profiler = opts.profile ? new Profiler(image.sourceMap, image.wasm) : undefined;
  const summary = await runImage(image, target, {
    inputs,
    sdcard: opts.sdcard ?? state.sdcardPath,
    watchdogMs: opts.watchdog,
    maxBusyCycles: opts.maxCycles,
    seconds,
    quiet: opts.quiet || opts.json,
    trace: opts.trace,
    profiler,
    micArray,
    noNpu: opts.cpuOnly,
  });
  const profile = profiler ? await profiler.profile() : undefined;
  if (opts.json) console.log(JSON.stringify(profile ? { ...summary, profile } : summary, null, 2));
  else {
    console.log(formatSummary(summary));
    if (profile) console.log(formatProfile(profile));
    if (opts.trace) console.log(`trace          ${opts.trace} (open in https://ui.perfetto.dev)`);
  }
  if (summary.fault) process.exitCode = 3;
  // The firmware's own error exit (a bad partition, no microphone) is the command's exit code.
  else if (summary.exitCode) process.exitCode = firmwareExitStatus(summary.exitCode);
}

/** The app's default input files (app.json "inputs") exist, checked before building: a missing
 *  one is named as app.json names it, not as a path the build resolved. */
function checkDefaultInputs(app: App, overrides: Record<string, string>): void {
  for (const [name, spec] of Object.entries(withInputOverrides(app.inputs, overrides))) {
    if (name in overrides || spec.startsWith("gen:") || spec.startsWith("scene:")) continue;
    const file = spec.split(",")[0];
    if (!existsSync(path.resolve(app.dir, file)))
      throw new UserError(
        `${path.relative(process.cwd(), path.join(app.dir, "app.json"))}: input '${name}': ${file} not found in ${path.relative(process.cwd(), app.dir) || "."} (give --input ${name}=FILE, or fix app.json)`,
      );
  }
}

/** A firmware exit(n) as a process status: n for 1..255, otherwise 1 (0 stays success). */
export function firmwareExitStatus(code: number): number {
  return code >= 1 && code <= 255 ? code : 1;
}

export async function runImage(
  image: Image,
  target: Target,
  o: {
    inputs: Record<string, string>;
    micArray?: string;
    sdcard: string | null;
    watchdogMs?: number;
    maxBusyCycles?: number;
    seconds: number;
    quiet?: boolean;
    trace?: string;
    profiler?: Profiler;
    onConsole?: (text: string) => void;
    noNpu?: boolean;
  },
): Promise<RunSummary> {
  await prepareImageCheck(image.wasm);
  const machine = new Machine({
    target,
    image,
    inputs: o.inputs,
    micArray: o.micArray,
    sdcard: o.sdcard,
    watchdogMs: o.watchdogMs,
    onSync: o.profiler?.onSync,
    noNpu: o.noNpu,
  });
  o.profiler?.attach(machine);
  const recorder = o.trace ? new TraceRecorder(machine) : null;
  if (recorder) machine.events.on("end", (summary) => recorder.write(o.trace!, summary));
  if (o.onConsole) machine.events.on("console", o.onConsole);
  else if (!o.quiet)
    machine.events.on("console", (text) => process.stdout.write(forTerminal(text)));
  machine.events.on("fault", (f) => {
    if (o.quiet) return;
    const trace = formatBacktrace(f);
    console.log(formatFault(f) + (trace ? `\nbacktrace:\n${trace}` : ""));
  });
  return machine.run({ seconds: o.seconds, maxBusyCycles: o.maxBusyCycles });
}

export function formatSummary(s: RunSummary): string {
  const periph = Object.entries(s.peripherals).map(
    ([k, v]) =>
      `${k}: ${Object.entries(v)
        .map(([a, b]) => `${a} ${b}`)
        .join(", ")}`,
  );
  const ending = {
    "time-limit": "time limit reached",
    returned: "main returned",
    exit: `firmware exit(${s.exitCode})`,
    fault: "FAULT",
  }[s.reason];
  return [
    `--- ${s.app} on ${s.board} (${s.core} at ${(s.clockHz / 1e6).toFixed(1)} MHz): ${ending}`,
    `emulated time  ${s.emulatedSeconds.toFixed(3)} s (${formatCycles(s.cycles)})`,
    `CPU load       ${(s.cpuLoad * 100).toFixed(2)} % busy (${formatCycles(s.busyCycles)}), ${((1 - s.cpuLoad) * 100).toFixed(2)} % idle`,
    `wall time      ${s.wallSeconds.toFixed(3)} s, ${formatRealTime(s.realTimeFactor)}`,
    `SRAM peak      ${s.sramPeakBytes} B (static + heap + stack budget)`,
    `heap           ${s.heapUsedBytes} B used, ${s.heapBudgetBytes === null ? "no heapBytes in app.json (the build counts only the model arenas)" : `${s.heapBudgetBytes} B budget`}`,
    ...periph.map((p, i) => `${i ? "              " : "peripherals   "} ${p}`),
    `fault          ${s.fault ? formatFault(s.fault) : "none"}`,
  ].join("\n");
}
