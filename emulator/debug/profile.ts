// `tinyboard run --profile`: per-layer cycles (exact, from the layer hooks) and per-function
// cycles (sampled: at every synchronisation point, the busy cycles since the previous one are
// charged to the innermost firmware function on the wasm stack; loop heads hand the host
// control every 65,536 cycles, so long-running functions are sampled that often).
import type { Machine } from "../machine.ts";
import { builtinOpName } from "../model/tflite-model.ts";
import { wasmFrames, SourceMapper } from "../faults.ts";
import { LayerLog, inferenceCycles } from "./trace.ts";

export interface LayerProfile {
  index: number;
  op: string;
  unit: "cpu" | "npu";
  runs: number;
  /** Cycles summed over the runs. */
  cycles: number;
}

export interface FunctionProfile {
  function: string;
  file?: string;
  line?: number;
  cycles: number;
  samples: number;
}

export interface Profile {
  clockHz: number;
  inferences: number;
  /** Cycles per inference (first layer's begin to last layer's end), averaged. */
  inferenceCycles: number;
  /** Per inference, averaged: cycles inside layers, and between them (the interpreter's dispatch). */
  layerCycles: number;
  dispatchCycles: number;
  layers: LayerProfile[];
  functions: FunctionProfile[];
  sampledCycles: number;
}

export class Profiler {
  private layers: LayerLog | null = null;
  private machine: Machine | null = null;
  private lastBusy = 0;
  private readonly samples = new Map<string, { cycles: number; samples: number; offset: number }>();

  /** The machine's `onSync` option: pass it when creating the machine, then attach. */
  readonly onSync = (): void => {
    const m = this.machine;
    if (!m) return;
    const busy = m.clock.busyCycles;
    const delta = busy - this.lastBusy;
    if (delta <= 0) return;
    this.lastBusy = busy;
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 12; // host frames (this, sync, the import) then the innermost wasm frames
    const frame = wasmFrames(new Error())[0];
    Error.stackTraceLimit = limit;
    const key = frame?.function ?? "(host)";
    const s = this.samples.get(key);
    if (s) {
      s.cycles += delta;
      s.samples++;
    } else this.samples.set(key, { cycles: delta, samples: 1, offset: frame?.offset ?? 0 });
  };

  constructor(
    private readonly sourceMap: string | null,
    private readonly wasm?: Uint8Array,
  ) {}

  /** Starts listening to a machine created with `onSync: profiler.onSync`. */
  attach(machine: Machine): void {
    this.machine = machine;
    this.layers = new LayerLog(machine);
  }

  async profile(): Promise<Profile> {
    const m = this.machine;
    if (!m || !this.layers) throw new Error("profiler: attach() a machine first");
    const inferences = this.layers.inferences();
    const byIndex = new Map<string, LayerProfile>();
    let total = 0,
      inside = 0;
    for (const inf of inferences) {
      total += inferenceCycles(inf);
      for (const l of inf) {
        inside += l.end - l.start;
        const key = `${l.unit}${l.index}`;
        const p = byIndex.get(key) ?? {
          index: l.index,
          op: builtinOpName(l.op),
          unit: l.unit,
          runs: 0,
          cycles: 0,
        };
        p.runs++;
        p.cycles += l.end - l.start;
        byIndex.set(key, p);
      }
    }
    const n = Math.max(inferences.length, 1);
    const mapper = new SourceMapper(this.sourceMap, this.wasm);
    const entries = [...this.samples.entries()].sort((a, b) => b[1].cycles - a[1].cycles);
    const located = await mapper.locate(
      entries.map(([fn, s]) => ({ function: fn, offset: s.offset })),
    );
    return {
      clockHz: m.clock.hz,
      inferences: inferences.length,
      inferenceCycles: total / n,
      layerCycles: inside / n,
      dispatchCycles: (total - inside) / n,
      layers: [...byIndex.values()].sort(
        (a, b) => a.index - b.index || a.unit.localeCompare(b.unit),
      ),
      functions: entries.map(([, s], i) => ({
        function: located[i].function,
        file: located[i].file,
        line: located[i].line,
        cycles: s.cycles,
        samples: s.samples,
      })),
      sampledCycles: entries.reduce((sum, [, s]) => sum + s.cycles, 0),
    };
  }
}

const pct = (part: number, whole: number) =>
  (whole > 0 ? ((100 * part) / whole).toFixed(1) : "0.0").padStart(6);

export function formatProfile(p: Profile, maxFunctions = 15): string {
  const us = (c: number) => ((c * 1e6) / p.clockHz).toFixed(1);
  const lines: string[] = [];
  if (p.inferences > 0) {
    lines.push(
      `--- layers: ${p.inferences} inference${p.inferences === 1 ? "" : "s"}, ${Math.round(p.inferenceCycles)} cycles (${us(p.inferenceCycles)} us) each = ${Math.round(p.layerCycles)} in layers + ${Math.round(p.dispatchCycles)} dispatch between them`,
    );
    lines.push("layer  op                   unit   cycles/run        us   %inf");
    for (const l of p.layers) {
      const per = l.cycles / l.runs;
      lines.push(
        `${String(l.index).padStart(5)}  ${l.op.padEnd(20)} ${l.unit.padEnd(4)} ${String(Math.round(per)).padStart(12)} ${us(per).padStart(9)} ${pct(per, p.inferenceCycles)}`,
      );
    }
  } else {
    lines.push("--- layers: no inference ran (no debug.layer-begin/end hooks were called)");
  }
  lines.push(`--- functions (busy cycles sampled at every sync point; ${p.sampledCycles} cycles)`);
  lines.push("        cycles   %busy  function");
  for (const f of p.functions.slice(0, maxFunctions)) {
    lines.push(
      `${String(f.cycles).padStart(14)} ${pct(f.cycles, p.sampledCycles)}  ${f.function}${f.file ? ` ${f.file}:${f.line}` : ""}`,
    );
  }
  if (p.functions.length > maxFunctions)
    lines.push(`   (${p.functions.length - maxFunctions} more)`);
  return lines.join("\n");
}
