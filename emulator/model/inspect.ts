// `tinyboard model inspect`: what a model asks of a board before anything runs — per layer its
// shapes, MACs, weights, where its output sits in the arena and, on a board with an NPU, what
// the NPU would take and how long it would need; then flash and SRAM needs against every board.
// CPU cycles are not estimated here (no invented cycles-per-MAC): they come from a measured
// run (`cpuCyclesPerLayer`), else the column shows "-".
import { boardIds, loadTarget, type NpuSpec } from "../board.ts";
import { formatBytes, kb } from "../errors.ts";
import { describeLayers, type LayerInfo } from "./layers.ts";
import { npuLayerEstimate, npuPlacement } from "./npu-timing.ts";
import { planArena } from "./planner.ts";
import type { TfliteModel } from "./tflite-model.ts";
import { supportedOp } from "./supported-ops.ts";

/** Without a board the CPU column is the rt1060's and the NPU column the first NPU board's. */
export const DEFAULT_BOARD = "rt1060";

export interface InspectOptions {
  /** Board whose CPU (and NPU, if it has one) the timing columns are for. */
  board?: string;
  /** Measured CPU cycles per layer on that board's first core (from a run of the model). */
  cpuCyclesPerLayer?: number[];
  /** Kernel scratch bytes per layer, when known, for the arena total. */
  scratchBytesPerOp?: number[];
}

export interface InspectLayer extends LayerInfo {
  /** Arena offset and bytes of the first output tensor. */
  arenaOffset: number;
  arenaBytes: number;
  cpuCycles: number | null;
  cpuUs: number | null;
  /** When the NPU takes the layer: its cycles priced as a job of its own, at the NPU clock. */
  npuCycles: number | null;
  npuUs: number | null;
  /** Where the layer runs on the timing board and why ("cpu: SUB is not in the Neutron's op list"). */
  placement: string;
}

export interface BoardFit {
  board: string;
  fits: boolean;
  arenaBytes: number;
  sramBytes: number;
  modelBytes: number;
  flashBytes: number;
  line: string;
}

export interface InspectReport {
  model: {
    name: string;
    fileBytes: number;
    description: string;
    subgraphs: number;
    tensors: number;
    layers: number;
    inputs: { index: number; name: string; type: string; shape: number[] }[];
    outputs: { index: number; name: string; type: string; shape: number[] }[];
  };
  cpu: { board: string; core: string; clockHz: number; measured: boolean };
  npu: { board: string; name: string; clockHz: number; ops: string[] } | null;
  layers: InspectLayer[];
  totals: {
    macs: number;
    weightBytes: number;
    flashBytes: number;
    arenaBytes: number;
    tensorBytes: number;
    scratchBytes: number;
    scratchKnown: boolean;
    lowerBound: number;
    cpuCycles: number | null;
    cpuUs: number | null;
    npuLayers: number;
    npuCycles: number | null;
    npuUs: number | null;
  };
  fits: BoardFit[];
}

const us = (cycles: number, hz: number) => (cycles / hz) * 1e6;

