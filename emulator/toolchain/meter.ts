// The metering pass: charges every straight-line region of firmware code its cost in core
// cycles, guards flash against writes and routes memory growth through the host.
//
// Each function gets a local cycle counter; a region adds its cost at its start; the
// counter is flushed into the exported i64 global `tb_cycles` before calls and returns, and
// every loop head checks it against a threshold so that runaway loops still reach the host
// (`tinyboard:meter.tick`), which handles the watchdog, budgets and the end of the run.
// Recursion reaches the host without a loop: a function on a call-graph cycle checks at its
// entry instead, on a global that adds up the entry charges of such functions.
// Run it on optimized code (costs of what will run), then optimize again to tidy up.
import { operatorKeys } from "./cost-table.ts";
import { recursiveFunctions } from "./call-graph.ts";
import { EXPRESSION_CHILDREN, expressionKinds } from "./expression-children.ts";

type Binaryen = any;
type Ref = number;

export interface MeterOptions {
  /** Cycles per cost key (see boards/cores/*.json). */
  costs: Record<string, number>;
  /** Stores below this address are writes to flash and fault (0: no flash window). */
  flashEnd: number;
  /** Loop-head cycles between visits to the host (at least one per iteration). */
  checkInterval?: number;
  /** Expressions the meter leaves alone and charges nothing for (a debug build's statement hooks). */
  skip?: Set<number>;
}

export interface MeterStats {
  functions: number;
  regions: number;
  loops: number;
  /** Functions on a call-graph cycle, checked at their entry. */
  recursive: number;
  guardedStores: number;
}

export const METER_MODULE = "tinyboard:meter";
/** Charges are kept in 1/16 cycles so that fractional costs add up instead of rounding per region. */
const FRACTION_BITS = 4;
const ONE = 1 << FRACTION_BITS;
export const CYCLES_GLOBAL = "tb_cycles";
/** The meter's host functions and their signatures (checked at load, like the HAL's). */
export const METER_IMPORTS: Record<
  string,
  { params: ("i32" | "i64")[]; results: ("i32" | "i64")[] }
> = Object.assign(Object.create(null), {
  tick: { params: [], results: [] },
  "flash-write": { params: ["i32", "i32"], results: [] },
  grow: { params: ["i32"], results: ["i32"] },
});
/** The largest counter value (1/16 cycles) a loop's check may wait for: the default interval. */
export const METER_CHECK_LIMIT = (1 << 16) << 4;
/** The entry checks' count (1/16 cycles of entry charges since their last tick); not exported. */
export const ENTRY_CHECK_GLOBAL = "tb_entry_since_tick";
/** The stub allocator's bump pointer, exported so the host can read the heap's high-water mark. */
export const HEAP_TOP_EXPORT = "tb_heap_top";

/** What a statement's own code (outside nested blocks) costs and does. */
interface Acc {
  cost: number;
  calls: boolean; // reaches a call or return: flush the counter first
  exits: boolean; // may leave the enclosing block early: end the region after it
}

