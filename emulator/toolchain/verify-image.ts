// Images are untrusted input: before a board runs one, its code is checked against what a
// build produces, so a crafted .tbi cannot reach host functions outside the HAL or run
// code that the metering pass never saw.
//  - imports: functions only, each one declared by hal/hal.wit (module, name, signature)
//    or the runner's own meter functions, looked up as own names (never `constructor`);
//  - exports: `main` as the world declares it, the memory, and the meter's globals;
//  - one memory of its own, no start function, no imported tables or globals;
//  - instructions: those firmware builds emit (no atomics, memory.init, raw memory.grow);
//  - metering: `tb_cycles` only ever grows, and every loop reaches the host: either its
//    body calls `tinyboard:meter.tick`, or it opens with the pass's check
//    (`br_if (i32.ge_u counter K)`) out to a block inside a loop that does.
// A refusal is one line naming what was found.
import binaryen from "./binaryen.ts";
import { halContract, type CoreType, type HalFunction } from "./hal-contract.ts";
import { DEBUG_MODULE, DEBUG_IMPORTS, DEBUG_LINES_GLOBAL } from "./line-hooks.ts";
import { METER_MODULE, CYCLES_GLOBAL, HEAP_TOP_EXPORT, METER_IMPORTS, METER_CHECK_LIMIT } from "./meter.ts";
import { UserError } from "../errors.ts";

/* eslint-disable @typescript-eslint/no-explicit-any */
const B = binaryen as any;

/** Exports the runner reads besides the world's (name -> kind). */
const RUNNER_EXPORTS: Record<string, number> = { memory: B.ExternalMemory, _start: B.ExternalFunction, [CYCLES_GLOBAL]: B.ExternalGlobal, [HEAP_TOP_EXPORT]: B.ExternalGlobal, [DEBUG_LINES_GLOBAL]: B.ExternalGlobal };

const TYPE_NAMES = new Map<number, CoreType | "v128">([[B.i32, "i32"], [B.i64, "i64"], [B.f32, "f32"], [B.f64, "f64"], [B.v128, "v128"]]);
const typeList = (t: number): string[] => (t === B.none ? [] : B.expandType(t).map((x: number) => TYPE_NAMES.get(x) ?? `type${x}`));
const sig = (f: HalFunction | { params: string[]; results: string[] }) => `(${f.params.join(", ")}) -> (${f.results.join(", ")})`;

export interface CodeFacts { memoryMin: number; memoryMax: number }
const verified = new WeakMap<Uint8Array, string | CodeFacts>();

/** Refuses (UserError) an image whose code is not what a tinyboard build makes; else its memory limits. */
export function verifyImageCode(wasm: Uint8Array, name: string): CodeFacts {
  let result = verified.get(wasm);
  if (result === undefined) {
    result = check(wasm);
    verified.set(wasm, result);
  }
  if (typeof result === "string") throw new UserError(`${name} is refused: ${result}`);
  return result;
}

function check(wasm: Uint8Array): string | CodeFacts {
  let module: any;
  // The engine judges validity first: binaryen asserts (and may abort) on some malformed input.
  if (!WebAssembly.validate(wasm as BufferSource)) return "its code is not a valid WebAssembly module";
  try {
    // Read with every feature, so any valid module parses; the walk below admits only the
    // instructions builds emit (no atomics, GC, exceptions, tail calls...).
    module = B.readBinaryWithFeatures(wasm, B.Features.All);
  } catch (e) {
    return `its code is not a valid WebAssembly module (${String((e as Error).message ?? e).split("\n")[0]})`;
  }
  try {
    return checkModule(module);
  } finally {
    module.dispose();
  }
}