export function inspectModel(model: TfliteModel, opts: InspectOptions = {}): InspectReport {
  const facts = describeLayers(model);
  const n = facts.layers.length;
  if (opts.cpuCyclesPerLayer && opts.cpuCyclesPerLayer.length !== n) {
    throw new RangeError(
      `cpuCyclesPerLayer has ${opts.cpuCyclesPerLayer.length} entries for ${n} layers`,
    );
  }
  const plan = planArena(model, opts.scratchBytesPerOp);
  const target = loadTarget(opts.board ?? DEFAULT_BOARD);
  let npuBoard = opts.board ? target.board : null;
  if (!opts.board) {
    for (const id of boardIds()) {
      const b = loadTarget(id).board;
      if (b.npu) {
        npuBoard = b;
        break;
      }
    }
  }
  const npu: NpuSpec | null = npuBoard?.npu ?? null;
  const cpuHz = target.core.clockHz;
  const onNpu = npuPlacement(npu, facts.layers);
  const layers: InspectLayer[] = facts.layers.map((l, i) => {
    const out = model.operators[i].outputs[0];
    const cpu = opts.cpuCyclesPerLayer?.[i] ?? null;
    const npuCycles = onNpu[i] ? npuLayerEstimate(npu, l) : null;
    return {
      ...l,
      arenaOffset: plan.offsets[out],
      arenaBytes: plan.sizes[out],
      placement: placement(npu, l, onNpu[i]),
      cpuCycles: cpu,
      cpuUs: cpu === null ? null : us(cpu, cpuHz),
      npuCycles,
      npuUs: npuCycles === null || !npu ? null : us(npuCycles, npu.clockHz),
    };
  });
  const npuLayers = layers.filter((l) => l.npuCycles !== null);
  const npuCycles = npu ? npuLayers.reduce((s, l) => s + l.npuCycles!, 0) : null;
  const cpuCycles = opts.cpuCyclesPerLayer
    ? opts.cpuCyclesPerLayer.reduce((s, c) => s + c, 0)
    : null;
  const io = (i: number) => ({
    index: i,
    name: model.tensors[i].name,
    type: model.tensors[i].type,
    shape: model.tensors[i].shape,
  });
  return {
    model: {
      name: model.name,
      fileBytes: model.fileBytes,
      description: model.description,
      subgraphs: model.subgraphCount,
      tensors: model.tensors.length,
      layers: n,
      inputs: model.inputs.map(io),
      outputs: model.outputs.map(io),
    },
    cpu: {
      board: target.board.id,
      core: target.core.id,
      clockHz: cpuHz,
      measured: !!opts.cpuCyclesPerLayer,
    },
    npu:
      npu && npuBoard
        ? { board: npuBoard.id, name: npu.name, clockHz: npu.clockHz, ops: npu.ops }
        : null,
    layers,
    totals: {
      macs: facts.totalMacs,
      weightBytes: facts.totalWeightBytes,
      flashBytes: model.fileBytes,
      arenaBytes: plan.arenaBytes,
      tensorBytes: plan.tensorBytes,
      scratchBytes: plan.scratchBytes,
      scratchKnown: !!opts.scratchBytesPerOp,
      lowerBound: plan.lowerBound,
      cpuCycles,
      cpuUs: cpuCycles === null ? null : us(cpuCycles, cpuHz),
      npuLayers: npuLayers.length,
      npuCycles,
      npuUs: npuCycles === null || !npu ? null : us(npuCycles, npu.clockHz),
    },
    fits: boardIds().map((id) => boardFit(id, plan.arenaBytes, model.fileBytes)),
  };
}

/** Where a layer runs and why: the engine's kernels, then the NPU's op list and output type. */
function placement(npu: NpuSpec | null, l: LayerInfo, onNpu: boolean): string {
  if (!supportedOp(l.op))
    return `unsupported: the engine has no ${l.op} kernel (see 'tinyboard model ops')`;
  if (onNpu) return "npu";
  if (!npu) return "cpu";
  if (!npu.ops.includes(l.op)) return `cpu: ${l.op} is not in the ${npu.name}'s op list`;
  if (l.outputType !== "int8") return `cpu: ${l.outputType} output (the ${npu.name} runs int8)`;
  return "cpu: a run of RESHAPE alone is not worth an NPU job";
}

/** The arena must fit the SRAM of the board's first core, the model file its flash. */
function boardFit(id: string, arenaBytes: number, modelBytes: number): BoardFit {
  const t = loadTarget(id);
  const sramOk = arenaBytes <= t.sramBytes;
  const flashOk = modelBytes <= t.board.flash.size;
  const fits = sramOk && flashOk;
  const line =
    `${id}: ${fits ? "fits" : "does not fit"} (arena ${kb(arenaBytes)} of ${kb(t.sramBytes)} SRAM${sramOk ? "" : " (too big)"}, ` +
    `model ${kb(modelBytes)} of ${formatBytes(t.board.flash.size)} flash${flashOk ? "" : " (too big)"})`;
  return {
    board: id,
    fits,
    arenaBytes,
    sramBytes: t.sramBytes,
    modelBytes,
    flashBytes: t.board.flash.size,
    line,
  };
}

