// The debugger's side of a debug-lines build's statement hooks (toolchain/line-hooks.ts): decides
// at each statement whether a line breakpoint, a condition, a logpoint or a source step stops
// there, collects the stopped frame's locals, and says which lines are statements.
//
// Stepping by line: `step` stops at the next statement on another line (into calls), `next`
// at the next one on another line in this frame or its caller, `finish` at the first one in
// the caller. Frame depth costs a stack capture, so it is only measured at the first statement
// of another function during a step (a function once found deeper stays so for that step).
import { sameFile, type Breakpoint } from "./breakpoints.ts";
import { Expression, parseLogMessage } from "./condition.ts";
import { LINE_TABLE_FIELD, type LineTable } from "../toolchain/line-hooks.ts";
import type { LineHooks } from "../machine-options.ts";
import { localValue, type LocalValue } from "./local-value.ts";
import { enclosingFunction, isOwnLine } from "../code-lines.ts";

export type { LocalValue };
export type LineStep = "in" | "over" | "out";

export interface StatementStop {
  id: number;
  file: string;
  line: number;
  function: string;
  /** The function the statement belongs to when the optimiser inlined it into `function`
   *  ("" when no declaration encloses it). */
  inlined?: string;
  bp?: Breakpoint;
  /** Why a condition could not be evaluated (the breakpoint stops, saying so). */
  error?: string;
}

/** own: the statement is the function's own (not code the optimiser inlined from elsewhere). */
interface Hook {
  fn: number;
  view: number;
  file: string;
  line: number;
  user: boolean;
  own: boolean;
  /** Set on first use (inlinedIn). */
  inlined?: string;
}

export class StatementStops implements LineHooks {
  private readonly hooks: (Hook | null)[];
  private readonly functions: LineTable["functions"];
  private readonly views: LineTable["views"];
  /** Every function's declaration lines, those inlined away too: names inlined code. */
  private readonly declared = new Map<string, [number, number]>();
  private breakpoints: Breakpoint[] = [];
  private step: LineStep | null = null;
  /** Where a step started; `inlined`: the inlined function it was in (own: false). */
  private from: {
    fn: number;
    key: string;
    depth: number;
    own: boolean;
    inlined?: string;
  } | null = null;
  private deeper = new Set<number>();
  private lastKey = "";
  private pending: { id: number; bp?: Breakpoint } | null = null;
  private compiled = new Map<
    number,
    { cond?: Expression; log?: (l: Map<string, number>) => string }
  >();
  /** The locals of the statement stopped at (empty when not stopped at one). */
  locals: LocalValue[] = [];
  current: StatementStop | null = null;

  private constructor(
    table: LineTable,
    private readonly host: {
      depth(): number;
      stop(at: StatementStop): void;
      log(text: string, bp: Breakpoint): void;
    },
  ) {
    this.functions = table.functions;
    this.views = table.views;
    for (const f of [...table.functions, ...(table.inlined ?? [])])
      if (f.lines) this.declared.set(f.name, f.lines);
    this.hooks = table.hooks.map(([fn, file, line, view]) => {
      if (file < 0) return null;
      const f = table.files[file];
      return {
        fn,
        view,
        file: f,
        line,
        user: !f.startsWith("~lib/") && !f.startsWith("hal/"),
        own: isOwnLine(table.functions[fn].name, table.functions[fn].lines, f, line),
      };
    });
  }

  /** The hooks of an image's source map, or null for an image without them (a release build). */
  static fromSourceMap(
    sourceMap: string | null,
    host: {
      depth(): number;
      stop(at: StatementStop): void;
      log(text: string, bp: Breakpoint): void;
    },
  ): StatementStops | null {
    if (!sourceMap) return null;
    const table = JSON.parse(sourceMap)[LINE_TABLE_FIELD] as LineTable | undefined;
    return table ? new StatementStops(table, host) : null;
  }

  /** Lines of `file` with a statement hook: where a line breakpoint can stop. */
  statementLines(file: string): Set<number> {
    const out = new Set<number>();
    for (const h of this.hooks) if (h && sameFile(file, h.file)) out.add(h.line);
    return out;
  }

  /** Whether the hooks must call the host (else the firmware runs at nearly release speed). */
  get wanted(): boolean {
    return this.step !== null || this.breakpoints.some((b) => b.kind === "line");
  }

