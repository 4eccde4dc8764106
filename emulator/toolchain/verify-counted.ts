// The image verifier's proof for a counted loop (meter-counted.ts): a loop without a meter check
// or a tick may run only if its trip count is bounded and paid for before it starts:
//  - the loop: `(loop $L ... (if TEST (then ... (br $L))))`, the if last, no else; TEST compares
//    a local i with a bound n (a constant, or a local the loop never writes) so that it fails
//    once i has moved by U = n - i (i < n, n > i, i != n, signed or not; i - n for i > n or a
//    falling i != n); the then-arm's one top-level `i = i +- 1` (in the direction that ends
//    TEST) is the loop's only write to i and comes before the `br $L`, which is the only branch
//    to $L; no loop inside it. So it runs at most U iterations (U as an unsigned i32);
//  - it is paid for at its entry, under a guard that keeps the counter from wrapping
//    (verify-counted-entry.ts); it writes neither its counter nor any loop's check counter.
// Then each iteration is charged at least 1/16 cycle, at most K/a iterations run without a
// tick (as between two checks of a checked loop), and the counter cannot wrap.
// Inside a checked loop, the entry charge counts as a step of at most its bound.
import binaryen from "./binaryen.ts";
import { testOf } from "./meter-counted.ts";
import type { Frame } from "./verify-loops.ts";
import { entryCharge, type CountedProof } from "./verify-counted-entry.ts";

const B = binaryen as any;
export type { CountedProof };

/**
 * The loop's proof, or the reason there is none. `writesInside`: how often each local is
 * written inside the loop; `branchesTo`: how many branches in the function go to a label.
 */
export function provedCounted(
  loop: { ref: number; x: any; ancestors: Frame[] },
  writesInside: Map<number, number>,
  branchesTo: (label: string) => number,
  hasInnerLoop: boolean,
  checkCounters: Set<number>,
  params: number,
): CountedProof | string {
  const name = loop.x.name;
  if (!name) return "it has no label";
  if (hasInnerLoop) return "it holds another loop";
  // The body: statements, then the if.
  const body = loop.x.body;
  const top: number[] =
    B.getExpressionId(body) === B.BlockId ? B.getExpressionInfo(body).children : [body];
  const last = top.at(-1);
  if (!last || B.getExpressionId(last) !== B.IfId) return "it does not end in its test";
  const ifx = B.getExpressionInfo(last);
  if (ifx.ifFalse) return "its test has an else";
  if (B.getExpressionId(ifx.ifTrue) !== B.BlockId) return "its test has no statements";
  const stmts: number[] = B.getExpressionInfo(ifx.ifTrue).children;
  const back = stmts.at(-1);
  const bx =
    back !== undefined && B.getExpressionId(back) === B.BreakId ? B.getExpressionInfo(back) : null;
  if (!bx || bx.name !== name || bx.condition || bx.value)
    return "it does not end in a branch back";
  if (branchesTo(name) !== 1) return "it branches back from more than one place";
  const options = testOf(B, ifx.condition);
  for (const t of options) {
    const steps = stmts.filter((s) => stepBy(s, t.i) === t.step);
    if (steps.length !== 1 || writesInside.get(t.i) !== 1) continue;
    if ("local" in t.n && writesInside.has(t.n.local)) continue;
    return entryCharge(loop, t, writesInside, checkCounters, params);
  }
  return "its test is not of a local against a bound with one +-1 step";
}

/** +1 / -1 if `r` is the top-level `local.set i (i +- 1)`, else null. */
function stepBy(r: number, i: number): number | null {
  if (B.getExpressionId(r) !== B.LocalSetId) return null;
  const x = B.getExpressionInfo(r);
  if (x.index !== i || B.getExpressionId(x.value) !== B.BinaryId) return null;
  const v = B.getExpressionInfo(x.value);
  const isI = (q: number) =>
    B.getExpressionId(q) === B.LocalGetId && B.getExpressionInfo(q).index === i;
  const k = (q: number): number | null =>
    B.getExpressionId(q) === B.ConstId && B.getExpressionType(q) === B.i32
      ? B.getExpressionInfo(q).value | 0
      : null;
  let s: number | null = null;
  if (v.op === B.AddInt32) s = isI(v.left) ? k(v.right) : isI(v.right) ? k(v.left) : null;
  else if (v.op === B.SubInt32 && isI(v.left)) s = k(v.right) === null ? null : -k(v.right)!;
  return s === 1 || s === -1 ? s : null;
}
