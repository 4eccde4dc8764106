// The debugger's commands, shared by the REPL and the DAP's debug console: one line in, text
// out. A typo is answered with one line and never ends the session.
import { shortTensorName } from "./tensor-view.ts";
import type { RunSummary } from "../events.ts";
import { builtinOpName } from "../model/tflite-model.ts";
import { SourceMapper } from "../faults.ts";
import { parseBreakpoint, BreakpointError } from "./breakpoints.ts";
import type { DebugEngine } from "./engine.ts";
import type { ResumeMode, StopInfo } from "./protocol.ts";
import { FloatReference } from "./float-reference.ts";
import { formatTensor } from "./tensor-view.ts";
import { findTensor } from "./inspector.ts";
import { formatLocal } from "./local-value.ts";

export const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

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

export class CommandError extends Error {}

export class Commands {
  private reference: { inputs: Uint8Array[]; ref: FloatReference } | null = null;
  quitRequested = false;

  constructor(readonly engine: DebugEngine) {}

  /** Completions for readline: command names, then sub-commands. */
  complete(line: string): [string[], string] {
    const words = line.split(/\s+/);
    if (words.length <= 1) return [NAMES.filter((n) => n.startsWith(words[0])), words[0]];
    const cmd =
      COMMANDS.find((c) => c.name === words[0] || c.aliases.includes(words[0]))?.name ?? "";
    const subs = SUBCOMMANDS[cmd] ?? [];
    const last = words[words.length - 1];
    if (words.length === 2) return [subs.filter((s) => s.startsWith(last)), last];
    if (cmd === "break" && words[1] === "op")
      return [
        [
          "CONV_2D",
          "DEPTHWISE_CONV_2D",
          "FULLY_CONNECTED",
          "AVERAGE_POOL_2D",
          "MAX_POOL_2D",
          "SOFTMAX",
          "RESHAPE",
          "ADD",
        ].filter((s) => s.startsWith(last.toUpperCase())),
        last,
      ];
    return [[], last];
  }

  /** Runs one command line; returns what to print. Errors come back as `error: ...` lines. */
  async execute(line: string): Promise<string> {
    try {
      return await this.run(line.trim());
    } catch (e) {
      if (e instanceof CommandError || e instanceof BreakpointError) return `error: ${e.message}`;
      return `error: ${(e as Error).message ?? e}`;
    }
  }

  private async run(line: string): Promise<string> {
    if (!line) return "";
    const xm =
      /^x\/(\d*)([xdu]?)([bhw]?)\s+(\S+)$/.exec(line) ??
      (/^x\s+(\S+)$/.exec(line) ? [line, "", "", "", line.split(/\s+/)[1]] : null);
    if (xm) return this.examine(Number(xm[1] || 16), xm[2] || "x", xm[3] || "b", xm[4]);
    const [word, ...rest] = line.split(/\s+/);
    const cmd = COMMANDS.find((c) => c.name === word || c.aliases.includes(word));
    if (!cmd) throw new CommandError(`unknown command '${word}' (try 'help')`);
    const arg = rest.join(" ");
    switch (cmd.name) {
      case "help":
        return this.help(arg);
      case "quit":
        this.quitRequested = true;
        return "";
      case "break": {
        const bp = await this.engine.addBreakpoint(parseBreakpoint(arg));
        return `breakpoint ${bp.id}: ${this.engine.describe(bp)}${bp.verified ? "" : ` (not verified: ${bp.message})`}`;
      }
      case "delete": {
        const ids = rest.map((r) => {
          if (!/^\d+$/.test(r)) throw new CommandError(`delete: '${r}' is not a breakpoint number`);
          return Number(r);
        });
        const n = await this.engine.deleteBreakpoints(ids.length ? ids : undefined);
        return `deleted ${n} breakpoint${n === 1 ? "" : "s"}`;
      }
      case "continue":
        return this.resume("continue");
      case "step":
        return this.resume("step");
      case "next":
        return this.resume("next");
      case "stepi":
        return this.resume("stepi");
      case "finish":
        return this.resume("finish");
      case "print":
        return this.print(rest);
      case "diff":
        return this.diff(rest);
      case "info":
        return this.info(arg);
      case "backtrace":
        return this.backtrace();
    }
    throw new CommandError(`unknown command '${word}'`);
  }

  private help(arg: string): string {
    if (arg) {
      const c = COMMANDS.find((x) => x.name === arg || x.aliases.includes(arg));
      if (!c) throw new CommandError(`no command '${arg}' (try 'help')`);
      return `${c.usage}\n  ${c.help}${c.aliases.length ? `\n  aliases: ${c.aliases.join(", ")}` : ""}`;
    }
    return COMMANDS.map((c) => `  ${c.usage.padEnd(58)} ${c.help}`).join("\n");
  }

