// The memory traffic of each layer of a model as the engine's kernels (firmware/tflite/kernels)
// walk it: per operand, its bytes, how many sweeps the kernel makes over it and how much of it
// must stay cached for the sweeps after the first to hit. Counted from the model's shapes,
// never by tracing accesses, so it costs nothing per access and is the same on every run.
import type { OperatorInfo, TfliteModel } from "../model/tflite-model.ts";
import { layerAreas } from "../toolchain/model-budget.ts";

export interface OperandStream {
  /** "records": the layer's requantisation records, expanded into the arena's scratch area. */
  role: "weights" | "input" | "output" | "records";
  /** The tensor (to find an input the previous layer has just written). */
  tensor: number;
  bytes: number;
  /** Sweeps the kernel makes over the whole operand (fractional: windows that overlap). */
  passes: number;
  /** Bytes that must stay in the cache for the sweeps after the first to hit. */
  reuseBytes: number;
}

const product = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Whose kernels walk the tensors. "engine": ours (firmware/tflite/kernels), what a placed run
 * is charged. "cmsis-nn": Arm's CMSIS-NN loop order, used only to compare with published
 * figures of software built on it (NXP's Glow + CMSIS-NN person detector): its 1x1 convolution
 * (arm_nn_mat_mult_nt_t_s8, DSP path) takes the output channels two at a time and, for each
 * pair, sweeps every input pixel and writes two bytes per output pixel (tflite-micro
 * third_party/cmsis_nn/Source/NNSupportFunctions/arm_nn_mat_mult_nt_t_s8.c).
 */
export type KernelLoopOrder = "engine" | "cmsis-nn";

/** Output pixels a convolution kernel processes per sweep of its filters (conv.ts: blocks of 8). */
const GEMM_ROWS = 8;
/** Bytes of one output channel's requantisation record (firmware/tflite/kernels/common/requant.ts
 *  Q_BYTES; test/memory-hierarchy checks the two agree). The engine expands them into the arena
 *  before each layer and its kernel reads one per output value. */
export const RECORD_BYTES = 48;

/** The records a quantised dot-product layer writes once, then sweeps as its weights. */
function recordStreams(channels: number, sweeps: number): OperandStream[] {
  const bytes = channels * RECORD_BYTES;
  return [
    { role: "output", tensor: -1, bytes, passes: 1, reuseBytes: 0 },
    { role: "records", tensor: -1, bytes, passes: sweeps, reuseBytes: bytes },
  ];
}

/** CMSIS-NN's 1x1 convolution: input and output swept once per pair of output channels. */
function pointwiseCmsisStreams(
  model: TfliteModel,
  op: OperatorInfo,
  input: number,
  weightBytes: number,
): OperandStream[] {
  const out = model.tensors[op.outputs[0]];
  const pairs = Math.ceil((out.shape.at(-1) ?? 1) / 2);
  const inBytes = model.tensors[input].byteSize;
  return [
    // Each pair of filter rows is read once and stays cached while the pixels stream by.
    { role: "weights", tensor: op.inputs[1], bytes: weightBytes, passes: 1, reuseBytes: 0 },
    { role: "input", tensor: input, bytes: inBytes, passes: pairs, reuseBytes: inBytes },
    {
      role: "output",
      tensor: op.outputs[0],
      bytes: out.byteSize,
      passes: pairs,
      reuseBytes: out.byteSize,
    },
  ];
}

/** The sweeps a lean 1x1 layer (kernels/common/gemm-direct.ts) makes over its input: one per
 *  block of 4 output channels (every pixel inside), then one per channel left over; depths
 *  under 8 go one channel at a time. */
export function leanPointwiseInputSweeps(depth: number, channels: number): number {
  return depth >= 8 ? Math.floor(channels / 4) + (channels % 4) : channels;
}

/** A lean 1x1 layer: channels outside, pixels inside. Each block's 4 weight rows stay cached
 *  while the pixels stream by (read once per block of 8 pixels, as conv's blocks), and the
 *  input is swept once per block. */
function leanPointwiseStreams(
  model: TfliteModel,
  op: OperatorInfo,
  input: number,
  weightBytes: number,
  pixels: number,
): OperandStream[] {
  const filter = model.tensors[op.inputs[1]].shape;
  const [channels, depth] = [filter[0] ?? 1, filter[3] ?? 1];
  const inBytes = model.tensors[input].byteSize;
  return [
    {
      role: "weights",
      tensor: op.inputs[1],
      bytes: weightBytes,
      passes: Math.ceil(pixels / GEMM_ROWS),
      reuseBytes: Math.min(weightBytes, 4 * depth),
    },
    {
      role: "input",
      tensor: input,
      bytes: inBytes,
      passes: leanPointwiseInputSweeps(depth, channels),
      reuseBytes: inBytes,
    },
  ];
}

/** The streams of one layer. RESHAPE aliases its input (no traffic). `readsRecords`: whether
 *  the layer's kernel reads expanded requantisation records, as the arena plan decided
 *  (model-budget.ts layerAreas: the any-window and lean paths read the kept data instead). */
export function operatorStreams(
  model: TfliteModel,
  op: OperatorInfo,
  order: KernelLoopOrder = "engine",
  readsRecords = true,
): OperandStream[] {
  if (op.opName === "RESHAPE" || op.opName === "SQUEEZE" || op.opName === "EXPAND_DIMS") return [];
  const t = model.tensors;
  const activations = op.inputs.filter((i) => i >= 0 && !t[i].isConstant);
  const constants = op.inputs.filter((i) => i >= 0 && t[i].isConstant);
  const out = t[op.outputs[0]];
  const outShape = out.shape;
  const streams: OperandStream[] = [];
  const weightBytes = constants.reduce((n, i) => n + t[i].byteSize, 0);
  const input = activations.length ? t[activations[0]] : null;
  // NHWC: rows of the input a sliding window keeps using (kernel rows x width x channels).
  const windowRows = (kH: number) =>
    input && input.shape.length === 4
      ? kH * input.shape[2] * input.shape[3]
      : (input?.byteSize ?? 0);
  const slide = (kH: number, kW: number, sH: number, sW: number) =>
    Math.max(1, (kH * kW) / Math.max(1, sH * sW));
  const o = op.options;
  if (
    (op.opName === "CONV_2D" || op.opName === "DEPTHWISE_CONV_2D") &&
    input &&
    o &&
    "strideH" in o
  ) {
    const filter = t[op.inputs[1]].shape;
    const [kH, kW] = [filter[1] ?? 1, filter[2] ?? 1];
    const pointwise = op.opName === "CONV_2D" && kH === 1 && kW === 1;
    if (order === "cmsis-nn" && pointwise && o.strideH === 1 && o.strideW === 1)
      return pointwiseCmsisStreams(model, op, activations[0], weightBytes);
    const pixels = outShape.length === 4 ? outShape[0] * outShape[1] * outShape[2] : 1;
    // A quantised 1x1 layer without records is on the lean path (the arena plan's choice).
    if (pointwise && out.type === "int8" && !readsRecords) {
      streams.push(...leanPointwiseStreams(model, op, activations[0], weightBytes, pixels));
      for (const i of op.outputs)
        streams.push({ role: "output", tensor: i, bytes: t[i].byteSize, passes: 1, reuseBytes: 0 });
      return streams;
    }
    // Conv: every block of output pixels sweeps all filters; depthwise: every pixel its taps.
    const sweeps = op.opName === "CONV_2D" ? Math.ceil(pixels / GEMM_ROWS) : pixels;
    streams.push({
      role: "weights",
      tensor: op.inputs[1],
      bytes: weightBytes,
      passes: sweeps,
      reuseBytes: weightBytes,
    });
    streams.push({
      role: "input",
      tensor: activations[0],
      bytes: input.byteSize,
      passes: slide(kH, kW, o.strideH, o.strideW),
      reuseBytes: windowRows(kH),
    });
    if (out.type === "int8" && readsRecords)
      streams.push(...recordStreams(outShape[outShape.length - 1] ?? 1, sweeps));
  } else if (op.opName === "FULLY_CONNECTED" && input) {
    const w = t[op.inputs[1]].shape;
    const rows = w.length === 2 && w[0] > 0 ? product(outShape) / w[0] : 1;
    streams.push({
      role: "weights",
      tensor: op.inputs[1],
      bytes: weightBytes,
      passes: rows,
      reuseBytes: weightBytes,
    });
    // Each output's dot product walks the input row again.
    streams.push({
      role: "input",
      tensor: activations[0],
      bytes: input.byteSize,
      passes: w[0] ?? 1,
      reuseBytes: input.byteSize,
    });
    // Fewer than 4 rows run without records (kernels/common/gemv.ts: the multiplier is kept,
    // the bias read in place, a few bytes per channel, left out here), as does the lean path.
    if (out.type === "int8" && readsRecords) streams.push(...recordStreams(w[0] ?? 1, rows));
  } else if (o && o.kind === "pool" && input) {
    streams.push({
      role: "input",
      tensor: activations[0],
      bytes: input.byteSize,
      passes: slide(o.filterH, o.filterW, o.strideH, o.strideW),
      reuseBytes: windowRows(o.filterH),
    });
  } else {
    for (const i of activations)
      streams.push({ role: "input", tensor: i, bytes: t[i].byteSize, passes: 1, reuseBytes: 0 });
    if (weightBytes > 0)
      streams.push({
        role: "weights",
        tensor: constants[0],
        bytes: weightBytes,
        passes: 1,
        reuseBytes: 0,
      });
  }
  for (const i of op.outputs)
    streams.push({ role: "output", tensor: i, bytes: t[i].byteSize, passes: 1, reuseBytes: 0 });
  return streams;
}

export function modelStreams(
  model: TfliteModel,
  order: KernelLoopOrder = "engine",
): OperandStream[][] {
  const { needs } = layerAreas(model);
  return model.operators.map((op, i) =>
    operatorStreams(model, op, order, needs[i].records !== false),
  );
}
