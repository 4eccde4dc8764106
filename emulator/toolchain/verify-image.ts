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
//    (`br_if (i32.ge_u counter K)`) out to a block inside a loop that does; and every
//    function on a call-graph cycle opens with the pass's entry check (verify-recursion.ts).
// A refusal is one line naming what was found.
import binaryen from "./binaryen.ts";
import { halContract, type CoreType, type HalFunction } from "./hal-contract.ts";
import { DEBUG_MODULE, DEBUG_LINES_GLOBAL, LOCAL_TYPES, STATEMENT_IMPORT } from "./line-hooks.ts";
import {
  METER_MODULE,
  CYCLES_GLOBAL,
  HEAP_TOP_EXPORT,
  METER_IMPORTS,
  METER_CHECK_LIMIT,
} from "./meter.ts";
import { childrenOf } from "./expression-children.ts";
import { leadsToTick, plain } from "./tick-path.ts";
import { checkRecursion, type GlobalWrite } from "./verify-recursion.ts";
import { UserError } from "../errors.ts";

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
  if (!cyclesGlobal || !tick)
    return `its code is not metered (no ${CYCLES_GLOBAL} counter or ${METER_MODULE}.tick): rebuild it with 'tinyboard build'`;
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
  return { memoryMin: mem.initial, memoryMax: mem.max };
}

// The expression kinds builds emit, and nothing else (no atomics, memory.init, raw memory.grow).
const FIRMWARE_KINDS = [
  "Block",
  "If",
  "Loop",
  "Break",
  "Switch",
  "Call",
  "CallIndirect",
  "LocalGet",
  "LocalSet",
  "GlobalGet",
  "GlobalSet",
  "Load",
  "Store",
  "Const",
  "Unary",
  "Binary",
  "Select",
  "Drop",
  "Return",
  "MemorySize",
  "Nop",
  "Unreachable",
  "MemoryCopy",
  "MemoryFill",
  "SIMDExtract",
  "SIMDReplace",
  "SIMDShuffle",
  "SIMDTernary",
  "SIMDShift",
  "SIMDLoad",
  "SIMDLoadStoreLane",
];
const KIND = new Map<number, string>();
for (const k of FIRMWARE_KINDS) KIND.set(B[`${k}Id`], k);
const ALL_KINDS = new Map<number, string>();
for (const k of Object.keys(B))
  if (k.endsWith("Id") && typeof B[k] === "number" && k !== "InvalidId")
    ALL_KINDS.set(B[k], k.slice(0, -2));

interface Frame {
  kind: string;
  name: string | null;
  ref: number;
  parent: number;
  index: number;
}

/** Largest count a check local may grow by in one step (a region's charge, in 1/16 cycles). */
const MAX_STEP = 1 << 24;
/**
 * Largest sum of a checked loop's steps (1/16 cycles). A check passes below the limit, so
 * with less than 2^31 more before the next check the i32 counter cannot wrap back under it.
 */
const MAX_STEPS_BETWEEN_CHECKS = 2 ** 31 - METER_CHECK_LIMIT;

/**
 * Every loop must reach the host. A loop is either
 *  - checked: it opens with the meter's check on a counter local (`br_if $B (c >= K)` then
 *    `c += k`, or `if (c < K) (c += k ... br $loop)` as its only statement), K at most the
 *    pass's limit and 0 < k; the check's way out leads straight to `call tick`, and inside
 *    the loop the counter only grows, or is reset right before a `call tick`; or
 *  - ticking: every branch back to its head comes after a plain `call tick` in its body.
 * Between two checks the counter must not wrap (issue 12: steps adding 2^32 per iteration
 * bring it back below K forever): a loop inside a checked one that steps its counter is
 * checked on that counter too, or ticking, so no tickless way from check to check runs a step
 * twice; then the sum of all the steps inside the loop bounds the gain, and must stay below
 * 2^31 - K. So at most K/k iterations run between ticks, and the host (with its stall guard)
 * sees time.
 */