  private async resume(mode: ResumeMode): Promise<string> {
    if (this.engine.state === "exited")
      throw new CommandError("the firmware has exited (inspect it, or 'quit')");
    const r = await this.engine.resume(mode);
    return "reason" in r && "description" in r
      ? formatStop(r as StopInfo, this.engine.opts.target.core.clockHz)
      : formatExit(r as RunSummary);
  }

  private tensorRef(rest: string[], cmd: string): string {
    if (rest[0] !== "tensor" && rest[0] !== "t")
      throw new CommandError(`${cmd}: expected '${cmd} tensor ID|NAME'`);
    const ref = rest.slice(1).join(" ");
    if (!ref)
      throw new CommandError(
        `${cmd} tensor: which tensor? (an index or a name; 'info tensors' lists them)`,
      );
    return ref;
  }

  private async print(rest: string[]): Promise<string> {
    // `print x` (gdb's habit) is a local of the stopped statement; tensors say `tensor`.
    if (rest.length === 1 && rest[0] !== "tensor" && rest[0] !== "t")
      return this.printLocal(rest[0]);
    const t = await this.engine.tensor(this.tensorRef(rest, "print"));
    return formatTensor(t, hex);
  }

  private async printLocal(name: string): Promise<string> {
    let l: Awaited<ReturnType<DebugEngine["locals"]>>;
    try {
      l = await this.engine.locals();
    } catch (e) {
      throw new CommandError(
        `print ${name}: ${(e as Error).message} (a tensor: 'print tensor ID|NAME')`,
      );
    }
    const v = l.locals.find((x) => x.name === name);
    if (!v) {
      const here = l.locals.length
        ? `locals here: ${l.locals.map((x) => x.name).join(", ")}`
        : "no locals here";
      throw new CommandError(
        `print: no local '${name}' at this statement (${here}; a local not yet assigned, optimised out, or whose assignment the optimiser folded into this statement is not shown: 'next' and print again; a tensor: 'print tensor ID|NAME')`,
      );
    }
    return `${v.name} = ${formatLocal(v, true)}  (${v.type})`;
  }

  private async diff(rest: string[]): Promise<string> {
    const ref = this.tensorRef(rest, "diff");
    const { model, bytes } = await this.engine.model();
    const info = findTensor(model, ref);
    const t = await this.engine.tensor(String(info.index));
    if (!t.valid) throw new CommandError(`tensor ${info.index}: ${t.note}`);
    const reference = await this.floatReference(model, bytes);
    const d = reference.diff(info, t.bytes);
    const producer = model.operators.find((op) => op.outputs.includes(info.index));
    const snr = d.snrDb === Infinity ? "exact" : `${d.snrDb.toFixed(2)} dB`;
    return [
      `tensor ${info.index} '${shortTensorName(info.name)}'${producer ? ` (output of layer ${producer.index}, ${producer.opName})` : " (model input)"} vs the float reference:`,
      `  SNR ${snr}  max |error| ${d.maxAbsError.toPrecision(4)}  mean |error| ${d.meanAbsError.toPrecision(4)}  (reference max |x| ${d.referenceMax.toPrecision(4)}, ${d.elements} values)`,
    ].join("\n");
  }

  private async floatReference(
    model: Awaited<ReturnType<DebugEngine["model"]>>["model"],
    bytes: Uint8Array,
  ): Promise<FloatReference> {
    const inputs = await this.engine.inputs();
    const same =
      this.reference &&
      this.reference.inputs.length === inputs.length &&
      this.reference.inputs.every(
        (b, i) => Buffer.compare(Buffer.from(b), Buffer.from(inputs[i])) === 0,
      );
    if (!same) this.reference = { inputs, ref: await FloatReference.run(model, bytes, inputs) };
    return this.reference!.ref;
  }

