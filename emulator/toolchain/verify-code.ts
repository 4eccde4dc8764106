// The image verifier's checks of one module's code (verify-image.ts says what is checked and
// keeps the verdicts). Split from it because it needs binaryen (13 MB of JavaScript, ~1 CPU s to
// load): a process that runs only images checked before never loads this file.
import binaryen from "./binaryen.ts";
import { halContract, type CoreType, type HalFunction } from "./hal-contract.ts";
import { DEBUG_MODULE, DEBUG_LINES_GLOBAL, LOCAL_TYPES, STATEMENT_IMPORT } from "./line-hooks.ts";
import { METER_MODULE, CYCLES_GLOBAL, HEAP_TOP_EXPORT, METER_IMPORTS } from "./meter-abi.ts";
import { checkFunction } from "./verify-loops.ts";
import { isTickOf } from "./verify-patterns.ts";
import { checkRecursion, type GlobalWrite } from "./verify-recursion.ts";

const B = binaryen as any;

/** Exports the runner reads besides the world's (name -> kind). */
const RUNNER_EXPORTS: Record<string, number> = {
  memory: B.ExternalMemory,
  _start: B.ExternalFunction,
  [CYCLES_GLOBAL]: B.ExternalGlobal,
  [HEAP_TOP_EXPORT]: B.ExternalGlobal,
  [DEBUG_LINES_GLOBAL]: B.ExternalGlobal,
};

const TYPE_NAMES = new Map<number, CoreType | "v128">([
  [B.i32, "i32"],
  [B.i64, "i64"],
  [B.f32, "f32"],
  [B.f64, "f64"],
  [B.v128, "v128"],
]);
const typeList = (t: number): string[] =>
  t === B.none ? [] : B.expandType(t).map((x: number) => TYPE_NAMES.get(x) ?? `type${x}`);
const sig = (f: HalFunction | { params: string[]; results: string[] }) =>
  `(${f.params.join(", ")}) -> (${f.results.join(", ")})`;

export interface CodeFacts {
  memoryMin: number;
  memoryMax: number;
}

/** The verifier's verdict on this code: a one-line refusal, or its memory limits. */
export function checkCode(wasm: Uint8Array, unmeteredAdmitted: boolean): string | CodeFacts {
  let module: any;
  // The engine judges validity first: binaryen asserts (and may abort) on some malformed input.
  if (!WebAssembly.validate(wasm as BufferSource))
    return "its code is not a valid WebAssembly module";
  try {
    // Read with every feature, so any valid module parses; the walk below admits only the
    // instructions builds emit (no atomics, GC, exceptions, tail calls...).
    module = B.readBinaryWithFeatures(wasm, B.Features.All);
  } catch (e) {
    return `its code is not a valid WebAssembly module (${String((e as Error).message ?? e).split("\n")[0]})`;
  }
  try {
    return checkModule(module, unmeteredAdmitted);
  } finally {
    module.dispose();
  }
}

