// 14. Engine memory and start-up: every fixture model in the model-runner firmware. The arena
// as TFLM counts it (arena_used_bytes: the head of tensors and scratch, the tail of what the
// engine keeps for the whole run), beside an estimate of TFLM's own figure for the same model,
// the peak SRAM of the run, and the start-up (reset until the engine is ready) per board.
// Standalone: `npx tsx test/bench/arena.ts [model name…] [--board rt1060] [--layers]`
// (--layers: each layer's scratch and records and where they land beyond the tensors).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { alignUp, planArena } from "../../emulator/model/planner.ts";
import { layerAreas } from "../../emulator/toolchain/model-budget.ts";
import { readModel, type TfliteModel } from "../../emulator/model/tflite-model.ts";
import { FIXTURES, MODELS, type ModelSpec } from "./inference.ts";
import { BOARDS, sig } from "./util.ts";

/**
 * TFLM's arena for a model, estimated for a 32-bit build with the reference kernels (which
 * take no scratch for the ops of these models). Head: the same greedy plan of the activations
 * (TFLM's GreedyMemoryPlanner, which emulator/model/planner.ts mirrors; CreatePlan in
 * micro_allocator.cc rounds each buffer up to MicroArenaBufferAlignment(), 16). Tail, from what
 * tensorflow/lite/micro allocates persistently:
 * - micro_allocator.cc: a TfLiteEvalTensor per tensor (data pointer, dims pointer into the
 *   flatbuffer, type: 12 B); a NodeAndRegistration per operator (TfLiteNode's seven words and
 *   the registration pointer: 32 B); each operator's builtin options struct
 *   (MicroBuiltinDataAllocator allocates them persistently, at their own alignment: sizes from
 *   builtin_op_data.h below); a persistent TfLiteTensor for each model input and output
 *   (micro_interpreter.cc AllocateTensors, with its TfLiteAffineQuantization and zero-point
 *   array: about 88 B); and the allocator's own objects (GetDefaultTailUsage: the arena
 *   allocator, MicroAllocator, the builtin-data allocator, SubgraphAllocations and the
 *   GreedyMemoryPlanner: about 200 B on a 32-bit build).
 * - the kernels' Init/Prepare, through AllocatePersistentBuffer (16-byte aligned): their OpData
 *   (OpDataConv, kernels/conv.h: 56 B, 64 once aligned, also for depthwise; about 48 B for fully
 *   connected; 16 B for the rest) and, per quantised conv/depthwise layer and per fully connected
 *   layer with per-channel weights, the int32 per-channel multipliers and int32 shifts
 *   (conv_common.cc, depthwise_conv_common.cc, fully_connected_common.cc: two arrays of 4 B
 *   per output channel, each aligned to 16).
 * An estimate: TFLM's own tests measure it per build (memory_arena_threshold_test.cc).
 */
export const TFLM_STRUCT_BYTES = {
  evalTensor: 12,
  nodeAndRegistration: 32,
  opDataConv: 64,
  opDataFullyConnected: 48,
  opDataOther: 16,
  perChannelArray: 4,
  ioTensor: 88,
  allocator: 200,
} as const;
/** builtin_op_data.h struct sizes on a 32-bit build (int and enum fields: 4 B each). */
const BUILTIN_DATA_BYTES: Record<string, number> = {
  CONV_2D: 28, // padding, stride w/h, activation, dilation w/h, quantized_bias_type
  DEPTHWISE_CONV_2D: 28, // padding, stride w/h, depth_multiplier, activation, dilation w/h
  FULLY_CONNECTED: 20, // activation, weights_format, keep_num_dims, asymmetric_quantize_inputs, quantized_bias_type
  AVERAGE_POOL_2D: 40, // padding, stride w/h, filter w/h, activation, computed padding (4 ints)
  MAX_POOL_2D: 40,
  RESHAPE: 36, // shape[8], num_dimensions
  SOFTMAX: 4, // beta
};
/** The inference bench's models and MLPerf Tiny's streaming wake-word model (its pointwise
 *  layers' widened rows and records were what made its head 2.3x TFLM's). */