  private async info(what: string): Promise<string> {
    const one = /^tensor\s+(\d+)$/.exec(what.trim());
    if (one) {
      const list =
        await this.engine.inspect<
          { index: number; name: string; type: string; shape: number[]; constant: boolean }[]
        >("tensors");
      const t = list.find((x) => x.index === Number(one[1]));
      if (!t) throw new CommandError(`no tensor ${one[1]} (the model has ${list.length})`);
      return `tensor ${t.index}: ${t.type} [${t.shape.join(",")}]${t.constant ? " const" : ""}\nname: ${t.name}`;
    }
    switch (what) {
      case "locals": {
        const l = await this.engine.locals();
        if (!l.locals.length) return `${l.function}: no locals`;
        const typeWidth = Math.max(...l.locals.map((v) => v.type.length));
        return [
          `${l.function}:`,
          ...l.locals.map(
            (v) => `  ${v.name.padEnd(12)} ${v.type.padEnd(typeWidth)}  ${formatLocal(v, true)}`,
          ),
        ].join("\n");
      }
      case "layers":
        return this.infoLayers();
      case "memory":
        return this.infoMemory();
      case "peripherals": {
        const p = await this.engine.peripherals();
        const hz = this.engine.opts.target.core.clockHz;
        return [
          `time ${p.cycles} cycles (${((p.cycles / hz) * 1e3).toFixed(3)} ms): busy ${p.busy}, idle ${p.idle}; event lines pending 0b${p.pendingLines.toString(2)}`,
          ...Object.entries(p.peripherals).map(
            ([k, v]) =>
              `  ${k.padEnd(8)} ${Object.entries(v)
                .map(([a, b]) => `${a} ${b}`)
                .join(", ")}`,
          ),
        ].join("\n");
      }
      case "tensors": {
        const list =
          await this.engine.inspect<
            { index: number; name: string; type: string; shape: number[]; constant: boolean }[]
          >("tensors");
        return list
          .map(
            (t) =>
              `${String(t.index).padStart(4)} ${t.type.padEnd(8)} [${t.shape.join(",")}]${t.constant ? " const" : ""} ${shortTensorName(t.name)}`,
          )
          .join("\n");
      }
      case "breakpoints": {
        if (!this.engine.breakpoints.length) return "no breakpoints";
        return this.engine.breakpoints
          .map(
            (b) =>
              `${String(b.id).padStart(3)}  ${this.engine.describe(b).padEnd(40)} hit ${b.hits} time${b.hits === 1 ? "" : "s"}`,
          )
          .join("\n");
      }
    }
    throw new CommandError(
      `info: expected locals, layers, memory, peripherals, tensors or breakpoints${what ? `, not '${what}'` : ""}`,
    );
  }

  private async infoLayers(): Promise<string> {
    const s = await this.engine.layers();
    const hz = this.engine.opts.target.core.clockHz;
    if (!s.spans.length && !s.current) return "no layer has run yet";
    const per = new Map<
      string,
      { index: number; op: number; unit: string; cycles: number; runs: number }
    >();
    for (const l of s.spans) {
      const k = `${l.unit}${l.index}`;
      const p = per.get(k) ?? { index: l.index, op: l.op, unit: l.unit, cycles: 0, runs: 0 };
      p.cycles += l.end - l.start;
      p.runs++;
      per.set(k, p);
    }
    const rows = [...per.values()].sort((a, b) => a.index - b.index);
    const total = rows.reduce((n, r) => n + r.cycles, 0);
    const cpu = rows.filter((r) => r.unit === "cpu").reduce((n, r) => n + r.cycles, 0);
    const out = ["layer  op                   unit       cycles        us  runs"];
    for (const r of rows)
      out.push(
        `${String(r.index).padStart(5)}  ${builtinOpName(r.op).padEnd(20)} ${r.unit.padEnd(4)} ${String(r.cycles).padStart(12)} ${((r.cycles * 1e6) / hz).toFixed(1).padStart(9)} ${String(r.runs).padStart(5)}`,
      );
    out.push(`total  ${total} cycles in layers so far (CPU ${cpu}, NPU ${total - cpu})`);
    if (s.current)
      out.push(
        `now    ${s.current.phase === "begin" ? "before" : "after"} layer ${s.current.index} (${builtinOpName(s.current.op)}, ${s.current.unit.toUpperCase()}), cycle ${s.cycles}`,
      );
    return out.join("\n");
  }

  private async infoMemory(): Promise<string> {
    const m = await this.engine.memoryMap();
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const out = [
      `flash ${m.flash.name} at ${hex(m.flash.base)}, ${kb(m.flash.size)}: code ${kb(m.flash.code)}, data ${kb(m.flash.data)}, partitions window ${kb(m.flash.window)} (firmware addresses 0x0-${hex(m.flash.window)})`,
      ...m.flash.partitions.map(
        (p) =>
          `  partition ${p.name.padEnd(10)} ${hex(p.offset)} (board ${hex(m.flash.base + p.offset)}) ${p.size} B`,
      ),
      `SRAM ${kb(m.sram.bytes)} from firmware address ${hex(m.sram.wasmBase)}: static data to ${hex(m.sram.staticEnd)}, heap to ${hex(m.sram.heapTop)}, stack budget ${m.sram.stackBytes} B`,
      ...m.sram.regions.map((r) => `  region ${r.name.padEnd(10)} ${hex(r.base)} ${kb(r.size)}`),
    ];
    for (const a of m.arenas) {
      out.push(
        `arena of the model at ${hex(a.model)}: ${hex(a.arena)}, ${a.arenaBytes} B = tensors ${a.tensorBytes} B + scratch ${a.scratchBytes} B; live now ${a.liveTensors} tensors, ${a.liveBytes} B (${((100 * a.liveBytes) / Math.max(a.tensorBytes, 1)).toFixed(1)} % of the tensor area)`,
      );
    }
    if (!m.arenas.length) out.push("no model prepared yet");
    return out.join("\n");
  }

