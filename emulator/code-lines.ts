// Wasm code offsets -> firmware source lines, from the build's source map. One place for the
// rules both fault reports and the debugger need: a frame's line stays inside its own function
// (wasm-functions.ts), and code that maps to no line of the function's own file (library code
// inlined into it, or code the meter inserted) is named by the call the build recorded before
// optimising (toolchain/inlined-calls.ts), else by the statement before it.
import { SourceMapConsumer } from "source-map";
import { bodyAt, functionBodies, type CodeRange } from "./wasm-functions.ts";
import { callSite, INLINE_TABLE_FIELD, type InlineTable } from "./toolchain/inlined-calls.ts";
import { LINE_TABLE_FIELD, type LineTable } from "./toolchain/line-hooks.ts";

export interface CodeLine {
  offset: number;
  source: string;
  line: number;
  column: number;
}

/** Index of the last mapping at or before `offset` in mappings sorted by offset (-1: none). */
export function mappingAt(ms: readonly { offset: number }[], offset: number): number {
  let lo = 0,
    hi = ms.length - 1,
    at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ms[mid].offset <= offset) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return at;
}

// How far (in mappings) a search for the function's own file goes before giving up.
const SEARCH_SPAN = 4096;

export class CodeLines {
  private constructor(
    /** Every mapping with a source, sorted by code offset. */
    readonly mappings: readonly CodeLine[],
    private readonly inlined: InlineTable | null,
    private readonly bodies: CodeRange[],
    /** Each function's declaration lines (debug-lines builds): code of a function of the same
     *  file inlined into it lies outside them. */
    private readonly declared = new Map<string, [number, number]>(),
  ) {}

  static readonly none = new CodeLines([], null, []);

  /** `wasm`, when given, keeps each frame's line inside its own function's code. */
  static async load(sourceMap: string | null, wasm?: Uint8Array): Promise<CodeLines> {
    if (!sourceMap) return CodeLines.none;
    const raw = JSON.parse(sourceMap);
    delete raw.sourceRoot; // asc sets it to the output name; sources are project-relative
    const consumer = await new SourceMapConsumer(raw);
    const out: CodeLine[] = [];
    consumer.eachMapping(
      (m) => {
        if (m.source)
          out.push({
            offset: m.generatedColumn,
            source: m.source,
            line: m.originalLine,
            column: m.originalColumn,
          });
      },
      null,
      SourceMapConsumer.GENERATED_ORDER,
    );
    consumer.destroy();
    out.sort((x, y) => x.offset - y.offset);
    const table = raw[LINE_TABLE_FIELD] as LineTable | undefined;
    const declared = new Map<string, [number, number]>();
    for (const f of [...(table?.functions ?? []), ...(table?.inlined ?? [])])
      if (f.lines) declared.set(f.name, f.lines);
    return new CodeLines(
      out,
      raw[INLINE_TABLE_FIELD] ?? null,
      wasm ? functionBodies(wasm) : [],
      declared,
    );
  }

  /**
   * The line of code offset `offset` in function `fn` (its wasm name). Code before a function's
   * first mapped statement (the meter's entry check of a recursive function) maps to that
   * statement, not to the end of the function before it.
   */
  lineAt(offset: number, fn: string): CodeLine | null {
    const ms = this.mappings;
    const body = bodyAt(this.bodies, offset);
    const ownFile = sourceOfFunction(fn);
    const at = mappingAt(ms, offset);
    if (body && (at < 0 || ms[at].offset < body.start)) {
      const first = ms[at + 1];
      if (first && first.offset < body.end) return first;
    }
    if (at < 0) return null;
    const range = this.declared.get(fn);
    const own = (m: CodeLine) => isOwnLine(fn, range, m.source, m.line);
    if (!ownFile || own(ms[at])) return ms[at];
    const start = body?.start ?? -Infinity;
    const end = body?.end ?? Infinity;
    let before: CodeLine | null = null;
    for (let i = at; i >= 0 && i > at - SEARCH_SPAN && ms[i].offset >= start; i--)
      if (own(ms[i])) {
        before = ms[i];
        break;
      }
    if (this.inlined) {
      let after: CodeLine | null = null;
      for (let i = at + 1; i < ms.length && i < at + SEARCH_SPAN && ms[i].offset < end; i++)
        if (own(ms[i])) {
          after = ms[i];
          break;
        }
      const site = callSite(
        this.inlined,
        fn,
        `${ms[at].source}:${ms[at].line}`,
        before?.line ?? null,
        after?.line ?? null,
      );
      if (site) return { offset: ms[at].offset, source: ownFile, ...site };
    }
    return before ?? ms[at];
  }

  /**
   * Debug-lines builds: when code offset `offset` of wasm function `fn` is a line of another
   * function the optimiser inlined into it, that function (the innermost declaration around the
   * line) and the line; else null. Only the innermost is known: the build records no chain.
   */
  inlinedAt(offset: number, fn: string): (CodeLine & { function: string }) | null {
    if (!this.declared.size) return null;
    const at = mappingAt(this.mappings, offset);
    if (at < 0) return null;
    const m = this.mappings[at];
    if (m.source.startsWith("~lib/") || isOwnLine(fn, this.declared.get(fn), m.source, m.line))
      return null;
    const name = enclosingFunction(this.declared, m.source, m.line, fn);
    return name ? { ...m, function: name } : null;
  }
}

/** Whether `file:line` is a statement of function `name` itself: in its file and, where the build
 *  recorded them, within its declaration's `lines` (an @inline function of the same file, or one
 *  the optimiser inlined, lies outside them). */
export function isOwnLine(
  name: string,
  lines: readonly [number, number] | undefined,
  file: string,
  line: number,
): boolean {
  if (sourceOfFunction(name) !== file) return false;
  return !lines || (line >= lines[0] && line <= lines[1]);
}

/** The innermost function declared around `file:line` (by declaration lines), other than
 *  `exclude`; null if none. */
export function enclosingFunction(
  declared: ReadonlyMap<string, [number, number]>,
  file: string,
  line: number,
  exclude: string,
): string | null {
  let best: { name: string; span: number } | null = null;
  for (const [name, [first, last]] of declared) {
    if (name === exclude || line < first || line > last) continue;
    if (sourceOfFunction(name) !== file) continue;
    if (!best || last - first < best.span) best = { name, span: last - first };
  }
  return best?.name ?? null;
}

// "apps/x/main/main" -> "apps/x/main.ts"; library functions have no own file to prefer.
export function sourceOfFunction(name: string): string | null {
  if (name.startsWith("~lib/") || name.startsWith("wasm-function")) return null;
  const slash = name.lastIndexOf("/");
  return slash < 0 ? null : `${name.slice(0, slash)}.ts`;
}

// "apps/sensor-logger/main/main" -> "main (apps/sensor-logger/main)"
export function demangle(name: string): string {
  const slash = name.lastIndexOf("/");
  if (slash < 0 || name.startsWith("wasm-function")) return name;
  return `${name.slice(slash + 1)} (${name.slice(0, slash)})`;
}
