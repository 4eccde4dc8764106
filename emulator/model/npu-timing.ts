// Estimated NPU time of a layer, by the same rule the emulated NPU peripheral times its jobs
// (emulator/peripherals/npu.ts): a job's set-up, then per layer its overhead, its MACs at the
// rate its input depth allows, activations at the bus width and weights at the flash read
// rate, all in NPU cycles. Here each layer is priced as a job of
// its own; the firmware batches runs of NPU layers into one job and pays set-up once per run.
import type { NpuSpec } from "../board.ts";
import { npuLayerCycles, npuOpMask, type NpuLayerWork } from "../peripherals/npu.ts";
import { builtinOpCode } from "./tflite-model.ts";
import type { LayerInfo } from "./layers.ts";

/** NPU cycles of a one-layer job: set-up, then the layer at the NPU's rates. */
export function npuJobCycles(npu: NpuSpec, work: NpuLayerWork): number {
  return npu.setupCycles + npuLayerCycles(npu, work);
}

/** NPU cycles as CPU cycles, rounded up as the peripheral does when it advances the clock. */
export function npuCyclesToCpu(cycles: number, npuHz: number, cpuHz: number): number {
  return Math.ceil(cycles * (cpuHz / npuHz));
}

/** What the firmware's job descriptor says of a layer (firmware/tflite/interpreter.ts). */
export function layerWork(layer: LayerInfo): NpuLayerWork {
  const first = layer.inputShapes[0] ?? [];
  return {
    op: builtinOpCode(layer.op),
    macs: layer.macs,
    bytes: layer.inputBytes + layer.outputBytes,
    weightBytes: layer.weightBytes,
    channels: first.length > 0 ? first[first.length - 1] : 1,
  };
}

/** The NPU takes a layer whose op is in its capability mask (the one the firmware gets) and
 *  whose output is int8: firmware/tflite/interpreter.ts's rule. */
export function npuTakes(npu: NpuSpec | null, layer: LayerInfo): boolean {
  if (npu === null || layer.outputType !== "int8") return false;
  const code = builtinOpCode(layer.op);
  return code >= 0 && code < 32 && (npuOpMask(npu) & (1 << code)) !== 0;
}

/**
 * Which layers run on the NPU, as the firmware places them: the layers it takes, except runs
 * of consecutive NPU layers that are all RESHAPE (no work but the job's set-up: they stay on
 * the CPU).
 */
export function npuPlacement(npu: NpuSpec | null, layers: LayerInfo[]): boolean[] {
  const on = layers.map((l) => npuTakes(npu, l));
  let start = 0;
  for (let i = 0; i <= layers.length; i++) {
    if (i < layers.length && on[i]) continue;
    const work = layers.slice(start, i).some((l) => l.op !== "RESHAPE");
    for (let k = start; k < i; k++) on[k] = work;
    start = i + 1;
  }
  return on;
}

/** NPU cycles of a layer priced as its own job, or null when the NPU does not take it. */
export function npuLayerEstimate(npu: NpuSpec | null, layer: LayerInfo): number | null {
  if (!npu || !npuTakes(npu, layer)) return null;
  return npuJobCycles(npu, layerWork(layer));
}