function checkFunction(
  info: any,
  cyclesGlobal: string,
  tick: string,
  globalWrites: GlobalWrite[],
): string | null {
  const stack: Frame[] = [];
  let problem: string | null = null;
  const loops: { ref: number; x: any; ancestors: Frame[] }[] = [];
  const branches: { target: string; path: Frame[] }[] = [];
  const localWrites: { local: number; ref: number; path: Frame[] }[] = [];

  const walk = (e: number): void => {
    if (problem || !e) return;
    const id = B.getExpressionId(e);
    const kind = KIND.get(id);
    if (!kind) {
      problem = `it uses ${ALL_KINDS.get(id) ?? `instruction kind ${id}`}, which firmware builds do not emit`;
      return;
    }
    if (kind === "Nop" || kind === "Unreachable") return; // binaryen has no info for these
    const x = B.getExpressionInfo(e);
    switch (kind) {
      case "Call":
      case "CallIndirect":
        if (x.isReturn) {
          problem = "it uses a tail call";
          return;
        }
        break;
      case "Load":
      case "Store":
        if (x.isAtomic) {
          problem = "it uses atomic memory access";
          return;
        }
        break;
      case "GlobalSet": {
        if (x.name === cyclesGlobal && !grows(x.value, cyclesGlobal)) {
          problem = `it sets ${CYCLES_GLOBAL} other than by adding an unsigned count`;
          return;
        }
        const holder = stack.at(-1);
        globalWrites.push({
          global: x.name,
          ref: e,
          block: holder?.kind === "Block" ? holder.ref : null,
          fn: info.name,
        });
        break;
      }
      case "LocalSet":
        localWrites.push({ local: x.index, ref: e, path: stack.slice() });
        break;
      case "Break":
        branches.push({ target: x.name, path: stack.slice() });
        break;
      case "Switch":
        for (const n of new Set<string>([...x.names, x.defaultName]))
          branches.push({ target: n, path: stack.slice() });
        break;
      case "Loop":
        loops.push({ ref: e, x, ancestors: stack.slice() });
        break;
    }
    const kids = childrenOf(kind, x);
    kids.forEach((k, i) => {
      if (!k) return;
      stack.push({ kind, name: x.name ?? null, ref: e, parent: 0, index: i });
      walk(k);
      stack.pop();
    });
  };
  walk(info.body);
  if (problem) return problem;
  const isTick = isTickOf(tick);
  // Each loop's check counter (null: a ticking loop, or one refused below).
  const checkedOn = new Map<number, number | null>();
  for (const loop of loops) checkedOn.set(loop.ref, loopCheck(loop.x)?.local ?? null);
  const loopName = (ref: number): string => B.getExpressionInfo(ref).name ?? "unnamed";

  for (const loop of loops) {
    const name = loop.x.name ?? "unnamed";
    const check = loopCheck(loop.x);
    if (check) {
      // The way out of the check must run into `call tick` (sets of plain values may come first).
      const exitPoint =
        check.form === "if"
          ? { block: loop.ancestors.at(-1), after: loop.ref }
          : exitBlock(check.target!, loop.ancestors);
      if (
        !exitPoint ||
        !exitPoint.block ||
        exitPoint.block.kind !== "Block" ||
        !leadsToTick(exitPoint.block.ref, exitPoint.after, isTick)
      ) {
        return `a loop's meter check (${name}) does not lead to a tick: the code was not metered`;
      }
      // Inside the loop the counter only grows, or is reset right before a tick.
      let gain = 0;
      for (const w of localWrites) {
        const at = w.path.findIndex((f) => f.ref === loop.ref);
        if (w.local !== check.local || at < 0) continue;
        const k = stepSize(w.ref, check.local);
        if (k !== null) {
          // A loop between this one and the step, checked on another counter, repeats it unseen.
          const inner = w.path.slice(at + 1).find((f) => {
            const on = f.kind === "Loop" ? checkedOn.get(f.ref) : null;
            return on !== null && on !== undefined && on !== check.local;
          });
          if (inner)
            return `a loop's meter counter (${name}) is stepped inside a loop (${loopName(inner.ref)}) checked on another counter: the code was not metered`;
          gain += k;
          continue;
        }
        const holder = w.path.at(-1);
        if (holder && holder.kind === "Block" && leadsToTick(holder.ref, w.ref, isTick)) continue;
        return `a loop's meter counter (${name}) is set back without a tick: the code was not metered`;
      }
      if (gain > MAX_STEPS_BETWEEN_CHECKS)
        return `a loop's meter counter (${name}) can grow by ${gain} between two checks (at most ${MAX_STEPS_BETWEEN_CHECKS}, or it wraps): the code was not metered`;
      continue;
    }
    // A ticking loop: every branch back to its head comes after a plain tick in its body.
    const label = loop.x.name;
    const body = loop.x.body;
    // Its body's statements (a block, named or not: a branch to that block leaves the loop).
    const bodyIsBlock = !!body && B.getExpressionId(body) === B.BlockId;
    const top: number[] = bodyIsBlock ? B.getExpressionInfo(body).children : [body];
    const firstTick = top.findIndex((r) => r && isTick(r));
    for (const b of branches) {
      if (!label || b.target !== label) continue;
      // Which statement of the loop's body holds the branch?
      const at = b.path.findIndex((f) => f.ref === loop.ref);
      const index = bodyIsBlock ? (b.path[at + 1]?.index ?? 0) : 0;
      if (firstTick < 0 || index <= firstTick)
        return `a loop (${name}) never reaches the host: the code was not metered`;
    }
  }
  return null;
}