function checkModule(module: any): string | CodeFacts {
  if (!module.validate()) return "its code does not validate as WebAssembly";
  const contract = halContract();
  // --- imports ---------------------------------------------------------------------
  let tick: string | null = null;
  const internal = new Set<string>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = B.getFunctionInfo(module.getFunctionByIndex(i));
    if (!info.module) { internal.add(info.name); continue; }
    const have = { params: typeList(info.params), results: typeList(info.results) };
    const runner = info.module === METER_MODULE ? METER_IMPORTS : info.module === DEBUG_MODULE ? DEBUG_IMPORTS : null;
    const declared: HalFunction | undefined = runner ? Object.hasOwn(runner, info.base) ? runner[info.base] as HalFunction : undefined : contract.imports.get(info.module)?.get(info.base);
    if (!declared) return `it imports '${info.base}' from '${info.module}', which hal/hal.wit does not declare`;
    if (sig(have) !== sig(declared)) return `it imports ${info.module}.${info.base} as ${sig(have)}, hal/hal.wit declares ${sig(declared)}`;
    if (info.module === METER_MODULE && info.base === "tick") tick = info.name;
  }
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const g = B.getGlobalInfo(module.getGlobalByIndex(i));
    if (g.module) return `it imports the global '${g.base}' from '${g.module}' (firmware imports HAL functions only)`;
  }
  for (let i = 0; i < module.getNumTables(); i++) {
    const t = B.getTableInfo(module.getTableByIndex(i));
    if (t.module) return `it imports the table '${t.base}' from '${t.module}' (firmware imports HAL functions only)`;
  }
  if (!module.hasMemory()) return "it has no memory";
  const mem = module.getMemoryInfo();
  if (mem.module) return `it imports its memory from '${mem.module}' (the board provides none)`;
  if (mem.shared) return "its memory is shared";
  if (mem.max === undefined || mem.max === null) return "its memory has no maximum (the board's SRAM is one)";
  if (module.getStart()) return "it has a start function (the board runs _start and main after writing flash)";
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
      if (sig(have) !== sig(wanted)) return `it exports ${e.name} as ${sig(have)}, hal/hal.wit declares ${sig(wanted)}`;
    } else if (!Object.hasOwn(RUNNER_EXPORTS, e.name) || RUNNER_EXPORTS[e.name] !== e.kind) {
      return `it exports '${e.name}', which is neither in hal/hal.wit's world nor the runner's`;
    }
    if (e.name === "_start") {
      const f = B.getFunctionInfo(module.getFunction(e.value));
      if (typeList(f.params).length || typeList(f.results).length) return "its _start takes or returns values";
    }
    if (e.name === CYCLES_GLOBAL) cyclesGlobal = e.value;
    if (e.name === HEAP_TOP_EXPORT && B.getGlobalInfo(module.getGlobal(e.value)).type !== B.i32) return `its ${HEAP_TOP_EXPORT} is not an i32`;
  }
  for (const name of contract.exports.keys()) if (!exports.has(name)) return `it does not export '${name}' (hal/hal.wit's world asks for it)`;
  if (!exports.has("memory")) return "it does not export its memory";
  // --- metering --------------------------------------------------------------------
  if (!cyclesGlobal || !tick) return `its code is not metered (no ${CYCLES_GLOBAL} counter or ${METER_MODULE}.tick): rebuild it with 'tinyboard build'`;
  const cg = B.getGlobalInfo(module.getGlobal(cyclesGlobal));
  if (cg.type !== B.i64 || !cg.mutable) return `its ${CYCLES_GLOBAL} is not a mutable i64`;
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const info = B.getFunctionInfo(module.getFunctionByIndex(i));
    if (info.module) continue;
    const problem = checkFunction(info, cyclesGlobal, tick);
    if (problem) return `${problem} in function ${info.name}`;
  }
  return { memoryMin: mem.initial, memoryMax: mem.max };
}

