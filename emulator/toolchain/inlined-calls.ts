// Where inlined code was called from. The optimiser inlines library functions (~lib's
// allocator, a firmware helper) into the caller, and asc's source map then has no mapping of
// the caller's own for that statement: a fault inside the inlined code maps to the library's
// line, and the nearest line of the caller is the statement before. Before optimising, the
// build records each function's calls into other files (the caller's line, the callee) and
// the library lines each callee can reach; a fault report then names the call's line.
export const INLINE_TABLE_FIELD = "x_tinyboard_inlined";

/** Kept in the image's source map. */
export interface InlineTable {
  /** "file:line" keys of library code. */
  sites: string[];
  /** Per callee: indexes into sites of the lines it and what it calls (a few levels) run. */
  callees: number[][];
  /** Per caller: line, column and callee index of each call into another file, in code order. */
  calls: Record<string, number[]>;
}

const ANNOTATION = /^\s*;;@ (\S+):(\d+):(\d+)\s*$/;
const FUNC = /^ \(func \$(\S+)/;
const CALL = /^\s*\(call \$(\S+)/;
/** Levels of calls followed from a callee: binaryen inlines small callees of callees too. */
const DEPTH = 4;

// "apps/x/main/main" -> "apps/x/main.ts"; the standard library's names are its own.
function fileOf(fn: string): string | null {
  if (fn.startsWith("~lib/")) return null;
  const slash = fn.lastIndexOf("/");
  return slash < 0 ? null : `${fn.slice(0, slash)}.ts`;
}

interface Parsed {
  lines: Set<string>;
  calls: { line: number; column: number; callee: string; file: string | null }[];
}

/** Reads binaryen's text of the module before optimisation (`;;@ file:line:col` annotations). */
export function recordInlinedCalls(text: string): InlineTable {
  const funcs = new Map<string, Parsed>();
  let cur: Parsed | null = null;
  let at: { file: string; line: number; column: number } | null = null;
  for (const row of text.split("\n")) {
    const f = FUNC.exec(row);
    if (f) {
      cur = { lines: new Set(), calls: [] };
      funcs.set(f[1], cur);
      at = null;
      continue;
    }
    if (!cur) continue;
    const a = ANNOTATION.exec(row);
    if (a) {
      at = { file: a[1], line: Number(a[2]), column: Number(a[3]) };
      cur.lines.add(`${a[1]}:${a[2]}`);
      continue;
    }
    const c = CALL.exec(row);
    if (c && at) cur.calls.push({ ...at, callee: c[1] });
  }
  const sites: string[] = [];
  const siteIndex = new Map<string, number>();
  const closure = new Map<string, number[]>();
  const reach = (fn: string): number[] => {
    const known = closure.get(fn);
    if (known) return known;
    const seen = new Set<string>();
    const walk = (name: string, depth: number) => {
      const p = funcs.get(name);
      if (!p) return;
      for (const l of p.lines) seen.add(l);
      if (depth < DEPTH) for (const c of p.calls) walk(c.callee, depth + 1);
    };
    walk(fn, 0);
    const ids = [...seen].map((k) => {
      let i = siteIndex.get(k);
      if (i === undefined) siteIndex.set(k, (i = sites.push(k) - 1));
      return i;
    });
    closure.set(fn, ids);
    return ids;
  };
  const table: InlineTable = { sites, callees: [], calls: {} };
  const calleeIndex = new Map<string, number>();
  for (const [name, p] of funcs) {
    const own = fileOf(name);
    if (!own) continue;
    const foreign = p.calls.filter((c) => c.file === own && fileOf(c.callee) !== own);
    if (!foreign.length) continue;
    table.calls[name] = foreign.flatMap((c) => {
      let i = calleeIndex.get(c.callee);
      if (i === undefined) calleeIndex.set(c.callee, (i = table.callees.push(reach(c.callee)) - 1));
      return [c.line, c.column, i];
    });
  }
  return table;
}

/**
 * The caller's own line for code of `site` ("file:line", another file's) found inside
 * `caller`, between the caller's own lines `after` and `before` (null: unknown). Null when
 * no recorded call reaches that code.
 */
export function callSite(
  table: InlineTable,
  caller: string,
  site: string,
  after: number | null,
  before: number | null,
): { line: number; column: number } | null {
  const i = table.sites.indexOf(site);
  if (i < 0) return null;
  const flat = table.calls[caller] ?? [];
  const hits: [number, number][] = [];
  for (let k = 0; k + 2 < flat.length; k += 3)
    if (table.callees[flat[k + 2]]?.includes(i)) hits.push([flat[k], flat[k + 1]]);
  if (!hits.length) return null;
  // Several calls reach the same library line: the one between the caller's surrounding lines.
  const between = hits.find(
    ([line]) => (after === null || line >= after) && (before === null || line <= before),
  );
  const [line, column] = between ?? hits[0];
  return { line, column };
}
