// Timeline export: records a run's events and writes them as Chrome trace event JSON (the
// format ui.perfetto.dev and chrome://tracing open). Tracks: CPU busy/idle, inferences,
// layers (CPU and NPU), peripherals (transfers, overruns, dropped frames), console and markers.
import { writeFileSync } from "node:fs";
import type { Machine } from "../machine.ts";
import type { RunSummary } from "../events.ts";
import { builtinOpName } from "../model/tflite-model.ts";

/** One Chrome trace event (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU). */
export interface TraceEvent {
  name: string;
  ph: "X" | "i" | "M" | "C";
  pid: number;
  tid: number;
  /** Microseconds of emulated time. */
  ts?: number;
  dur?: number;
  cat?: string;
  s?: "t" | "p" | "g";
  args?: Record<string, unknown>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ms" | "ns";
  otherData: Record<string, unknown>;
}

const PID = 1;
export const TRACK = {
  cpu: 1,
  inference: 2,
  layersCpu: 3,
  layersNpu: 4,
  peripherals: 5,
  console: 6,
} as const;
const TRACK_NAMES: Record<number, string> = {
  [TRACK.cpu]: "CPU (busy / idle)",
  [TRACK.inference]: "inference",
  [TRACK.layersCpu]: "layers on the CPU",
  [TRACK.layersNpu]: "layers on the NPU",
  [TRACK.peripherals]: "peripherals",
  [TRACK.console]: "console and markers",
};

/** A layer as it ran: begin and end in cycles. */
export interface LayerSpan {
  index: number;
  op: number;
  unit: "cpu" | "npu";
  start: number;
  end: number;
}

/** Collects layer spans from a machine's events; inferences are runs that start at layer 0. */
export class LayerLog {
  readonly spans: LayerSpan[] = [];
  private readonly open = new Map<string, LayerSpan>();

  constructor(machine: Machine) {
    machine.events.on("layerBegin", (index, op, cycles, unit) => {
      this.open.set(`${unit}${index}`, { index, op, unit, start: cycles, end: cycles });
    });
    machine.events.on("layerEnd", (index, cycles, unit) => {
      const span = this.open.get(`${unit}${index}`);
      if (!span) return;
      span.end = cycles;
      this.spans.push(span);
      this.open.delete(`${unit}${index}`);
    });
  }

  /** Layer spans grouped per inference (a new one starts whenever layer 0 begins again). */
  inferences(): LayerSpan[][] {
    const out: LayerSpan[][] = [];
    for (const s of [...this.spans].sort((a, b) => a.start - b.start || a.index - b.index)) {
      if (s.index === 0 || out.length === 0) out.push([]);
      out[out.length - 1].push(s);
    }
    return out;
  }
}

/** Latency of one inference: first layer's begin to the last layer's end, in cycles. */
export function inferenceCycles(layers: LayerSpan[]): number {
  return layers.length
    ? Math.max(...layers.map((l) => l.end)) - Math.min(...layers.map((l) => l.start))
    : 0;
}

export class TraceRecorder {
  private readonly layers: LayerLog;
  private readonly idle: [number, number][] = [];
  private readonly events: TraceEvent[] = [];
  private readonly us: (cycles: number) => number;

  constructor(private readonly machine: Machine) {
    this.layers = new LayerLog(machine);
    const hz = machine.clock.hz;
    this.us = (c) => (c * 1e6) / hz;
    const ev = machine.events;
    ev.on("idle", (from, to) => {
      const last = this.idle[this.idle.length - 1];
      if (last && last[1] === from)
        last[1] = to; // one span per wait, even when alarms split it
      else this.idle.push([from, to]);
    });
    ev.on("peripheral", (name, what, start, end) => {
      const e: TraceEvent = {
        name: `${name}: ${what}`,
        cat: name,
        ph: end > start ? "X" : "i",
        pid: PID,
        tid: TRACK.peripherals,
        ts: this.us(start),
      };
      if (end > start) e.dur = this.us(end) - this.us(start);
      else e.s = "t";
      this.events.push(e);
    });
    let line = "";
    ev.on("console", (text) => {
      line += text;
      const parts = line.split("\n");
      line = parts.pop()!;
      for (const p of parts) this.instant(`console: ${p}`, "console", machine.clock.now);
    });
    ev.on("marker", (id, label, cycles) =>
      this.instant(`marker ${id}: ${label}`, "marker", cycles),
    );
    ev.on("fault", (f) => this.instant(`FAULT ${f.kind}: ${f.message}`, "fault", f.cycles));
  }

  private instant(name: string, cat: string, cycles: number): void {
    this.events.push({
      name,
      cat,
      ph: "i",
      s: "t",
      pid: PID,
      tid: TRACK.console,
      ts: this.us(cycles),
    });
  }

  private span(
    name: string,
    cat: string,
    tid: number,
    start: number,
    end: number,
    args?: Record<string, unknown>,
  ): TraceEvent {
    const e: TraceEvent = {
      name,
      cat,
      ph: "X",
      pid: PID,
      tid,
      ts: this.us(start),
      dur: this.us(end) - this.us(start),
    };
    if (args) e.args = args;
    return e;
  }

  /** The trace of the run that ended with `summary`. */
  trace(summary: RunSummary): TraceFile {
    const m = this.machine;
    const out: TraceEvent[] = [
      {
        name: "process_name",
        ph: "M",
        pid: PID,
        tid: 0,
        args: {
          name: `${summary.app} on ${summary.board} (${summary.core} at ${summary.clockHz / 1e6} MHz)`,
        },
      },
      ...Object.entries(TRACK_NAMES).map(([tid, name]) => ({
        name: "thread_name",
        ph: "M" as const,
        pid: PID,
        tid: Number(tid),
        args: { name },
      })),
      ...Object.keys(TRACK_NAMES).map((tid) => ({
        name: "thread_sort_index",
        ph: "M" as const,
        pid: PID,
        tid: Number(tid),
        args: { sort_index: Number(tid) },
      })),
    ];
    // CPU: busy between the waits, idle during them.
    let at = 0;
    for (const [from, to] of this.idle) {
      if (from > at) out.push(this.span("busy", "cpu", TRACK.cpu, at, from));
      out.push(this.span("idle", "cpu", TRACK.cpu, from, to));
      at = to;
    }
    if (summary.cycles > at) out.push(this.span("busy", "cpu", TRACK.cpu, at, summary.cycles));
    this.layers.inferences().forEach((layers, n) => {
      const start = Math.min(...layers.map((l) => l.start));
      out.push(
        this.span(
          `inference ${n}`,
          "inference",
          TRACK.inference,
          start,
          start + inferenceCycles(layers),
          { layers: layers.length, cycles: inferenceCycles(layers) },
        ),
      );
      for (const l of layers) {
        const op = builtinOpName(l.op);
        out.push(
          this.span(
            `#${l.index} ${op}`,
            "layer",
            l.unit === "npu" ? TRACK.layersNpu : TRACK.layersCpu,
            l.start,
            l.end,
            { index: l.index, op, unit: l.unit, cycles: l.end - l.start, inference: n },
          ),
        );
      }
    });
    out.push(...this.events);
    return {
      traceEvents: out,
      displayTimeUnit: "ms",
      otherData: {
        tool: "tinyboard",
        board: summary.board,
        core: summary.core,
        clockHz: m.clock.hz,
        cycles: summary.cycles,
        reason: summary.reason,
      },
    };
  }

  write(file: string, summary: RunSummary): void {
    writeFileSync(file, JSON.stringify(this.trace(summary)));
  }
}