/** Is an expression a plain `call tick` (not a tail call)? */
function isTickOf(tick: string): (r: number) => boolean {
  return (r) =>
    B.getExpressionId(r) === B.CallId &&
    B.getExpressionInfo(r).target === tick &&
    !B.getExpressionInfo(r).isReturn;
}

/** Is `r` a `local.set/tee c (c + k)` with 0 < k <= MAX_STEP (k possibly a sum of constants)? */
function isStep(r: number, local: number): boolean {
  return stepSize(r, local) !== null;
}

/** k if `r` is a `local.set/tee c (c + k)` with 0 < k <= MAX_STEP, else null. */
function stepSize(r: number, local: number): number | null {
  if (B.getExpressionId(r) !== B.LocalSetId) return null;
  const x = B.getExpressionInfo(r);
  if (x.index !== local) return null;
  // The value as c + constants: how many times c appears, and the constants' sum.
  const sum = (q: number): { self: number; k: number } | null => {
    const id = B.getExpressionId(q);
    if (id === B.LocalGetId)
      return B.getExpressionInfo(q).index === local ? { self: 1, k: 0 } : null;
    if (id === B.ConstId) return { self: 0, k: B.getExpressionInfo(q).value | 0 }; // signed: a "huge" add subtracts
    if (id !== B.BinaryId) return null;
    const op = B.getExpressionInfo(q).op;
    const a = sum(B.getExpressionInfo(q).left),
      b = a && sum(B.getExpressionInfo(q).right);
    if (!a || !b) return null;
    if (op === B.AddInt32) return { self: a.self + b.self, k: a.k + b.k };
    // The optimizer writes a small add as `c - (-k)` (a shorter LEB).
    if (op === B.SubInt32 && b.self === 0) return { self: a.self, k: a.k - b.k };
    return null;
  };
  const v = sum(x.value);
  return v && v.self === 1 && v.k > 0 && v.k <= MAX_STEP ? v.k : null;
}

/** From kids[from] on: plain sets of other locals and globals, then the step of `local`. */
function stepsNext(kids: number[], from: number, local: number): boolean {
  for (let i = from; i < kids.length; i++) {
    if (isStep(kids[i], local)) return true;
    const id = B.getExpressionId(kids[i]);
    if (id !== B.LocalSetId && id !== B.GlobalSetId) return false;
    const x = B.getExpressionInfo(kids[i]);
    if ((id === B.LocalSetId && x.index === local) || !plain(x.value)) return false;
  }
  return false;
}

/** The block a br_if leaves to, and the statement of its parent block it ends (for leadsToTick). */
function exitBlock(
  target: string,
  ancestors: Frame[],
): { block: Frame | undefined; after: number } | null {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    if (ancestors[i].kind === "Loop") return null; // a branch to another loop's head is no exit
    if (ancestors[i].kind === "Block" && ancestors[i].name === target)
      return { block: ancestors[i - 1], after: ancestors[i].ref };
  }
  return null;
}

/**
 * The meter's check at a loop's head, if that is how the loop opens: the counter local, and
 * where the check leaves to (a block label, or out of the loop for the `if` form).
 */
