// One function's metering state and its straight-line regions: a local cycle counter (in 1/16
// cycles), a charge at the start of each region, and a flush of the counter's whole cycles into
// `tb_cycles` before every statement that calls or returns (where the host may look at time).
// A region is a run of a block's statements that all run whenever its first one does: it ends
// after a statement that calls, or that may branch elsewhere than to the next statement
// (branch-exits.ts); blocks, loops and if-arms inside a statement are charged in their own.
import { BranchExits } from "./branch-exits.ts";
import { CYCLES_GLOBAL, FRACTION_BITS, ONE } from "./meter-abi.ts";
import type { MeterContext } from "./meter.ts";
import { walkExpression, type Acc } from "./expression-cost.ts";
import { instrumentLoop } from "./meter-loops.ts";
import { placeTailCharges } from "./tail-charges.ts";

type Ref = number;

/** Kinds that may branch out by themselves (a branch, or arms, a block or a loop that do). */
const OWN_EXITS = new Set(["Break", "Switch", "If", "Block", "Loop"]);

/**
 * The charge of the region after a block's first one when that first region ended in a split
 * statement whose tail it carries (tail-charges.ts): the loop head's floor of a cycle is taken
 * back from it (units: the charge, tailUnits: the tail's part of it).
 */
type HeadTail = { charge: Ref; units: number; tailUnits: number } | null;

export class FunctionMeter {
  /** The cycle counter local (1/16 cycles, flushed to tb_cycles). */
  readonly counter: number;
  /** Head charges since the last check, for loops whose calls flush the counter. */
  readonly sinceCheck: number;
  /** Scratch local for the flash guards' addresses. */
  readonly addr: number;
  /** The loops being instrumented, innermost last: whether each holds a call. */
  readonly loops: { hasCall: boolean }[] = [];
  /**
   * While set, region charges are added up here instead of being inserted (a counted loop's
   * unchecked copy, charged once at its entry: meter-counted.ts).
   */
  tally: number[] | null = null;
  private labels = 0;
  private readonly exits: BranchExits;
  /** Scratch locals by type, holding an operand's value while its tail is charged. */
  private readonly scratches = new Map<number, number>();

  constructor(
    readonly ctx: MeterContext,
    private readonly f: Ref,
  ) {
    const i32 = ctx.binaryen.i32;
    this.counter = ctx.binaryen._BinaryenFunctionAddVar(f, i32);
    this.sinceCheck = ctx.binaryen._BinaryenFunctionAddVar(f, i32);
    this.addr = ctx.binaryen._BinaryenFunctionAddVar(f, i32);
    this.exits = new BranchExits(ctx.binaryen, ctx.opts.skip);
  }

  get module(): any {
    return this.ctx.module;
  }

  /** A fresh label number for the function's tick paths. */
  label(): number {
    return this.labels++;
  }

  charge(units: number): Ref {
    const m = this.module;
    return m.local.set(
      this.counter,
      m.i32.add(m.local.get(this.counter, this.ctx.binaryen.i32), m.i32.const(units)),
    );
  }

  /** Whole cycles go to the global; the fraction stays in the counter. */
  flush(): Ref[] {
    const m = this.module;
    const { i32, i64 } = this.ctx.binaryen;
    return [
      m.global.set(
        CYCLES_GLOBAL,
        m.i64.add(
          m.global.get(CYCLES_GLOBAL, i64),
          m.i64.extend_u(m.i32.shr_u(m.local.get(this.counter, i32), m.i32.const(FRACTION_BITS))),
        ),
      ),
      m.local.set(this.counter, m.i32.and(m.local.get(this.counter, i32), m.i32.const(ONE - 1))),
    ];
  }

  /** `e` as an unnamed block (a new one around it if it is not one). */
  asBlock(e: Ref): Ref {
    const b = this.ctx.binaryen;
    if (b.getExpressionId(e) === b.BlockId && !b.Block.getName(e)) return e;
    return this.module.block(null, [e], b.getExpressionType(e));
  }

  /** A scratch local of `type` (tail-charges.ts: its uses never overlap). */
  scratch(type: number): number {
    const known = this.scratches.get(type);
    if (known !== undefined) return known;
    const local: number = this.ctx.binaryen._BinaryenFunctionAddVar(this.f, type);
    this.scratches.set(type, local);
    return local;
  }

  /**
   * Walks an operand of a statement, noting in acc where what follows it stops running
   * whenever the statement starts: after an operand that may branch out of the statement, or
   * that never falls through (tail-charges.ts charges the rest where it runs).
   */
  walk(e: Ref, acc: Acc): Ref {
    const B = this.ctx.binaryen;
    // Asked before the walk: the meter's own loop and tick branches stay inside the operand.
    // Only an operand that branches itself (or holds arms, a block or a loop that do) cuts:
    // one that leaves through an operand of its own was cut there, and what follows that
    // runs exactly when it falls through (one part, however deep the operand sits).
    const cuts =
      OWN_EXITS.has(this.ctx.ids.get(B.getExpressionId(e)) ?? "") && this.exits.leaves(e);
    const next = walkExpression(this, e, acc);
    if (acc.deadAt === undefined) {
      if (B.getExpressionType(next) === B.unreachable) acc.deadAt = acc.cost;
      else if (cuts) acc.splits.push({ after: next, at: acc.cost });
    }
    return next;
  }

  instrumentLoop(loop: Ref): Ref {
    return instrumentLoop(this, loop);
  }

  /**
   * Instruments a block's children in place: a charge at each region start, a flush before
   * statements that call or return. Returns the first region's charge.
   */
  block(b: Ref, loopHead: boolean): number {
    return this.regions(b, loopHead, false).headUnits;
  }

