// What one statement of firmware code costs, from the core's cost table: walks its expression
// tree, sums the cycles of what it runs, and notes whether it calls or returns (the counter is
// flushed before it; whether it may branch away is branch-exits.ts's question). On the
// way it instruments what it contains: nested blocks, ifs and loops get their own regions, memory
// writes get the flash guard, memory.grow/copy/fill go through the host and the meter's helpers.
import { EXPRESSION_CHILDREN } from "./expression-children.ts";
import { guardWrite, type WriteAccess } from "./flash-guard.ts";
import type { FunctionMeter } from "./meter-regions.ts";

type Ref = number;

/** What a statement's own code (outside nested blocks) costs and does. */
export interface Acc {
  /** Cycles of its operators, in the order they run (an operator after its operands). */
  cost: number;
  calls: boolean; // reaches a call or return: flush the counter first
  /**
   * Operands that may branch out of the statement, in the order they run, each with `cost` as
   * it stood when it finished: what follows one runs only if it falls through (tail-charges.ts).
   */
  splits: { after: Ref; at: number }[];
  /** `cost` where an operand that never falls through finished: nothing after it runs. */
  deadAt?: number;
}

/**
 * Walks `e`: sums its cost into acc, instruments nested control flow, returns the (possibly
 * replaced) expression. An operator's cost is added after its operands' (the order they run),
 * so that what follows an operand that branches away is told apart (acc.splits).
 */
