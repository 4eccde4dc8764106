// Large JavaScript packages imported through tsx's loader are slow: tsx reads each file,
// attaches a source map, and V8 compiles the result (binaryen: ~30 CPU s instead of ~1 s;
// asc ~20 s; jco ~1 s). Imported under a tsx namespace nobody registered, a package and what
// it imports reach Node untouched. Use for node_modules JavaScript only, never for our .ts.
// The compiled CLI has no loader: a package's own URL is then the one its importers get.
import v8 from "node:v8";
import { COMPILED } from "../compiled.ts";

export function importNative<T = any>(specifier: string): Promise<T> {
  const url = import.meta.resolve(specifier);
  return import(COMPILED ? url : `${url}?tsx-namespace=native`);
}

// V8 starts wasm in its baseline compiler (Liftoff) and recompiles a function with TurboFan
// once it has run a budget of code. binaryen is 10 MB of wasm of which a build or an image check
// runs a little of a lot: the recompiles cost more than they save (a trivial fixture's build:
// 5.5 CPU s with them, 3.1 s without; fan-monitor's 27 -> 23 s; identical output). The budget is
// read when a module is instantiated, so binaryen is instantiated with an unreachable one and the
// default is put back for the firmware the emulator runs (which does gain from TurboFan).
const NO_TIER_UP_BUDGET = 2_000_000_000;
/** V8's default --wasm-tiering-budget (Node 20, V8 11.3: `node --v8-options`), or the one given. */
const DEFAULT_BUDGET = (() => {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)]
    .map((a) => /^--wasm[-_]tiering[-_]budget=(\d+)$/.exec(a))
    .find(Boolean);
  return given ? Number(given[1]) : 1_800_000;
})();
let importing = 0;

/** importNative for a package that instantiates a large wasm tool (binaryen, asc's binaryen):
 *  its wasm stays in Liftoff. A firmware module instantiated while the import runs would too:
 *  slower, never different (cycles are metered, not timed). */
export async function importWasmTool<T = any>(specifier: string): Promise<T> {
  if (importing++ === 0) v8.setFlagsFromString(`--wasm-tiering-budget=${NO_TIER_UP_BUDGET}`);
  try {
    return await importNative<T>(specifier);
  } finally {
    if (--importing === 0) v8.setFlagsFromString(`--wasm-tiering-budget=${DEFAULT_BUDGET}`);
  }
}
