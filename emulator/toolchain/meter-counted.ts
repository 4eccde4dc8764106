// Counted loops: an innermost loop whose trip count is known when it is entered is charged once,
// at its entry, for every iteration, and runs without its per-iteration check and charges.
//
// The loop must be the optimizer's `for` shape, straight-line inside:
//   (loop $L (if (i < n) (then ...straight-line... (i = i + 1) ... (br $L))))
// (or i > n with i = i - 1; `!=` either way; n a local the loop never writes, or a constant), so
// it runs exactly U = n - i (or i - n) iterations when the test holds at entry, each costing
// the same k = head + then-arm, and the exit visit costs the head h. The checked loop would
// tick at a head visit where the counter has reached the limit: when c + U*k stays below it,
// no visit ticks and the counter ends at c + U*k + h either way. So:
//   (block $done
//     (if (test) (then (if (c + U*k < K, in i64) (then (c += U*k + h) <loop, unchecked> (br $done)))))
//     <the loop, checked as before>)
// Cycle counts and tick points are exactly those of the checked loop; the checked copy runs
// only when a tick falls inside the loop (once per check interval) or when the test fails.
// The unchecked loop is the original code (it keeps its source lines); the checked one is a copy.
// The image verifier proves the bound from the same shape (verify-counted.ts).
import { ONE } from "./meter-abi.ts";
import { childrenOf } from "./expression-children.ts";
import type { FunctionMeter } from "./meter-regions.ts";

type Ref = number;

/** What the trip count of a counted loop is made of. */
export interface CountedShape {
  /** The induction local. */
  i: number;
  /** The bound: a local the loop never writes, or a constant. */
  n: { local: number } | { value: number };
  /** +1: U = n - i; -1: U = i - n. */
  step: 1 | -1;
  /** The loop's test (evaluated once more at entry, a copy). */
  test: Ref;
}

// Kinds that run straight through (no branches, calls or loops) and cost the same every time.
const STRAIGHT = new Set([
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
  "Nop",
  "Unreachable",
  "SIMDExtract",
  "SIMDReplace",
  "SIMDShuffle",
  "SIMDTernary",
  "SIMDShift",
  "SIMDLoad",
  "SIMDLoadStoreLane",
  "MemorySize",
]);

/** The loop's counted shape, or null when it is not one (it keeps its per-iteration check). */
export function countedShape(fm: FunctionMeter, loop: Ref): CountedShape | null {
  const { binaryen, ids, opts } = fm.ctx;
  const B = binaryen;
  const name = B.Loop.getName(loop);
  if (!name || B.getExpressionType(loop) !== B.none) return null;
  const writes = new Map<number, number>(); // local -> number of writes in the loop
  const straight = (e: Ref): boolean => {
    if (opts.skip?.has(e)) return false;
    const kind = ids.get(B.getExpressionId(e));
    if (kind === "Block" && B.Block.getName(e)) return false;
    if (!kind || (kind !== "Block" && !STRAIGHT.has(kind))) return false;
    if (kind === "Nop" || kind === "Unreachable") return true; // binaryen has no info for these
    const x = B.getExpressionInfo(e);
    if ((kind === "Load" || kind === "Store") && x.isAtomic) return false;
    if (kind === "LocalSet") writes.set(x.index, (writes.get(x.index) ?? 0) + 1);
    return childrenOf(kind, x).every((k) => !k || straight(k));
  };
  // The body: statements before an if, the if last (no else); its then-arm ends with `br $L`.
  const body = B.Loop.getBody(loop);
  const top: Ref[] =
    B.getExpressionId(body) === B.BlockId && !B.Block.getName(body)
      ? B.getExpressionInfo(body).children
      : [body];
  const last = top.at(-1);
  if (!last || B.getExpressionId(last) !== B.IfId) return null;
  const ifx = B.getExpressionInfo(last);
  if (ifx.ifFalse || !top.slice(0, -1).every(straight) || !straight(ifx.condition)) return null;
  const arm = ifx.ifTrue;
  if (B.getExpressionId(arm) !== B.BlockId || B.Block.getName(arm)) return null;
  const stmts: Ref[] = B.getExpressionInfo(arm).children;
  const back = stmts.at(-1);
  if (!back || B.getExpressionId(back) !== B.BreakId) return null;
  const bx = B.getExpressionInfo(back);
  if (bx.name !== name || bx.condition || bx.value) return null;
  if (!stmts.slice(0, -1).every(straight)) return null;
  // The test: i against n, and one top-level step of i by +-1 in the then-arm.
  for (const cmp of testOf(B, ifx.condition)) {
    const shape = withStep(cmp);
    if (shape) return { ...shape, test: ifx.condition };
  }
  return null;

  function withStep(cmp: ReturnType<typeof testOf>[number]): Omit<CountedShape, "test"> | null {
    const stepOf = (r: Ref): number | null => {
      if (B.getExpressionId(r) !== B.LocalSetId) return null;
      const x = B.getExpressionInfo(r);
      if (x.isTee || x.index !== cmp.i) return null;
      const v = B.getExpressionInfo(x.value);
      if (B.getExpressionId(x.value) !== B.BinaryId) return null;
      const isI = (q: Ref) =>
        B.getExpressionId(q) === B.LocalGetId && B.getExpressionInfo(q).index === cmp.i;
      const k = (q: Ref) =>
        B.getExpressionId(q) === B.ConstId && B.getExpressionType(q) === B.i32
          ? B.getExpressionInfo(q).value | 0
          : null;
      if (v.op === B.AddInt32 && isI(v.left)) return k(v.right);
      if (v.op === B.AddInt32 && isI(v.right)) return k(v.left);
      if (v.op === B.SubInt32 && isI(v.left)) {
        const c = k(v.right);
        return c === null ? null : -c;
      }
      return null;
    };
    const steps = stmts.map(stepOf).filter((s) => s !== null);
    if (steps.length !== 1 || (writes.get(cmp.i) ?? 0) !== 1) return null;
    const step = steps[0];
    if (step !== cmp.step) return null;
    if ("local" in cmp.n && writes.has(cmp.n.local)) return null;
    return { i: cmp.i, n: cmp.n, step };
  }
}