  /**
   * A function body's regions, and its entry check's step (meter.ts): the cost of its
   * statements up to the first call, branches or not. The step only paces the host's ticks
   * (it charges nothing), so it estimates what a call costs rather than the first region's
   * charge, which can be a cycle when the body opens with an early return.
   */
  functionBody(b: Ref): { headUnits: number; entryStep: number } {
    const r = this.regions(b, false, false);
    return { headUnits: r.headUnits, entryStep: Math.round(r.untilCall * ONE) };
  }

  /**
   * `block`, and with `hoistHead` the first region is not charged inside `b` but returned as
   * headCost (cycles) for the enclosing region: a block statement's first region runs whenever
   * the block does (so a loop body wrapped in a named block gets its iteration floor only when
   * its first statements really cost nothing, and a block costs no charge of its own).
   */
  private regions(
    b: Ref,
    loopHead: boolean,
    hoistHead: boolean,
  ): { headUnits: number; headCost: number; untilCall: number; headTail: HeadTail } {
    const binaryen = this.ctx.binaryen;
    const stats = this.ctx.stats;
    const children: Ref[] = binaryen.getExpressionInfo(b).children;
    const inserts: { at: number; exprs: Ref[] }[] = [];
    let regionStart = 0;
    let regionCost = 0;
    let headUnits = 0;
    let headCost = 0;
    let untilCall = 0;
    let headTail: HeadTail = null;
    let tailPending = 0; // units of the head's split tail in the region being added up
    let floorCredit = 0; // 1/16 cycles of the loop head's floor not yet taken back
    let called = false;
    const closeRegion = (end: number): void => {
      if (hoistHead && regionStart === 0) headCost = regionCost;
      else {
        let units = Math.round(regionCost * ONE);
        // Every loop iteration costs at least a cycle, so a loop always reaches its check. An
        // iteration that runs on past a split in its head still costs max(1, head + tail)
        // cycles, as when they were one region: the floor is taken back from the tail.
        if (loopHead && regionStart === 0 && units < ONE) {
          floorCredit = ONE - units;
          units = ONE;
          if (headTail) {
            const back = Math.min(floorCredit, headTail.tailUnits, headTail.units - 1);
            this.setCharge(headTail.charge, headTail.units - back);
            floorCredit -= back;
          }
        }
        if (regionStart === 0) headUnits = units;
        if (units > 0 && this.tally) this.tally.push(units);
        else if (units > 0) {
          const charge = this.charge(units);
          inserts.push({ at: regionStart, exprs: [charge] });
          stats.regions++;
          if (tailPending > 0 && !headTail)
            headTail = { charge, units, tailUnits: Math.min(tailPending, units) };
        }
      }
      tailPending = 0;
      regionStart = end;
      regionCost = 0;
    };
    const blockType = binaryen.getExpressionType(b);
    children.forEach((child, i) => {
      const acc: Acc = { cost: 0, calls: false, splits: [] };
      // Asked before the walk: the meter's own loop and tick branches stay inside the child.
      const leaves = this.exits.leaves(child);
      // Cycles charged at this region's start, and those that run only when the child
      // completes (charged at the next region's start: tail-charges.ts).
      let head: number;
      let tail = 0;
      if (this.isBlockStatement(child)) {
        const inner = this.regions(child, false, true);
        head = inner.headCost;
        if (regionStart === 0) headTail ??= inner.headTail;
      } else {
        const next = walkExpression(this, child, acc);
        if (next !== child) binaryen.Block.setChildAt(b, i, next);
        // The rest may wait for the next region if the child falls through into one (a
        // charge after a block's last child would take the place of its value).
        const followed = i < children.length - 1 || blockType === binaryen.none;
        const completes = binaryen.getExpressionType(next) !== binaryen.unreachable;
        ({ head, next: tail } = placeTailCharges(
          this,
          next,
          acc,
          followed && completes && !acc.calls,
        ));
      }
      regionCost += head;
      if (!called) untilCall += acc.cost;
      called ||= acc.calls;
      if (acc.calls) {
        inserts.push({ at: i, exprs: this.flush() });
        for (const l of this.loops) l.hasCall = true;
      }
      // Calls are where the host looks at the clock, and what follows a statement that may
      // branch past it does not always run: charge what comes after either separately.
      const inHead = regionStart === 0;
      if (leaves || acc.calls) closeRegion(i + 1);
      if (inHead && tail > 0 && regionStart > 0) {
        const back = Math.min(floorCredit, Math.round(tail * ONE));
        tail -= back / ONE;
        tailPending = Math.round(tail * ONE);
      }
      floorCredit = 0;
      regionCost += tail;
    });
    if (regionCost > 0 || regionStart === 0) closeRegion(children.length);
    // Insert from the back so earlier indices stay valid; region heads go before flushes.
    inserts.sort((a, b2) => b2.at - a.at);
    for (const { at, exprs } of inserts) {
      for (let j = exprs.length - 1; j >= 0; j--) binaryen.Block.insertChildAt(b, at, exprs[j]);
    }
    return { headUnits, headCost, untilCall, headTail };
  }

  /** Sets a region charge's units (a `local.set c (c + units)` made by charge()). */
  private setCharge(charge: Ref, units: number): void {
    const B = this.ctx.binaryen;
    B.Const.setValueI32(B.Binary.getRight(B.LocalSet.getValue(charge)), units);
  }

  /** A block as a statement of a block (not one the debug build's hooks hold). */
  private isBlockStatement(e: Ref): boolean {
    const B = this.ctx.binaryen;
    return B.getExpressionId(e) === B.BlockId && !this.ctx.opts.skip?.has(e);
  }
}