  setBreakpoints(list: Breakpoint[]): void {
    this.breakpoints = list;
    this.compiled.clear();
    for (const b of list) {
      if (b.kind !== "line") continue;
      this.compiled.set(b.id, {
        cond: b.condition ? Expression.parse(b.condition) : undefined,
        log: b.logMessage ? parseLogMessage(b.logMessage) : undefined,
      });
    }
  }

  /** Resumes: stepping by line from the statement stopped at, or running free (step null). */
  resume(step: LineStep | null, depth: number): void {
    this.step = step;
    this.deeper.clear();
    const at = this.current;
    this.from =
      step && at
        ? {
            fn: this.hooks[at.id]!.fn,
            key: `${at.file}:${at.line}`,
            depth,
            own: this.hooks[at.id]!.own,
            inlined: at.inlined,
          }
        : null;
    if (step && !this.from) this.step = step === "in" ? "in" : null; // not at a statement: `step` stops at the first one
    this.current = null;
    this.locals = [];
  }

  /** A statement hook: stops there (inside this call) when a breakpoint or a step says so. */
  statement(id: number, values: (number | bigint)[]): void {
    if (this.line(id)) this.stop(id, values);
  }

  /** Whether statement `id` stops (its breakpoint's condition aside). */
  private line(id: number): boolean {
    const h = this.hooks[id];
    if (!h || !h.user) return false;
    const key = `${h.file}:${h.line}`;
    const arrived = key !== this.lastKey;
    this.lastKey = key;
    if (arrived) {
      for (const b of this.breakpoints) {
        if (b.kind === "line" && b.line === h.line && sameFile(b.file, h.file)) {
          this.pending = { id, bp: b };
          return true;
        }
      }
    }
    if (!this.step || !arrived) return false;
    const from = this.from;
    let stop = false;
    if (this.step === "in") stop = !from || key !== from.key;
    else if (from) {
      // The same function is the same frame (recursion aside); code inlined into it counts as
      // a call: `next` steps over it, `finish` from it stops back at the function's own lines.
      // Inside an inlined function `next` goes on through its own lines, as in a real frame.
      if (h.fn === from.fn)
        stop =
          this.step === "over"
            ? key !== from.key && (h.own || this.inSame(h, from.inlined))
            : h.own && !from.own;
      else if (!this.deeper.has(h.fn)) {
        const depth = this.host.depth();
        if (depth < from.depth)
          stop = true; // back in the caller
        else this.deeper.add(h.fn);
      }
    }
    if (stop) this.pending = { id };
    return stop;
  }

  private stop(id: number, values: (number | bigint)[]): void {
    const pending = this.pending;
    this.pending = null;
    const h = this.hooks[id];
    if (!h || !pending) return;
    const fn = this.functions[h.fn];
    const locals = this.views[h.view].map((view, i) => localValue(view, values[i]));
    const at: StatementStop = { id, file: h.file, line: h.line, function: fn.name, bp: pending.bp };
    if (!h.own) at.inlined = this.inlinedIn(h);
    const c = pending.bp ? this.compiled.get(pending.bp.id) : undefined;
    if (c?.cond || c?.log) {
      const byName = new Map(
        locals.filter((l) => l.value !== null).map((l) => [l.name, Number(l.value)]),
      );
      if (c.cond) {
        try {
          if (!c.cond.evaluate(byName)) return;
        } catch (e) {
          at.error = (e as Error).message;
        }
      }
      if (c.log && !at.error) {
        this.host.log(c.log(byName), pending.bp!);
        return;
      }
    }
    this.locals = locals;
    this.current = at;
    this.step = null;
    this.host.stop(at);
  }

  /** Whether a hook not the function's own lies in the inlined function `name`. */
  private inSame(h: Hook, name: string | undefined): boolean {
    return !h.own && !!name && this.inlinedIn(h) === name;
  }

  /** The function inlined at a hook not its function's own ("" if none is declared around it):
   *  found once per hook, since `next` asks at every statement it passes. */
  private inlinedIn(h: Hook): string {
    return (h.inlined ??=
      enclosingFunction(this.declared, h.file, h.line, this.functions[h.fn].name) ?? "");
  }
}