export function meterModule(binaryen: Binaryen, module: any, opts: MeterOptions): MeterStats {
  const costs = opts.costs;
  const cost = (key: string): number => costs[key] ?? costs.default;
  const limit = opts.checkInterval ?? 1 << 16;
  const ops = operatorKeys(binaryen);
  // Narrow SIMD loads are a scalar load plus the lane work a core without SIMD must do:
  // splats replicate, load8x8/16x4/32x2 sign- or zero-extend (LDRD + SXTB16/PKH sequences).
  const O = binaryen.Operations as Record<string, number>;
  const simdLoadCost = (op: number): number => {
    if (op === O.Load8SplatVec128 || op === O.Load16SplatVec128 || op === O.Load32SplatVec128)
      return cost("load") + cost("simd.splat");
    if (op === O.Load64SplatVec128) return cost("load64") + cost("simd.splat");
    if (op === O.Load32ZeroVec128) return cost("load");
    if (op === O.Load64ZeroVec128) return cost("load64");
    return cost("load64") + cost("simd.extend");
  };
  const ids = expressionKinds(binaryen);
  const { i32, i64, none } = binaryen;
  const stats: MeterStats = { functions: 0, regions: 0, loops: 0, recursive: 0, guardedStores: 0 };

  module.addGlobal(CYCLES_GLOBAL, i64, true, module.i64.const(0n));
  module.addGlobalExport(CYCLES_GLOBAL, CYCLES_GLOBAL);
  module.addFunctionImport("tb_tick", METER_MODULE, "tick", none, none);
  module.addFunctionImport(
    "tb_flash_write",
    METER_MODULE,
    "flash-write",
    binaryen.createType([i32, i32]),
    none,
  );
  module.addFunctionImport("tb_grow", METER_MODULE, "grow", i32, i32);
  // Before the helpers go in: they are the meter's and never recursive.
  const recursive = recursiveFunctions(binaryen, module);
  if (recursive.size) module.addGlobal(ENTRY_CHECK_GLOBAL, i32, true, module.i32.const(0));
  addBulkHelpers();

  const funcs: Ref[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) funcs.push(module.getFunctionByIndex(i));
  for (const f of funcs) {
    const info = binaryen.getFunctionInfo(f);
    if (info.module || !info.body || info.name.startsWith("tb_")) continue;
    meterFunction(f, info);
  }
  return stats;

  function meterFunction(f: Ref, info: any): void {
    stats.functions++;
    const counter = binaryen._BinaryenFunctionAddVar(f, i32); // cycles << FRACTION_BITS
    const sinceCheck = binaryen._BinaryenFunctionAddVar(f, i32);
    const addr = binaryen._BinaryenFunctionAddVar(f, i32);
    const results = info.results;
    const resultVar =
      results === none || results === binaryen.unreachable
        ? -1
        : binaryen._BinaryenFunctionAddVar(f, results);
    const loops: { hasCall: boolean }[] = [];
    let labels = 0;

    const charge = (units: number): Ref =>
      module.local.set(
        counter,
        module.i32.add(module.local.get(counter, i32), module.i32.const(units)),
      );
    // Whole cycles go to the global; the fraction stays in the counter.
    const flush = (): Ref[] => [
      module.global.set(
        CYCLES_GLOBAL,
        module.i64.add(
          module.global.get(CYCLES_GLOBAL, i64),
          module.i64.extend_u(
            module.i32.shr_u(module.local.get(counter, i32), module.i32.const(FRACTION_BITS)),
          ),
        ),
      ),
      module.local.set(
        counter,
        module.i32.and(module.local.get(counter, i32), module.i32.const(ONE - 1)),
      ),
    ];

    // Instruments a block's children in place: a charge at each region start, a flush
    // before statements that call or return. Returns the first region's charge.
    const block = (b: Ref, loopHead: boolean): number => {
      const children: Ref[] = binaryen.getExpressionInfo(b).children;
      const inserts: { at: number; exprs: Ref[] }[] = [];
      let regionStart = 0;
      let regionCost = 0;
      let headUnits = 0;
      const closeRegion = (end: number): void => {
        let units = Math.round(regionCost * ONE);
        // Every loop iteration costs at least a cycle, so a loop always reaches its check.
        if (loopHead && regionStart === 0) units = Math.max(ONE, units);
        if (regionStart === 0) headUnits = units;
        if (units > 0) {
          inserts.push({ at: regionStart, exprs: [charge(units)] });
          stats.regions++;
        }
        regionStart = end;
        regionCost = 0;
      };
      children.forEach((child, i) => {
        const acc: Acc = { cost: 0, calls: false, exits: false };
        const next = walk(child, acc);
        if (next !== child) binaryen.Block.setChildAt(b, i, next);
        regionCost += acc.cost;
        if (acc.calls) {
          inserts.push({ at: i, exprs: flush() });
          for (const l of loops) l.hasCall = true;
        }
        // Calls are where the host looks at the clock: charge what comes after them separately.
        if (acc.exits || acc.calls) closeRegion(i + 1);
      });
      if (regionCost > 0 || regionStart === 0) closeRegion(children.length);
      // Insert from the back so earlier indices stay valid; region heads go before flushes.
      inserts.sort((a, b2) => b2.at - a.at);
      for (const { at, exprs } of inserts) {
        for (let j = exprs.length - 1; j >= 0; j--) binaryen.Block.insertChildAt(b, at, exprs[j]);
      }
      return headUnits;
    };

    // A loop reaches the host by branching out to a tick path and re-entering at its head
    // (a call inside the loop would keep the engine from unrolling it):
    //   block $exit (loop $again (block $tick (br $exit (loop $L (br_if $tick CHECK) ...)))
    //                            flush, tick, (br $again)))
    // The check sits before the head's charge, so re-entering does not charge twice.
    // Loops without calls test the cycle counter itself; loops with calls (whose flushes
    // reset it) count head charges in a counter of their own.
    const instrumentLoop = (loop: Ref): Ref => {
      stats.loops++;
      const body = asBlock(binaryen.Loop.getBody(loop));
      const info = { hasCall: false };
      loops.push(info);
      const headUnits = block(body, true);
      loops.pop();
      if (info.hasCall) for (const l of loops) l.hasCall = true;
      binaryen.Loop.setBody(loop, body);
      const n = labels++;
      const [exit, again, tick] = [`tb$exit${n}`, `tb$again${n}`, `tb$tick${n}`];
      const due = info.hasCall
        ? module.i32.ge_u(
            module.local.tee(
              sinceCheck,
              module.i32.add(module.local.get(sinceCheck, i32), module.i32.const(headUnits)),
              i32,
            ),
            module.i32.const(limit * ONE),
          )
        : module.i32.ge_u(module.local.get(counter, i32), module.i32.const(limit * ONE));
      binaryen.Block.insertChildAt(body, 0, module.br(tick, due));
      const type = binaryen.getExpressionType(loop);
      const tickPath = [
        module.local.set(sinceCheck, module.i32.const(0)),
        ...flush(),
        module.call("tb_tick", [], none),
        module.br(again),
      ];
      // A loop that never falls through stays unreachable-typed (it has no exit to branch to).
      if (type === binaryen.unreachable) {
        return module.loop(
          again,
          module.block(null, [module.block(tick, [loop], none), ...tickPath], binaryen.unreachable),
        );
      }
      const leave =
        type === none
          ? module.block(null, [loop, module.br(exit)], none)
          : module.br(exit, undefined, loop);
      return module.block(
        exit,
        [
          module.loop(
            again,
            module.block(
              null,
              [module.block(tick, [leave], none), ...tickPath],
              binaryen.unreachable,
            ),
          ),
        ],
        type,
      );
    };

    const asBlock = (e: Ref): Ref => {
      if (binaryen.getExpressionId(e) === binaryen.BlockId && !binaryen.Block.getName(e)) return e;
      return module.block(null, [e], binaryen.getExpressionType(e));
    };

    // Walks one statement's expression tree: sums its cost into acc, instruments nested
    // control flow, and returns the (possibly replaced) expression.
    const walk = (e: Ref, acc: Acc): Ref => {
      if (opts.skip?.has(e)) return e;
      const id = binaryen.getExpressionId(e);
      const cls = ids.get(id);
      switch (cls) {
        case "Block":
          block(e, false);
          return e;
        case "Loop":
          return instrumentLoop(e);
        case "If": {
          acc.cost += cost("if");
          binaryen.If.setCondition(e, walk(binaryen.If.getCondition(e), acc));
          const t = asBlock(binaryen.If.getIfTrue(e));
          block(t, false);
          binaryen.If.setIfTrue(e, t);
          const fe = binaryen.If.getIfFalse(e);
          if (fe) {
            const fb = asBlock(fe);
            block(fb, false);
            binaryen.If.setIfFalse(e, fb);
          }
          return e;
        }
        case "Call": {
          acc.cost += cost("call");
          acc.calls = true;
          const n = binaryen.Call.getNumOperands(e);
          for (let i = 0; i < n; i++) {
            const op = binaryen.Call.getOperandAt(e, i);
            const next = walk(op, acc);
            if (next !== op) binaryen.Call.setOperandAt(e, i, next);
          }
          return e;
        }
        case "CallIndirect": {
          acc.cost += cost("call_indirect");
          acc.calls = true;
          const n = binaryen.CallIndirect.getNumOperands(e);
          for (let i = 0; i < n; i++) {
            const op = binaryen.CallIndirect.getOperandAt(e, i);
            const next = walk(op, acc);
            if (next !== op) binaryen.CallIndirect.setOperandAt(e, i, next);
          }
          break;
        }
        case "Break":
          acc.cost += cost(binaryen.Break.getCondition(e) ? "br_if" : "br");
          acc.exits = true;
          break;
        case "Switch":
          acc.cost += cost("br_table");
          acc.exits = true;
          break;
        case "Return":
          acc.cost += cost("return");
          acc.calls = acc.exits = true;
          break;
        case "Unreachable":
          acc.exits = true;
          return e;
        case "Const":
          acc.cost += cost(
            binaryen.getExpressionType(e) === binaryen.v128 ? "v128.const" : "const",
          );
          return e;
        case "LocalGet":
          acc.cost += cost("local");
          return e;
        case "LocalSet":
          acc.cost += cost("local");
          break;
        case "GlobalGet":
          acc.cost += cost("global");
          return e;
        case "GlobalSet":
          acc.cost += cost("global");
          break;
        case "Nop":
        case "Drop":
          acc.cost += cost("drop_nop");
          break;
        case "Select":
          acc.cost += cost("select");
          break;
        case "Load": {
          const t = binaryen.getExpressionType(e);
          acc.cost += cost(
            t === binaryen.v128 ? "v128.load" : binaryen.Load.getBytes(e) === 8 ? "load64" : "load",
          );
          break;
        }
        case "Store": {
          const t = binaryen.getExpressionType(binaryen.Store.getValue(e));
          acc.cost += cost(
            t === binaryen.v128
              ? "v128.store"
              : binaryen.Store.getBytes(e) === 8
                ? "store64"
                : "store",
          );
          walkChildren(e, cls, acc);
          guardStore(binaryen.Store, e);
          return e;
        }
        // Every other form that writes memory is guarded exactly like a store: lane stores,
        // memory.init, atomic read-modify-writes (memory.copy/fill go through the helpers).
        case "SIMDLoadStoreLane":
          acc.cost += cost("load");
          walkChildren(e, cls, acc);
          if (binaryen.SIMDLoadStoreLane.isStore(e)) guardStore(binaryen.SIMDLoadStoreLane, e);
          return e;
        case "AtomicRMW":
        case "AtomicCmpxchg":
          acc.cost += cost("default");
          walkChildren(e, cls, acc);
          guardStore(binaryen[cls], e);
          return e;
        case "MemoryInit":
          acc.cost += cost("mem_bulk.base");
          walkChildren(e, cls, acc);
          guardStore(
            {
              getOffset: () => 0,
              getPtr: binaryen.MemoryInit.getDest,
              setPtr: binaryen.MemoryInit.setDest,
            },
            e,
          );
          return e;
        case "Unary":
          acc.cost += cost(ops.unary.get(binaryen.Unary.getOp(e)) ?? "default");
          break;
        case "Binary":
          acc.cost += cost(ops.binary.get(binaryen.Binary.getOp(e)) ?? "default");
          break;
        case "SIMDExtract":
          acc.cost += cost("simd.extract_lane");
          break;
        case "SIMDReplace":
          acc.cost += cost("simd.replace_lane");
          break;
        case "SIMDShuffle":
          acc.cost += cost("simd.shuffle");
          break;
        case "SIMDTernary":
          acc.cost += cost("v128.bitwise");
          break;
        case "SIMDShift":
          acc.cost += cost("simd.shift");
          break;
        case "SIMDLoad":
          acc.cost += simdLoadCost(binaryen.SIMDLoad.getOp(e));
          break;
        case "MemorySize":
          acc.cost += cost("memory.size");
          return e;
        case "MemoryGrow": {
          acc.cost += cost("memory.grow");
          acc.calls = true;
          const delta = walk(binaryen.MemoryGrow.getDelta(e), acc);
          return module.call("tb_grow", [delta], i32);
        }
        case "MemoryCopy": {
          const args = ["dest", "source", "size"].map((f) =>
            walk(binaryen.MemoryCopy[`get${cap(f)}`](e), acc),
          );
          return module.call("tb_memcpy", args, none);
        }
        case "MemoryFill": {
          const args = ["dest", "value", "size"].map((f) =>
            walk(binaryen.MemoryFill[`get${cap(f)}`](e), acc),
          );
          return module.call("tb_memfill", args, none);
        }
        default:
          acc.cost += cost("default");
          return e; // unknown kinds are not expected in firmware; charge and leave as is
      }
      walkChildren(e, cls!, acc);
      return e;
    };

    const walkChildren = (e: Ref, cls: string, acc: Acc): void => {
      for (const field of EXPRESSION_CHILDREN[cls] ?? []) {
        const child = binaryen[cls][`get${cap(field)}`](e);
        if (!child) continue;
        const next = walk(child, acc);
        if (next !== child) binaryen[cls][`set${cap(field)}`](e, next);
      }
    };

    // A store below the end of flash calls the host's fault right there, so the fault's code
    // offset (and source line) is the store's, not the function's end.
    const guardStore = (
      kind: { getOffset(e: Ref): number; getPtr(e: Ref): Ref; setPtr(e: Ref, p: Ref): void },
      e: Ref,
    ): void => {
      const limitAddr = opts.flashEnd - kind.getOffset(e);
      if (limitAddr <= 0) return;
      stats.guardedStores++;
      const ptr = kind.getPtr(e);
      kind.setPtr(
        e,
        module.block(
          null,
          [
            module.local.set(addr, ptr),
            module.if(
              module.i32.lt_u(module.local.get(addr, i32), module.i32.const(limitAddr)),
              module.block(
                null,
                [
                  module.call(
                    "tb_flash_write",
                    [module.local.get(addr, i32), module.i32.const(0)],
                    none,
                  ),
                  module.unreachable(),
                ],
                none,
              ),
            ),
            module.local.get(addr, i32),
          ],
          i32,
        ),
      );
    };

    const body = asBlock(info.body);
    const entryUnits = block(body, false);
    // Every way out flushes the counter: fall-through here, returns where they stand.
    const finish: Ref[] =
      resultVar < 0 ? [body, ...flush()] : [module.local.set(resultVar, body), ...flush()];
    const value = (): Ref | undefined =>
      resultVar < 0 ? undefined : module.local.get(resultVar, results);
    const entry = recursive.has(info.name) ? entryCheck(entryUnits) : [];
    binaryen.Function.setBody(
      f,
      module.block(
        null,
        resultVar < 0 ? [...entry, ...finish] : [...entry, ...finish, value()!],
        results,
      ),
    );
  }

  // A recursive function opens with a loop head's kind of check, on a global: its entry charge
  // (at least a cycle, as a loop iteration's) is added up over entries, and past the interval
  // the host gets a tick. It charges nothing (cycle counts are those of unchecked code); the
  // caller flushed before the call, so tb_cycles is current and the local counter still 0.
  //   global.set $g (g + step)  (if (g >= limit) (global.set $g 0) (call tick))
  function entryCheck(entryUnits: number): Ref[] {
    stats.recursive++;
    const g = (): Ref => module.global.get(ENTRY_CHECK_GLOBAL, i32);
    return [
      module.global.set(
        ENTRY_CHECK_GLOBAL,
        module.i32.add(g(), module.i32.const(Math.max(ONE, entryUnits))),
      ),
      module.if(
        module.i32.ge_u(g(), module.i32.const(limit * ONE)),
        module.block(
          null,
          [
            module.global.set(ENTRY_CHECK_GLOBAL, module.i32.const(0)),
            module.call("tb_tick", [], none),
          ],
          none,
        ),
      ),
    ];
  }

  // memory.copy / memory.fill: a fixed cost plus a cost per byte, charged straight to the
  // global, and the flash guard on the destination range.
  function addBulkHelpers(): void {
    const base = Math.round(cost("mem_bulk.base"));
    const perByte256 = Math.round(cost("mem_bulk.per_byte") * 256);
    const arg = (i: number): Ref => module.local.get(i, i32);
    const chargeBulk = (): Ref =>
      module.global.set(
        CYCLES_GLOBAL,
        module.i64.add(
          module.global.get(CYCLES_GLOBAL, i64),
          module.i64.extend_u(
            module.i32.add(
              module.i32.const(base),
              module.i32.shr_u(
                module.i32.mul(arg(2), module.i32.const(perByte256)),
                module.i32.const(8),
              ),
            ),
          ),
        ),
      );
    const guard = (): Ref =>
      opts.flashEnd > 0
        ? module.if(
            module.i32.and(
              module.i32.ne(arg(2), module.i32.const(0)),
              module.i32.lt_u(arg(0), module.i32.const(opts.flashEnd)),
            ),
            module.call("tb_flash_write", [arg(0), module.i32.const(0)], none),
          )
        : module.nop();
    const params = binaryen.createType([i32, i32, i32]);
    module.addFunction(
      "tb_memcpy",
      params,
      none,
      [],
      module.block(null, [chargeBulk(), guard(), module.memory.copy(arg(0), arg(1), arg(2))], none),
    );
    module.addFunction(
      "tb_memfill",
      params,
      none,
      [],
      module.block(null, [chargeBulk(), guard(), module.memory.fill(arg(0), arg(1), arg(2))], none),
    );
  }
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