// Child fields per expression kind: the instructions builds emit, and nothing else.
const CHILDREN: Record<string, string[]> = {
  Block: [], If: ["condition", "ifTrue", "ifFalse"], Loop: ["body"], Break: ["condition", "value"], Switch: ["condition", "value"],
  Call: [], CallIndirect: ["target"], LocalGet: [], LocalSet: ["value"], GlobalGet: [], GlobalSet: ["value"],
  Load: ["ptr"], Store: ["ptr", "value"], Const: [], Unary: ["value"], Binary: ["left", "right"], Select: ["ifTrue", "ifFalse", "condition"],
  Drop: ["value"], Return: ["value"], MemorySize: [], Nop: [], Unreachable: [], MemoryCopy: ["dest", "source", "size"], MemoryFill: ["dest", "value", "size"],
  SIMDExtract: ["vec"], SIMDReplace: ["vec", "value"], SIMDShuffle: ["left", "right"], SIMDTernary: ["a", "b", "c"], SIMDShift: ["vec", "shift"],
  SIMDLoad: ["ptr"], SIMDLoadStoreLane: ["ptr", "vec"],
};
const KIND = new Map<number, string>();
for (const k of Object.keys(CHILDREN)) KIND.set(B[`${k}Id`], k);
const ALL_KINDS = new Map<number, string>();
for (const k of Object.keys(B)) if (k.endsWith("Id") && typeof B[k] === "number" && k !== "InvalidId") ALL_KINDS.set(B[k], k.slice(0, -2));

interface Frame { kind: string; name: string | null; ref: number }

function checkFunction(info: any, cyclesGlobal: string, tick: string): string | null {
  const ticks = new Map<number, boolean>(); // loop ref -> its body calls tick
  const needs: { loop: number; outer: number }[] = []; // a checked loop needs its outer loop to tick
  const stack: Frame[] = [];
  let problem: string | null = null;

  const walk = (e: number): boolean => {
    if (problem || !e) return false;
    const id = B.getExpressionId(e);
    const kind = KIND.get(id);
    if (!kind) { problem = `it uses ${ALL_KINDS.get(id) ?? `instruction kind ${id}`}, which firmware builds do not emit`; return false; }
    if (kind === "Nop" || kind === "Unreachable") return false; // binaryen has no info for these
    const x = B.getExpressionInfo(e);
    let hasTick = false;
    switch (kind) {
      case "Call":
        if (x.isReturn) { problem = "it uses a tail call"; return false; }
        if (x.target === tick) hasTick = true;
        break;
      case "CallIndirect":
        if (x.isReturn) { problem = "it uses a tail call"; return false; }
        break;
      case "Load": case "Store":
        if (x.isAtomic) { problem = "it uses atomic memory access"; return false; }
        break;
      case "GlobalSet":
        if (x.name === cyclesGlobal && !grows(x.value, cyclesGlobal)) { problem = `it sets ${CYCLES_GLOBAL} other than by adding an unsigned count`; return false; }
        break;
      case "Loop":
        if (!x.name) break;
        break;
    }
    stack.push({ kind, name: x.name ?? null, ref: e });
    const kids: number[] = kind === "Block" ? x.children : kind === "Call" || kind === "CallIndirect" ? [...(kind === "CallIndirect" ? [x.target] : []), ...x.operands] : CHILDREN[kind].map((f) => x[f]);
    for (const k of kids) if (walk(k)) hasTick = true;
    stack.pop();
    if (kind === "Loop") {
      ticks.set(e, hasTick);
      if (!hasTick) {
        const outer = checkedLoop(x, stack);
        if (outer === null && process.env.TB_VERIFY_DEBUG) console.error(B.emitText(e).slice(0, 1500));
        if (outer === null) { problem = `a loop (${x.name ?? "unnamed"}) never reaches the host: the code was not metered`; return false; }
        needs.push({ loop: e, outer });
      }
    }
    return hasTick;
  };
  walk(info.body);
  if (problem) return problem;
  for (const n of needs) if (!ticks.get(n.outer)) return "a loop's meter check leads to no tick: the code was not metered";
  return null;
}

/** counter + unsigned: `global.set tb_cycles (i64.add (global.get tb_cycles) (i64.extend_i32_u x | i64.const k>=0))`,
 *  or the optimizer's shorter `(i64.sub (global.get tb_cycles) (i64.const -k))` for a small k. */
