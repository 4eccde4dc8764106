// The HAL contract as the loader checks it: hal/hal.wit parsed at run time into the core
// wasm imports a firmware may have (module "tinyboard:hal/<interface>@<version>", function
// name, and the flat signature the canonical ABI lowers its WIT types to). Read from the
// file, not copied, so a change to hal.wit (a new interface, a changed function) reaches
// the check without editing it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const WIT_FILE = fileURLToPath(new URL("../../hal/hal.wit", import.meta.url));

/** Core wasm value types, as the binary and binaryen name them. */
export type CoreType = "i32" | "i64" | "f32" | "f64";

export interface HalFunction {
  params: CoreType[];
  results: CoreType[];
}

export interface HalContract {
  /** Import module -> function name -> signature (null-prototype maps: own names only). */
  imports: Map<string, Map<string, HalFunction>>;
  /** Exports the world asks of the firmware (name -> signature). */
  exports: Map<string, HalFunction>;
}

// How the canonical ABI passes each primitive WIT type in core wasm.
const FLAT: Record<string, CoreType> = {
  bool: "i32",
  u8: "i32",
  s8: "i32",
  u16: "i32",
  s16: "i32",
  u32: "i32",
  s32: "i32",
  char: "i32",
  u64: "i64",
  s64: "i64",
  f32: "f32",
  f64: "f64",
  float32: "f32",
  float64: "f64",
};

function flat(type: string, where: string): CoreType {
  const t = FLAT[type.trim()];
  if (!t)
    throw new Error(
      `hal.wit: ${where} uses type '${type.trim()}', which the image loader cannot check (only primitive types are lowered)`,
    );
  return t;
}

/** `func(a: u32, b: u64) -> s32` -> its flat core signature. */
function signature(text: string, where: string): HalFunction {
  const m = /^func\s*\(([^)]*)\)\s*(?:->\s*(.+))?$/.exec(text.trim());
  if (!m) throw new Error(`hal.wit: cannot read the signature of ${where}: ${text.trim()}`);
  const params = m[1]
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => flat(p.slice(p.indexOf(":") + 1), where));
  const results = m[2] ? [flat(m[2], where)] : [];
  return { params, results };
}

export function parseHalWit(source: string): HalContract {
  const text = source.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const pkg = /package\s+([\w-]+):([\w-]+)(?:@([\w.-]+))?\s*;/.exec(text);
  if (!pkg) throw new Error("hal.wit: no package declaration");
  const version = pkg[3] ? `@${pkg[3]}` : "";
  const interfaces = new Map<string, Map<string, HalFunction>>();
  for (const m of text.matchAll(/interface\s+([\w-]+)\s*\{([^}]*)\}/g)) {
    const fns = new Map<string, HalFunction>();
    for (const item of m[2]
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const colon = item.indexOf(":");
      const name = item.slice(0, colon).trim();
      if (colon < 0 || !/^[a-z][\w-]*$/.test(name))
        throw new Error(`hal.wit: cannot read '${item}' in interface ${m[1]}`);
      fns.set(name, signature(item.slice(colon + 1), `${m[1]}.${name}`));
    }
    interfaces.set(m[1], fns);
  }
  const world = /world\s+firmware\s*\{([^}]*)\}/.exec(text);
  if (!world) throw new Error("hal.wit: no world 'firmware'");
  const imports = new Map<string, Map<string, HalFunction>>();
  const exports = new Map<string, HalFunction>();
  for (const item of world[1]
    .split(";")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const imp = /^import\s+([\w-]+)$/.exec(item);
    if (imp) {
      const fns = interfaces.get(imp[1]);
      if (!fns) throw new Error(`hal.wit: world firmware imports unknown interface ${imp[1]}`);
      imports.set(`${pkg[1]}:${pkg[2]}/${imp[1]}${version}`, fns);
      continue;
    }
    const exp = /^export\s+([\w-]+)\s*:\s*(func.*)$/.exec(item);
    if (exp) {
      exports.set(exp[1], signature(exp[2], `export ${exp[1]}`));
      continue;
    }
    throw new Error(`hal.wit: cannot read '${item}' in world firmware`);
  }
  return { imports, exports };
}

let cached: HalContract | undefined;

/** The contract of the project's hal/hal.wit (read once per process). */
export function halContract(): HalContract {
  return (cached ??= parseHalWit(readFileSync(WIT_FILE, "utf8")));
}
