// Firmware source lines for the debugger, from the build's source map: wasm code offsets of
// the frames on the stack -> file and line. Line breakpoints and `next`/`stepi` work at the
// synchronisation points (every HAL call, layer hook and loop-head tick): a line breakpoint
// stops at the first one reached while that line is on the stack (it is executing, or a
// function it called is), so lines with a call or a loop can be hit; straight-line arithmetic
// between two sync points cannot.
import { SourceMapConsumer } from "source-map";
import { mappingAt } from "../faults.ts";
import { sameFile, type Breakpoint } from "./breakpoints.ts";
import type { ResumeMode, WasmFrameRef } from "./protocol.ts";

interface Mapping {
  offset: number;
  source: string;
  line: number;
}

export interface Frame {
  function: string;
  file?: string;
  line?: number;
}

/** A stack position in firmware source: the innermost frame in app or firmware code. */
export interface SourcePosition {
  file: string;
  line: number;
  /** Frames below it (its depth in the call stack, outermost = 1). */
  depth: number;
}

export class SourceLines {
  private constructor(
    private readonly mappings: Mapping[],
    readonly files: Set<string>,
  ) {}

  static async load(sourceMap: string | null): Promise<SourceLines> {
    if (!sourceMap) return new SourceLines([], new Set());
    const raw = JSON.parse(sourceMap);
    delete raw.sourceRoot; // asc sets it to the output name; sources are project-relative
    const consumer = await new SourceMapConsumer(raw);
    const out: Mapping[] = [];
    consumer.eachMapping(
      (m) => {
        if (m.source)
          out.push({ offset: m.generatedColumn, source: m.source, line: m.originalLine });
      },
      null,
      SourceMapConsumer.GENERATED_ORDER,
    );
    consumer.destroy();
    out.sort((a, b) => a.offset - b.offset);
    return new SourceLines(out, new Set(out.map((m) => m.source)));
  }

  get available(): boolean {
    return this.mappings.length > 0;
  }

  /** Source lines of `file` that have code (where a line breakpoint can be verified). */
  linesOf(file: string): Set<number> {
    const out = new Set<number>();
    for (const m of this.mappings) if (sameFile(file, m.source)) out.add(m.line);
    return out;
  }

  /** The mapped file a breakpoint's file names, if the build has it. */
  fileFor(file: string): string | undefined {
    for (const f of this.files) if (sameFile(file, f)) return f;
    return undefined;
  }

  locate(frames: WasmFrameRef[]): Frame[] {
    return frames.map((f) => {
      const own = ownFile(f.function);
      const m = this.nearest(f.offset, own);
      return m
        ? { function: demangle(f.function), file: m.source, line: m.line }
        : { function: demangle(f.function) };
    });
  }

  /** The innermost frame in app or firmware code (not the HAL wrappers, not ~lib). */
  position(frames: WasmFrameRef[]): SourcePosition | null {
    const located = this.locate(frames);
    for (let i = 0; i < located.length; i++) {
      const f = located[i];
      if (f.file && !f.file.startsWith("~lib/") && !f.file.startsWith("hal/"))
        return { file: f.file, line: f.line!, depth: located.length - i };
    }
    return null;
  }

  private nearest(offset: number, ownFile: string | null): Mapping | null {
    const ms = this.mappings;
    const at = mappingAt(ms, offset);
    if (at < 0) return null;
    // Inlined library code maps to ~lib: the statement containing it is the nearest earlier mapping in the function's own file.
    if (ownFile && ms[at].source !== ownFile)
      for (let i = at; i >= 0 && i > at - 4096; i--) if (ms[i].source === ownFile) return ms[i];
    return ms[at];
  }
}

// "apps/x/main/main" -> "apps/x/main.ts"
function ownFile(name: string): string | null {
  if (name.startsWith("~lib/") || name.startsWith("wasm-function")) return null;
  const slash = name.lastIndexOf("/");
  return slash < 0 ? null : `${name.slice(0, slash)}.ts`;
}

// "apps/x/main/main" -> "main (apps/x/main)", as fault reports name functions
function demangle(name: string): string {
  const slash = name.lastIndexOf("/");
  return slash < 0 || name.startsWith("wasm-function")
    ? name
    : `${name.slice(slash + 1)} (${name.slice(0, slash)})`;
}

/**
 * Decides, at each sync point, whether a line breakpoint or a source step stops here. A line
 * breakpoint stops once per arrival: again only after its line has left the stack.
 */
export class LineStepper {
  private armed = new Set<number>();
  private from: SourcePosition | null = null;
  private mode: ResumeMode | "entry" = "entry";

  constructor(readonly lines: SourceLines) {}

  /** Whether sync points must look at the stack at all (it costs a stack capture). */
  active(breakpoints: Breakpoint[]): boolean {
    return (
      this.mode === "next" || this.mode === "stepi" || breakpoints.some((b) => b.kind === "line")
    );
  }

  resume(mode: ResumeMode, at: SourcePosition | null): void {
    this.mode = mode;
    this.from = at;
  }

  check(
    frames: WasmFrameRef[],
    breakpoints: Breakpoint[],
  ): { bp?: Breakpoint; step?: boolean; at: SourcePosition | null } | null {
    const located = this.lines.locate(frames);
    const at = this.lines.position(frames);
    for (const b of breakpoints) {
      if (b.kind !== "line") continue;
      const onStack = located.some((f) => f.file && f.line === b.line && sameFile(b.file, f.file));
      if (!onStack) {
        this.armed.delete(b.id);
        continue;
      }
      if (!this.armed.has(b.id)) {
        this.armed.add(b.id);
        return { bp: b, at };
      }
    }
    if (this.mode === "stepi") return { step: true, at };
    if (this.mode === "next" && at) {
      const from = this.from;
      if (
        !from ||
        at.depth < from.depth ||
        (at.depth === from.depth && (at.line !== from.line || at.file !== from.file))
      )
        return { step: true, at };
    }
    return null;
  }
}