function grows(value: number, global: string): boolean {
  if (B.getExpressionId(value) !== B.BinaryId) return false;
  const add = B.getExpressionInfo(value);
  const isSelf = (r: number) => B.getExpressionId(r) === B.GlobalGetId && B.getExpressionInfo(r).name === global;
  if (add.op === B.SubInt64) {
    if (!isSelf(add.left) || B.getExpressionId(add.right) !== B.ConstId) return false;
    const v = B.getExpressionInfo(add.right).value;
    // Subtracting a negative constant (not the most negative, whose negation wraps) adds.
    const big = typeof v === "bigint" ? v : (BigInt(v?.high ?? 0) << 32n) | BigInt((v?.low ?? 0) >>> 0);
    return big <= 0n && big > -(1n << 62n);
  }
  if (add.op !== B.AddInt64) return false;
  const isUnsigned = (r: number) => {
    const id = B.getExpressionId(r);
    if (id === B.UnaryId) return B.getExpressionInfo(r).op === B.ExtendUInt32;
    if (id === B.ConstId) { const v = B.getExpressionInfo(r).value; return typeof v === "bigint" ? v >= 0n : (v?.high ?? -1) >= 0; }
    return false;
  };
  return (isSelf(add.left) && isUnsigned(add.right)) || (isSelf(add.right) && isUnsigned(add.left));
}

/**
 * A loop without a tick of its own must open with the meter's check: a br_if on
 * `counter >= K` (K at most the pass's interval) to a block that lies inside an enclosing
 * loop (the tick path). Returns that loop's ref, or null.
 */
function checkedLoop(loop: any, ancestors: Frame[]): number | null {
  let first = loop.body;
  while (first && B.getExpressionId(first) === B.BlockId) {
    const kids = B.getExpressionInfo(first).children;
    if (!kids.length) return null;
    first = kids[0];
  }
  if (!first) return null;
  const isCounter = (r: number) => {
    const id = B.getExpressionId(r);
    return id === B.LocalGetId || (id === B.LocalSetId && B.getExpressionInfo(r).isTee);
  };
  const bound = (r: number) => (B.getExpressionId(r) === B.ConstId ? B.getExpressionInfo(r).value >>> 0 : Infinity);
  // The optimizer may turn `br_if $tick (counter >= K)` into `if (counter < K) (... br $loop)`:
  // the loop goes round only below the limit and falls out into the enclosing tick path.
  if (B.getExpressionId(first) === B.IfId) {
    const x = B.getExpressionInfo(first);
    if (x.ifFalse || B.getExpressionId(x.condition) !== B.BinaryId) return null;
    const cmp = B.getExpressionInfo(x.condition);
    if (!isCounter(cmp.left)) return null;
    const k = bound(cmp.right);
    if (!((cmp.op === B.LtUInt32 && k <= METER_CHECK_LIMIT) || (cmp.op === B.LeUInt32 && k < METER_CHECK_LIMIT))) return null;
    for (let i = ancestors.length - 1; i >= 0; i--) if (ancestors[i].kind === "Loop") return ancestors[i].ref;
    return null;
  }
  if (B.getExpressionId(first) !== B.BreakId) return null;
  const br = B.getExpressionInfo(first);
  if (!br.condition || br.value) return null;
  if (B.getExpressionId(br.condition) !== B.BinaryId) return null;
  const cmp = B.getExpressionInfo(br.condition);
  if (!isCounter(cmp.left)) return null;
  const k = bound(cmp.right);
  if (!((cmp.op === B.GeUInt32 && k <= METER_CHECK_LIMIT) || (cmp.op === B.GtUInt32 && k < METER_CHECK_LIMIT))) return null;
  // The target block, then the first loop around it.
  let i = ancestors.length - 1;
  while (i >= 0 && !(ancestors[i].kind === "Block" && ancestors[i].name === br.name)) {
    if (ancestors[i].kind === "Loop") return null; // branching to another loop's head is no exit
    i--;
  }
  for (i--; i >= 0; i--) if (ancestors[i].kind === "Loop") return ancestors[i].ref;
  return null;
}
