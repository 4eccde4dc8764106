// The SRAM a model partition will take when the firmware's interpreter loads it, estimated on
// the host before the firmware runs, in the two parts the engine allocates
// (firmware/tflite/interpreter.ts):
// - the head, one heap block: the arena's tensors as the firmware's planner places them
//   (emulator/model/planner.ts mirrors firmware/tflite/planner.ts), and each layer's scratch
//   area (its kernel scratch, as the kernel's scratchBytes() computes it, then its
//   requantisation records, 48 B per channel) in the lowest gap among the tensors alive while
//   that layer runs;
// - the tail, what the engine keeps for the whole run (persistentBytes): each quantised
//   layer's 8 B per channel (9 B when a folded bias needs more than 24 bits; 4 B when its
//   weights have one scale; 5 B, or none with one scale, for FULLY_CONNECTED and 1x1 CONV_2D,
//   which read their bias in place), and the objects of the parsed model and its kernels.
// test/build/model-budget.test.ts checks the estimate against the firmware's own report.
import { readModel, type TfliteModel, type TensorInfo } from "../model/tflite-model.ts";
import { ARENA_ALIGN, alignUp, placeLayerAreas, planArena } from "../model/planner.ts";

export interface ModelBudget {
  /** The partition's name in app.json. */
  partition: string;
  /** Head + tail: the heap the engine takes for this model. */
  arenaBytes: number;
  /** Tensors + scratch + requantisation records, plus the block's alignment slack (absent in
   *  images built before the split). */
  headBytes?: number;
  /** Persistent data: parsed model, kernels, per-channel requantisation data. */
  tailBytes?: number;
}

/** firmware/tflite/kernels/common/requant.ts: Q_BYTES (expanded record); channel-quant.ts: the
 *  bytes kept per channel: PERSISTENT_CHANNEL_BYTES (8) with per-channel weights, plus a block
 *  of shift bytes when they cannot be packed into the bias words (counted here: the host does
 *  not fold biases); per-tensor weights keep an 8-byte header and UNIFORM_CHANNEL_BYTES, 4. */
const RECORD_BYTES = 48;
const PERSISTENT_CHANNEL_BYTES = 8;
const IN_PLACE_CHANNEL_BYTES = 4;
/** The firmware's allocator (AssemblyScript's stub runtime) puts a 16-byte header before each
 *  block and rounds blocks to 16 bytes; an object adds its fields and arrays their backing store. */
const BLOCK = 16;
const block = (payload: number) => BLOCK + alignUp(Math.max(payload, 0));
/** What the engine keeps per tensor (a 16-byte record in one block: its shape and scales are
 *  read in place from the model), per layer (a 24-byte Operator record in one block, the kernel
 *  object with its geometry, its slots in the kernel and NPU arrays) and once (Model,
 *  FlatBuffer reader, the blocks' headers, Interpreter arrays): upper sizes of their fields
 *  (firmware/tflite/tensor.ts, operator.ts, kernels/*.ts, model.ts). Rounded up: the build
 *  must not say "fits" when the run does not. */
const PER_TENSOR = 16;
const PER_LAYER = 24 + block(128) + 4;
const PER_MODEL = 8 * block(64);
/** ChannelQuant's fields, before its per-channel data in the same block (channel-quant.ts). */
const CHANNEL_QUANT_FIELDS = 20;

/** TFLite flatbuffers carry the file identifier "TFL3" at byte 4. */
export function isTflite(data: Uint8Array): boolean {
  return (
    data.length >= 8 && data[4] === 0x54 && data[5] === 0x46 && data[6] === 0x4c && data[7] === 0x33
  );
}

/** A budget line per partition that holds a TFLite model (other partitions take no SRAM). */
export function modelBudgets(parts: { name: string; data: Uint8Array }[]): ModelBudget[] {
  const out: ModelBudget[] = [];
  for (const p of parts) {
    if (!isTflite(p.data)) continue;
    let model: TfliteModel;
    try {
      model = readModel(p.data, p.name);
    } catch {
      continue; // a model the host cannot read fails at run time with the firmware's reason
    }
    out.push({ partition: p.name, ...engineBytes(model) });
  }
  return out;
}