export function walkExpression(fm: FunctionMeter, e: Ref, acc: Acc): Ref {
  const { binaryen, module, opts, ops, ids, stats } = fm.ctx;
  const cost = fm.ctx.cost;
  let own = 0; // this operator's cycles, added after its operands' (they run first)
  if (opts.skip?.has(e)) return e;
  const { i32, none } = binaryen;
  const id = binaryen.getExpressionId(e);
  const cls = ids.get(id);
  const walkChildren = (): void => {
    for (const field of EXPRESSION_CHILDREN[cls!] ?? []) {
      const child = binaryen[cls!][`get${cap(field)}`](e);
      if (!child) continue;
      const next = fm.walk(child, acc);
      if (next !== child) binaryen[cls!][`set${cap(field)}`](e, next);
    }
  };
  const guard = (kind: WriteAccess): void => {
    if (guardWrite(binaryen, module, opts.flashEnd, fm.addr, kind, e)) stats.guardedStores++;
  };
  const walkOperands = (kind: any): void => {
    const n = kind.getNumOperands(e);
    for (let i = 0; i < n; i++) {
      const op = kind.getOperandAt(e, i);
      const next = fm.walk(op, acc);
      if (next !== op) kind.setOperandAt(e, i, next);
    }
  };
  const next = walkOperator();
  acc.cost += own;
  return next;

  function walkOperator(): Ref {
    switch (cls) {
      case "Block":
        fm.block(e, false);
        return e;
      case "Loop":
        return fm.instrumentLoop(e);
      case "If": {
        own += cost("if");
        binaryen.If.setCondition(e, fm.walk(binaryen.If.getCondition(e), acc));
        const t = fm.asBlock(binaryen.If.getIfTrue(e));
        fm.block(t, false);
        binaryen.If.setIfTrue(e, t);
        const fe = binaryen.If.getIfFalse(e);
        if (fe) {
          const fb = fm.asBlock(fe);
          fm.block(fb, false);
          binaryen.If.setIfFalse(e, fb);
        }
        return e;
      }
      case "Call":
        own += cost("call");
        acc.calls = true;
        walkOperands(binaryen.Call);
        return e;
      case "CallIndirect":
        own += cost("call_indirect");
        acc.calls = true;
        walkOperands(binaryen.CallIndirect);
        break;
      case "Break":
        own += cost(binaryen.Break.getCondition(e) ? "br_if" : "br");
        break;
      case "Switch":
        own += cost("br_table");
        break;
      case "Return":
        own += cost("return");
        acc.calls = true;
        break;
      case "Unreachable":
        return e;
      case "Const":
        own += cost(binaryen.getExpressionType(e) === binaryen.v128 ? "v128.const" : "const");
        return e;
      case "LocalGet":
        own += cost("local");
        return e;
      case "LocalSet":
        own += cost("local");
        break;
      case "GlobalGet":
        own += cost("global");
        return e;
      case "GlobalSet":
        own += cost("global");
        break;
      case "Nop":
      case "Drop":
        own += cost("drop_nop");
        break;
      case "Select":
        own += cost("select");
        break;
      case "Load": {
        const t = binaryen.getExpressionType(e);
        own += cost(
          t === binaryen.v128 ? "v128.load" : binaryen.Load.getBytes(e) === 8 ? "load64" : "load",
        );
        break;
      }
      case "Store": {
        const t = binaryen.getExpressionType(binaryen.Store.getValue(e));
        own += cost(
          t === binaryen.v128
            ? "v128.store"
            : binaryen.Store.getBytes(e) === 8
              ? "store64"
              : "store",
        );
        walkChildren();
        guard(binaryen.Store);
        return e;
      }
      // Every other form that writes memory is guarded exactly like a store: lane stores,
      // memory.init, atomic read-modify-writes (memory.copy/fill go through the helpers).
      case "SIMDLoadStoreLane":
        own += cost("load");
        walkChildren();
        if (binaryen.SIMDLoadStoreLane.isStore(e)) guard(binaryen.SIMDLoadStoreLane);
        return e;
      case "AtomicRMW":
      case "AtomicCmpxchg":
        own += cost("default");
        walkChildren();
        guard(binaryen[cls]);
        return e;
      case "MemoryInit":
        own += cost("mem_bulk.base");
        walkChildren();
        guard({
          getOffset: () => 0,
          getPtr: binaryen.MemoryInit.getDest,
          setPtr: binaryen.MemoryInit.setDest,
        });
        return e;
      case "Unary":
        own += cost(ops.unary.get(binaryen.Unary.getOp(e)) ?? "default");
        break;
      case "Binary":
        own += cost(ops.binary.get(binaryen.Binary.getOp(e)) ?? "default");
        break;
      case "SIMDExtract":
        own += cost("simd.extract_lane");
        break;
      case "SIMDReplace":
        own += cost("simd.replace_lane");
        break;
      case "SIMDShuffle":
        own += cost("simd.shuffle");
        break;
      case "SIMDTernary":
        own += cost("v128.bitwise");
        break;
      case "SIMDShift":
        own += cost("simd.shift");
        break;
      case "SIMDLoad":
        own += simdLoadCost(fm, binaryen.SIMDLoad.getOp(e));
        break;
      case "MemorySize":
        own += cost("memory.size");
        return e;
      case "MemoryGrow": {
        own += cost("memory.grow");
        acc.calls = true;
        const delta = fm.walk(binaryen.MemoryGrow.getDelta(e), acc);
        return module.call("tb_grow", [delta], i32);
      }
      case "MemoryCopy": {
        const args = ["dest", "source", "size"].map((f) =>
          fm.walk(binaryen.MemoryCopy[`get${cap(f)}`](e), acc),
        );
        return module.call("tb_memcpy", args, none);
      }
      case "MemoryFill": {
        const args = ["dest", "value", "size"].map((f) =>
          fm.walk(binaryen.MemoryFill[`get${cap(f)}`](e), acc),
        );
        return module.call("tb_memfill", args, none);
      }
      default:
        own += cost("default");
        return e; // unknown kinds are not expected in firmware; charge and leave as is
    }
    walkChildren();
    return e;
  }
}

// Narrow SIMD loads are a scalar load plus the lane work a core without SIMD must do:
// splats replicate, load8x8/16x4/32x2 sign- or zero-extend (LDRD + SXTB16/PKH sequences).
function simdLoadCost(fm: FunctionMeter, op: number): number {
  const cost = fm.ctx.cost;
  const O = fm.ctx.binaryen.Operations as Record<string, number>;
  if (op === O.Load8SplatVec128 || op === O.Load16SplatVec128 || op === O.Load32SplatVec128)
    return cost("load") + cost("simd.splat");
  if (op === O.Load64SplatVec128) return cost("load64") + cost("simd.splat");
  if (op === O.Load32ZeroVec128) return cost("load");
  if (op === O.Load64ZeroVec128) return cost("load64");
  return cost("load64") + cost("simd.extend");
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
