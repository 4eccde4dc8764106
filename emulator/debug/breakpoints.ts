// Breakpoints: what stops the firmware. Layer and op breakpoints stop before a layer runs
// (at its layer-begin hook); line breakpoints at a statement hook of a debug build; `fault`
// when the firmware faults (memory and tensors stay readable); `cycles` at the first sync
// point at or past that cycle count (loop heads reach the host at least every 65,536 cycles).
import { builtinOpName } from "../model/tflite-model.ts";
import { Expression, ConditionError, parseLogMessage } from "./condition.ts";

export type BreakpointSpec =
  | { kind: "layer"; index: number }
  | { kind: "op"; op: string }
  | { kind: "line"; file: string; line: number; condition?: string; logMessage?: string }
  | { kind: "fault" }
  | { kind: "cycles"; at: number };

export type Breakpoint = BreakpointSpec & { id: number; hits: number };

/** Builtin op names known to the model reader: CONV_2D, DEPTHWISE_CONV_2D, ... */
export const OP_NAMES: string[] = Array.from({ length: 162 }, (_, i) => builtinOpName(i));

export class BreakpointError extends Error {}

/** Parses the argument of `break`: "layer 5", "op CONV_2D", "line apps/x/main.ts:42", "fault", "cycles 2000000". */
export function parseBreakpoint(text: string): BreakpointSpec {
  // `break main.ts:42 [if COND]`: a line breakpoint without the word "line".
  if (/^\S+:\d+(\s|$)/.test(text.trim())) text = `line ${text.trim()}`;
  const [kind, ...rest] = text.trim().split(/\s+/);
  const arg = rest.join(" ");
  const usage = "break layer N | op NAME | [line] FILE:LINE [if COND] | fault | cycles N";
  switch (kind) {
    case "layer": {
      if (!/^\d+$/.test(arg))
        throw new BreakpointError(`break layer: expected a layer index (0, 1, ...), got '${arg}'`);
      return { kind, index: Number(arg) };
    }
    case "op": {
      const op = arg.toUpperCase();
      if (!OP_NAMES.includes(op))
        throw new BreakpointError(
          `break op: unknown operator '${arg}' (e.g. CONV_2D, DEPTHWISE_CONV_2D, SOFTMAX)`,
        );
      return { kind, op };
    }
    case "line": {
      const m = /^(\S+):(\d+)(?:\s+if\s+(.+))?$/.exec(arg);
      if (!m)
        throw new BreakpointError(
          `break line: expected FILE:LINE [if CONDITION], e.g. apps/person-detector/main.ts:42 if count > 10, got '${arg}'`,
        );
      const spec: BreakpointSpec = { kind, file: m[1].replace(/^\.\//, ""), line: Number(m[2]) };
      if (m[3]) spec.condition = checkExpression(m[3].trim());
      return spec;
    }
    case "fault":
      if (arg) throw new BreakpointError(`break fault takes no argument`);
      return { kind };
    case "cycles": {
      const n = Number(arg.replace(/_/g, ""));
      if (!arg || !Number.isInteger(n) || n < 0)
        throw new BreakpointError(`break cycles: expected a cycle count, got '${arg}'`);
      return { kind, at: n };
    }
    default:
      throw new BreakpointError(
        kind ? `break: unknown kind '${kind}' (${usage})` : `break: what? (${usage})`,
      );
  }
}

/** A condition as typed, once it parses (an error names what is wrong). */
export function checkExpression(text: string): string {
  try {
    Expression.parse(text);
  } catch (e) {
    if (e instanceof ConditionError) throw new BreakpointError(`condition: ${e.message}`);
    throw e;
  }
  return text;
}

/** A logpoint message as typed, once its {expressions} parse. */
export function checkLogMessage(text: string): string {
  try {
    parseLogMessage(text);
  } catch (e) {
    if (e instanceof ConditionError) throw new BreakpointError(`log message: ${e.message}`);
    throw e;
  }
  return text;
}

export function describeBreakpoint(b: BreakpointSpec): string {
  switch (b.kind) {
    case "layer":
      return `layer ${b.index}`;
    case "op":
      return `op ${b.op}`;
    case "line":
      return `line ${b.file}:${b.line}${b.condition ? ` if ${b.condition}` : ""}${b.logMessage ? ` log "${b.logMessage}"` : ""}`;
    case "fault":
      return "fault";
    case "cycles":
      return `cycles ${b.at}`;
  }
}

/** The first enabled breakpoint that stops before layer `index` running `op`. */
export function layerBreakpoint(
  list: Breakpoint[],
  index: number,
  op: number,
): Breakpoint | undefined {
  const name = builtinOpName(op);
  return list.find(
    (b) => (b.kind === "layer" && b.index === index) || (b.kind === "op" && b.op === name),
  );
}

/** Source files compare by their project-relative path or by a suffix of it ("main.ts:42"). */
export function sameFile(breakpointFile: string, mapped: string): boolean {
  const a = breakpointFile.replace(/\\/g, "/");
  return mapped === a || mapped.endsWith(`/${a}`) || a.endsWith(`/${mapped}`);
}
