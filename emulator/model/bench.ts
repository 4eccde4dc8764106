// `tinyboard model bench`: a model run on an emulated board inside the model-runner
// firmware. Latency per layer and in total (CPU and NPU), MACs per cycle, arena and peak
// SRAM, and the output tensors (raw and dequantized), as a table or JSON.
import { loadTarget } from "../board.ts";
import { UserError, kb } from "../errors.ts";
import { describeLayers } from "./layers.ts";
import { runModel } from "./runner.ts";
import type { TfliteModel } from "./tflite-model.ts";

export interface BenchOptions {
  /** Raw bytes of the input tensors (all of them, in order); zeros when absent. */
  input?: Uint8Array;
  /** Every layer on the CPU, even on a board with an NPU. */
  cpuOnly?: boolean;
}

export interface BenchLayer {
  index: number;
  op: string;
  unit: "cpu" | "npu";
  cycles: number;
  latency_us: number;
  macs: number;
  macs_per_cycle: number | null;
}

export interface BenchOutput {
  index: number;
  name: string;
  type: string;
  shape: number[];
  values: number[];
  dequantized: number[] | null;
}

export interface BenchReport {
  model: string;
  board: string;
  core: string;
  clock_hz: number;
  npu: string | null;
  latency_ms: number;
  cycles: number;
  cpu_cycles: number;
  npu_cycles: number;
  macs: number;
  macs_per_cycle: number;
  /** TFLM's arena_used_bytes(): head (tensors, scratch) + tail (persistent). */
  arena_bytes: number;
  arena_head_bytes: number;
  arena_tail_bytes: number;
  /** From reset until the engine was ready (model parsed, layers prepared). */
  startup_ms: number;
  flash_bytes: number;
  sram_peak_bytes: number;
  host_wall_ms: number;
  layers: BenchLayer[];
  outputs: BenchOutput[];
  /** Raw bytes of each output tensor (for --output); not in the JSON. */
  raw: Uint8Array[];
}

const TYPED: Record<string, (b: Uint8Array) => ArrayLike<number>> = {
  int8: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength),
  uint8: (b) => b,
  int16: (b) => new Int16Array(b.slice().buffer),
  int32: (b) => new Int32Array(b.slice().buffer),
  float32: (b) => new Float32Array(b.slice().buffer),
};

export async function benchModel(
  bytes: Uint8Array,
  model: TfliteModel,
  boardId: string,
  opts: BenchOptions = {},
): Promise<BenchReport> {
  const target = loadTarget(boardId);
  const inputBytes = model.inputs.reduce((n, t) => n + model.tensors[t].byteSize, 0);
  const input = opts.input ?? new Uint8Array(inputBytes);
  if (input.length !== inputBytes) {
    const shapes = model.inputs
      .map((t) => `${model.tensors[t].type}[${model.tensors[t].shape.join(",")}]`)
      .join(" + ");
    throw new UserError(
      `${model.name}: input has ${input.length} bytes, the model's input ${shapes} needs ${inputBytes}`,
    );
  }
  const facts = describeLayers(model);
  const run = await runModel(bytes, [input], target, { name: model.name, cpuOnly: opts.cpuOnly });
  const inf = run.inferences[0];
  const hz = target.core.clockHz;
  const layers: BenchLayer[] = inf.layers.map((l) => {
    const macs = facts.layers[l.index]?.macs ?? 0;
    return {
      index: l.index,
      op: facts.layers[l.index]?.op ?? String(l.op),
      unit: l.unit,
      cycles: l.cycles,
      latency_us: (l.cycles / hz) * 1e6,
      macs,
      macs_per_cycle: macs && l.cycles ? macs / l.cycles : null,
    };
  });
  const sum = (unit: "cpu" | "npu") =>
    layers.filter((l) => l.unit === unit).reduce((n, l) => n + l.cycles, 0);
  const outputs = model.outputs.map((t, k): BenchOutput => {
    const info = model.tensors[t];
    const raw = inf.outputs[k];
    const values = Array.from((TYPED[info.type] ?? TYPED.uint8)(raw));
    const q = info.quantization;
    const dequantized =
      q && q.scale.length === 1 && info.type !== "float32"
        ? values.map((v) => (v - q.zeroPoint[0]) * q.scale[0])
        : null;
    return { index: t, name: info.name, type: info.type, shape: info.shape, values, dequantized };
  });
  return {
    model: model.name,
    board: target.board.id,
    core: target.core.id,
    clock_hz: hz,
    npu: target.board.npu && !opts.cpuOnly ? target.board.npu.name : null,
    latency_ms: (inf.cycles / hz) * 1e3,
    cycles: inf.cycles,
    cpu_cycles: sum("cpu"),
    npu_cycles: sum("npu"),
    macs: facts.totalMacs,
    macs_per_cycle: inf.cycles ? facts.totalMacs / inf.cycles : 0,
    arena_bytes: run.arena.bytes,
    arena_head_bytes: run.arena.headBytes,
    arena_tail_bytes: run.arena.persistentBytes,
    startup_ms: (run.startupCycles / hz) * 1e3,
    flash_bytes: model.fileBytes,
    sram_peak_bytes: run.summary.sramPeakBytes,
    host_wall_ms: run.wallPerInference * 1e3,
    layers,
    outputs,
    raw: inf.outputs,
  };
}

export function formatBench(r: BenchReport): string {
  const rows = [
    ["#", "op", "unit", "cycles", "µs", "MACs", "MAC/cycle"],
    ...r.layers.map((l) => [
      String(l.index),
      l.op,
      l.unit,
      String(l.cycles),
      l.latency_us.toFixed(1),
      String(l.macs),
      l.macs_per_cycle === null ? "-" : l.macs_per_cycle.toFixed(2),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const table = rows
    .map((row) =>
      row
        .map((c, i) => (i === 1 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join("  "),
    )
    .join("\n");
  const show = (o: BenchOutput) => {
    const v =
      o.values.length > 16
        ? `${o.values.slice(0, 16).join(", ")}, … (${o.values.length} values)`
        : o.values.join(", ");
    const d =
      o.dequantized && o.values.length <= 16
        ? ` = ${o.dequantized.map((x) => x.toFixed(4)).join(", ")}`
        : "";
    return `output ${o.name || o.index} ${o.type}[${o.shape.join(",")}]: ${v}${d}`;
  };
  return [
    `${r.model} on ${r.board} (${r.core}, ${r.clock_hz / 1e6} MHz${r.npu ? `, ${r.npu}` : ""})`,
    table,
    `latency ${r.latency_ms.toFixed(3)} ms (${r.cycles} cycles: CPU ${r.cpu_cycles}, NPU ${r.npu_cycles}); ${r.macs} MACs, ${r.macs_per_cycle.toFixed(3)} MAC/cycle`,
    `arena ${kb(r.arena_bytes)} (head ${kb(r.arena_head_bytes)}: tensors and scratch; tail ${kb(r.arena_tail_bytes)}: persistent), start-up ${r.startup_ms.toFixed(2)} ms`,
    `peak SRAM ${kb(r.sram_peak_bytes)}, model ${kb(r.flash_bytes)} in flash; host ${r.host_wall_ms.toFixed(2)} ms per inference`,
    ...r.outputs.map(show),
  ].join("\n");
}

/** The report as JSON for scripts (without the raw bytes). */
export function benchJson(r: BenchReport): string {
  const { raw: _raw, ...rest } = r;
  return JSON.stringify(rest, null, 2);
}
