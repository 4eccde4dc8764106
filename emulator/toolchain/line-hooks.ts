// Statement hooks of a debug-lines build (`tinyboard build --debug-lines`): before every
// statement of firmware code (every child of a block in binaryen's IR, after the optimisation
// that precedes metering) the pass inserts
//
//   (if (global.get $tb_debug_lines)                  ;; 0 unless a debugger wants lines
//     (call $statement (i32.const ID) (local.get A) (local.get B) ...))  ;; the named locals
//
// Design (why this shape):
// - Cycles: the pass runs before the meter, and the meter skips the hook expressions (charges
//   nothing, does not end a region or flush for them), so the debug-lines build charges exactly
//   the release build's cycles; the optimisation after metering only tidies semantics-preserving
//   code, and the hook changes neither the counter nor tb_cycles. The release build gets no pass.
// - Speed: with no debugger interested the hook is a global load and a branch, and one call
//   (not one per local, as an earlier shape had) keeps the code small, which is most of what a
//   debug build costs in wall time: the engine compiles twice the code before it runs fast.
//   With line breakpoints or line stepping the host sees every statement, with its locals.
// - Locals: a host cannot read wasm locals, so the hook passes those that have a source name
//   at that statement (local-names.ts carries the names through the optimiser); the import's
//   signature is (i32, the locals' types): one `statement` import per signature, which the
//   host serves with one function. v128 locals cannot cross to JavaScript and are listed as
//   unavailable. Which local is which name at each hook is the table written into the map.
// - Lines: the call carries a debug location in a synthetic file with the hook's ID as
//   its line; after asc writes the source map, resolveHookLines() gives every hook the source
//   line of the first real mapping after it (the statement it stands before) and rewrites the
//   hook's mapping to that line, so fault reports and backtraces see ordinary source lines.

import { SourceMapConsumer, SourceMapGenerator } from "source-map";
import { namedLocalsBefore, type LocalTags } from "./local-names.ts";

export const DEBUG_MODULE = "tinyboard:debug";
export const DEBUG_LINES_GLOBAL = "tb_debug_lines";
/** The debug module's host function: `statement(id, ...locals)`, its locals' types vary. */
export const STATEMENT_IMPORT = "statement";
export type WasmValueType = "i32" | "i64" | "f32" | "f64";
export const LOCAL_TYPES: readonly string[] = ["i32", "i64", "f32", "f64"];
// asc fills the map's sourcesContent from the program's sources, so the hooks' mappings name a
// file every build compiles; the column (no source line is that long) marks them as hooks.
const HOOK_FILE = "hal/system.ts";
const HOOK_COLUMN = 65535;
/** Source map field holding the hook table (source maps allow x_ extensions). */
export const LINE_TABLE_FIELD = "x_tinyboard_lines";
/** At most this many locals are passed per statement (the lowest-numbered: arguments first). */
const MAX_LOCALS = 32;

/** A local shown at a statement: its source name and type. */
export interface LocalView {
  name: string;
  /** The source's type (`u8`, `bool`, a class) or the wasm type; v128 is not passed. */
  type: string;
  wasm: WasmValueType | "v128";
}

export interface LineTable {
  /** Functions with hooks, by name, with their declaration's first and last source line. */
  functions: { name: string; lines?: [number, number] }[];
  /** Functions the optimiser inlined into every caller (gone from the code), with their
   *  declaration's lines: a stop in one of their statements names the function it is in. */
  inlined?: { name: string; lines: [number, number] }[];
  /** Distinct lists of locals (hooks share them): the call's arguments after the ID, in
   *  order, then the v128 locals (listed, not passed). */
  views: LocalView[][];
  /** Per hook ID (index): [function index, file index or -1, line, view]. Lines: resolveHookLines. */
  hooks: [number, number, number, number][];
  files: string[];
}

export interface HookPass {
  /** The hook expressions: the meter leaves them alone. */
  hooks: Set<number>;
  table: LineTable;
}

