// Firmware source lines for the debugger, from the build's source map: wasm code offsets of
// the frames on the stack -> file and line. Line breakpoints and `next`/`stepi` work at the
// synchronisation points (every HAL call, layer hook and loop-head tick): a line breakpoint
// stops at the first one reached while that line is on the stack (it is executing, or a
// function it called is), so lines with a call or a loop can be hit; straight-line arithmetic
// between two sync points cannot.
import { CodeLines, demangle } from "../code-lines.ts";
import { sameFile, type Breakpoint } from "./breakpoints.ts";
import type { ResumeMode, WasmFrameRef } from "./protocol.ts";

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
  readonly files: Set<string>;
  private constructor(private readonly code: CodeLines) {
    this.files = new Set(code.mappings.map((m) => m.source));
  }

  /** `wasm`, when given, keeps each frame's line inside its own function (as fault reports do). */
  static async load(sourceMap: string | null, wasm?: Uint8Array): Promise<SourceLines> {
    return new SourceLines(await CodeLines.load(sourceMap, wasm));
  }

  get available(): boolean {
    return this.code.mappings.length > 0;
  }

  /** Source lines of `file` that have code (where a line breakpoint can be verified). */
  linesOf(file: string): Set<number> {
    const out = new Set<number>();
    for (const m of this.code.mappings) if (sameFile(file, m.source)) out.add(m.line);
    return out;
  }

  /** The mapped file a breakpoint's file names, if the build has it. */
  fileFor(file: string): string | undefined {
    for (const f of this.files) if (sameFile(file, f)) return f;
    return undefined;
  }

  locate(frames: WasmFrameRef[]): Frame[] {
    return frames.map((f) => {
      const m = this.code.lineAt(f.offset, f.function);
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
