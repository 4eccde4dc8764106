// A stopped statement's local as the source declares it: the raw wasm value a statement hook
// passed, read as its AssemblyScript type (small integers are kept unwrapped in wasm locals
// until used, so `u8` is masked; references are addresses), and its text for the debugger.
import type { LocalView } from "../toolchain/line-hooks.ts";

export interface LocalValue {
  name: string;
  /** The source's type (`i32`, `u8`, `bool`, `f32`, a class) or, without one, the wasm type. */
  type: string;
  /** null: not available (a v128 local cannot be passed to the host). */
  value: number | bigint | null;
}

const SIGNED = new Set(["i8", "i16", "i32", "isize", "i64"]);
const UNSIGNED = new Set(["u8", "u16", "u32", "usize", "u64", "bool"]);
const WIDTH: Record<string, number> = { i8: 8, u8: 8, i16: 16, u16: 16, bool: 1 };

/** Whether the type is a class or another reference: shown as an address. */
const isReference = (type: string) =>
  !SIGNED.has(type) && !UNSIGNED.has(type) && type !== "f32" && type !== "f64";

export function localValue(view: LocalView, raw: number | bigint | undefined): LocalValue {
  const out = { name: view.name, type: view.type };
  if (raw === undefined || view.wasm === "v128") return { ...out, value: null };
  if (typeof raw === "bigint")
    return { ...out, value: view.type === "u64" ? BigInt.asUintN(64, raw) : raw };
  if (view.wasm === "f32" || view.wasm === "f64") return { ...out, value: raw };
  const bits = WIDTH[view.type];
  if (bits) {
    const unsigned = UNSIGNED.has(view.type);
    const shift = 32 - bits;
    return { ...out, value: unsigned ? (raw << shift) >>> shift : (raw << shift) >> shift };
  }
  const unsigned = UNSIGNED.has(view.type) || isReference(view.type);
  return { ...out, value: unsigned ? raw >>> 0 : raw | 0 };
}

/** The value's text: `hex` adds the bits in hex to integers (the REPL), as DAP shows them plain. */
export function formatLocal(v: LocalValue, hex: boolean): string {
  if (v.value === null) return "unavailable (v128)";
  if (v.type === "bool") return v.value ? "true" : "false";
  if (typeof v.value === "number" && !Number.isInteger(v.value)) return String(v.value);
  if (v.type === "f32" || v.type === "f64") return String(v.value);
  const bits = v.type === "i64" || v.type === "u64" || typeof v.value === "bigint" ? 64 : 32;
  const digits = BigInt.asUintN(bits, BigInt(v.value)).toString(16);
  if (isReference(v.type)) return `0x${digits}`;
  return hex ? `${v.value} (0x${digits})` : String(v.value);
}