export function insertLineHooks(binaryen: any, module: any, tags: LocalTags): HookPass {
  const { i32, i64, f32, f64, v128, none } = binaryen;
  const typeName = new Map<number, WasmValueType | "v128">([
    [i32, "i32"],
    [i64, "i64"],
    [f32, "f32"],
    [f64, "f64"],
    [v128, "v128"],
  ]);
  module.addGlobal(DEBUG_LINES_GLOBAL, i32, true, module.i32.const(0));
  module.addGlobalExport(DEBUG_LINES_GLOBAL, DEBUG_LINES_GLOBAL);
  // One import per signature of the statement call (internal names only; all are `statement`).
  const imports = new Map<string, string>();
  const statementImport = (types: WasmValueType[]): string => {
    const key = types.join(",");
    let name = imports.get(key);
    if (!name) {
      name = `tb_debug_statement_${imports.size}`;
      imports.set(key, name);
      module.addFunctionImport(
        name,
        DEBUG_MODULE,
        STATEMENT_IMPORT,
        binaryen.createType([i32, ...types.map((t) => binaryen[t])]),
        none,
      );
    }
    return name;
  };
  const fileIndex = module.addDebugInfoFileName(HOOK_FILE);
  const hooks = new Set<number>();
  const table: LineTable = { functions: [], views: [], hooks: [], files: [] };
  const viewIds = new Map<string, number>();
  const viewOf = (list: LocalView[]): number => {
    const key = JSON.stringify(list);
    let v = viewIds.get(key);
    if (v === undefined) viewIds.set(key, (v = table.views.push(list) - 1));
    return v;
  };
  const ids = new Map<number, string>([
    [binaryen.BlockId, "Block"],
    [binaryen.LoopId, "Loop"],
    [binaryen.IfId, "If"],
  ]);

  const funcs: number[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) funcs.push(module.getFunctionByIndex(i));
  const kept = new Set(funcs.map((f) => binaryen.getFunctionInfo(f).name as string));
  table.inlined = [...tags.lines]
    .filter(
      ([name]) =>
        !kept.has(name) &&
        !name.startsWith("~lib/") &&
        !name.startsWith("tb_") &&
        !name.includes("/start:"),
    )
    .map(([name, lines]) => ({ name, lines }));
  for (const f of funcs) {
    const info = binaryen.getFunctionInfo(f);
    // Library code and the HAL's wrappers are not where a firmware team sets breakpoints (their
    // inlined statements inside app functions still get hooks, mapped to ~lib lines).
    if (info.module || !info.body || info.name.startsWith("tb_") || info.name.startsWith("~lib/"))
      continue;
    const lines = tags.lines.get(info.name);
    const fnIndex =
      table.functions.push(lines ? { name: info.name, lines } : { name: info.name }) - 1;
    const params = binaryen.expandType(info.params) as number[];
    const localType = (l: number): number =>
      l < params.length ? params[l] : binaryen.Function.getVar(f, l - params.length);
    const named = namedLocalsBefore(binaryen, f, tags);

    const hook = (before: number): number => {
      const id = table.hooks.length;
      const locals = (named.get(before) ?? [])
        .map((l) => ({ ...l, wasm: typeName.get(localType(l.index)) }))
        .filter((l) => l.wasm)
        .slice(0, MAX_LOCALS);
      const passed = locals.filter((l) => l.wasm !== "v128");
      const view = [...passed, ...locals.filter((l) => l.wasm === "v128")].map((l) => ({
        name: l.name,
        type: l.sourceType ?? l.wasm!,
        wasm: l.wasm!,
      }));
      table.hooks.push([fnIndex, -1, 0, viewOf(view)]);
      const types = passed.map((l) => l.wasm as WasmValueType);
      const call = module.call(
        statementImport(types),
        [
          module.i32.const(id),
          ...passed.map((l, k) => module.local.get(l.index, binaryen[types[k]])),
        ],
        none,
      );
      module.setDebugLocation(f, call, fileIndex, id + 1, HOOK_COLUMN);
      const e = module.if(module.global.get(DEBUG_LINES_GLOBAL, i32), call);
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
      for (let i = children.length - 1; i >= 0; i--)
        binaryen.Block.insertChildAt(b, i, hook(children[i]));
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
      const h = table.hooks[id];
      if (h) table.hooks[id] = [h[0], files.get(target.source!)!, target.line, h[3]];
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