/** The engine's heap for one model: head (one aligned block) and tail. */
export function engineBytes(model: TfliteModel): {
  arenaBytes: number;
  headBytes: number;
  tailBytes: number;
} {
  let kept = 0;
  for (const op of model.operators) {
    const l = layerNeeds(model, op);
    // A layer with per-tensor weights keeps one multiplier and 4 B (its folded bias) per channel.
    const perTensor = (model.tensors[op.inputs[1]]?.quantization?.scale.length ?? 0) <= 1;
    // Per-channel: the words, then the shift bytes' own block (given back when they pack); a
    // layer that reads its bias in place (FULLY_CONNECTED, 1x1 CONV_2D) keeps the multiplier
    // and the shift byte per channel, only the 8-byte header with per-tensor weights.
    const perChannel = l.inPlace ? IN_PLACE_CHANNEL_BYTES : PERSISTENT_CHANNEL_BYTES;
    const data = perTensor
      ? block(CHANNEL_QUANT_FIELDS + 8 + (l.inPlace ? 0 : l.channels * 4))
      : block(CHANNEL_QUANT_FIELDS + l.channels * perChannel) + block(l.channels);
    if (l.channels > 0) kept += data;
  }
  const headBytes = block(engineHeadBytes(model) + ARENA_ALIGN);
  const tailBytes =
    kept + PER_MODEL + model.tensors.length * PER_TENSOR + model.operators.length * PER_LAYER;
  return { arenaBytes: headBytes + tailBytes, headBytes, tailBytes };
}

/** The arena's head as the firmware plans it: the tensors, and each layer's scratch area
 *  (kernel scratch, then 48 B of requantisation records per channel, none for a batch-1
 *  FULLY_CONNECTED or a DEPTHWISE_CONV_2D off its vectorised paths) in the lowest gap among the
 *  tensors alive during that layer. */
export function engineHeadBytes(model: TfliteModel): number {
  return layerAreas(model).headBytes;
}

/** Each layer's needs and scratch area as the interpreter plans them: a layer whose area ends
 *  past the tensors and past every area that cannot shrink takes its kernel's lean path
 *  (firmware `hasLeanPath()`, leanNeeds) at the same offset, and the head's end is found
 *  again. */
export function layerAreas(model: TfliteModel) {
  const plan = planArena(model);
  const areaBytes = (l: ReturnType<typeof layerNeeds>) =>
    alignUp(l.scratch) + (l.records === false ? 0 : l.channels * RECORD_BYTES);
  const needs = model.operators.map((op) => layerNeeds(model, op));
  // The lean path's needs where the layer's kernel has one (the same object where not).
  const lean = model.operators.map((op, i) => leanNeeds(model, op) ?? needs[i]);
  const bytes = needs.map(areaBytes);
  const { layerOffsets, headBytes } = placeLayerAreas(plan, bytes);
  const canShrink = (i: number) => lean[i] !== needs[i];
  const ends = (i: number) => (layerOffsets[i] < 0 ? 0 : layerOffsets[i] + bytes[i]);
  let head = headBytes;
  if (headBytes > plan.tensorBytes) {
    const floor = Math.max(plan.tensorBytes, ...bytes.map((_, i) => (canShrink(i) ? 0 : ends(i))));
    head = floor;
    bytes.forEach((_, i) => {
      if (layerOffsets[i] >= 0 && ends(i) > floor && canShrink(i)) {
        needs[i] = lean[i];
        bytes[i] = areaBytes(lean[i]);
      }
      head = Math.max(head, ends(i));
    });
  }
  return { needs, bytes, layerOffsets, headBytes: head, tensorBytes: plan.tensorBytes };
}

const dims = (t: TensorInfo | undefined) => t?.shape ?? [];
const last = (t: TensorInfo | undefined) => {
  const s = dims(t);
  return s.length ? s[s.length - 1] : 1;
};
const elements = (t: TensorInfo | undefined) => dims(t).reduce((n, d) => n * d, 1);

/** The needs of a layer's lean path (firmware `hasLeanPath()`), null when its kernel
 *  has none: a 1x1 CONV_2D, a batched FULLY_CONNECTED (kernels/common/gemm-direct.ts), a 3x3
 *  or depth-multiplier DEPTHWISE_CONV_2D (depthwise-direct.ts, depthwise-multiplier-direct.ts)
 *  read their input in place and their kept requantisation data: no scratch, no records. */
export function leanNeeds(
  model: TfliteModel,
  op: TfliteModel["operators"][number],
): { scratch: number; channels: number; inPlace?: boolean; records?: boolean } | null {
  const full = layerNeeds(model, op);
  const int8 = model.tensors[op.outputs[0]]?.type === "int8";
  const o = op.options;
  switch (op.opName) {
    case "CONV_2D":
      return int8 && full.inPlace ? { ...full, scratch: 0, records: false } : null;
    case "FULLY_CONNECTED":
      return int8 && full.records !== false ? { ...full, scratch: 0, records: false } : null;
    case "DEPTHWISE_CONV_2D": {
      if (o?.kind !== "depthwise") return null;
      const multi = last(model.tensors[op.outputs[0]]) > last(model.tensors[op.inputs[0]]);
      // multi or the vectorised 3x3 path: the layers that have scratch (a float layer only
      // with a depth multiplier)
      return full.scratch > 0 && (multi || int8) ? { ...full, scratch: 0, records: false } : null;
    }
    default:
      return null;
  }
}

