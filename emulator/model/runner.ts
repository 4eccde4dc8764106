// Runs a .tflite model on an emulated board inside the built-in model-runner firmware
// (firmware/runner): the model and the input sets are flashed as partitions into a runner
// image compiled once per board and flash window, then the board boots and reports.
import path from "node:path";
import type { Target } from "../board.ts";
import { buildApp } from "../toolchain/build.ts";
import { layoutFlash, PAGE } from "../toolchain/flash-layout.ts";
import type { Image } from "../toolchain/image.ts";
import { Machine } from "../machine.ts";
import { prepareImageCheck } from "../toolchain/verify-image.ts";
import type { RunSummary } from "../events.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { UserError } from "../errors.ts";
import type { FaultReport } from "../faults.ts";
import { REPORT_KIND } from "../hal-constants.ts";
import type { Placement } from "../memory-hierarchy/placement.ts";

/** The model did not run: the engine refused it (exit code 2 or 3) or the firmware faulted. */
export class ModelRunError extends UserError {
  constructor(
    message: string,
    readonly fault: FaultReport | null,
    readonly runnerExit: number | null,
  ) {
    super(message);
  }
}

export interface RunModelOptions {
  /** A name for messages (the model's file). */
  name?: string;
  /** Stop with a cycle-budget fault past this many busy cycles (fuzzing). */
  maxBusyCycles?: number;
  /** Run every layer on the CPU even on a board with an NPU. */
  cpuOnly?: boolean;
  /** Where the arena and the model live (absent: zero-wait TCM timing, as before). */
  placement?: Placement;
}

export const RUNNER_APP = path.join(PROJECT_ROOT, "firmware", "runner");
const { output: REPORT_OUTPUT, plan: REPORT_PLAN } = REPORT_KIND;

export interface LayerTiming {
  index: number;
  op: number;
  unit: "cpu" | "npu";
  cycles: number;
}

export interface Inference {
  /** Cycles from the first layer's start to the last layer's end. */
  cycles: number;
  layers: LayerTiming[];
  /** Raw bytes of each output tensor. */
  outputs: Uint8Array[];
}

export interface ModelRun {
  inferences: Inference[];
  /** Arena offset per tensor (-1: not in the arena), as the firmware planned it. */
  plan: number[];
  /** Arena bytes as TFLM counts them (arena_used_bytes): the head, activations (planned) +
   *  the scratch area the layers share (kernel scratch and the running layer's requantisation
   *  records), and the tail, what the engine keeps for the whole run (persistentBytes). */
  arena: {
    tensorBytes: number;
    scratchBytes: number;
    headBytes: number;
    persistentBytes: number;
    bytes: number;
  };
  summary: RunSummary;
  /** Cycles from reset until the engine was ready (the model parsed, every layer prepared). */
  startupCycles: number;
  console: string;
  /** Wall seconds per inference on this host (the whole run divided by the input sets). */
  wallPerInference: number;
}

const images = new Map<string, Promise<Image>>();

/** Flash windows come in a few sizes so that one compiled runner serves many models. */
function windowFor(bytes: number): number {
  for (const w of [1 << 20, 4 << 20, 16 << 20]) if (bytes + 4096 <= w) return w;
  return Math.ceil((bytes + 4096) / PAGE) * PAGE;
}

/** The runner image for a board and window: from memory, or from buildApp (and its cache). */
export function runnerImage(target: Target, window: number): Promise<Image> {
  const key = `${target.board.id}-${target.core.id}-${window}`;
  if (!images.has(key))
    images.set(
      key,
      buildApp(RUNNER_APP, target, { flashWindow: window }).then((r) => r.image),
    );
  return images.get(key)!;
}

/** The image with new flash contents (the window must hold them). */
export function withPartitions(
  image: Image,
  parts: { name: string; data: Uint8Array; source?: string }[],
): Image {
  const flash = layoutFlash(parts);
  if (flash.flash.length > image.manifest.layout.flashWindow) {
    throw new UserError(
      `partitions need ${flash.flash.length} bytes, the runner's flash window is ${image.manifest.layout.flashWindow}`,
    );
  }
  const usage = {
    ...image.manifest.usage,
    partitionBytes: flash.flash.length,
    flashBytes:
      image.manifest.usage.codeBytes + image.manifest.usage.dataBytes + flash.flash.length,
  };
  return {
    ...image,
    flash: flash.flash,
    manifest: { ...image.manifest, partitions: flash.partitions, usage },
  };
}

