// Statement hooks of a debug-lines build (`tinyboard build --debug-lines`): before every
// statement of firmware code (every child of a block in binaryen's IR, after the optimisation
// that precedes metering) the pass inserts
//
//   (if (global.get $tb_debug_lines)                       ;; 0 unless a debugger wants lines
//     (if (call $line (i32.const ID))                      ;; host: stop here?
//       (then (call $local-i32 (i32.const SLOT) (local.get N)) ...   ;; spill the named locals
//             (call $stop (i32.const ID)))))                ;; host: stopped until resumed
//
// Design (why this shape):
// - Cycles: the pass runs before the meter, and the meter skips the hook expressions (charges
//   nothing, does not end a region or flush for them), so the debug-lines build charges exactly
//   the release build's cycles; the optimisation after metering only tidies semantics-preserving
//   code, and the hook changes neither the counter nor tb_cycles. The release build gets no pass.
// - Speed: with no debugger interested the hook is a global load and a branch. With line
//   breakpoints or line stepping the host sees every statement (one call), and locals are only
//   spilled when the host says it stops (conditions and logpoints need them too).
// - Locals: a host cannot read wasm locals, so the hook passes them: each
//   argument of the function (i32/i64/f32/f64) goes to the host by slot number before `stop`
//   (arguments only: the optimiser that runs before metering merges the other locals and
//   drops their names, and spilling them everywhere cost too much wall time).
//   Slot -> name and type is a per-function table written into the source map (below).
// - Lines: the `line` call carries a debug location in a synthetic file with the hook's ID as
//   its line; after asc writes the source map, resolveHookLines() gives every hook the source
//   line of the first real mapping after it (the statement it stands before) and rewrites the
//   hook's mapping to that line, so fault reports and backtraces see ordinary source lines.

import { SourceMapConsumer, SourceMapGenerator } from "source-map";

export const DEBUG_MODULE = "tinyboard:debug";
export const DEBUG_LINES_GLOBAL = "tb_debug_lines";
/** The debug module's host functions and their signatures (checked at load, like the HAL's). */
export const DEBUG_IMPORTS: Record<
  string,
  { params: ("i32" | "i64" | "f32" | "f64")[]; results: "i32"[] }
> = Object.assign(Object.create(null), {
  line: { params: ["i32"], results: ["i32"] },
  stop: { params: ["i32"], results: [] },
  "local-i32": { params: ["i32", "i32"], results: [] },
  "local-i64": { params: ["i32", "i64"], results: [] },
  "local-f32": { params: ["i32", "f32"], results: [] },
  "local-f64": { params: ["i32", "f64"], results: [] },
});
// asc fills the map's sourcesContent from the program's sources, so the hooks' mappings name a
// file every build compiles; the column (no source line is that long) marks them as hooks.
const HOOK_FILE = "hal/system.ts";
const HOOK_COLUMN = 65535;
/** Source map field holding the hook table (source maps allow x_ extensions). */
export const LINE_TABLE_FIELD = "x_tinyboard_lines";
/** At most this many arguments are spilled per function. */
const MAX_LOCALS = 16;

export interface LineTable {
  /** Per function with hooks: its name and spilled locals (slot = index in `locals`). */
  functions: { name: string; locals: { name: string; type: "i32" | "i64" | "f32" | "f64" }[] }[];
  /** Per hook ID (index): [function index, file index or -1, line]. Filled by resolveHookLines. */
  hooks: [number, number, number][];
  files: string[];
}

export interface HookPass {
  /** The hook expressions: the meter leaves them alone. */
  hooks: Set<number>;
  table: LineTable;
}

/** Argument names per function (before the optimiser clears them), with the signature they belong to. */
export type ArgumentNames = Map<string, { params: number; names: string[] }>;

export function recordArgumentNames(binaryen: any, module: any): ArgumentNames {
  const out: ArgumentNames = new Map();
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = module.getFunctionByIndex(i);
    const info = binaryen.getFunctionInfo(f);
    if (info.module) continue;
    const n = binaryen.expandType(info.params).length;
    out.set(info.name, {
      params: info.params,
      names: Array.from({ length: n }, (_, l) =>
        binaryen.Function.hasLocalName(f, l) ? binaryen.Function.getLocalName(f, l) : `arg${l}`,
      ),
    });
  }
  return out;
}

