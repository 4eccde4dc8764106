// Faults stop the firmware with a report (what, where, when) and never crash the host.
import { SourceMapConsumer } from "source-map";

export type FaultKind =
  | "trap"
  | "sram-exhausted"
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
  constructor(readonly kind: FaultKind, message: string) {
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
    if (m) frames.push({ function: m[1].trim() || `wasm-function[${m[2]}]`, offset: parseInt(m[3], 16) });
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
    if (/out of bounds/.test(m)) return { kind: "trap", message: `memory access out of bounds (outside the board's memory)` };
    return { kind: "trap", message: m };
  }
  return { kind: "trap", message: String((err as Error)?.message ?? err) };
}

/** Maps wasm code offsets to source lines with the build's source map. */
export class SourceMapper {
  private consumer: Promise<SourceMapConsumer> | null;

  constructor(sourceMap: string | null) {
    if (!sourceMap) { this.consumer = null; return; }
    const raw = JSON.parse(sourceMap);
    delete raw.sourceRoot; // asc sets it to the output name; sources are project-relative
    this.consumer = new SourceMapConsumer(raw);
  }

  async locate(frames: WasmFrame[]): Promise<SourceLocation[]> {
    const consumer = this.consumer ? await this.consumer.catch(() => null) : null;
    return frames.map((f) => {
      const loc: SourceLocation = { function: demangle(f.function) };
      if (consumer) {
        const pos = consumer.originalPositionFor({ line: 1, column: f.offset, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
        if (pos.source) {
          loc.file = pos.source;
          loc.line = pos.line ?? undefined;
          loc.column = pos.column ?? undefined;
        }
      }
      return loc;
    });
  }
}

// "apps/sensor-logger/main/main" -> "main (apps/sensor-logger/main)"
function demangle(name: string): string {
  const slash = name.lastIndexOf("/");
  if (slash < 0 || name.startsWith("wasm-function")) return name;
  return `${name.slice(slash + 1)} (${name.slice(0, slash)})`;
}

export function formatFault(f: FaultReport): string {
  const where = f.where ? ` in ${f.where.function}${f.where.file ? ` at ${f.where.file}:${f.where.line}` : ""}` : "";
  return `FAULT ${f.kind}: ${f.message}${where}, at cycle ${f.cycles} (${(f.timeUs / 1e6).toFixed(6)} s)`;
}