const num = (v: number | null) => (v === null ? "-" : Math.round(v).toLocaleString("en-US"));
const micro = (v: number | null) => (v === null ? "-" : v.toFixed(1));
const shape = (s: number[]) => `[${s.join(",")}]`;
const mhz = (hz: number) => `${+(hz / 1e6).toFixed(1)} MHz`;

/** The report as the CLI prints it: header, per-layer table, totals and fit lines. */
export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  const m = r.model;
  lines.push(
    `${m.name}: ${m.layers} layers, ${m.tensors} tensors, ${num(m.fileBytes)} bytes` +
      `${m.description ? ` ("${m.description}")` : ""}${m.subgraphs > 1 ? `, ${m.subgraphs} subgraphs (the first is shown)` : ""}`,
  );
  const io = (ts: InspectReport["model"]["inputs"]) =>
    ts.map((t) => `${t.type} ${shape(t.shape)}`).join(", ");
  lines.push(`  in ${io(m.inputs) || "-"}, out ${io(m.outputs) || "-"}`);
  lines.push(
    `  cpu: ${r.cpu.board} ${r.cpu.core} at ${mhz(r.cpu.clockHz)}${r.cpu.measured ? " (measured)" : ' (not measured: cycles show "-")'}`,
  );
  if (r.npu) {
    lines.push(
      `  npu: ${r.npu.board} ${r.npu.name} at ${mhz(r.npu.clockHz)}, takes int8 ${r.npu.ops.join(", ")} (estimate, each layer as its own job; a lone RESHAPE stays on the CPU)`,
    );
  }
  lines.push("");
  const head = [
    "#",
    "op",
    "input → output",
    "MACs",
    "weights",
    "arena off",
    "size",
    "cpu cyc",
    "cpu µs",
  ];
  if (r.npu) head.push("npu cyc", "npu µs", "where");
  const rows = r.layers.map((l) => {
    const row = [
      String(l.index),
      l.op,
      `${l.inputShapes.map(shape).join(" ") || "-"} → ${l.outputShapes.map(shape).join(" ")}`,
      num(l.macs),
      num(l.weightBytes),
      num(l.arenaOffset),
      num(l.arenaBytes),
      num(l.cpuCycles),
      micro(l.cpuUs),
    ];
    if (r.npu) row.push(num(l.npuCycles), micro(l.npuUs), l.placement);
    else if (l.placement.startsWith("unsupported")) row.push(l.placement);
    return row;
  });
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  // Text columns (op, shapes) align left, figures right.
  const fmt = (row: string[]) =>
    row
      .map((v, c) =>
        c >= head.length
          ? v
          : c === 1 || c === 2 || (c === head.length - 1 && r.npu)
            ? v.padEnd(widths[c])
            : v.padStart(widths[c]),
      )
      .join("  ")
      .trimEnd();
  lines.push(fmt(head), ...rows.map(fmt), "");
  const t = r.totals;
  const arenaNote = t.scratchKnown
    ? `tensors ${num(t.tensorBytes)} + kernel scratch ${num(t.scratchBytes)}`
    : "tensors only: kernel scratch not known without a run";
  lines.push(`MACs          ${num(t.macs)}`);
  lines.push(`weights       ${num(t.weightBytes)} B`);
  lines.push(`flash needed  ${num(t.flashBytes)} B (the model file, read in place)`);
  lines.push(
    `arena needed  ${num(t.arenaBytes)} B (${arenaNote}; live-tensor lower bound ${num(t.lowerBound)} B)`,
  );
  if (t.cpuCycles !== null)
    lines.push(`cpu           ${num(t.cpuCycles)} cycles = ${micro(t.cpuUs)} µs on ${r.cpu.board}`);
  if (r.npu) {
    lines.push(
      `npu           ${t.npuLayers} of ${r.layers.length} layers, ${num(t.npuCycles)} cycles = ${micro(t.npuUs)} µs on ${r.npu.board}${t.npuLayers < r.layers.length ? " (the rest run on its CPU)" : ""}`,
    );
  }
  lines.push("", ...r.fits.map((f) => f.line));
  return lines.join("\n");
}