export const ARENA_MODELS: ModelSpec[] = [
  ...MODELS,
  { name: "str_ww_ref_model", file: "mlcommons-tiny/str_ww_ref_model.tflite" },
];
const WEIGHTED = new Set(["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]);
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

export function tflmArenaEstimate(model: TfliteModel): {
  head: number;
  tail: number;
  bytes: number;
} {
  const head = planArena(model).tensorBytes;
  const s = TFLM_STRUCT_BYTES;
  let tail =
    s.allocator +
    model.tensors.length * s.evalTensor +
    model.operators.length * s.nodeAndRegistration +
    (model.inputs.length + model.outputs.length) * s.ioTensor;
  for (const op of model.operators) {
    tail += BUILTIN_DATA_BYTES[op.opName] ?? 0;
    if (!WEIGHTED.has(op.opName)) {
      tail += s.opDataOther;
      continue;
    }
    const fc = op.opName === "FULLY_CONNECTED";
    tail += fc ? s.opDataFullyConnected : s.opDataConv;
    const out = model.tensors[op.outputs[0]];
    const channels = out.shape[out.shape.length - 1] ?? 1;
    // Convolutions always allocate the arrays; fully connected only for per-channel weights
    // (fully_connected_common.cc: a per-tensor layer keeps one multiplier in its OpData).
    const perChannel = (model.tensors[op.inputs[1]]?.quantization?.scale.length ?? 0) > 1;
    if (out.type === "int8" && (!fc || perChannel))
      tail += 2 * align16(channels * s.perChannelArray);
  }
  return { head, tail, bytes: head + tail };
}

export interface ArenaResult {
  model: string;
  arenaBytes: number;
  headBytes: number;
  tailBytes: number;
  tflm: { head: number; tail: number; bytes: number };
  sramPeakBytes: number;
  /** Start-up per board, ms (CPU only: the layers are prepared the same way with an NPU). */
  startupMs: Record<string, number>;
}

function inputFor(spec: ModelSpec, model: TfliteModel): Uint8Array {
  const bytes = model.inputs.reduce((n, t) => n + model.tensors[t].byteSize, 0);
  return spec.input
    ? new Uint8Array(readFileSync(path.join(FIXTURES, spec.input))).subarray(0, bytes)
    : new Uint8Array(bytes);
}

export async function benchArena(
  log: (m: string) => void,
  names: string[] = [],
  boards: readonly string[] = BOARDS,
): Promise<ArenaResult[]> {
  const out: ArenaResult[] = [];
  for (const spec of ARENA_MODELS.filter((m) => names.length === 0 || names.includes(m.name))) {
    const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, spec.file)));
    const model = readModel(bytes, spec.name);
    const input = inputFor(spec, model);
    const startupMs: Record<string, number> = {};
    let first: Awaited<ReturnType<typeof runModel>> | null = null;
    for (const board of boards) {
      log(`arena and start-up: ${spec.name} on ${board}`);
      const target = loadTarget(board);
      const run = await runModel(bytes, [input], target, { name: spec.name, cpuOnly: true });
      startupMs[board] = sig((run.startupCycles / target.core.clockHz) * 1e3, 3);
      first ??= run;
    }
    const a = first!.arena;
    out.push({
      model: spec.name,
      arenaBytes: a.bytes,
      headBytes: a.headBytes,
      tailBytes: a.persistentBytes,
      tflm: tflmArenaEstimate(model),
      sramPeakBytes: first!.summary.sramPeakBytes,
      startupMs,
    });
  }
  return out;
}

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
/** Our tail over TFLM's estimated tail: what the engine keeps beyond what TFLM would. */
const tailRatio = (r: ArenaResult): string => `${(r.tailBytes / r.tflm.tail).toFixed(2)}x`;

export function arenaTable(rs: ArenaResult[]): string {
  const boards = [...new Set(rs.flatMap((r) => Object.keys(r.startupMs)))];
  return [
    "14. engine memory (arena = head + tail, as TFLM's arena_used_bytes) and start-up",
    ...rs.map(
      (r) =>
        `   ${r.model.padEnd(24)} arena ${kb(r.arenaBytes).padStart(9)} (head ${kb(r.headBytes)}, tail ${kb(r.tailBytes)}, ${tailRatio(r)} TFLM's)  TFLM est. ${kb(r.tflm.bytes).padStart(9)} (head ${kb(r.tflm.head)}, tail ${kb(r.tflm.tail)})  peak SRAM ${kb(r.sramPeakBytes).padStart(9)}  start-up ${boards.map((b) => `${b} ${r.startupMs[b]} ms`).join(", ")}`,
    ),
  ].join("\n");
}

export function arenaMarkdown(rs: ArenaResult[]): string {
  const boards = [...new Set(rs.flatMap((r) => Object.keys(r.startupMs)))];
  return [
    `| model | arena (head + tail) | TFLM estimate (head + tail) | tail / TFLM's | peak SRAM | ${boards.map((b) => `start-up ${b}`).join(" | ")} |`,
    `|---|---:|---:|---:|---:|${boards.map(() => "---:").join("|")}|`,
    ...rs.map(
      (r) =>
        `| ${r.model} | ${kb(r.arenaBytes)} (${kb(r.headBytes)} + ${kb(r.tailBytes)}) | ${kb(r.tflm.bytes)} (${kb(r.tflm.head)} + ${kb(r.tflm.tail)}) | ${tailRatio(r)} | ${kb(r.sramPeakBytes)} | ${boards.map((b) => `${r.startupMs[b]} ms`).join(" | ")} |`,
    ),
  ].join("\n");
}

/** Per layer with a scratch area: kernel scratch, records (48 B per channel where its kernel
 *  reads them), and the bytes it adds to the head beyond the tensors (the host's plan; a layer
 *  on its lean path has none of them and is not listed). */
export function headLayers(model: TfliteModel): string[] {
  const { needs, bytes, layerOffsets, tensorBytes } = layerAreas(model);
  return model.operators.flatMap((op, i) => {
    if (bytes[i] === 0) return [];
    const over = layerOffsets[i] + alignUp(bytes[i]) - tensorBytes;
    return [
      `   ${String(i).padStart(3)} ${op.opName.padEnd(18)} scratch ${String(needs[i].scratch).padStart(6)} B, records ${String(bytes[i] - alignUp(needs[i].scratch)).padStart(6)} B${over > 0 ? `, ${over} B past the tensors` : ""}`,
    ];
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes("--layers")) {
    for (const spec of ARENA_MODELS.filter(
      (m) => !args.some((a) => !a.startsWith("--")) || args.includes(m.name),
    )) {
      const model = readModel(
        new Uint8Array(readFileSync(path.join(FIXTURES, spec.file))),
        spec.name,
      );
      console.log(
        `${spec.name}: tensors ${planArena(model).tensorBytes} B, TFLM's head ${tflmArenaEstimate(model).head} B`,
      );
      for (const line of headLayers(model)) console.log(line);
    }
    process.exit(0);
  }
  const at = args.indexOf("--board");
  const boards = at >= 0 ? [args[at + 1]] : BOARDS;
  const names = args.filter((a, i) => !a.startsWith("--") && (at < 0 || i !== at + 1));
  const rs = await benchArena((m) => process.stderr.write(`bench: ${m}\n`), names, boards);
  console.log(arenaTable(rs));
  console.log(arenaMarkdown(rs));
}
