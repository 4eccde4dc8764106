// tinyboard build: app folder + board -> one firmware image and its memory report.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Target } from "../board.ts";
import { loadCostTable } from "./cost-table.ts";
import { compileFirmware, PROJECT_ROOT } from "./compile.ts";
import { loadImageChecker, prepareImageCheck, verifyImageCode } from "./verify-image.ts";
import { layoutFlash, PAGE } from "./flash-layout.ts";
import type { Image, ImageManifest } from "./image.ts";
import { checkPlacement, placementFor } from "../memory-hierarchy/placement.ts";
import {
  appMicArray,
  heapBytesFor,
  loadApp,
  projectInput,
  withExtraPartitions,
  type App,
} from "./app.ts";
import { memoryReport, needsOf, type MemoryReport } from "./memory-report.ts";
import { UserError } from "../errors.ts";
import { modelBudgets } from "./model-budget.ts";
import { KeyHasher, compileOnce, compilerFiles, readCached, writeCached } from "./build-cache.ts";
import { readRegularFile } from "../host-files.ts";
import { appOptionsModule, resolveAppOptions, type AppOptions } from "./app-options.ts";
import { logBuildEvent } from "./build-log.ts";

const require = createRequire(import.meta.url);
const VERSIONS = {
  tinyboard: require("../../package.json").version as string,
  assemblyscript: require("assemblyscript/package.json").version as string,
};

/** Every build keeps asc's debug info (--debug): fault backtraces and the debugger name
 *  functions and source lines from it. The manifest records it. */
const DEBUG_INFO = true;

export interface BuildOptions {
  /** Statement hooks for source-level debugging (same cycles as the release build). */
  debugLines?: boolean;
  /** Skip metering (for the metered/unmetered benchmark only). */
  unmetered?: boolean;
  /** false: check every loop per iteration, none charged once per entry (the metering
   *  benchmark's comparison; cycle counts are the same). Default true. */
  countedLoops?: boolean;
  /** Replace the core's cost table (tests of the metering pass). */
  costs?: Record<string, number>;
  /** Reserve at least this much flash window, so other partitions can be flashed later
   *  without recompiling (the model runner). */
  flashWindow?: number;
  /** false: compile even when the build cache holds the image (--rebuild); the new image is
   *  still cached. Default true. */
  cache?: boolean;
  /** Values for options app.json declares (app-options.ts), replacing its defaults. */
  appOptions?: AppOptions;
  /** Partitions added to app.json's, a same-named one replaced (`--partition NAME=FILE`; files as given). */
  partitions?: { name: string; file: string }[];
  /** Called before a compile (not for an image served from the cache): a progress line. */
  onCompile?: () => void;
}

export interface BuildResult {
  app: App;
  image: Image;
  report: MemoryReport;
  /** The image came from the build cache (nothing was compiled). */
  cached: boolean;
}

/** Raised when the image does not fit: carries the report so the CLI can print it. */
export class BudgetError extends UserError {
  constructor(readonly report: MemoryReport) {
    super(`${report.problems.join("; ")} on ${report.board}`);
  }
}

export async function buildApp(
  appDir: string,
  target: Target,
  opts: BuildOptions = {},
): Promise<BuildResult> {
  const start = performance.now();
  const result = await buildAppUnlogged(appDir, target, opts);
  // A board runs what is built: its check is read from disk, or the checks are loaded now.
  await prepareImageCheck(result.image.wasm);
  logBuildEvent({
    event: "build",
    app: path.relative(PROJECT_ROOT, result.app.dir),
    board: target.board.id,
    core: target.core.id,
    opts: { ...opts, costs: opts.costs ? "custom" : undefined },
    ms: Math.round(performance.now() - start),
    cached: result.cached,
    // Loops charged once per entry / checked per iteration (meter-counted.ts, meter-loops.ts).
    counted: result.image.manifest.meter?.counted,
    loops: result.image.manifest.meter?.loops,
  });
  return result;
}

async function buildAppUnlogged(
  appDir: string,
  target: Target,
  opts: BuildOptions,
): Promise<BuildResult> {
  const { app, flash, parts, costs, key, fromCache } = prepareBuild(appDir, target, opts);
  if (opts.cache === false) return compileApp(app, target, opts, flash, parts, costs, key);
  return compileOnce(key, fromCache, () => compileApp(app, target, opts, flash, parts, costs, key));
}

/** The image the build cache holds for these sources, board and options, or null (nothing is
 *  compiled): lets `demo` compile what is missing side by side before it runs anything. */
export function cachedBuild(
  appDir: string,
  target: Target,
  opts: BuildOptions = {},
): BuildResult | null {
  return prepareBuild(appDir, target, opts).fromCache();
}