/** A layer's kernel scratch and requantised channels, as its firmware kernel prepares them;
 *  `records: false` when its kernel reads the kept data instead of expanded records. */
export function layerNeeds(
  model: TfliteModel,
  op: TfliteModel["operators"][number],
): { scratch: number; channels: number; inPlace?: boolean; records?: boolean } {
  const input = model.tensors[op.inputs[0]];
  const filter =
    op.inputs.length > 1 && op.inputs[1] >= 0 ? model.tensors[op.inputs[1]] : undefined;
  const output = model.tensors[op.outputs[0]];
  const int8 = output?.type === "int8";
  const o = op.options;
  switch (op.opName) {
    case "CONV_2D": {
      // kernels/conv.ts
      const [, kH, kW, inC] = dims(filter);
      const k8 = (kH * kW * inC + 7) & ~7;
      // 1x1, stride 1, same size: the pointwise path, which reads its bias in place.
      const inPlace =
        kH === 1 &&
        kW === 1 &&
        o?.kind === "conv" &&
        o.strideH === 1 &&
        o.strideW === 1 &&
        dims(output)[1] === dims(input)[1] &&
        dims(output)[2] === dims(input)[2];
      return int8
        ? { scratch: 8 * k8 * 2 + (k8 + 16) * 2, channels: last(output), inPlace }
        : { scratch: 0, channels: 0 };
    }
    case "FULLY_CONNECTED": {
      // kernels/fully-connected.ts: widened rows for the largest block of batch rows it runs
      const k = Math.max(last(filter), 1);
      const k8 = (k + 7) & ~7;
      const batches = Math.trunc(elements(input) / k);
      // (8 or 4); fewer than 4 rows run straight from the input: no scratch, no records.
      const direct = batches < 4;
      const rows = batches >= 8 ? 8 : 4;
      return int8
        ? {
            scratch: direct ? 0 : rows * k8 * 2 + 16,
            channels: dims(filter)[0] ?? 1,
            inPlace: true,
            records: !direct,
          }
        : { scratch: 0, channels: 0 };
    }
    case "DEPTHWISE_CONV_2D": {
      // kernels/depthwise-conv.ts, depthwise-multiplier.ts
      if (o?.kind !== "depthwise") return { scratch: 0, channels: 0 };
      const [, kH, kW] = dims(filter);
      const outC = last(output),
        inC = last(input),
        mult = Math.max(1, outC / Math.max(inC, 1));
      const taps = kH * kW;
      // A float layer needs scratch only with a depth multiplier (multiplierScratchBytes).
      if (!int8)
        return {
          scratch: mult > 1 ? inC * ((mult + 3) >> 2) * taps * 16 + taps * 4 : 0,
          channels: 0,
        };
      if (mult > 1)
        return {
          scratch: inC * ((mult + 3) >> 2) * ((taps + 1) >> 1) * 16 + ((taps + 1) >> 1) * 4,
          channels: outC,
        };
      const fast =
        kH === 3 &&
        kW === 3 &&
        o.dilationH === 1 &&
        o.dilationW === 1 &&
        (o.strideW === 1 || o.strideW === 2);
      if (!fast) return { scratch: 0, channels: outC, records: false }; // depthwise-window.ts reads kept data
      const outW = dims(output)[2] ?? 1;
      const pairs = Math.trunc(((outW - 1) * o.strideW + 4) / 2) + 1;
      // 4-channel groups, widened in one pass.
      const groups = ((outC + 7) >> 3) << 1;
      return { scratch: 5 * pairs * groups * 16 + groups * 12 * 16, channels: outC };
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
      return { scratch: 32, channels: 0 }; // kernels/pooling.ts
    case "MEAN":
    case "SUM":
    case "REDUCE_MAX":
    case "REDUCE_MIN":
      return { scratch: elements(output) * 4, channels: 0 }; // kernels/mean.ts, reduce.ts
    case "TRANSPOSE_CONV":
      return { scratch: int8 ? elements(output) * 4 : 0, channels: 0 }; // kernels/transpose-conv.ts
    default:
      return { scratch: 0, channels: 0 };
  }
}
