// Integer expressions read as linear forms, for the verifier's counted-loop proof
// (verify-counted.ts): the charge and the guard the optimizer has rearranged (constants folded,
// `(32 - i) * 198 + 44` as `(0 - i) * 198 + 6380`, multiplications by powers of two as shifts)
// are recognised by their value, not their shape. Wasm's i32 and i64 add, sub, mul and shl are
// exact modulo 2^32 and 2^64, so a form computed modulo that power is the expression's value.
import binaryen from "./binaryen.ts";

const B = binaryen as any;

/** sum(coefficient x local) + k, modulo 2^bits (locals by index; "u" and "c" in i64 forms). */
export interface Linear {
  terms: Map<number | string, bigint>;
  k: bigint;
}

export function constOf(r: number): bigint | null {
  const v = B.getExpressionInfo(r).value;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v | 0);
  if (v && typeof v === "object") return (BigInt(v.high | 0) << 32n) | BigInt(v.low >>> 0);
  return null;
}

const mod = (x: bigint, bits: 32 | 64): bigint => BigInt.asUintN(bits, x);

function combine(a: Linear, b: Linear, sign: 1n | -1n, bits: 32 | 64): Linear {
  const terms = new Map(a.terms);
  for (const [v, x] of b.terms) terms.set(v, mod((terms.get(v) ?? 0n) + sign * x, bits));
  for (const [v, x] of terms) if (x === 0n) terms.delete(v);
  return { terms, k: mod(a.k + sign * b.k, bits) };
}

function scale(a: Linear, s: bigint, bits: 32 | 64): Linear {
  const terms = new Map<number | string, bigint>();
  for (const [v, x] of a.terms) if (mod(x * s, bits) !== 0n) terms.set(v, mod(x * s, bits));
  return { terms, k: mod(a.k * s, bits) };
}

/**
 * An i32 (bits 32) or i64 (bits 64) expression as a linear form of the leaves `leaf` names
 * (locals, or zero-extended i32 values in i64) or values (known constants), modulo 2^bits;
 * null for anything else.
 */
export function linear(
  e: number,
  bits: 32 | 64,
  leaf: (r: number) => number | string | { value: bigint } | null,
): Linear | null {
  const id = B.getExpressionId(e);
  if (id === B.ConstId) {
    const k = constOf(e);
    return k === null ? null : { terms: new Map(), k: mod(k, bits) };
  }
  const name = leaf(e);
  if (name !== null && typeof name === "object")
    return { terms: new Map(), k: mod(name.value, bits) };
  if (name !== null) return { terms: new Map([[name, 1n]]), k: 0n };
  if (id !== B.BinaryId) return null;
  const x = B.getExpressionInfo(e);
  const ops =
    bits === 32
      ? { add: B.AddInt32, sub: B.SubInt32, mul: B.MulInt32, shl: B.ShlInt32 }
      : { add: B.AddInt64, sub: B.SubInt64, mul: B.MulInt64, shl: B.ShlInt64 };
  if (![ops.add, ops.sub, ops.mul, ops.shl].includes(x.op)) return null;
  const a = linear(x.left, bits, leaf);
  const b = a && linear(x.right, bits, leaf);
  if (!a || !b) return null;
  if (x.op === ops.add) return combine(a, b, 1n, bits);
  if (x.op === ops.sub) return combine(a, b, -1n, bits);
  if (x.op === ops.mul) {
    if (!b.terms.size) return scale(a, b.k, bits);
    if (!a.terms.size) return scale(b, a.k, bits);
    return null;
  }
  // shl: wasm takes the shift count modulo the width.
  if (b.terms.size) return null;
  return scale(a, 1n << (b.k % BigInt(bits)), bits);
}