/** Runs the model once per input set (each set: every input tensor's raw bytes, in order). */
export async function runModel(
  model: Uint8Array,
  inputSets: Uint8Array[],
  target: Target,
  opts: RunModelOptions = {},
): Promise<ModelRun> {
  const name = opts.name ?? "model";
  const input = new Uint8Array(inputSets.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of inputSets) {
    input.set(s, at);
    at += s.length;
  }
  const base = await runnerImage(target, windowFor(model.length + input.length));
  const image = withPartitions(base, [
    { name: "model", data: model, source: name },
    { name: "input", data: input },
  ]);
  await prepareImageCheck(image.wasm);
  const machine = new Machine({
    target,
    image,
    sdcard: null,
    noNpu: opts.cpuOnly,
    placement: opts.placement,
  });
  let text = "";
  let plan: number[] = [];
  let startupCycles = 0;
  let arena = { tensorBytes: 0, scratchBytes: 0, headBytes: 0, persistentBytes: 0, bytes: 0 };
  const outputs: Uint8Array[] = [];
  const spans: Span[] = [];
  const open = new Map<number, Span>();
  machine.events.on("console", (t) => {
    text += t;
  });
  machine.events.on("report", (kind, bytes) => {
    if (kind === REPORT_PLAN) {
      startupCycles = machine.clock.now;
      const words = Array.from(
        new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2),
      );
      const [tensorBytes, scratchBytes, persistentBytes] = words.splice(-3);
      plan = words;
      arena = {
        tensorBytes,
        scratchBytes,
        headBytes: tensorBytes + scratchBytes,
        persistentBytes,
        bytes: tensorBytes + scratchBytes + persistentBytes,
      };
    } else if (kind === REPORT_OUTPUT) outputs.push(bytes);
  });
  machine.events.on("layerBegin", (index, op, cycles, unit) => {
    open.set(index, { index, op, unit, start: cycles, end: cycles });
  });
  machine.events.on("layerEnd", (index, cycles) => {
    const span = open.get(index);
    if (span) {
      span.end = cycles;
      spans.push(span);
      open.delete(index);
    }
  });
  const summary = await machine.run({ seconds: 3600, maxBusyCycles: opts.maxBusyCycles });
  if (summary.fault)
    throw new ModelRunError(
      `${name}: firmware fault on ${target.board.id}: ${summary.fault.kind}: ${summary.fault.message}`,
      summary.fault,
      null,
    );
  if (summary.exitCode !== 0)
    throw new ModelRunError(
      `${name}: ${text.trim().split("\n").pop() || `the runner stopped (${summary.reason})`}`,
      null,
      summary.exitCode,
    );
  return {
    inferences: splitInferences(spans, outputs, inputSets.length),
    plan,
    arena,
    summary,
    startupCycles,
    console: text,
    wallPerInference: summary.wallSeconds / Math.max(1, inputSets.length),
  };
}

interface Span {
  index: number;
  op: number;
  unit: "cpu" | "npu";
  start: number;
  end: number;
}

/** Each inference runs every layer once, in order: cut the spans and outputs per input set. */
function splitInferences(spans: Span[], outputs: Uint8Array[], sets: number): Inference[] {
  const perSetOutputs = outputs.length / sets;
  const perSetLayers = spans.length / sets;
  const result: Inference[] = [];
  for (let s = 0; s < sets; s++) {
    const mine = spans
      .slice(s * perSetLayers, (s + 1) * perSetLayers)
      .sort((a, b) => a.index - b.index);
    const cycles = mine.length
      ? Math.max(...mine.map((l) => l.end)) - Math.min(...mine.map((l) => l.start))
      : 0;
    result.push({
      cycles,
      layers: mine.map(({ index, op, unit, start, end }) => ({
        index,
        op,
        unit,
        cycles: end - start,
      })),
      outputs: outputs.slice(s * perSetOutputs, (s + 1) * perSetOutputs),
    });
  }
  return result;
}
