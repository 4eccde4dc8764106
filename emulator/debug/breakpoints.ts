// Breakpoints: what stops the firmware. Layer and op breakpoints stop before a layer runs
// (at its layer-begin hook); line breakpoints at a statement hook of a debug build; `fault`
// when the firmware faults (memory and tensors stay readable); `cycles` at the first sync
// point at or past that cycle count (loop heads reach the host at least every 65,536 cycles).
import { builtinOpName } from "../model/tflite-model.ts";

export type BreakpointSpec =
  | { kind: "layer"; index: number }
  | { kind: "op"; op: string }
  | { kind: "line"; file: string; line: number }
  | { kind: "fault" }
  | { kind: "cycles"; at: number };

export type Breakpoint = BreakpointSpec & { id: number; hits: number };

/** Builtin op names known to the model reader: CONV_2D, DEPTHWISE_CONV_2D, ... */
export const OP_NAMES: string[] = Array.from({ length: 162 }, (_, i) => builtinOpName(i));

export class BreakpointError extends Error {}

/** Parses the argument of `break`: "layer 5", "op CONV_2D", "line apps/x/main.ts:42", "fault", "cycles 2000000". */
export function parseBreakpoint(text: string): BreakpointSpec {
  const [kind, ...rest] = text.trim().split(/\s+/);
  const arg = rest.join(" ");
  const usage = "break layer N | op NAME | line FILE:LINE | fault | cycles N";
  switch (kind) {
    case "layer": {
      if (!/^\d+$/.test(arg)) throw new BreakpointError(`break layer: expected a layer index (0, 1, ...), got '${arg}'`);
      return { kind, index: Number(arg) };
    }
    case "op": {
      const op = arg.toUpperCase();
      if (!OP_NAMES.includes(op)) throw new BreakpointError(`break op: unknown operator '${arg}' (e.g. CONV_2D, DEPTHWISE_CONV_2D, SOFTMAX)`);
      return { kind, op };
    }
    case "line": {
      const m = /^(.+):(\d+)$/.exec(arg);
      if (!m) throw new BreakpointError(`break line: expected FILE:LINE, e.g. apps/person-detector/main.ts:42, got '${arg}'`);
      return { kind, file: m[1].replace(/^\.\//, ""), line: Number(m[2]) };
    }
    case "fault":
      if (arg) throw new BreakpointError(`break fault takes no argument`);
      return { kind };
    case "cycles": {
      const n = Number(arg.replace(/_/g, ""));
      if (!arg || !Number.isInteger(n) || n < 0) throw new BreakpointError(`break cycles: expected a cycle count, got '${arg}'`);
      return { kind, at: n };
    }
    default:
      throw new BreakpointError(kind ? `break: unknown kind '${kind}' (${usage})` : `break: what? (${usage})`);
  }
}

export function describeBreakpoint(b: BreakpointSpec): string {
  switch (b.kind) {
    case "layer": return `layer ${b.index}`;
    case "op": return `op ${b.op}`;
    case "line": return `line ${b.file}:${b.line}`;
    case "fault": return "fault";
    case "cycles": return `cycles ${b.at}`;
  }
}

/** The first enabled breakpoint that stops before layer `index` running `op`. */
export function layerBreakpoint(list: Breakpoint[], index: number, op: number): Breakpoint | undefined {
  const name = builtinOpName(op);
  return list.find((b) => (b.kind === "layer" && b.index === index) || (b.kind === "op" && b.op === name));
}

/** Source files compare by their project-relative path or by a suffix of it ("main.ts:42"). */
export function sameFile(breakpointFile: string, mapped: string): boolean {
  const a = breakpointFile.replace(/\\/g, "/");
  return mapped === a || mapped.endsWith(`/${a}`) || a.endsWith(`/${mapped}`);
}