/** `i < n`-like tests (i32): the induction local, the bound and the direction that ends them. */
export function testOf(
  B: any,
  cond: Ref,
): { i: number; n: { local: number } | { value: number }; step: 1 | -1 }[] {
  if (B.getExpressionId(cond) !== B.BinaryId) return [];
  const x = B.getExpressionInfo(cond);
  const side = (q: Ref): { local: number } | { value: number } | null => {
    const id = B.getExpressionId(q);
    if (id === B.LocalGetId) return { local: B.getExpressionInfo(q).index };
    if (id === B.ConstId && B.getExpressionType(q) === B.i32)
      return { value: B.getExpressionInfo(q).value | 0 };
    return null;
  };
  const l = side(x.left),
    r = side(x.right);
  if (!l || !r) return [];
  // Which way i must move for the test to end: i < n (or n > i) rises, i > n falls; != either.
  const up = [B.LtSInt32, B.LtUInt32];
  const down = [B.GtSInt32, B.GtUInt32];
  const options: { i: typeof l; n: typeof r; step: 1 | -1 }[] = [];
  if ("local" in l) {
    if (up.includes(x.op) || x.op === B.NeInt32) options.push({ i: l, n: r, step: 1 });
    if (down.includes(x.op) || x.op === B.NeInt32) options.push({ i: l, n: r, step: -1 });
  }
  if ("local" in r) {
    if (down.includes(x.op) || x.op === B.NeInt32) options.push({ i: r, n: l, step: 1 });
    if (up.includes(x.op) || x.op === B.NeInt32) options.push({ i: r, n: l, step: -1 });
  }
  // The caller matches the step it finds (a != test offers both directions).
  return options
    .filter((o) => "local" in o.i && !("local" in o.n && o.n.local === o.i.local))
    .map((o) => ({ i: (o.i as { local: number }).local, n: o.n, step: o.step }));
}

/**
 * The counted form of `loop` (see the header), or null if it is not a counted loop. The caller
 * instruments the checked copy as any loop (`checked`, the original's copy made first).
 */
export function meterCountedLoop(
  fm: FunctionMeter,
  loop: Ref,
  instrumentChecked: (copy: Ref) => Ref,
): Ref | null {
  const shape = fm.ctx.opts.countedLoops === false ? null : countedShape(fm, loop);
  if (!shape) return null;
  const { binaryen, module, limit } = fm.ctx;
  const { i32, none } = binaryen;
  const checkedCopy = module.copyExpression(loop);
  // Labels are unique in a function: the copy's loop and its one branch back get a new one.
  const copyName = `tb$checked${fm.label()}`;
  binaryen.Loop.setName(checkedCopy, copyName);
  const copyTop = binaryen.Loop.getBody(checkedCopy);
  const copyIf =
    binaryen.getExpressionId(copyTop) === binaryen.BlockId
      ? binaryen.getExpressionInfo(copyTop).children.at(-1)
      : copyTop;
  binaryen.Break.setName(
    binaryen.getExpressionInfo(binaryen.If.getIfTrue(copyIf)).children.at(-1),
    copyName,
  );
  const testCopy = module.copyExpression(shape.test);
  // The unchecked loop: its regions are added up, not charged.
  const body = fm.asBlock(binaryen.Loop.getBody(loop));
  const tally: number[] = [];
  fm.tally = tally;
  let head: number;
  try {
    head = fm.block(body, true);
  } finally {
    fm.tally = null;
  }
  binaryen.Loop.setBody(loop, body);
  const perIteration = tally.reduce((a, b) => a + b, 0);
  const checked = instrumentChecked(checkedCopy);
  fm.ctx.stats.counted++;
  const n = (): Ref =>
    "local" in shape.n ? module.local.get(shape.n.local, i32) : module.i32.const(shape.n.value);
  const iv = (): Ref => module.local.get(shape.i, i32);
  const trips = (): Ref =>
    shape.step === 1 ? module.i32.sub(n(), iv()) : module.i32.sub(iv(), n());
  const c = (): Ref => module.local.get(fm.counter, i32);
  const fits = module.i64.lt_u(
    module.i64.add(
      module.i64.extend_u(c()),
      module.i64.mul(module.i64.extend_u(trips()), module.i64.const(BigInt(perIteration))),
    ),
    module.i64.const(BigInt(limit * ONE)),
  );
  const charge = module.local.set(
    fm.counter,
    module.i32.add(
      c(),
      module.i32.add(
        module.i32.mul(trips(), module.i32.const(perIteration)),
        module.i32.const(head),
      ),
    ),
  );
  const done = `tb$counted${fm.label()}`;
  return module.block(
    done,
    [
      module.if(
        testCopy,
        module.if(fits, module.block(null, [charge, loop, module.br(done)], none)),
      ),
      checked,
    ],
    none,
  );
}