/** Everything a build checks and reads before compiling, and its cache key. */
function prepareBuild(appDir: string, target: Target, opts: BuildOptions) {
  const loaded = loadApp(appDir);
  const app = {
    ...loaded,
    partitions: withExtraPartitions(loaded.partitions, opts.partitions),
    options: resolveAppOptions(loaded.name, loaded.options, opts.appOptions),
  };
  if (target.sramBytes % PAGE !== 0)
    throw new UserError(
      `board ${target.board.id}: SRAM (${target.sramBytes} B) is not a whole number of 64 KiB pages`,
    );
  const parts = app.partitions.map((p) => {
    const file = path.resolve(app.dir, p.file);
    try {
      return {
        name: p.name,
        data: new Uint8Array(readRegularFile(file, "partition file")),
        source: path.relative(app.dir, file),
      };
    } catch (e) {
      throw new UserError(
        `${app.name}: partition '${p.name}': cannot read ${file} (${(e as Error).message})`,
      );
    }
  });
  let flash: ReturnType<typeof layoutFlash>;
  try {
    flash = layoutFlash(parts, opts.flashWindow);
  } catch (e) {
    throw e instanceof UserError
      ? new UserError(
          `${path.join(path.relative(process.cwd(), app.dir), "app.json")}: ${e.message}`,
        )
      : e;
  }
  // A partition set larger than the flash region fails before compiling.
  if (flash.flash.length > target.board.flash.size) {
    throw new UserError(
      `${app.name}: partitions need ${Math.ceil(flash.flash.length / 1024)} KB of flash, ${target.board.flash.name} on ${target.board.id} has ${target.board.flash.size / 1024} KB`,
    );
  }
  const placement = placementFor(app.placement, target.board.id);
  try {
    if (placement) checkPlacement(placement, target);
  } catch (e) {
    throw new UserError(
      `${path.join(path.relative(process.cwd(), app.dir), "app.json")}: ${(e as Error).message}`,
    );
  }
  const costs = opts.unmetered ? undefined : (opts.costs ?? loadCostTable(target.core.type).cycles);
  const key = buildKey(app, target, parts, costs, opts);
  const fromCache = (): BuildResult | null => {
    const hit = readCached(key);
    return hit
      ? { app, image: hit, report: memoryReport(needsOf(hit.manifest), target), cached: true }
      : null;
  };
  return { app, flash, parts, costs, key, fromCache };
}

type Partitions = Parameters<typeof layoutFlash>[0];

async function compileApp(
  app: App,
  target: Target,
  opts: BuildOptions,
  flash: ReturnType<typeof layoutFlash>,
  parts: Partitions,
  costs: Record<string, number> | undefined,
  key: string,
): Promise<BuildResult> {
  opts.onCompile?.();
  const models = modelBudgets(parts);
  const compileOpts = {
    entry: path.join(app.dir, app.entry),
    memoryBase: flash.window,
    maxPages: (flash.window + target.sramBytes) / PAGE,
    costs,
    countedLoops: opts.countedLoops !== false,
    debug: DEBUG_INFO,
    debugLines: !!opts.debugLines,
    boardModule: boardModule(target),
    optionsModule: appOptionsModule(app.options),
  };
  let compiled = await compileFirmware(compileOpts);
  // The meter's counted-loop charges keep a shape the verifier proves through asc's -O1 on every
  // bundled app (test/build/counted-loops-o1.test.ts). Should some other code's not (a trip count
  // it cannot prove, or a counted charge the optimizer moved into a loop checked per iteration),
  // it is built again with every loop checked per iteration: the same cycles, the build log says
  // why. A refusal of that build too is the meter's own fault and is reported when it loads.
  // Code with no loop charged once per entry would compile to the same bytes again, and be
  // refused again (a loop-free fixture whose tick import the optimiser drops): not recompiled.
  if (costs && compileOpts.countedLoops) await loadImageChecker();
  const refusal = costs && compileOpts.countedLoops ? verifierRefusal(compiled.wasm) : null;
  if (refusal && compiled.meter?.counted) {
    logBuildEvent({ event: "countedRefused", app: app.name, board: target.board.id, refusal });
    compiled = await compileFirmware({ ...compileOpts, countedLoops: false });
  }
  const staticBytes = compiled.staticEnd - flash.window;
  const manifest: ImageManifest = {
    format: 2,
    app: app.name,
    board: target.board.id,
    core: target.core.id,
    coreType: target.core.type,
    clockHz: target.core.clockHz,
    build: { ...VERSIONS, sourceHash: sourceHash(app), debug: DEBUG_INFO },
    layout: {
      flashWindow: flash.window,
      sramBase: flash.window,
      sramBytes: target.sramBytes,
      maxPages: (flash.window + target.sramBytes) / PAGE,
      staticEnd: compiled.staticEnd,
      stackBytes: app.stackBytes,
    },
    usage: {
      codeBytes: compiled.codeBytes,
      dataBytes: compiled.dataBytes,
      partitionBytes: flash.flash.length,
      flashBytes: compiled.codeBytes + compiled.dataBytes + flash.flash.length,
      staticBytes,
      sramBytes:
        staticBytes +
        Math.max(
          heapBytesFor(app, target.board.id),
          models.reduce((n, m) => n + m.arenaBytes, 0),
        ) +
        app.stackBytes,
      heapBytes: heapBytesFor(app, target.board.id),
      models,
    },
    partitions: flash.partitions,
    meter: compiled.meter,
    // Input files relative to the project root: the image runs alike from any folder.
    defaults: {
      inputs: Object.fromEntries(
        Object.entries(app.inputs).map(([k, v]) => [k, projectInput(app, v)]),
      ),
      seconds: app.seconds,
      ...(appMicArray(app, target.board.id) ? { micArray: appMicArray(app, target.board.id) } : {}),
    },
    ...(placementFor(app.placement, target.board.id)
      ? { placement: placementFor(app.placement, target.board.id) }
      : {}),
  };
  const image: Image = {
    manifest,
    wasm: compiled.wasm,
    flash: flash.flash,
    sourceMap: compiled.sourceMap,
  };
  const report = memoryReport(needsOf(manifest), target);
  writeCached(key, image, compiled.sourceHashes);
  return { app, image, report, cached: false };
}

