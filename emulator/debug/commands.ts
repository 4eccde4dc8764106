// The debugger's commands, shared by the REPL and the DAP's debug console: one line in, text
// out. A typo is answered with one line and never ends the session.
import { shortTensorName } from "./tensor-view.ts";
import type { RunSummary } from "../events.ts";
import { parseBreakpoint, BreakpointError } from "./breakpoints.ts";
import type { DebugEngine } from "./engine.ts";
import type { ResumeMode, StopInfo } from "./protocol.ts";
import { FloatReference } from "./float-reference.ts";
import { formatTensor } from "./tensor-view.ts";
import { findTensor } from "./inspector.ts";
import { formatLocal } from "./local-value.ts";
import { COMMANDS, CommandError, completeCommand } from "./command-table.ts";
import {
  backtraceText,
  examineText,
  formatExit,
  formatStop,
  hex,
  layersText,
  memoryText,
} from "./board-views.ts";

// The command table and the views are their own modules; these names stay importable from here.
export { CommandError, formatExit, formatStop, hex };

export class Commands {
  private reference: { inputs: Uint8Array[]; ref: FloatReference } | null = null;
  quitRequested = false;

  constructor(readonly engine: DebugEngine) {}

  /** Completions for readline: command names, then sub-commands. */
  complete(line: string): [string[], string] {
    return completeCommand(line);
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
    if (xm) return examineText(this.engine, Number(xm[1] || 16), xm[2] || "x", xm[3] || "b", xm[4]);
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
        // Unverified ones say why; verified ones only when there is news (a moved line).
        const note = bp.message ? ` (${bp.verified ? "" : "not verified: "}${bp.message})` : "";
        return `breakpoint ${bp.id}: ${this.engine.describe(bp)}${note}`;
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
        return backtraceText(this.engine);
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
        return layersText(this.engine);
      case "memory":
        return memoryText(this.engine);
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
}
