// The shapes of the metering pass's code that the image verifier recognises, as binaryen reads
// them back after the optimiser has tidied them: a call of the meter's tick, a counter's step,
// a loop head's check and where it leaves to, and an addition to `tb_cycles`.
import binaryen from "./binaryen.ts";
import { METER_CHECK_LIMIT } from "./meter-abi.ts";
import { childrenOf, expressionKinds } from "./expression-children.ts";
import { plain } from "./tick-path.ts";
import type { Frame } from "./verify-loops.ts";

const B = binaryen as any;
const KINDS = expressionKinds(B);

/** Largest count a check local may grow by in one step (a region's charge, in 1/16 cycles). */
const MAX_STEP = 1 << 24;

/** Is an expression a plain `call tick` (not a tail call)? */
export function isTickOf(tick: string): (r: number) => boolean {
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
export function stepSize(r: number, local: number): number | null {
  const v = stepRange(r, local);
  return v && v.lo > 0 ? v.hi : null;
}

/**
 * The most `r` adds to c if it is a `local.set/tee c (c + k)` with 0 <= k <= MAX_STEP, where k
 * may depend on a branch: the optimizer folds a region's charge after an if into the if's
 * arms, `c = (if (result i32) X (then ... c + k1) (else c)) + k2` (each arm's own writes of c
 * are checked as steps of their own). Else null.
 */
export function stepGrowth(r: number, local: number): number | null {
  const v = stepRange(r, local);
  return v && v.lo >= 0 ? v.hi : null;
}

/** `r` as `local.set c (c + k)`: the range of k (lo..hi, hi <= MAX_STEP), or null. */
function stepRange(r: number, local: number): { lo: number; hi: number } | null {
  if (B.getExpressionId(r) !== B.LocalSetId) return null;
  const x = B.getExpressionInfo(r);
  if (x.index !== local) return null;
  // The value as c + constants: how many times c appears, and the constants' sum (a range,
  // when an if or select picks between such sums).
  type Sum = { self: number; lo: number; hi: number };
  const sum = (q: number): Sum | null => {
    const id = B.getExpressionId(q);
    if (id === B.LocalGetId)
      return B.getExpressionInfo(q).index === local ? { self: 1, lo: 0, hi: 0 } : null;
    if (id === B.ConstId) {
      const k = B.getExpressionInfo(q).value | 0; // signed: a "huge" add subtracts
      return { self: 0, lo: k, hi: k };
    }
    if (id === B.IfId || id === B.SelectId) {
      const y = B.getExpressionInfo(q);
      if (!y.ifFalse) return null;
      // An arm that never yields a value (it branches away) adds nothing to the range.
      const arms = [y.ifTrue, y.ifFalse].filter((a) => !neverYields(a));
      return oneOf(arms.map(sum));
    }
    // A block yields its last statement, or the value of a branch to its label (the optimizer
    // sinks a switch's case charges into `c = (block $b (result i32) .. (br $b (c + k)) ..)`).
    if (id === B.BlockId) {
      const y = B.getExpressionInfo(q);
      if (!y.children.length) return null;
      const last = y.children.at(-1);
      const values = B.getExpressionType(last) === B.unreachable ? [] : [last];
      if (y.name) {
        const branched = branchValues(q, y.name);
        if (!branched) return null;
        values.push(...branched);
      }
      return oneOf(values.map(sum));
    }
    if (id !== B.BinaryId) return null;
    const op = B.getExpressionInfo(q).op;
    const a = sum(B.getExpressionInfo(q).left),
      b = a && sum(B.getExpressionInfo(q).right);
    if (!a || !b) return null;
    if (op === B.AddInt32) return { self: a.self + b.self, lo: a.lo + b.lo, hi: a.hi + b.hi };
    // The optimizer writes a small add as `c - (-k)` (a shorter LEB).
    if (op === B.SubInt32 && b.self === 0)
      return { self: a.self, lo: a.lo - b.hi, hi: a.hi - b.lo };
    return null;
  };
  /** One of several sums, each with c the same number of times: their range. */
  const oneOf = (got: (Sum | null)[]): Sum | null => {
    if (!got.length || got.some((g) => !g || g.self !== got[0]!.self)) return null;
    return {
      self: got[0]!.self,
      lo: Math.min(...got.map((g) => g!.lo)),
      hi: Math.max(...got.map((g) => g!.hi)),
    };
  };
  const v = sum(x.value);
  return v && v.self === 1 && v.hi <= MAX_STEP ? { lo: v.lo, hi: v.hi } : null;
}

/**
 * Whether `q` never completes with a value: typed unreachable, or an unnamed block (the
 * optimizer keeps an arm's block typed i32) whose last statement never completes.
 */
function neverYields(q: number): boolean {
  if (B.getExpressionType(q) === B.unreachable) return true;
  if (B.getExpressionId(q) !== B.BlockId) return false;
  const y = B.getExpressionInfo(q);
  return !y.name && y.children.length > 0 && neverYields(y.children.at(-1));
}

/** The values of every branch to `label` inside `block`, or null if one carries none. */
function branchValues(block: number, label: string): number[] | null {
  const out: number[] = [];
  let valueless = false;
  const walk = (e: number): void => {
    const kind = KINDS.get(B.getExpressionId(e));
    if (!kind || kind === "Nop" || kind === "Unreachable") return;
    const x = B.getExpressionInfo(e);
    const targets =
      kind === "Break" ? [x.name] : kind === "Switch" ? [...x.names, x.defaultName] : [];
    if (targets.includes(label)) {
      if (x.value) out.push(x.value);
      else valueless = true;
    }
    for (const k of childrenOf(kind, x)) if (k) walk(k);
  };
  walk(block);
  return valueless ? null : out;
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
export function exitBlock(
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
export function loopCheck(
  loop: any,
): { local: number; form: "br_if" | "if"; target?: string } | null {
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
export function grows(value: number, global: string): boolean {
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
