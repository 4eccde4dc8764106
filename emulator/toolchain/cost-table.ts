// Per-core cycle cost tables (boards/cores/*.json) and the mapping from binaryen
// operators to the table's keys. Costs are averages per wasm operator, derived from the
// cores' published instruction timings (see docs/cost-model.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export interface CostTable {
  core: string;
  isa: string;
  fpu: string;
  dsp: boolean;
  sources: { id: string; title: string; doc?: string; sections?: string }[];
  cycles: Record<string, number>;
  why: Record<string, string>;
}

const CORES_DIR = fileURLToPath(new URL("../../boards/cores/", import.meta.url));

export function loadCostTable(core: string): CostTable {
  const file = path.join(CORES_DIR, `${core}.json`);
  let table: CostTable;
  try {
    table = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`no cost table for core '${core}' (${file}): ${(e as Error).message}`);
  }
  for (const [k, v] of Object.entries(table.cycles ?? {})) {
    if (typeof v !== "number" || !(v >= 0))
      throw new Error(`cost table ${core}: '${k}' is not a cycle count`);
  }
  if (table.cycles?.default === undefined) throw new Error(`cost table ${core}: missing 'default'`);
  return table;
}

/** Classifies a binaryen Unary/Binary/SIMD operator by its constant's name. */
export function classifyOperator(name: string): string {
  const vec = /Vec|I8x16|I16x8|I32x4|I64x2|F32x4|F64x2|V128|Vec128/.test(name);
  if (vec) return classifyVector(name);
  const f64 = name.includes("Float64");
  const f32 = name.includes("Float32");
  if (/^Trunc(Float32|Float64)$/.test(name)) return f64 ? "f64.round" : "f32.round";
  if (/^(Convert|Trunc|Demote|Promote|Reinterpret)/.test(name))
    return f64 ? "f64.convert" : "f32.convert";
  if (f32 || f64) {
    const p = f64 ? "f64" : "f32";
    if (name.startsWith("Mul")) return `${p}.mul`;
    if (name.startsWith("Div")) return `${p}.div`;
    if (name.startsWith("Sqrt")) return `${p}.sqrt`;
    if (/^(Ceil|Floor|Nearest)/.test(name)) return `${p}.round`;
    return `${p}.add`;
  }
  if (name.endsWith("Int64")) {
    if (/^(Shl|ShrS|ShrU|RotL|RotR)/.test(name)) return "i64.shift";
    if (name.startsWith("Mul")) return "i64.mul";
    if (/^(Div|Rem)/.test(name)) return "i64.div";
    if (/^(Clz|Ctz|Popcnt)/.test(name)) return "i64.bitcount";
    if (/^Extend[SU]Int32/.test(name)) return "i64.extend";
    if (name === "WrapInt64") return "i32.alu";
    return "i64.alu";
  }
  if (/^Extend[SU]Int32$/.test(name)) return "i64.extend";
  if (name.startsWith("Mul")) return "i32.mul";
  if (name.startsWith("Div")) return "i32.div";
  if (name.startsWith("Rem")) return "i32.rem";
  if (name.startsWith("Clz")) return "i32.clz";
  if (name.startsWith("Ctz")) return "i32.ctz";
  if (name.startsWith("Popcnt")) return "i32.popcnt";
  return "i32.alu";
}