  private async backtrace(): Promise<string> {
    const stop = this.engine.lastStop;
    if (this.engine.state === "running") throw new CommandError("the firmware is running");
    if (this.engine.state === "exited") {
      const s = this.engine.summary;
      if (s?.fault)
        return s.fault.backtrace
          .map((f, i) => `#${i}  ${f.function}${f.file ? ` at ${f.file}:${f.line}` : ""}`)
          .join("\n");
      const how =
        s?.reason === "exit"
          ? `exit(${s.exitCode})`
          : s?.reason === "time-limit"
            ? "the time limit"
            : s?.reason === "returned"
              ? "main returned"
              : (s?.reason ?? "exited");
      if (!this.engine.endFrames.length) return `no stack: the firmware has ended (${how})`;
      const frames = await new SourceMapper(
        this.engine.opts.image.sourceMap,
        this.engine.opts.image.wasm,
      ).locate(this.engine.endFrames);
      return [
        `the firmware has ended (${how}); its stack then:`,
        ...frames.map((f, i) => `#${i}  ${f.function}${f.file ? ` at ${f.file}:${f.line}` : ""}`),
      ].join("\n");
    }
    if (!stop) return "not started";
    if (stop.fault)
      return stop.fault.backtrace
        .map((f, i) => `#${i}  ${f.function}${f.file ? ` at ${f.file}:${f.line}` : ""}`)
        .join("\n");
    if (!stop.frames.length)
      return stop.reason === "entry" ? "not started (stopped at reset)" : "no firmware frames";
    const frames = await new SourceMapper(
      this.engine.opts.image.sourceMap,
      this.engine.opts.image.wasm,
    ).locate(stop.frames);
    return frames
      .map((f, i) => `#${i}  ${f.function}${f.file ? ` at ${f.file}:${f.line}` : ""}`)
      .join("\n");
  }

  private async examine(
    count: number,
    format: string,
    unit: string,
    addrText: string,
  ): Promise<string> {
    const address = Number(addrText);
    if (!Number.isInteger(address) || address < 0)
      throw new CommandError(`x: bad address '${addrText}' (e.g. 0x50000)`);
    if (count < 1 || count > 4096) throw new CommandError("x: count must be 1..4096");
    const size = { b: 1, h: 2, w: 4 }[unit]!;
    const bytes = await this.engine.memory(address, count * size);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const perLine = size === 1 ? 16 : 8;
    const out: string[] = [];
    for (let i = 0; i * size < bytes.length; i += perLine) {
      const cells: string[] = [];
      for (let j = i; j < Math.min(i + perLine, bytes.length / size); j++) {
        const at = j * size;
        const u =
          size === 1
            ? view.getUint8(at)
            : size === 2
              ? view.getUint16(at, true)
              : view.getUint32(at, true);
        const sgn =
          size === 1
            ? view.getInt8(at)
            : size === 2
              ? view.getInt16(at, true)
              : view.getInt32(at, true);
        cells.push(
          format === "x"
            ? u.toString(16).padStart(size * 2, "0")
            : format === "d"
              ? String(sgn)
              : String(u),
        );
      }
      out.push(`${hex(address + i * size)}: ${cells.join(" ")}`);
    }
    return out.join("\n");
  }
}

export function formatStop(s: StopInfo, hz: number): string {
  const where = s.line ? `\n  at ${s.line.file}:${s.line.line}` : "";
  return `stopped: ${s.description}, cycle ${s.cycles} (${((s.cycles / hz) * 1e3).toFixed(3)} ms)${where}`;
}

export function formatExit(s: RunSummary): string {
  const how = {
    "time-limit": "time limit reached",
    returned: "main returned",
    exit: `exit(${s.exitCode})`,
    fault: `FAULT ${s.fault?.kind}: ${s.fault?.message}`,
  }[s.reason];
  return `firmware ended: ${how}, cycle ${s.cycles} (${(s.emulatedSeconds * 1e3).toFixed(3)} ms), busy ${s.busyCycles} cycles`;
}
