// The second half of the counted-loop proof (verify-counted.ts): what is paid at the loop's
// entry. The loop sits right after its charge, at the start of the then-arm of its guard:
//   (if GUARD (then (local.set c CHARGE) (loop ...) ...))
// With U = step * (n - i) (modulo 2^32, at most the loop's iterations):
//  - CHARGE is c + a*U + h (1 <= a <= 2^24, 0 <= h <= 2^24), modulo 2^32;
//  - GUARD is, or has as an `i32.and` term, `c + a'*U + b < K` in i64 over the zero-extended
//    c and U (a <= a' <= 2^24, 0 <= b, K at most the check limit). Its c may be
//    `local.tee c (c + s)` (0 <= s <= 2^24: the optimizer folds the region's charge in), the
//    only write in it and then its only read of c.
// Where the optimizer knew i (and n) at the entry and folded U to a constant, the verifier
// knows them too, from the straight-line writes before the guard (or a local's zero start):
// then CHARGE is c + Q with U <= Q <= K + 2^24, and GUARD bounds c alone.
// asc's -O1 also propagates copies: after `i = j` (j not written again before the guard) the guard
// and charge may read j for i; the verifier follows such copies of i and n the same way.
// Either way c stays below K before the charge, so the charge cannot wrap the i32 counter and
// pays at least 1/16 cycle per iteration. A guard whose constant alone reaches K never holds
// (a folded trip count that costs more than the limit): the loop never starts unchecked.
import binaryen from "./binaryen.ts";
import { METER_CHECK_LIMIT } from "./meter-abi.ts";
import { childrenOf, expressionKinds } from "./expression-children.ts";
import { constOf, linear, type Linear } from "./verify-linear.ts";
import type { Frame } from "./verify-loops.ts";

const B = binaryen as any;
const KINDS = expressionKinds(B);
const K = BigInt(METER_CHECK_LIMIT);
/** Largest per-iteration charge, entry charge and folded step a counted loop may carry (1/16 cycles). */
const MAX_CHARGE = BigInt(1 << 24);

export interface CountedProof {
  /** The charge statement, `c = c + ...`. */
  charge: number;
  counter: number;
  /** The most the guard's step and the charge add to c. */
  gain: number;
}

type Bound = { local: number } | { value: number };

/** The local writes in `e` (tees included), as [index, expression]. */
function localWrites(e: number, out: [number, number][] = []): [number, number][] {
  const kind = KINDS.get(B.getExpressionId(e));
  if (!kind || kind === "Nop" || kind === "Unreachable") return out;
  const x = B.getExpressionInfo(e);
  if (kind === "LocalSet") out.push([x.index, e]);
  for (const k of childrenOf(kind, x)) if (k) localWrites(k, out);
  return out;
}

/** What straight-line code before the guard makes a local: a constant, or a copy of another local. */
type Known = { value: bigint } | { copy: number };

/**
 * What `local` holds where the node under `ancestors[from]` starts, if straight-line code
 * before it (in its blocks, up to the function's start or a loop) sets it to a constant, or to
 * another local that nothing after that set (up to the node) writes.
 */
function knownAt(local: number, ancestors: Frame[], from: number, params: number): Known | null {
  // Code run between the set and the node: a copy holds only if none of it writes the source.
  const passed: number[] = [];
  for (let level = from; level >= 0; level--) {
    const f = ancestors[level];
    if (f.kind === "Loop") return null; // its head is entered again
    if (f.kind === "If") {
      if (f.index === 0) continue;
      const cond = B.getExpressionInfo(f.ref).condition;
      if (localWrites(cond).some(([l]) => l === local)) return null;
      passed.push(cond);
      continue;
    }
    if (f.kind !== "Block") return null;
    const kids: number[] = B.getExpressionInfo(f.ref).children;
    for (let j = f.index - 1; j >= 0; j--) {
      const ws = localWrites(kids[j]).filter(([l]) => l === local);
      if (!ws.length) {
        passed.push(kids[j]);
        continue;
      }
      if (ws.length !== 1 || ws[0][1] !== kids[j]) return null;
      const value = B.getExpressionInfo(kids[j]).value;
      if (B.getExpressionId(value) === B.ConstId)
        return { value: BigInt.asUintN(32, constOf(value)!) };
      if (B.getExpressionId(value) !== B.LocalGetId) return null;
      // The optimizer propagates such copies: the guard may read the source for the local.
      const source = B.getExpressionInfo(value).index;
      if (source === local || passed.some((p) => localWrites(p).some(([l]) => l === source)))
        return null;
      return { copy: source };
    }
  }
  return local >= params ? { value: 0n } : null; // a function's own locals start at zero
}