function classifyVector(name: string): string {
  if (/^(And|Or|Xor|AndNot|Not)Vec128$/.test(name) || name === "BitselectVec128")
    return "v128.bitwise";
  if (/^(AnyTrue|AllTrue|Bitmask)/.test(name)) return "v128.any_true_bitmask";
  if (name.includes("F64x2")) {
    if (name.startsWith("Mul")) return "f64x2.mul";
    if (name.startsWith("Div")) return "f64x2.div";
    if (/^(Convert|Trunc|Demote|Promote)/.test(name) && !/^TruncVec/.test(name))
      return "f32x4.convert";
    return "f64x2.add";
  }
  if (name.includes("F32x4") && !/^(Convert|Trunc|Narrow|Extend)/.test(name)) {
    if (name.startsWith("Mul")) return "f32x4.mul";
    if (name.startsWith("Div")) return "f32x4.div";
    if (name.startsWith("Sqrt")) return "f32x4.sqrt";
    if (/^(Min|Max|PMin|PMax)/.test(name)) return "f32x4.minmax";
    return "f32x4.add";
  }
  if (/^(Convert|Trunc|Demote|Promote)/.test(name)) return "f32x4.convert";
  if (name.startsWith("Splat")) return "simd.splat";
  if (/^Extract/.test(name)) return "simd.extract_lane";
  if (/^Replace/.test(name)) return "simd.replace_lane";
  if (/^(Swizzle|Shuffle|RelaxedSwizzle)/.test(name)) return "simd.shuffle";
  if (name.startsWith("Dot")) return "i32x4.dot_i16x8_s";
  if (name.startsWith("ExtMul")) return "i16x8.extmul";
  if (name.startsWith("ExtAddPairwise")) return "i16x8.extadd_pairwise";
  if (name.startsWith("Extend")) return "simd.extend";
  if (name.startsWith("Narrow")) return "simd.narrow";
  if (/^(Shl|ShrS|ShrU)/.test(name)) return "simd.shift";
  if (/^(Eq|Ne|Lt|Gt|Le|Ge)/.test(name)) return "simd.compare";
  if (/^(Min|Max)/.test(name)) return "simd.minmax";
  if (/^(Abs|Neg)/.test(name)) return "simd.abs_neg";
  if (name.startsWith("Avgr")) return "simd.avgr";
  if (name.startsWith("Q15Mulr")) return "i16x8.mul";
  if (name.startsWith("Mul")) {
    if (name.includes("I16x8")) return "i16x8.mul";
    if (name.includes("I32x4")) return "i32x4.mul";
    if (name.includes("I8x16")) return "i8x16.mul_like";
    return "i32x4.mul";
  }
  if (/^(Add|Sub)/.test(name)) {
    if (name.includes("I8x16")) return "i8x16.add";
    if (name.includes("I16x8")) return "i16x8.add";
    if (name.includes("I64x2")) return "i64x2.add";
    return "i32x4.add";
  }
  return "default";
}

/** Maps binaryen Unary and Binary operator numbers (separate number spaces) to cost keys. */
export function operatorKeys(binaryen: Record<string, unknown>): {
  unary: Map<number, string>;
  binary: Map<number, string>;
} {
  const unary = new Map<number, string>();
  const binary = new Map<number, string>();
  const shaped = /(Int32|Int64|Float32|Float64|Vec128|I8x16|I16x8|I32x4|I64x2|F32x4|F64x2)\w*$/;
  const unaryOp =
    /^(Clz|Ctz|Popcnt|Neg|Abs|Ceil|Floor|Trunc|Nearest|Sqrt|EqZ|Extend|Wrap|Convert|Demote|Promote|Reinterpret|Splat|Not|AnyTrue|AllTrue|Bitmask|ExtAddPairwise|RelaxedTrunc)/;
  const binaryOp =
    /^(Add|Sub|Mul|Div|Rem|And|Or|Xor|Shl|Shr|Rot|Eq|Ne|Lt|Gt|Le|Ge|Min|Max|CopySign|Dot|ExtMul|Narrow|Avgr|Q15|Swizzle|PMin|PMax|RelaxedSwizzle|RelaxedMin|RelaxedMax|RelaxedQ15|AndNot)/;
  // Operators of other expression kinds (SIMD shifts, lane ops, ternaries, loads, wide
  // multiplies) have number spaces of their own; they are charged by expression kind.
  const otherKind =
    /^(Extract|Replace|Load|Store|Atomic|Shuffle|Bitselect|Relaxed(Madd|Nmadd|Laneselect)|MulWide|AddWide|SubWide|(Shl|ShrS|ShrU)Vec|DotI8x16I7x16AddS)/;
  const seen = { unary: new Map<number, string>(), binary: new Map<number, string>() };
  for (const [name, value] of Object.entries(binaryen)) {
    if (
      typeof value !== "number" ||
      name.endsWith("Id") ||
      !shaped.test(name) ||
      otherKind.test(name)
    )
      continue;
    const kind = unaryOp.test(name) ? "unary" : binaryOp.test(name) ? "binary" : null;
    if (!kind) continue;
    const clash = seen[kind].get(value);
    if (clash)
      throw new Error(
        `binaryen ${kind} operators ${clash} and ${name} share number ${value}: update operatorKeys`,
      );
    seen[kind].set(value, name);
    (kind === "unary" ? unary : binary).set(value, classifyOperator(name));
  }
  return { unary, binary };
}
