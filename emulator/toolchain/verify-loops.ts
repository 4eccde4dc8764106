// The image verifier's rules for one function's code (verify-image.ts checks the module): only
// the instruction kinds builds emit, no tail calls or atomics, `tb_cycles` only ever grows, and
// every loop reaches the host, checked on a counter that cannot wrap, or ticking.
import binaryen from "./binaryen.ts";
import { CYCLES_GLOBAL, METER_CHECK_LIMIT } from "./meter-abi.ts";
import { childrenOf } from "./expression-children.ts";
import { leadsToTick } from "./tick-path.ts";
import type { GlobalWrite } from "./verify-recursion.ts";
import { provedCounted, type CountedProof } from "./verify-counted.ts";
import { exitBlock, grows, isTickOf, loopCheck, stepGrowth } from "./verify-patterns.ts";

const B = binaryen as any;

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

export interface Frame {
  kind: string;
  name: string | null;
  ref: number;
  parent: number;
  index: number;
}

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
export function checkFunction(
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
  // Loops without a check: counted (their trip count proven and paid at entry), or ticking.
  const checkCounters = new Set<number>();
  for (const on of checkedOn.values()) if (on !== null) checkCounters.add(on);
  const counted = new Map<number, CountedProof | string>();
  const countedCharges = new Map<number, number>(); // charge statement -> its largest gain
  for (const loop of loops) {
    if (checkedOn.get(loop.ref) !== null) continue;
    const inside = (path: Frame[]) => path.some((f) => f.ref === loop.ref);
    const writesInside = new Map<number, number>();
    for (const w of localWrites)
      if (inside(w.path)) writesInside.set(w.local, (writesInside.get(w.local) ?? 0) + 1);
    const proof = provedCounted(
      loop,
      writesInside,
      (label) => branches.filter((b) => b.target === label).length,
      loops.some((l) => l !== loop && inside(l.ancestors)),
      checkCounters,
      B.expandType(info.params).length,
    );
    counted.set(loop.ref, proof);
    if (typeof proof !== "string") countedCharges.set(proof.charge, proof.gain);
  }

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
        const k = stepGrowth(w.ref, check.local) ?? countedCharges.get(w.ref) ?? null;
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
    const proof = counted.get(loop.ref);
    if (proof !== undefined && typeof proof !== "string") continue;
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
        return `a loop (${name}) never reaches the host (no meter check, no tick, and no proven trip count: ${proof ?? "it is checked"}): the code was not metered`;
    }
  }
  return null;
}
