// Recursion must reach the host as loops do (issue 12): a function on a cycle of the image's
// own call graph (call-graph.ts, computed as the meter computes it) has no loop head to check
// time at, so it must open with the meter's entry check:
//   global.set $g (g + k)   then   if (g >= K) { plain sets...; call tick }
// with 0 < k <= MAX_STEP and K at most the meter's limit. Anywhere in the image, $g is set only
// by such a step (each directly followed by its check) or right before a tick. So $g stays
// below K between checks, never wraps, and at most K entries of recursive functions run
// between ticks; between two entries the work is bounded (loops are checked, other calls form
// no cycle), and a tick that never moves tb_cycles is the host's stall guard's to stop.
import binaryen from "./binaryen.ts";
import { recursiveFunctions } from "./call-graph.ts";
import { METER_CHECK_LIMIT } from "./meter-abi.ts";
import { leadsToTick, setsThenTick } from "./tick-path.ts";

const B = binaryen as any;

/** Largest count an entry check may add (as a loop check's step: a charge in 1/16 cycles). */
const MAX_STEP = 1 << 24;

/** A `global.set` somewhere in the image, and the block statement it is (if it is one). */
export interface GlobalWrite {
  global: string;
  ref: number;
  /** The block holding it as a statement, or null when it sits inside an expression. */
  block: number | null;
  fn: string;
}

/** A problem (one line) if a recursive function lacks its entry check, else null. */
export function checkRecursion(
  module: any,
  isTick: (r: number) => boolean,
  globalWrites: GlobalWrite[],
): string | null {
  // Every function's entry check, recursive or not (the optimizer after the meter may have
  // removed a function's last self-call; its check stays, and stays valid).
  const checks = new Map<string, { global: string; step: number }>();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = B.getFunctionInfo(module.getFunctionByIndex(i));
    const check = f.module ? null : entryCheck(f.body, isTick);
    if (check) checks.set(f.name, check);
  }
  const steps = new Set([...checks.values()].map((c) => c.step));
  const counters = new Set<string>();
  for (const name of recursiveFunctions(B, module)) {
    const check = checks.get(name);
    if (!check)
      return `its function ${name} calls itself (directly or through others) without the meter's check at its entry: the code was not metered`;
    counters.add(check.global);
  }
  for (const w of globalWrites) {
    if (!counters.has(w.global) || steps.has(w.ref)) continue;
    if (w.block !== null && leadsToTick(w.block, w.ref, isTick)) continue;
    return `the entry checks' counter ${w.global} is set other than by a check's step or before a tick in function ${w.fn}: the code was not metered`;
  }
  return null;
}

/** The meter's entry check, if the body opens with it: its counter global and its step. */
function entryCheck(
  body: number,
  isTick: (r: number) => boolean,
): { global: string; step: number } | null {
  let holder: number | null = null;
  let first = body;
  while (first && B.getExpressionId(first) === B.BlockId) {
    const kids: number[] = B.getExpressionInfo(first).children;
    if (!kids.length) return null;
    holder = first;
    first = kids[0];
  }
  if (!first || holder === null) return null;
  const global = steppedGlobal(first);
  const next: number | undefined = B.getExpressionInfo(holder).children[1];
  if (!global || !next || B.getExpressionId(next) !== B.IfId) return null;
  const x = B.getExpressionInfo(next);
  if (x.ifFalse || !exitsAtLimit(x.condition, global, false)) return null;
  const then: number[] =
    B.getExpressionId(x.ifTrue) === B.BlockId ? B.getExpressionInfo(x.ifTrue).children : [x.ifTrue];
  return setsThenTick(then, 0, isTick) ? { global, step: first } : null;
}

/** `global.set $g (g + k)` (or the optimizer's `g - (-k)`) with 0 < k <= MAX_STEP: $g. */
function steppedGlobal(r: number): string | null {
  if (B.getExpressionId(r) !== B.GlobalSetId) return null;
  const set = B.getExpressionInfo(r);
  if (B.getExpressionId(set.value) !== B.BinaryId) return null;
  const v = B.getExpressionInfo(set.value);
  const isSelf = (q: number) =>
    B.getExpressionId(q) === B.GlobalGetId && B.getExpressionInfo(q).name === set.name;
  const constant = (q: number): number | null =>
    B.getExpressionId(q) === B.ConstId && B.getExpressionType(q) === B.i32
      ? B.getExpressionInfo(q).value | 0
      : null;
  let k: number | null = null;
  if (v.op === B.AddInt32) {
    if (isSelf(v.left)) k = constant(v.right);
    else if (isSelf(v.right)) k = constant(v.left);
  } else if (v.op === B.SubInt32 && isSelf(v.left)) {
    const c = constant(v.right);
    k = c === null ? null : -c;
  }
  return k !== null && k > 0 && k <= MAX_STEP ? set.name : null;
}

/** Does `cond` hold exactly when $g >= K' for some K' <= the meter's limit (negated: below)? */
function exitsAtLimit(cond: number, global: string, negate: boolean): boolean {
  const id = B.getExpressionId(cond);
  const x = B.getExpressionInfo(cond);
  if (id === B.UnaryId && x.op === B.EqZInt32) return exitsAtLimit(x.value, global, !negate);
  if (id !== B.BinaryId) return false;
  if (B.getExpressionId(x.left) !== B.GlobalGetId || B.getExpressionInfo(x.left).name !== global)
    return false;
  if (B.getExpressionId(x.right) !== B.ConstId) return false;
  const k = B.getExpressionInfo(x.right).value >>> 0;
  const ge =
    (x.op === B.GeUInt32 && k <= METER_CHECK_LIMIT) ||
    (x.op === B.GtUInt32 && k < METER_CHECK_LIMIT);
  const lt =
    (x.op === B.LtUInt32 && k <= METER_CHECK_LIMIT) ||
    (x.op === B.LeUInt32 && k < METER_CHECK_LIMIT);
  return negate ? lt : ge;
}