function checkModule(module: any, unmeteredAdmitted: boolean): string | CodeFacts {
  if (!module.validate()) return "its code does not validate as WebAssembly";
  const contract = halContract();
  // --- imports ---------------------------------------------------------------------
  let tick: string | null = null;
  const internal = new Set<string>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = B.getFunctionInfo(module.getFunctionByIndex(i));
    if (!info.module) {
      internal.add(info.name);
      continue;
    }
    const have = { params: typeList(info.params), results: typeList(info.results) };
    if (info.module === DEBUG_MODULE) {
      // A statement hook: its ID, then the statement's named locals (any number, scalar types).
      const [id, ...locals] = have.params;
      if (
        info.base !== STATEMENT_IMPORT ||
        id !== "i32" ||
        have.results.length ||
        !locals.every((t) => LOCAL_TYPES.includes(t))
      )
        return `it imports ${info.module}.${info.base} as ${sig(have)}; a debug-lines build imports only ${STATEMENT_IMPORT} as (i32, locals of i32/i64/f32/f64) -> ()`;
      continue;
    }
    const runner = info.module === METER_MODULE ? METER_IMPORTS : null;
    const declared: HalFunction | undefined = runner
      ? Object.hasOwn(runner, info.base)
        ? (runner[info.base] as HalFunction)
        : undefined
      : contract.imports.get(info.module)?.get(info.base);
    if (!declared)
      return `it imports '${info.base}' from '${info.module}', which hal/hal.wit does not declare`;
    if (sig(have) !== sig(declared))
      return `it imports ${info.module}.${info.base} as ${sig(have)}, hal/hal.wit declares ${sig(declared)}`;
    if (info.module === METER_MODULE && info.base === "tick") tick = info.name;
  }
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = B.getGlobalInfo(module.getGlobalByIndex(i));
    if (g.module)
      return `it imports the global '${g.base}' from '${g.module}' (firmware imports HAL functions only)`;
  }
  for (let i = 0; i < module.getNumTables(); i++) {
    const t = B.getTableInfo(module.getTableByIndex(i));
    if (t.module)
      return `it imports the table '${t.base}' from '${t.module}' (firmware imports HAL functions only)`;
  }
  if (!module.hasMemory()) return "it has no memory";
  const mem = module.getMemoryInfo();
  if (mem.module) return `it imports its memory from '${mem.module}' (the board provides none)`;
  if (mem.shared) return "its memory is shared";
  if (mem.max === undefined || mem.max === null)
    return "its memory has no maximum (the board's SRAM is one)";
  if (module.getStart())
    return "it has a start function (the board runs _start and main after writing flash)";
  // --- exports ---------------------------------------------------------------------
  let cyclesGlobal: string | null = null;
  const exports = new Map<string, any>();
  for (let i = 0; i < module.getNumExports(); i++) {
    const e = B.getExportInfo(module.getExportByIndex(i));
    exports.set(e.name, e);
    const wanted = contract.exports.get(e.name);
    if (wanted) {
      if (e.kind !== B.ExternalFunction) return `its export '${e.name}' is not a function`;
      const f = B.getFunctionInfo(module.getFunction(e.value));
      const have = { params: typeList(f.params), results: typeList(f.results) };
      if (sig(have) !== sig(wanted))
        return `it exports ${e.name} as ${sig(have)}, hal/hal.wit declares ${sig(wanted)}`;
    } else if (!Object.hasOwn(RUNNER_EXPORTS, e.name) || RUNNER_EXPORTS[e.name] !== e.kind) {
      return `it exports '${e.name}', which is neither in hal/hal.wit's world nor the runner's`;
    }
    if (e.name === "_start") {
      const f = B.getFunctionInfo(module.getFunction(e.value));
      if (typeList(f.params).length || typeList(f.results).length)
        return "its _start takes or returns values";
    }
    if (e.name === CYCLES_GLOBAL) cyclesGlobal = e.value;
    if (e.name === HEAP_TOP_EXPORT && B.getGlobalInfo(module.getGlobal(e.value)).type !== B.i32)
      return `its ${HEAP_TOP_EXPORT} is not an i32`;
  }
  for (const name of contract.exports.keys())
    if (!exports.has(name)) return `it does not export '${name}' (hal/hal.wit's world asks for it)`;
  if (!exports.has("memory")) return "it does not export its memory";
  // --- metering --------------------------------------------------------------------
  const facts: CodeFacts = { memoryMin: mem.initial, memoryMax: mem.max };
  if (!cyclesGlobal && !tick && unmeteredAdmitted) return facts;
  if (!cyclesGlobal)
    return `its code is not metered (no ${CYCLES_GLOBAL} counter or ${METER_MODULE}.tick): rebuild it with 'tinyboard build'`;
  // The optimiser drops the tick import of code that never needs it (an empty main): such
  // code can reach the host through no tick, so every loop and recursion in it is refused
  // below as unmetered (no call matches the empty name), and what is left runs to its end.
  tick ??= "";
  const cg = B.getGlobalInfo(module.getGlobal(cyclesGlobal));
  if (cg.type !== B.i64 || !cg.mutable) return `its ${CYCLES_GLOBAL} is not a mutable i64`;
  const globalWrites: GlobalWrite[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = B.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module) continue;
    const problem = checkFunction(info, cyclesGlobal, tick, globalWrites);
    if (problem) return `${problem} in function ${info.name}`;
  }
  const recursion = checkRecursion(module, isTickOf(tick), globalWrites);
  if (recursion) return recursion;
  return facts;
}
