// Compiles an app's AssemblyScript with asc against hal/ and firmware/, checks it against
// the HAL contract, and meters it for the board's core.
import path from "node:path";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { INLINE_TABLE_FIELD, recordInlinedCalls, type InlineTable } from "./inlined-calls.ts";
import { meterModule, type MeterStats } from "./meter.ts";
import { HEAP_TOP_EXPORT } from "./meter-abi.ts";
import { insertLineHooks, resolveHookLines, type HookPass } from "./line-hooks.ts";
import { tagLocalNames } from "./local-names.ts";
import { checkHalContract } from "./hal-check.ts";
import { UserError } from "../errors.ts";
import { formatDiagnostic, parseAscDiagnostics } from "./diagnostics.ts";

import { PROJECT_ROOT } from "../paths.ts";
import { importWasmTool } from "./native-import.ts";
import { logBuildEvent } from "./build-log.ts";
export { PROJECT_ROOT };

export interface CompileOptions {
  /** Entry file, absolute or relative to the project root. */
  entry: string;
  /** Start of SRAM in the wasm address space (= size of the flash window). */
  memoryBase: number;
  /** Flash window + SRAM, in 64 KiB pages. */
  maxPages: number;
  /** Cost table cycles; omit for an unmetered build (benchmarks). */
  costs?: Record<string, number>;
  /** Charge loops with a known trip count once at entry (meter-counted.ts); on by default. */
  countedLoops?: boolean;
  debug?: boolean;
  /** Insert statement hooks for the debugger (line-hooks.ts); cycles stay the release build's. */
  debugLines?: boolean;
  /** Source of the generated module `firmware/board` (the board's facts as constants). */
  boardModule?: string;
  /** Source of the generated module `firmware/app-options` (app.json's options as constants). */
  optionsModule?: string;
}

/** The generated module's path as asc asks for it: firmware imports "firmware/board". */
export const BOARD_MODULE = "firmware/board.ts";
export const OPTIONS_MODULE = "firmware/app-options.ts";

export interface CompileResult {
  wasm: Uint8Array;
  sourceMap: string | null;
  /** End of static data (start of the heap) in the wasm address space. */
  staticEnd: number;
  meter: MeterStats | null;
  /** Every source file the compiler read (absolute paths): what the image depends on. */
  sources: string[];
  /** The sha256 of each source as the compiler read it (not as it is after the build: an edit
   *  during a compile must not mark the image as built from the edited file). */
  sourceHashes: Record<string, string>;
  /** Bytes of the code section: the firmware's code size in flash. */
  codeBytes: number;
  /** Bytes of initialised static data (copied from flash to SRAM at start-up). */
  dataBytes: number;
}

// asc and binaryen are 20 MB of JavaScript: imported natively (native-import.ts), and on the
// first compile only, so a build served from the cache never pays for them.
type Asc = typeof import("assemblyscript/asc");
let ascModule: Promise<Asc> | undefined;
const loadAsc = (): Promise<Asc> =>
  (ascModule ??= importWasmTool("assemblyscript/asc").then((m) => m.default));

/** asc's optimisation after the meter (its flags below): the counted-loop charges the meter
 *  emits must keep a shape the image verifier proves through it (test/build/counted-loops-o1.test.ts). */
const ASC_FINAL_OPTIMIZE = { level: 1, shrink: 0 };

const KEEP_EXPORTS = new Set(["main", "memory", "_start"]);

// binaryen's optimizer settings are process-wide, and asc leaves its own (inlining sizes and
// the like) set after a build: without a reset, a second build in one process optimised
// differently from the first (other code, other cycle counts). The settings as the first
// build found them are restored before every build's optimisation.
const OPTIMIZER_SETTINGS = [
  "AlwaysInlineMaxSize",
  "FlexibleInlineMaxSize",
  "OneCallerInlineMaxSize",
  "AllowInliningFunctionsWithLoops",
  "LowMemoryUnused",
  "ZeroFilledMemory",
  "FastMath",
  "TrapsNeverHappen",
  "ClosedWorld",
  "GenerateStackIR",
  "OptimizeStackIR",
];
let firstSettings: Record<string, unknown> | null = null;

function resetOptimizerSettings(binaryen: any): void {
  const names = OPTIMIZER_SETTINGS.filter(
    (n) => typeof binaryen[`get${n}`] === "function" && typeof binaryen[`set${n}`] === "function",
  );
  if (!firstSettings)
    firstSettings = Object.fromEntries(names.map((n) => [n, binaryen[`get${n}`]()]));
  for (const n of names) binaryen[`set${n}`](firstSettings[n]);
}

