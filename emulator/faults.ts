// Faults stop the firmware with a report (what, where, when) and never crash the host.
import { bodyAt, functionBodies, type CodeRange } from "./wasm-functions.ts";
import { SourceMapConsumer } from "source-map";
import { callSite, INLINE_TABLE_FIELD, type InlineTable } from "./toolchain/inlined-calls.ts";

export type FaultKind =
  | "trap"
  | "sram-exhausted"
  | "heap-budget"
  | "bad-hal-pointer"
  | "flash-write"
  | "watchdog"
  | "cycle-budget"
  | "panic"
  | "stack-overflow"
  | "not-implemented"
  | "bad-hal-argument";

export interface SourceLocation {
  function: string;
  file?: string;
  line?: number;
  column?: number;
}

export interface FaultReport {
  kind: FaultKind;
  message: string;
  cycles: number;
  timeUs: number;
  where: SourceLocation | null;
  backtrace: SourceLocation[];
}

/** Thrown from HAL import { bodyAt, functionBodies, type CodeRange } from "./wasm-functions.ts";
imports or the meter to stop the firmware. */
export class Fault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
    this.name = "Fault";
  }
}

/** Thrown when the run reaches its emulated time limit. */
export class RunEnd extends Error {
  constructor() {
    super("run ended");
  }
}

/** Thrown by the firmware's exit(). */
export class FirmwareExit extends Error {
  constructor(readonly code: number) {
    super(`firmware exit(${code})`);
  }
}

interface WasmFrame {
  function: string;
  offset: number;
}

/** Wasm frames of a JS error stack, innermost first. */
export function wasmFrames(err: unknown): WasmFrame[] {
  const stack = (err as Error)?.stack ?? "";
  const frames: WasmFrame[] = [];
  for (const line of stack.split("\n")) {
    const m = /at (.*?) \(?wasm:\/\/wasm\/[^:]*:wasm-function\[(\d+)\]:0x([0-9a-f]+)\)?/.exec(line);
    if (m)
      frames.push({
        function: m[1].trim() || `wasm-function[${m[2]}]`,
        offset: parseInt(m[3], 16),
      });
  }
  return frames;
}

/** Classifies an exception thrown out of the firmware. */
export function classify(err: unknown): { kind: FaultKind; message: string } {
  if (err instanceof Fault) return { kind: err.kind, message: err.message };
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return { kind: "stack-overflow", message: "stack overflow (unbounded recursion?)" };
  }
  if (err instanceof WebAssembly.RuntimeError) {
    const m = err.message;
    if (/out of bounds/.test(m))
      return { kind: "trap", message: `memory access out of bounds (outside the board's memory)` };
    return { kind: "trap", message: m };
  }
  return { kind: "trap", message: String((err as Error)?.message ?? err) };
}

interface Mapping {
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

/** Maps wasm code offsets to source lines with the build's source map. */
export class SourceMapper {
  private mappings: Promise<Mapping[]> | null;
  private readonly inlined: InlineTable | null = null;
  private readonly bodies: CodeRange[];

  /** `wasm`, when given, keeps each frame's line inside its own function's code. */
  constructor(sourceMap: string | null, wasm?: Uint8Array) {
    this.bodies = wasm ? functionBodies(wasm) : [];
    if (!sourceMap) {
      this.mappings = null;
      return;
    }
    const raw = JSON.parse(sourceMap);
    delete raw.sourceRoot; // asc sets it to the output name; sources are project-relative
    this.inlined = raw[INLINE_TABLE_FIELD] ?? null;
    this.mappings = new SourceMapConsumer(raw).then((c) => {
      const out: Mapping[] = [];
      c.eachMapping(
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
      c.destroy();
      return out.sort((x, y) => x.offset - y.offset);
    });
  }

  async locate(frames: WasmFrame[]): Promise<SourceLocation[]> {
    const mappings = this.mappings ? await this.mappings.catch(() => null) : null;
    return frames.map((f) => {
      const loc: SourceLocation = { function: demangle(f.function) };
      const body = bodyAt(this.bodies, f.offset);
      const m = mappings && this.nearest(mappings, f.offset, f.function, body);
      if (m) Object.assign(loc, { file: m.source, line: m.line, column: m.column });
      return loc;
    });
  }

  /**
   * The mapping at or before `offset` in function `fn`. Code before a function's first mapped
   * statement (the meter's entry check of a recursive function) maps to that statement, not
   * to the end of the function before it. Code the meter inserted, and library code inlined
   * into a firmware function, map to no line or to the library's: then the call the build
   * recorded before optimising names the statement (inlined-calls.ts), else the nearest
   * earlier mapping in the function's own file (the statement before, at worst).
   */
  private nearest(
    ms: Mapping[],
    offset: number,
    fn: string,
    body: CodeRange | null,
  ): Mapping | null {
    const ownFile = sourceOfFunction(fn);
    const at = mappingAt(ms, offset);
    if (body && (at < 0 || ms[at].offset < body.start)) {
      const first = ms[at + 1];
      if (first && first.offset < body.end) return first;
    }
    if (at < 0) return null;
    if (!ownFile || ms[at].source === ownFile) return ms[at];
    const start = body?.start ?? -Infinity;
    const end = body?.end ?? Infinity;
    let before: Mapping | null = null;
    for (let i = at; i >= 0 && i > at - 4096 && ms[i].offset >= start; i--)
      if (ms[i].source === ownFile) {
        before = ms[i];
        break;
      }
    if (this.inlined) {
      let after: Mapping | null = null;
      for (let i = at + 1; i < ms.length && i < at + 4096 && ms[i].offset < end; i++)
        if (ms[i].source === ownFile) {
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
}

// "apps/x/main/main" -> "apps/x/main.ts"; library functions have no own file to prefer.
function sourceOfFunction(name: string): string | null {
  if (name.startsWith("~lib/") || name.startsWith("wasm-function")) return null;
  const slash = name.lastIndexOf("/");
  return slash < 0 ? null : `${name.slice(0, slash)}.ts`;
}

/** The frame a report should point at: the innermost one in app or firmware code, not the HAL or ~lib. */
export function userFrame(backtrace: SourceLocation[]): SourceLocation | null {
  return (
    backtrace.find((l) => l.file && !l.file.startsWith("~lib/") && !l.file.startsWith("hal/")) ??
    backtrace[0] ??
    null
  );
}

// "apps/sensor-logger/main/main" -> "main (apps/sensor-logger/main)"
function demangle(name: string): string {
  const slash = name.lastIndexOf("/");
  if (slash < 0 || name.startsWith("wasm-function")) return name;
  return `${name.slice(slash + 1)} (${name.slice(0, slash)})`;
}

/** The backtrace, innermost frame first, as "  #0 check (apps/x/main) at apps/x/main.ts:12";
 *  empty when there is only the frame the fault line already names. */
export function formatBacktrace(f: FaultReport): string {
  if (f.backtrace.length < 2) return "";
  return f.backtrace
    .map((l, i) => `  #${i} ${l.function}${l.file ? ` at ${l.file}:${l.line}` : ""}`)
    .join("\n");
}

export function formatFault(f: FaultReport): string {
  const where = f.where
    ? ` in ${f.where.function}${f.where.file ? ` at ${f.where.file}:${f.where.line}` : ""}`
    : "";
  return `FAULT ${f.kind}: ${f.message}${where}, at cycle ${f.cycles} (${(f.timeUs / 1e6).toFixed(6)} s)`;
}
