// The SRAM a model partition will take when the firmware's interpreter loads it, estimated on
// the host before the firmware runs, in the two parts the engine allocates
// (firmware/tflite/interpreter.ts):
// - the head, one heap block: the arena's tensors as the firmware's planner places them
//   (emulator/model/planner.ts mirrors firmware/tflite/planner.ts), then the scratch area the
//   layers share (the largest kernel scratch, as each kernel's scratchBytes() computes it) and
//   the running layer's requantisation records (the most channels of any layer, 48 B each);
// - the tail, what the engine keeps for the whole run (persistentBytes): each quantised
//   layer's 17 B per channel, and the objects of the parsed model and its kernels.
// test/build/model-budget.test.ts checks the estimate against the firmware's own report.
import { readModel, type TfliteModel, type TensorInfo } from "../model/tflite-model.ts";
import { ARENA_ALIGN, alignUp, planArena } from "../model/planner.ts";

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

/** firmware/tflite/requant.ts: Q_BYTES (expanded record) and PERSISTENT_CHANNEL_BYTES (kept). */
const RECORD_BYTES = 48;
const PERSISTENT_CHANNEL_BYTES = 17;
/** The firmware's allocator (AssemblyScript's stub runtime) puts a 16-byte header before each
 *  block and rounds blocks to 16 bytes; an object adds its fields and arrays their backing store. */
const BLOCK = 16;
const block = (payload: number) => BLOCK + alignUp(Math.max(payload, 0));
/** Objects the engine keeps per tensor (Tensor + its shape array, and the empty one its field
 *  initialiser made first), per layer (Operator + its two index arrays, each also made empty
 *  first, + the kernel object and its small arrays) and once (Model, FlatBuffer reader,
 *  Interpreter arrays): upper sizes of their fields (firmware/tflite/tensor.ts, operator.ts,
 *  kernels/*.ts, model.ts). Rounded up: the build must not say "fits" when the run does not. */
const PER_TENSOR = block(96) + block(32) + block(16);
const PER_LAYER = block(48) + 4 * block(32) + block(256);
const PER_MODEL = 8 * block(64);

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
  let scratch = 0;
  let channels = 0;
  let kept = 0;
  for (const op of model.operators) {
    const l = layerNeeds(model, op);
    scratch = Math.max(scratch, alignUp(l.scratch));
    channels = Math.max(channels, l.channels);
    if (l.channels > 0) kept += block(l.channels * PERSISTENT_CHANNEL_BYTES) + block(64); // + the ChannelQuant object
  }
  const headBytes = block(
    planArena(model).tensorBytes + scratch + channels * RECORD_BYTES + ARENA_ALIGN,
  );
  const tailBytes =
    kept + PER_MODEL + model.tensors.length * PER_TENSOR + model.operators.length * PER_LAYER;
  return { arenaBytes: headBytes + tailBytes, headBytes, tailBytes };
}

const dims = (t: TensorInfo | undefined) => t?.shape ?? [];
const last = (t: TensorInfo | undefined) => {
  const s = dims(t);
  return s.length ? s[s.length - 1] : 1;
};
const elements = (t: TensorInfo | undefined) => dims(t).reduce((n, d) => n * d, 1);

/** A layer's kernel scratch and requantised channels, as its firmware kernel prepares them. */
function layerNeeds(
  model: TfliteModel,
  op: TfliteModel["operators"][number],
): { scratch: number; channels: number } {
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
      return int8
        ? { scratch: 8 * k8 * 2 + (k8 + 16) * 2, channels: last(output) }
        : { scratch: 0, channels: 0 };
    }
    case "FULLY_CONNECTED": {
      // kernels/fully-connected.ts
      const k8 = (last(filter) + 7) & ~7;
      return int8
        ? { scratch: 8 * k8 * 2 + 16, channels: dims(filter)[0] ?? 1 }
        : { scratch: 0, channels: 0 };
    }
    case "DEPTHWISE_CONV_2D": {
      // kernels/depthwise-conv.ts, depthwise-multiplier.ts
      if (!int8 || o?.kind !== "depthwise") return { scratch: 0, channels: 0 };
      const [, kH, kW] = dims(filter);
      const outC = last(output),
        inC = last(input),
        mult = Math.max(1, outC / Math.max(inC, 1));
      const taps = kH * kW;
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
      if (!fast) return { scratch: 0, channels: outC };
      const outW = dims(output)[2] ?? 1;
      const pairs = Math.trunc(((outW - 1) * o.strideW + 4) / 2) + 1;
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