export function insertLineHooks(
  binaryen: any,
  module: any,
  argumentNames: ArgumentNames,
): HookPass {
  const { i32, i64, f32, f64, none } = binaryen;
  const typeName = new Map<number, "i32" | "i64" | "f32" | "f64">([
    [i32, "i32"],
    [i64, "i64"],
    [f32, "f32"],
    [f64, "f64"],
  ]);
  module.addGlobal(DEBUG_LINES_GLOBAL, i32, true, module.i32.const(0));
  module.addGlobalExport(DEBUG_LINES_GLOBAL, DEBUG_LINES_GLOBAL);
  const imp = (name: string) => `tb_debug_${name.replace("-", "_")}`;
  for (const [name, s] of Object.entries(DEBUG_IMPORTS)) {
    module.addFunctionImport(
      imp(name),
      DEBUG_MODULE,
      name,
      binaryen.createType(s.params.map((p) => binaryen[p])),
      s.results.length ? i32 : none,
    );
  }
  const fileIndex = module.addDebugInfoFileName(HOOK_FILE);
  const hooks = new Set<number>();
  const table: LineTable = { functions: [], hooks: [], files: [] };
  const ids = new Map<number, string>([
    [binaryen.BlockId, "Block"],
    [binaryen.LoopId, "Loop"],
    [binaryen.IfId, "If"],
  ]);

  const funcs: number[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) funcs.push(module.getFunctionByIndex(i));
  for (const f of funcs) {
    const info = binaryen.getFunctionInfo(f);
    // Library code and the HAL's wrappers are not where a firmware team sets breakpoints (their
    // inlined statements inside app functions still get hooks, mapped to ~lib lines).
    if (info.module || !info.body || info.name.startsWith("tb_") || info.name.startsWith("~lib/"))
      continue;
    const fnIndex = table.functions.length;
    const params = binaryen.expandType(info.params) as number[];
    const locals: { index: number; name: string; type: number }[] = [];
    const n = binaryen.Function.getNumLocals(f);
    // Arguments by the names they had before optimisation (if the optimiser kept the signature).
    // Other locals are the optimiser's merged, nameless ones: spilling them at every statement
    // made the code 6x larger and a model app 18x slower to emulate, so only arguments go.
    const args = argumentNames.get(info.name);
    const argNames = args && args.params === info.params ? args.names : null;
    for (let l = 0; l < Math.min(n, params.length) && locals.length < MAX_LOCALS; l++) {
      const type = l < params.length ? params[l] : binaryen.Function.getVar(f, l - params.length);
      const name = l < params.length ? (argNames?.[l] ?? `arg${l}`) : `$${l}`;
      if (typeName.has(type)) locals.push({ index: l, name, type });
    }
    table.functions.push({
      name: info.name,
      locals: locals.map((l) => ({ name: l.name, type: typeName.get(l.type)! })),
    });

    const hook = (): number => {
      const id = table.hooks.length;
      table.hooks.push([fnIndex, -1, 0]);
      const call = module.call(imp("line"), [module.i32.const(id)], i32);
      module.setDebugLocation(f, call, fileIndex, id + 1, HOOK_COLUMN);
      const spill = locals.map((l, slot) =>
        module.call(
          imp(`local-${typeName.get(l.type)}`),
          [module.i32.const(slot), module.local.get(l.index, l.type)],
          none,
        ),
      );
      const e = module.if(
        module.global.get(DEBUG_LINES_GLOBAL, i32),
        module.if(
          call,
          module.block(
            null,
            [...spill, module.call(imp("stop"), [module.i32.const(id)], none)],
            none,
          ),
        ),
      );
      hooks.add(e);
      return e;
    };
    const asBlock = (e: number): number => {
      if (binaryen.getExpressionId(e) === binaryen.BlockId && !binaryen.Block.getName(e)) return e;
      return module.block(null, [e], binaryen.getExpressionType(e));
    };
    // Hooks go before each statement of a block; loops and ifs nest further statements.
    const block = (b: number): void => {
      const children: number[] = binaryen.getExpressionInfo(b).children;
      children.forEach((c) => nested(c));
      for (let i = children.length - 1; i >= 0; i--) binaryen.Block.insertChildAt(b, i, hook());
    };
    const nested = (e: number): void => {
      switch (ids.get(binaryen.getExpressionId(e))) {
        case "Block":
          block(e);
          break;
        case "Loop": {
          const body = asBlock(binaryen.Loop.getBody(e));
          block(body);
          binaryen.Loop.setBody(e, body);
          break;
        }
        case "If": {
          const t = asBlock(binaryen.If.getIfTrue(e));
          block(t);
          binaryen.If.setIfTrue(e, t);
          const fe = binaryen.If.getIfFalse(e);
          if (fe) {
            const fb = asBlock(fe);
            block(fb);
            binaryen.If.setIfFalse(e, fb);
          }
          break;
        }
      }
    };
    const body = asBlock(info.body);
    block(body);
    binaryen.Function.setBody(f, body);
  }
  return { hooks, table };
}

