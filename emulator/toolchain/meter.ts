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
//   regions and flushes: meter-regions.ts   costs: expression-cost.ts   loops: meter-loops.ts
//   flash guard: flash-guard.ts             names shared with the host: meter-abi.ts
//   loops charged once for a known trip count: meter-counted.ts
import { operatorKeys } from "./cost-table.ts";
import { recursiveFunctions } from "./call-graph.ts";
import { expressionKinds } from "./expression-children.ts";
import { addBulkHelpers, addFlashWriteImport } from "./flash-guard.ts";
import {
  CYCLES_GLOBAL,
  DEFAULT_CHECK_INTERVAL,
  ENTRY_CHECK_GLOBAL,
  METER_MODULE,
  ONE,
} from "./meter-abi.ts";
import { FunctionMeter } from "./meter-regions.ts";

type Binaryen = any;
type Ref = number;

export interface MeterOptions {
  /** Cycles per cost key (see boards/cores/*.json). */
  costs: Record<string, number>;
  /** Stores below this address are writes to flash and fault (0: no flash window). */
  flashEnd: number;
  /** Loop-head cycles between visits to the host (at least one per iteration). */
  checkInterval?: number;
  /** Charge loops with a known trip count once at entry (meter-counted.ts). */
  countedLoops?: boolean;
  /** Expressions the meter leaves alone and charges nothing for (a debug build's statement hooks). */
  skip?: Set<number>;
}

export interface MeterStats {
  functions: number;
  regions: number;
  loops: number;
  /** Loops charged once at entry for their trip count (meter-counted.ts). */
  counted: number;
  /** Functions on a call-graph cycle, checked at their entry. */
  recursive: number;
  guardedStores: number;
}

/** What every function's metering shares: the module, its costs and the pass's counts. */
export interface MeterContext {
  binaryen: Binaryen;
  module: any;
  opts: MeterOptions;
  stats: MeterStats;
  /** Cycles of a cost key (the table's default for keys it lacks). */
  cost: (key: string) => number;
  /** Loop-head cycles between ticks. */
  limit: number;
  ops: ReturnType<typeof operatorKeys>;
  ids: Map<number, string>;
}

export function meterModule(binaryen: Binaryen, module: any, opts: MeterOptions): MeterStats {
  const costs = opts.costs;
  const { i32, i64, none } = binaryen;
  const ctx: MeterContext = {
    binaryen,
    module,
    opts,
    stats: { functions: 0, regions: 0, loops: 0, counted: 0, recursive: 0, guardedStores: 0 },
    cost: (key) => costs[key] ?? costs.default,
    limit: opts.checkInterval ?? DEFAULT_CHECK_INTERVAL,
    ops: operatorKeys(binaryen),
    ids: expressionKinds(binaryen),
  };

  module.addGlobal(CYCLES_GLOBAL, i64, true, module.i64.const(0n));
  module.addGlobalExport(CYCLES_GLOBAL, CYCLES_GLOBAL);
  module.addFunctionImport("tb_tick", METER_MODULE, "tick", none, none);
  addFlashWriteImport(binaryen, module);
  module.addFunctionImport("tb_grow", METER_MODULE, "grow", i32, i32);
  // Before the helpers go in: they are the meter's and never recursive.
  const recursive = recursiveFunctions(binaryen, module);
  if (recursive.size) module.addGlobal(ENTRY_CHECK_GLOBAL, i32, true, module.i32.const(0));
  addBulkHelpers(binaryen, module, ctx.cost, opts.flashEnd);

  const funcs: Ref[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) funcs.push(module.getFunctionByIndex(i));
  for (const f of funcs) {
    const info = binaryen.getFunctionInfo(f);
    if (info.module || !info.body || info.name.startsWith("tb_")) continue;
    meterFunction(ctx, f, info, recursive.has(info.name));
  }
  return ctx.stats;
}

function meterFunction(ctx: MeterContext, f: Ref, info: any, recursive: boolean): void {
  const { binaryen, module } = ctx;
  ctx.stats.functions++;
  const fm = new FunctionMeter(ctx, f);
  const results = info.results;
  const resultVar =
    results === binaryen.none || results === binaryen.unreachable
      ? -1
      : binaryen._BinaryenFunctionAddVar(f, results);
  const body = fm.asBlock(info.body);
  const { entryStep } = fm.functionBody(body);
  // Every way out flushes the counter: fall-through here, returns where they stand.
  const finish: Ref[] =
    resultVar < 0 ? [body, ...fm.flush()] : [module.local.set(resultVar, body), ...fm.flush()];
  const entry = recursive ? entryCheck(ctx, entryStep) : [];
  binaryen.Function.setBody(
    f,
    module.block(
      null,
      resultVar < 0
        ? [...entry, ...finish]
        : [...entry, ...finish, module.local.get(resultVar, results)],
      results,
    ),
  );
}

// A recursive function opens with a loop head's kind of check, on a global: its entry step
// (at least a cycle, as a loop iteration's) is added up over entries, and past the interval
// the host gets a tick. It charges nothing (cycle counts are those of unchecked code); the
// caller flushed before the call, so tb_cycles is current and the local counter still 0.
//   global.set $g (g + step)  (if (g >= limit) (global.set $g 0) (call tick))
function entryCheck(ctx: MeterContext, entryStep: number): Ref[] {
  const { binaryen, module, limit } = ctx;
  const { i32, none } = binaryen;
  ctx.stats.recursive++;
  const g = (): Ref => module.global.get(ENTRY_CHECK_GLOBAL, i32);
  return [
    module.global.set(
      ENTRY_CHECK_GLOBAL,
      module.i32.add(g(), module.i32.const(Math.min(Math.max(ONE, entryStep), 1 << 24))),
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
