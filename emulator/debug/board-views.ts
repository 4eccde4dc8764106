// What the stopped board looks like, as the debugger prints it: layers run so far, the memory
// map, the stack, raw memory, and the one-line stop and exit reports.
import type { RunSummary } from "../events.ts";
import { builtinOpName } from "../model/tflite-model.ts";
import { SourceMapper, type SourceLocation } from "../faults.ts";
import type { DebugEngine } from "./engine.ts";
import type { StopInfo } from "./protocol.ts";
import { CommandError } from "./command-table.ts";

export const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

export async function layersText(engine: DebugEngine): Promise<string> {
  const s = await engine.layers();
  const hz = engine.opts.target.core.clockHz;
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

export async function memoryText(engine: DebugEngine): Promise<string> {
  const m = await engine.memoryMap();
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

export async function backtraceText(engine: DebugEngine): Promise<string> {
  const stop = engine.lastStop;
  if (engine.state === "running") throw new CommandError("the firmware is running");
  if (engine.state === "exited") {
    const s = engine.summary;
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
    if (!engine.endFrames.length) return `no stack: the firmware has ended (${how})`;
    const frames = await new SourceMapper(
      engine.opts.image.sourceMap,
      engine.opts.image.wasm,
    ).locate(engine.endFrames);
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
  const frames = await stoppedStack(engine, stop);
  return frames
    .map((f, i) => `#${i}  ${f.function}${f.file ? ` at ${f.file}:${f.line}` : ""}`)
    .join("\n");
}

/** The stopped stack, innermost first: code of a function the optimiser inlined gets a frame of
 *  its own (marked so) above the wasm function it now runs in, which shows its call. */
export function stoppedStack(engine: DebugEngine, stop: StopInfo): Promise<SourceLocation[]> {
  return new SourceMapper(engine.opts.image.sourceMap, engine.opts.image.wasm).locate(stop.frames, {
    inlined: true,
  });
}

export async function examineText(
  engine: DebugEngine,
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
  const bytes = await engine.memory(address, count * size);
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
