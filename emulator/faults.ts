// Faults stop the firmware with a report (what, where, when) and never crash the host.
import { CodeLines, demangle } from "./code-lines.ts";

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

/** Thrown from HAL imports or the meter to stop the firmware. */
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

/** Maps wasm code offsets to source lines with the build's source map (code-lines.ts). */
export class SourceMapper {
  private readonly lines: Promise<CodeLines>;

  /** `wasm`, when given, keeps each frame's line inside its own function's code. */
  constructor(sourceMap: string | null, wasm?: Uint8Array) {
    this.lines = CodeLines.load(sourceMap, wasm).catch(() => CodeLines.none);
  }

  /** `inlined`: a frame of its own (marked) for the innermost function the optimiser inlined
   *  at each frame's position, above the wasm function it runs in (debug-lines builds). */
  async locate(frames: WasmFrame[], opts: { inlined?: boolean } = {}): Promise<SourceLocation[]> {
    const lines = await this.lines;
    return frames.flatMap((f) => {
      const loc: SourceLocation = { function: demangle(f.function) };
      const m = lines.lineAt(f.offset, f.function);
      if (m) Object.assign(loc, { file: m.source, line: m.line, column: m.column });
      const i = opts.inlined ? lines.inlinedAt(f.offset, f.function) : null;
      if (!i) return [loc];
      const name = `${demangle(i.function)} [inlined]`;
      return [{ function: name, file: i.source, line: i.line, column: i.column }, loc];
    });
  }
}

/** The frame a report should point at: the innermost one in app or firmware code, not the HAL or ~lib. */
export function userFrame(backtrace: SourceLocation[]): SourceLocation | null {
  return (
    backtrace.find((l) => l.file && !l.file.startsWith("~lib/") && !l.file.startsWith("hal/")) ??
    backtrace[0] ??
    null
  );
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