export function entryCharge(
  loop: { ref: number; ancestors: Frame[] },
  t: { i: number; n: Bound; step: 1 | -1 },
  writesInside: Map<number, number>,
  checkCounters: Set<number>,
  params: number,
): CountedProof | string {
  const ancestors = loop.ancestors;
  const holder = ancestors.at(-1);
  const arm = ancestors.at(-2);
  if (!holder || holder.kind !== "Block" || holder.index !== 1)
    return "it is not entered right after its charge";
  if (!arm || arm.kind !== "If" || arm.index !== 1) return "it is not entered under its guard";
  const charge = B.getExpressionInfo(holder.ref).children[0];
  if (B.getExpressionId(charge) !== B.LocalSetId) return "it is not entered right after its charge";
  const c = B.getExpressionInfo(charge).index;
  if (c === t.i || ("local" in t.n && c === t.n.local)) return "its charge counts on its own index";
  if (writesInside.has(c)) return "it writes its meter counter";
  for (const local of writesInside.keys())
    if (checkCounters.has(local)) return "it writes a loop's meter counter";

  // The guard: its one write may be the tee of c, by a constant step.
  const test = B.getExpressionInfo(arm.ref).condition;
  const writes = localWrites(test);
  let s = 0n;
  let tee: number | null = null;
  if (writes.length > 1) return "its guard writes locals";
  if (writes.length === 1) {
    const [l, w] = writes[0];
    const step = l === c ? linear(B.getExpressionInfo(w).value, 32, (r) => getOf(r, c)) : null;
    if (!step || step.terms.size !== 1 || step.terms.get(c) !== 1n || step.k > MAX_CHARGE)
      return "its guard writes a local";
    s = step.k;
    tee = w;
  }
  // i and n where the guard starts, when straight-line code before it makes them constants or
  // copies of other locals (read as those; not of c, which the guard and the charge write).
  const known = new Map<number, Known>();
  for (const l of [t.i, "local" in t.n ? t.n.local : -1]) {
    if (l < 0) continue;
    const v = knownAt(l, ancestors, ancestors.length - 3, params);
    if (v !== null && !("copy" in v && v.copy === c)) known.set(l, v);
  }
  const leaf32 = (r: number): number | { value: bigint } | null => {
    if (B.getExpressionId(r) !== B.LocalGetId) return null;
    const l = B.getExpressionInfo(r).index;
    const v = l === c ? undefined : known.get(l);
    return v === undefined ? l : "copy" in v ? v.copy : v;
  };
  const mod32 = (x: bigint): bigint => BigInt.asUintN(32, x);
  // U = step * (n - i) as a linear form (a constant when i and n are known).
  const st = BigInt(t.step);
  const uTerms = new Map<number, bigint>();
  let uK = 0n;
  const addTerm = (l: number, coef: bigint) => {
    const v = known.get(l);
    if (v && "value" in v) uK = mod32(uK + coef * v.value);
    else {
      const at = v ? v.copy : l;
      const sum = mod32((uTerms.get(at) ?? 0n) + coef);
      if (sum === 0n) uTerms.delete(at);
      else uTerms.set(at, sum);
    }
  };
  addTerm(t.i, -st);
  if ("local" in t.n) addTerm(t.n.local, st);
  else uK = mod32(uK + st * BigInt(t.n.value));
  const isU = (f: Linear | null): boolean =>
    !!f && f.k === uK && sameTerms(f.terms, uTerms) && uTerms.size > 0;

  const paid = linear(B.getExpressionInfo(charge).value, 32, leaf32);
  if (!paid) return "its charge is not c + a*U + h";
  const wideLeaf = (r: number): string | { value: bigint } | null => {
    if (r === tee) return "c";
    if (B.getExpressionId(r) !== B.UnaryId) return null;
    const x = B.getExpressionInfo(r);
    if (x.op !== B.ExtendUInt32) return null;
    // With a tee of c, a read of c elsewhere in the guard is c before or after it: two values
    // under one name, whose merged coefficient (2c - (c + s)) would bound neither. Refused.
    if (x.value === tee) return "c";
    if (getOf(x.value, c) === c) return tee === null ? "c" : null;
    const f = linear(x.value, 32, leaf32);
    if (f && f.terms.size === 0) return { value: f.k };
    return isU(f) ? "u" : null;
  };
  const guard = guardOf(test, wideLeaf);
  if (!guard) return "its guard does not keep c + a*U below the meter's limit";
  const gc = guard.terms.get("c") ?? 0n;
  const gu = guard.terms.get("u") ?? 0n;
  if (gc !== 1n || [...guard.terms.keys()].some((v) => v !== "c" && v !== "u"))
    return "its guard does not keep c + a*U below the meter's limit";
  // A trip count the optimizer folded to a constant may cost more than the limit: then
  // c + a'*U + b (c and U zero-extended, a' <= 2^24: no wrap in i64) never falls below it,
  // the guard never holds and the unchecked loop never starts; its checked copy runs instead.
  if (guard.k >= K && guard.k < 1n << 63n && gu <= MAX_CHARGE)
    return { charge, counter: c, gain: Number(s) };
  if (guard.k > K) return "its guard does not keep c + a*U below the meter's limit";

  if (uTerms.size === 0) {
    // U is the constant uK: the charge is c + Q with U <= Q, bounded.
    const q = paid.k;
    if (!sameTerms(paid.terms, new Map([[c, 1n]])) || q < uK || q > K + MAX_CHARGE)
      return `its charge is not c + Q with Q at least its ${uK} iterations`;
    return { charge, counter: c, gain: Number(s + q) };
  }
  // a from the coefficient of one of U's terms (they are +-1, their own inverses).
  const [v0, u0] = [...uTerms][0];
  const a = mod32((paid.terms.get(v0) ?? 0n) * u0);
  const h = mod32(paid.k - a * uK);
  const want = new Map<number, bigint>([[c, 1n]]);
  for (const [v, x] of uTerms) want.set(v, mod32(a * x));
  if (a < 1n || a > MAX_CHARGE || h > MAX_CHARGE || !sameTerms(paid.terms, want))
    return "its charge is not c + a*U + h";
  if (gu < a || gu > MAX_CHARGE) return "its guard does not keep c + a*U below the meter's limit";
  return { charge, counter: c, gain: Number(s + K + h) };
}

/** `local.get c` reads c (the tee's value form). */
function getOf(r: number, c: number): number | null {
  return B.getExpressionId(r) === B.LocalGetId && B.getExpressionInfo(r).index === c ? c : null;
}

function sameTerms(a: Map<number | string, bigint>, b: Map<number | string, bigint>): boolean {
  const nonzero = (m: Map<number | string, bigint>) => [...m].filter(([, x]) => x !== 0n);
  const x = nonzero(a);
  return x.length === nonzero(b).length && x.every(([v, k]) => b.get(v) === k);
}

/** The guard `X < K` (K at most the check limit), from an if's test or a term of its `i32.and`. */
function guardOf(
  cond: number,
  leaf: (r: number) => string | { value: bigint } | null,
): Linear | null {
  if (B.getExpressionId(cond) !== B.BinaryId) return null;
  const x = B.getExpressionInfo(cond);
  if (x.op === B.AndInt32) return guardOf(x.left, leaf) ?? guardOf(x.right, leaf);
  if (x.op !== B.LtUInt64 || B.getExpressionId(x.right) !== B.ConstId) return null;
  const k = constOf(x.right);
  if (k === null || BigInt.asUintN(64, k) > K) return null;
  return linear(x.left, 64, leaf);
}