function loopCheck(loop: any): { local: number; form: "br_if" | "if"; target?: string } | null {
  // The first statement, and the one after it in the same block.
  let holder: number | null = null;
  let first = loop.body;
  while (first && B.getExpressionId(first) === B.BlockId) {
    const kids = B.getExpressionInfo(first).children;
    if (!kids.length) return null;
    holder = first;
    first = kids[0];
  }
  if (!first) return null;
  // `c` or `tee c (c + k)`; an exit condition `c >= K` (K at most the pass's limit).
  const counterOf = (r: number): { local: number; stepped: boolean } | null => {
    const id = B.getExpressionId(r);
    if (id === B.LocalGetId) return { local: B.getExpressionInfo(r).index, stepped: false };
    if (id === B.LocalSetId && B.getExpressionInfo(r).isTee) {
      const local = B.getExpressionInfo(r).index;
      return isStep(r, local) ? { local, stepped: true } : null;
    }
    return null;
  };
  const bound = (r: number) =>
    B.getExpressionId(r) === B.ConstId ? B.getExpressionInfo(r).value >>> 0 : Infinity;
  /** The counter of a condition that holds exactly when `c >= K'` (or its negation when `negate`). */
  const exitWhen = (cond: number, negate: boolean): { local: number; stepped: boolean } | null => {
    if (B.getExpressionId(cond) === B.UnaryId && B.getExpressionInfo(cond).op === B.EqZInt32)
      return exitWhen(B.getExpressionInfo(cond).value, !negate);
    if (B.getExpressionId(cond) !== B.BinaryId) return null;
    const cmp = B.getExpressionInfo(cond);
    const c = counterOf(cmp.left);
    if (!c) return null;
    const k = bound(cmp.right);
    const ge =
      (cmp.op === B.GeUInt32 && k <= METER_CHECK_LIMIT) ||
      (cmp.op === B.GtUInt32 && k < METER_CHECK_LIMIT);
    const lt =
      (cmp.op === B.LtUInt32 && k <= METER_CHECK_LIMIT) ||
      (cmp.op === B.LeUInt32 && k < METER_CHECK_LIMIT);
    return (negate ? lt : ge) ? c : null;
  };
  const id = B.getExpressionId(first);
  if (id === B.BreakId) {
    const br = B.getExpressionInfo(first);
    if (!br.condition || br.value) return null;
    const c = exitWhen(br.condition, false);
    if (!c) return null;
    if (!c.stepped) {
      // The charge follows the check: the next statement steps the counter.
      const kids: number[] = holder ? B.getExpressionInfo(holder).children : [];
      if (!stepsNext(kids, 1, c.local)) return null;
    }
    return { local: c.local, form: "br_if", target: br.name };
  }
  // The optimizer's `if (c < K) (... br $loop)`: the loop goes round only below the limit and
  // falls out into the tick path; the if must be the loop's only statement, without an else.
  if (id === B.IfId) {
    if (holder && B.getExpressionInfo(holder).children.length !== 1) return null;
    const x = B.getExpressionInfo(first);
    if (x.ifFalse) return null;
    const c = exitWhen(x.condition, true);
    if (!c) return null;
    if (!c.stepped) {
      let kids: number[] = [x.ifTrue];
      while (
        B.getExpressionId(kids[0]) === B.BlockId &&
        B.getExpressionInfo(kids[0]).children.length
      )
        kids = B.getExpressionInfo(kids[0]).children;
      if (!stepsNext(kids, 0, c.local)) return null;
    }
    return { local: c.local, form: "if" };
  }
  return null;
}

/** counter + unsigned: `global.set tb_cycles (i64.add (global.get tb_cycles) (i64.extend_i32_u x | i64.const k>=0))`,
 *  or the optimizer's shorter `(i64.sub (global.get tb_cycles) (i64.const -k))` for a small k. */
function grows(value: number, global: string): boolean {
  if (B.getExpressionId(value) !== B.BinaryId) return false;
  const add = B.getExpressionInfo(value);
  const isSelf = (r: number) =>
    B.getExpressionId(r) === B.GlobalGetId && B.getExpressionInfo(r).name === global;
  if (add.op === B.SubInt64) {
    if (!isSelf(add.left) || B.getExpressionId(add.right) !== B.ConstId) return false;
    const v = B.getExpressionInfo(add.right).value;
    // Subtracting a negative constant (not the most negative, whose negation wraps) adds.
    const big =
      typeof v === "bigint" ? v : (BigInt(v?.high ?? 0) << 32n) | BigInt((v?.low ?? 0) >>> 0);
    return big <= 0n && big > -(1n << 62n);
  }
  if (add.op !== B.AddInt64) return false;
  const isUnsigned = (r: number) => {
    const id = B.getExpressionId(r);
    if (id === B.UnaryId) return B.getExpressionInfo(r).op === B.ExtendUInt32;
    // A constant count is at most 2^32 (adding one near 2^63 would wrap the counter backwards).
    if (id === B.ConstId) {
      const v = B.getExpressionInfo(r).value;
      return typeof v === "bigint"
        ? v >= 0n && v <= 1n << 32n
        : (v?.high ?? -1) === 0 || ((v?.high ?? -1) === 1 && (v?.low ?? 1) === 0);
    }
    return false;
  };
  return (isSelf(add.left) && isUnsigned(add.right)) || (isSelf(add.right) && isUnsigned(add.left));
}