/**
 * Gives each hook the line of the statement after it and writes the hook table into the map.
 * The hook's own mapping (synthetic file, line = ID + 1) becomes the statement's line.
 */
export async function resolveHookLines(sourceMap: string, table: LineTable): Promise<string> {
  const raw = JSON.parse(sourceMap);
  const sourceRoot = raw.sourceRoot;
  delete raw.sourceRoot; // asc's is the output's name; the table keeps project-relative paths
  const consumer = await new SourceMapConsumer(raw);
  const all: {
    gl: number;
    gc: number;
    source: string | null;
    line: number;
    column: number;
    name: string | null;
  }[] = [];
  consumer.eachMapping(
    (m) =>
      all.push({
        gl: m.generatedLine,
        gc: m.generatedColumn,
        source: m.source,
        line: m.originalLine,
        column: m.originalColumn,
        name: m.name,
      }),
    null,
    SourceMapConsumer.GENERATED_ORDER,
  );
  consumer.destroy();
  for (const m of all)
    (m as any).hook = !!m.source && m.source.endsWith(HOOK_FILE) && m.column === HOOK_COLUMN;
  const isHook = (m: (typeof all)[number]) => (m as any).hook as boolean;
  const files = new Map<string, number>();
  const gen = new SourceMapGenerator({ file: raw.file, sourceRoot });
  let next: (typeof all)[number] | null = null;
  // Walk backwards: the first real mapping after each hook is the one last seen.
  const resolved = new Map<number, (typeof all)[number]>();
  for (let i = all.length - 1; i >= 0; i--) {
    const m = all[i];
    if (isHook(m)) {
      if (next) resolved.set(i, next);
    } else if (m.source) next = m;
  }
  all.forEach((m, i) => {
    const target = isHook(m) ? resolved.get(i) : m;
    if (isHook(m) && target) {
      const id = m.line - 1;
      if (!files.has(target.source!)) files.set(target.source!, files.size);
      if (table.hooks[id])
        table.hooks[id] = [table.hooks[id][0], files.get(target.source!)!, target.line];
    }
    if (!target?.source) {
      if (!isHook(m)) gen.addMapping({ generated: { line: m.gl, column: m.gc } } as any);
      return;
    }
    gen.addMapping({
      generated: { line: m.gl, column: m.gc },
      original: { line: target.line, column: target.column },
      source: target.source,
      ...(target.name ? { name: target.name } : {}),
    });
  });
  table.files = [...files.keys()];
  const out = gen.toJSON() as any;
  for (const s of out.sources) {
    const i = raw.sources.indexOf(s);
    if (i >= 0 && raw.sourcesContent?.[i])
      (out.sourcesContent ??= [])[out.sources.indexOf(s)] = raw.sourcesContent[i];
  }
  out[LINE_TABLE_FIELD] = table;
  return JSON.stringify(out);
}
