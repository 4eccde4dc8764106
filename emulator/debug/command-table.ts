// The debugger's command set: each command's name, aliases, usage and help (the REPL's `help`
// and the DAP console's), and readline's completions over them.

import { OP_NAMES } from "./breakpoints.ts";

/** Op names for `break op` completion, sorted (codes the reader has no name for left out). */
const OP_COMPLETIONS = OP_NAMES.filter((s) => !s.startsWith("BUILTIN_")).sort();

export class CommandError extends Error {}

export interface CommandHelp {
  name: string;
  aliases: string[];
  usage: string;
  help: string;
}

export const COMMANDS: CommandHelp[] = [
  {
    name: "break",
    aliases: ["b"],
    usage: "break layer N | op NAME | [line] FILE:LINE [if COND] | fault | cycles N",
    help: "stop before layer N, before any layer running op NAME, on a source line (only when COND over the locals holds), on a fault, or at a cycle count",
  },
  {
    name: "delete",
    aliases: ["d"],
    usage: "delete [ID...]",
    help: "delete breakpoints (all without IDs)",
  },
  {
    name: "continue",
    aliases: ["c"],
    usage: "continue",
    help: "run to the next breakpoint or the end",
  },
  {
    name: "step",
    aliases: ["s"],
    usage: "step",
    help: "at a source line: run to the next line, into calls; at a layer: run one layer (stop before the next, or at the end of the inference)",
  },
  {
    name: "next",
    aliases: ["n"],
    usage: "next",
    help: "run to another source line of this function or its caller (any statement in a debug-lines build, else sync points: calls, HAL calls, loop heads)",
  },
  {
    name: "stepi",
    aliases: ["si"],
    usage: "stepi",
    help: "run to the next sync point (HAL call, layer hook, loop-head or recursive-entry tick)",
  },
  {
    name: "finish",
    aliases: ["fin"],
    usage: "finish",
    help: "at a source line: run until this function returns to its caller; at a layer: run to the end of the inference",
  },
  {
    name: "print",
    aliases: ["p"],
    usage: "print tensor ID|NAME | print LOCAL",
    help: "shape, type, quantisation, values and dequantized values of a tensor; or a local of the stopped statement (as 'info locals' shows it)",
  },
  {
    name: "diff",
    aliases: [],
    usage: "diff tensor ID|NAME",
    help: "compare a tensor with the float reference of the model (SNR in dB)",
  },
  {
    name: "info",
    aliases: ["i"],
    usage: "info locals | layers | memory | peripherals | tensors | tensor N | breakpoints",
    help: "the stopped function's arguments (debug-lines builds), per-layer cycles so far, flash/SRAM map and arena, peripheral counters, the model's tensors (names shortened), one tensor's full name, breakpoints and their hits",
  },
  {
    name: "backtrace",
    aliases: ["bt", "where"],
    usage: "backtrace",
    help: "firmware functions and source lines on the stack",
  },
  {
    name: "x",
    aliases: [],
    usage: "x/NFU ADDR",
    help: "dump N units of memory at ADDR (F: x hex, d signed, u unsigned; U: b byte, h half, w word), e.g. x/16xb 0x50000",
  },
  {
    name: "help",
    aliases: ["h", "?"],
    usage: "help [COMMAND]",
    help: "this list, or one command's help",
  },
  { name: "quit", aliases: ["q", "exit"], usage: "quit", help: "leave the debugger" },
];

const NAMES = COMMANDS.flatMap((c) => [c.name, ...c.aliases]);
const SUBCOMMANDS: Record<string, string[]> = {
  break: ["layer", "op", "line", "fault", "cycles"],
  info: ["locals", "layers", "memory", "peripherals", "tensors", "breakpoints"],
  print: ["tensor"],
  diff: ["tensor"],
};

/** Completions for readline: command names, then sub-commands. */
export function completeCommand(line: string): [string[], string] {
  const words = line.split(/\s+/);
  if (words.length <= 1) return [NAMES.filter((n) => n.startsWith(words[0])), words[0]];
  const cmd = COMMANDS.find((c) => c.name === words[0] || c.aliases.includes(words[0]))?.name ?? "";
  const subs = SUBCOMMANDS[cmd] ?? [];
  const last = words[words.length - 1];
  if (words.length === 2) return [subs.filter((s) => s.startsWith(last)), last];
  if (cmd === "break" && words[1] === "op")
    return [OP_COMPLETIONS.filter((s) => s.startsWith(last.toUpperCase())), last];
  return [[], last];
}