export async function compileFirmware(opts: CompileOptions): Promise<CompileResult> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const asc = await loadAsc();
  const phases: Record<string, number> = { load: performance.now() - t0 };
  // The process's CPU per phase too: wall time is other processes' load as much as ours (the
  // process's, so compiles awaited side by side in one process share theirs).
  const cpu: Record<string, number> = { load: cpuMs() - c0 };
  const now = () => ({ wall: performance.now(), cpu: cpuMs() });
  const lap = (name: string, since: { wall: number; cpu: number }) => {
    phases[name] = performance.now() - since.wall;
    cpu[name] = cpuMs() - since.cpu;
  };
  const entry = path.relative(PROJECT_ROOT, path.resolve(PROJECT_ROOT, opts.entry));
  const outputs: Record<string, string | Uint8Array> = {};
  const sources = new Map<string, string>();
  let staticEnd = opts.memoryBase;
  let meterStats: MeterStats | null = null;
  let halProblem: string | null = null;
  let noMain = false as boolean;
  let hookPass: HookPass | null = null;
  let inlineTable: InlineTable | null = null;

  class FirmwareTransform {
    declare binaryen: any;
    declare program: any;
    async afterCompile(module: any): Promise<void> {
      const binaryen = this.binaryen;
      let hasMain = false;
      for (let i = module.getNumExports() - 1; i >= 0; i--) {
        const name = binaryen.getExportInfo(module.getExportByIndex(i)).name;
        if (!KEEP_EXPORTS.has(name)) module.removeExport(name);
        else if (name === "main") hasMain = true;
      }
      // The commonest first mistake, said plainly before the contract check words it its way.
      if (!hasMain) {
        noMain = true;
        return;
      }
      let t = now();
      halProblem = await checkHalContract(module.emitBinary());
      lap("halCheck", t);
      if (halProblem) return;
      const heapBase = module.getGlobal("~lib/memory/__heap_base");
      if (heapBase)
        staticEnd = binaryen.getExpressionInfo(binaryen.getGlobalInfo(heapBase).init).value;
      // The stub allocator's bump pointer: the host reads the heap's high-water mark from it.
      if (module.getGlobal("~lib/rt/stub/offset"))
        module.addGlobalExport("~lib/rt/stub/offset", HEAP_TOP_EXPORT);
      // Meter optimized code (the cost of what will run); asc optimizes again afterwards,
      // which tidies the counters. Unmetered builds take the same path, for fair comparisons.
      // Before the optimiser inlines: which call each library line is reached from (fault lines).
      t = now();
      inlineTable = recordInlinedCalls(module.emitText());
      lap("inlineTable", t);
      resetOptimizerSettings(binaryen);
      // The optimiser merges locals and drops their names: they are carried through it by tags.
      const localTags = opts.debugLines ? tagLocalNames(binaryen, module, this.program) : null;
      binaryen.setOptimizeLevel(3);
      binaryen.setShrinkLevel(0);
      t = now();
      module.optimize();
      lap("optimize", t);
      // Statement hooks go in after the optimisation the meter sees and are skipped by it.
      if (localTags) hookPass = insertLineHooks(binaryen, module, localTags);
      if (!opts.costs) return;
      t = now();
      meterStats = meterModule(binaryen, module, {
        costs: opts.costs,
        flashEnd: opts.memoryBase,
        skip: (hookPass as HookPass | null)?.hooks,
        countedLoops: opts.countedLoops !== false,
      });
      lap("meter", t);
    }
  }

  const stderr = asc.createMemoryStream();
  const args = [
    entry,
    "hal/system.ts",
    "--baseDir",
    PROJECT_ROOT,
    "--runtime",
    "stub",
    "--use",
    "abort=hal/system/abort",
    "--enable",
    "simd",
    "--memoryBase",
    String(opts.memoryBase),
    "--maximumMemory",
    String(opts.maxPages),
    // asc's own optimisation runs after metering: cycle counts are fixed by then, so it only
    // tidies. -O1 here instead of -O3 halves a model app's build (fan monitor 21 -> 10 s) with
    // the same cycles and the same emulation speed (measured on the person detector and fan monitor).
    "--optimizeLevel",
    String(ASC_FINAL_OPTIMIZE.level),
    "--shrinkLevel",
    String(ASC_FINAL_OPTIMIZE.shrink),
    "--sourceMap",
    "--exportStart",
    "_start", // the host writes flash before static initialisers run
    "--noColors",
    "--outFile",
    "firmware.wasm",
  ];
  if (opts.debug) args.push("--debug");
  const tMain = now();
  const { error } = await asc.main(args, {
    stderr,
    stdout: asc.createMemoryStream(),
    transforms: [FirmwareTransform as any],
    writeFile: (name: string, contents: string | Uint8Array) => {
      outputs[path.basename(name)] = contents;
    },
    // Firmware knows its board at build time (as an SDK's BOARD_ defines): one generated module.
    readFile: (name: string, baseDir: string) => {
      if (name === BOARD_MODULE && opts.boardModule !== undefined) return opts.boardModule;
      if (name === OPTIONS_MODULE && opts.optionsModule !== undefined) return opts.optionsModule;
      const file = path.resolve(baseDir, name);
      try {
        const text = readFileSync(file, "utf8");
        sources.set(file, createHash("sha256").update(text).digest("hex"));
        return text;
      } catch {
        return null;
      }
    },
  } as any);
  lap("ascMain", tMain);
  logBuildEvent({ event: "compile", entry, phases: roundAll(phases), cpu: roundAll(cpu) });
  if (noMain)
    throw new UserError(
      `${entry}: no exported main(): the entry must have 'export function main(): void'`,
    );
  if (halProblem)
    throw new UserError(`${entry}: does not match the HAL contract (hal/hal.wit): ${halProblem}`);
  if (error) {
    const text = stderr.toString().trim();
    // Static data past the board's SRAM: build anyway so the memory report can say by how much.
    const tooBig = /AS106: Module requires at least '(\d+)' pages/.exec(text);
    if (tooBig && Number(tooBig[1]) > opts.maxPages)
      return compileFirmware({ ...opts, maxPages: Number(tooBig[1]) });
    const errors = parseAscDiagnostics(text).filter((d) => d.severity === "error");
    if (!errors.length)
      throw new UserError(
        `${entry}: compile failed: ${(text.split("\n").find((l) => /ERROR|error/.test(l)) ?? error.message).trim()}`,
        1,
        text,
      );
    const count = `${errors.length} error${errors.length === 1 ? "" : "s"}`;
    throw new UserError(
      `${path.relative(process.cwd(), path.resolve(PROJECT_ROOT, entry)) || entry}: compile failed, ${count}:\n${errors.map(formatDiagnostic).join("\n")}`,
      1,
      text,
    );
  }
  const wasm = outputs["firmware.wasm"] as Uint8Array;
  const map = outputs["firmware.wasm.map"];
  const sections = sectionSizes(wasm);
  let sourceMap = typeof map === "string" ? map : map ? Buffer.from(map).toString("utf8") : null;
  const pass = hookPass as HookPass | null;
  if (pass && sourceMap) sourceMap = await resolveHookLines(sourceMap, pass.table);
  if (sourceMap && inlineTable)
    sourceMap = JSON.stringify({ ...JSON.parse(sourceMap), [INLINE_TABLE_FIELD]: inlineTable });
  return {
    wasm,
    sourceMap,
    staticEnd,
    meter: meterStats,
    sources: [...sources.keys()].sort(),
    sourceHashes: Object.fromEntries(sources),
    codeBytes: sections.code,
    dataBytes: sections.data,
  };
}

/** User + system CPU of this process, ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const roundAll = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));

/** Sizes of the code and data sections of a wasm binary, and its memory limits (pages). */
export function sectionSizes(wasm: Uint8Array): {
  code: number;
  data: number;
  memoryMin: number;
  memoryMax: number | null;
} {
  let p = 8;
  const out = { code: 0, data: 0, memoryMin: 0, memoryMax: null as number | null };
  const leb = (): number => {
    let result = 0,
      shift = 0,
      b;
    do {
      b = wasm[p++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return result >>> 0;
  };
  while (p < wasm.length) {
    const id = wasm[p++];
    const size = leb();
    if (id === 10) out.code = size;
    if (id === 11) out.data = size;
    if (id === 5) {
      const end = p + size;
      leb(); // one memory
      const flags = leb();
      out.memoryMin = leb();
      if (flags & 1) out.memoryMax = leb();
      p = end;
      continue;
    }
    p += size;
  }
  return out;
}

export function readSource(file: string): string {
  return readFileSync(path.resolve(PROJECT_ROOT, file), "utf8");
}