/** Does the image verifier refuse this code for a counted loop it cannot prove? */
/** The verifier's one-line refusal of a metered image's code, null when it passes. */
function verifierRefusal(wasm: Uint8Array): string | null {
  try {
    verifyImageCode(wasm, "firmware");
    return null;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.message;
  }
}

/** What the image is a function of: the build cache's key. */
function buildKey(
  app: App,
  target: Target,
  parts: { name: string; data: Uint8Array }[],
  costs: Record<string, number> | undefined,
  opts: BuildOptions,
): string {
  const { dir, ...manifest } = app;
  const k = new KeyHasher()
    .add("versions", JSON.stringify(VERSIONS))
    .add(
      "app",
      JSON.stringify({ at: path.relative(PROJECT_ROOT, dir).split(path.sep).join("/"), manifest }),
    )
    .add(
      "target",
      JSON.stringify({
        board: target.board,
        core: target.core,
        sram: target.sram,
        sramBytes: target.sramBytes,
      }),
    )
    .add("costs", JSON.stringify(costs ?? null))
    .add(
      "options",
      JSON.stringify({
        debug: DEBUG_INFO,
        debugLines: !!opts.debugLines,
        unmetered: !!opts.unmetered,
        ...(opts.countedLoops === false ? { countedLoops: false } : {}),
        flashWindow: opts.flashWindow ?? 0,
      }),
    );
  for (const p of parts) k.add(`partition ${p.name}`, p.data);
  // The sources asc reads are checked against the entry's record (build-cache.ts).
  return k.files(compilerFiles()).digest();
}

/** firmware/board: the board's facts as compile-time constants (generated per build). */
export function boardModule(target: Target): string {
  return [
    "// Generated by the build for this board (emulator/toolchain/build.ts): not a file on disk.",
    `export const BOARD_ID: string = ${JSON.stringify(target.board.id)};`,
    `export const CORE_HZ: u32 = ${target.core.clockHz};`,
    `export const SRAM_BYTES: u32 = ${target.sramBytes};`,
    `export const HAS_NPU: bool = ${target.board.npu ? "true" : "false"};`,
    `export const CAMERA_AXIS_DEG: f32 = ${target.board.microphones?.cameraAxisDeg ?? 0};`,
    "",
  ].join("\n");
}

/** Hash of the app's and the firmware library's sources: identifies what was built. */
export function sourceHash(app: App): string {
  const h = createHash("sha256");
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) {
        if (f !== "node_modules" && f !== "data") walk(p);
      } else if (f.endsWith(".ts")) files.push(p);
    }
  };
  for (const d of [app.dir, path.join(PROJECT_ROOT, "hal"), path.join(PROJECT_ROOT, "firmware")]) {
    try {
      walk(d);
    } catch {
      /* folder may not exist */
    }
  }
  for (const f of files) h.update(path.relative(PROJECT_ROOT, f)).update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}
