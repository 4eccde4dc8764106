// Charges for what runs after a branch inside an expression. A statement such as
//   a = (if (result i32) T (then ... br $out) (else ...)) * x * y
// runs its operators up to the if whenever it starts, but the multiplications after the if
// only when the if falls through. The walk (expression-cost.ts) notes each operand that may
// branch out of the statement and the cost run by the time it finished; here the statement's
// cost is cut there: the first part is charged at its region's start, each later part where it
// runs:
//  - the last part, when the statement can fall through and is followed in its block, is added
//    to the next region's charge (it runs exactly when the statement completes): no code at all;
//  - any other part is charged right after its operand, which becomes
//    `(block (local.set $tmp X) (charge) (local.get $tmp))` (plus a flush when the statement
//    calls or returns, so the host sees it first); these are rare (statements that branch from
//    two places, call after a branch, or give a block's value).
// What follows an operand that never falls through (type unreachable) never runs: not charged.
import { EXPRESSION_CHILDREN, HAS_OPERANDS } from "./expression-children.ts";
import type { Acc } from "./expression-cost.ts";
import { ONE } from "./meter-abi.ts";
import type { FunctionMeter } from "./meter-regions.ts";

type Ref = number;

/**
 * Cuts the walked statement `root`'s cost at its splits (see the header); inserts the charges
 * of inner parts. `deferLast`: the last part may be charged at the next region's start.
 * Returns the cycles to charge at the statement's region start and those for the next region.
 */
export function placeTailCharges(
  fm: FunctionMeter,
  root: Ref,
  acc: Acc,
  deferLast: boolean,
): { head: number; next: number } {
  const end = acc.deadAt ?? acc.cost;
  const splits = acc.splits;
  if (!splits.length) return { head: end, next: 0 };
  let next = 0;
  splits.forEach((s, j) => {
    const part = (j + 1 < splits.length ? splits[j + 1].at : end) - s.at;
    if (j === splits.length - 1 && deferLast && acc.deadAt === undefined) next = part;
    else chargeAfter(fm, root, s.after, Math.round(part * ONE), acc.calls);
  });
  return { head: splits[0].at, next };
}

/** Puts a charge of `units` (and a flush) right after `x`, an operand inside `root`. */
function chargeAfter(fm: FunctionMeter, root: Ref, x: Ref, units: number, flush: boolean): void {
  if (units <= 0 && !flush) return;
  const { binaryen: B, module: m } = fm.ctx;
  const after = [...(units > 0 ? [fm.charge(units)] : []), ...(flush ? fm.flush() : [])];
  const type = B.getExpressionType(x);
  let wrapped: Ref;
  if (type === B.none) wrapped = m.block(null, [x, ...after], B.none);
  else {
    const tmp = fm.scratch(type);
    wrapped = m.block(null, [m.local.set(tmp, x), ...after, m.local.get(tmp, type)], type);
  }
  if (!replaceChild(B, fm.ctx.ids, root, x, wrapped))
    throw new Error("meter: a split operand lost its parent");
}

/** Replaces the child `old` of some expression under `root` with `next`; false if not found. */
function replaceChild(B: any, kinds: Map<number, string>, root: Ref, old: Ref, next: Ref): boolean {
  const visit = (e: Ref): boolean => {
    const kind = kinds.get(B.getExpressionId(e));
    if (!kind || kind === "Nop" || kind === "Unreachable") return false;
    if (kind === "Block") {
      const n = B.Block.getNumChildren(e);
      for (let i = 0; i < n; i++) {
        const k = B.Block.getChildAt(e, i);
        if (k === old) return (B.Block.setChildAt(e, i, next), true);
        if (visit(k)) return true;
      }
      return false;
    }
    for (const field of EXPRESSION_CHILDREN[kind]) {
      const k = B[kind][`get${field[0].toUpperCase()}${field.slice(1)}`](e);
      if (!k) continue;
      if (k === old)
        return (B[kind][`set${field[0].toUpperCase()}${field.slice(1)}`](e, next), true);
      if (visit(k)) return true;
    }
    if (HAS_OPERANDS.has(kind)) {
      const n = B[kind].getNumOperands(e);
      for (let i = 0; i < n; i++) {
        const k = B[kind].getOperandAt(e, i);
        if (k === old) return (B[kind].setOperandAt(e, i, next), true);
        if (visit(k)) return true;
      }
    }
    return false;
  };
  return visit(root);
}
