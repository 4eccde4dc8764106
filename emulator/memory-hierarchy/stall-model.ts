// Core stall cycles of a model's layers from where their operands live: per operand, the lines
// that miss (the first sweep, unless the previous layer left it cached; later sweeps when what
// they reuse does not fit the cache) times the region's line cost, plus write-backs. A cache
// model in counts, not tags: the same answer every run, and no cost per memory access.
import type { RegionTiming, Target } from "../board.ts";
import type { TfliteModel } from "../model/tflite-model.ts";
import { modelStreams, type KernelLoopOrder, type OperandStream } from "./layer-traffic.ts";
import type { Placement } from "./placement.ts";

/** Lines of a region without a cache are still counted in 32-byte units (one AXI burst). */
const DEFAULT_LINE = 32;
/** Share of a cache that holds reused data: one way of a set-associative cache is assumed
 *  lost to conflicts and to the streams passing through (an estimate; docs/cost-model.md). */
function usableCache(target: Target, cacheBytes: number): number {
  const ways = target.board.memoryTiming?.dataCache?.ways ?? 1;
  return ways > 1 ? (cacheBytes * (ways - 1)) / ways : cacheBytes / 2;
}

export interface LayerStall {
  /** Stall cycles per region name. */
  byRegion: Record<string, number>;
  cycles: number;
}

export function regionTiming(target: Target, region: string): RegionTiming | null {
  return target.board.memoryTiming?.regions[region] ?? null;
}

/**
 * Stall cycles of one operand stream in a region. `resident`: share already in the cache;
 * `missAgain`: share of the sweeps after the first that miss (what they reuse was evicted).
 */
export function streamCycles(
  s: OperandStream,
  timing: RegionTiming,
  lineBytes: number,
  resident: number,
  missAgain: number,
): number {
  const lines = Math.ceil(s.bytes / lineBytes);
  if (lines === 0) return 0;
  const startup = timing.firstLineCycles - timing.lineCycles;
  if (s.role === "output") {
    // Write-allocate: each line is filled, then written back when evicted; without a cache
    // the stores go out through the write buffer. A kernel that writes its output in several
    // sweeps touches every line again in each sweep the cache could not keep it through.
    const touches = lines * (1 + (s.passes - 1) * missAgain);
    return timing.cacheBytes > 0
      ? touches * (timing.lineCycles + timing.writeLineCycles) + startup
      : touches * timing.writeLineCycles;
  }
  if (timing.cacheBytes === 0) return s.passes * (lines * timing.lineCycles + startup);
  const firstLines = lines * (1 - resident);
  const againLines = lines * (s.passes - 1) * missAgain;
  const starts = (firstLines > 0 ? 1 : 0) + (missAgain > 0 ? Math.ceil(s.passes - 1) : 0);
  return (firstLines + againLines) * timing.lineCycles + starts * startup;
}

/** Per layer: stall cycles for the placement (zero for operands it does not place). */
export function modelStalls(
  model: TfliteModel,
  placement: Placement,
  target: Target,
  order: KernelLoopOrder = "engine",
): LayerStall[] {
  const lineBytes = target.board.memoryTiming?.dataCache?.lineBytes ?? DEFAULT_LINE;
  const arena = placement.arena ? regionTiming(target, placement.arena.region) : null;
  const weights = placement.model ? regionTiming(target, placement.model.region) : null;
  const streams = modelStreams(model, order);
  const result: LayerStall[] = [];
  let previousOutputs = new Set<number>();
  const timingOf = (s: OperandStream) => (s.role === "weights" ? weights : arena);
  for (const layer of streams) {
    const byRegion: Record<string, number> = {};
    let cycles = 0;
    // What one sweep of the layer keeps using, through the cache: when it exceeds the cache,
    // each sweep evicts what the next would reuse (random replacement keeps about cache/need).
    let cache = 0;
    let need = 0;
    for (const s of layer) {
      const t = timingOf(s);
      // An output swept once is only written; one swept again must also stay cached.
      if (!t || t.cacheBytes === 0 || (s.role === "output" && s.passes <= 1)) continue;
      cache = Math.max(cache, t.cacheBytes);
      need += s.reuseBytes;
    }
    const usable = usableCache(target, cache);
    const missAgain = need <= usable ? 0 : 1 - usable / need;
    for (const s of layer) {
      const timing = timingOf(s);
      const region = s.role === "weights" ? placement.model?.region : placement.arena?.region;
      if (!timing || !region) continue;
      // The previous layer's output is still cached as far as the cache could hold it.
      // The records were written just before the layer ran: cached likewise.
      const justWritten =
        (s.role === "input" && previousOutputs.has(s.tensor)) || s.role === "records";
      const resident =
        justWritten && timing.cacheBytes > 0
          ? Math.min(1, usableCache(target, timing.cacheBytes) / Math.max(1, s.bytes))
          : 0;
      const c = streamCycles(s, timing, lineBytes, resident, missAgain);
      byRegion[region] = (byRegion[region] ?? 0) + c;
      cycles += c;
    }
    previousOutputs = new Set(
      layer.filter((s) => s.role === "output" && s.tensor >= 0).map((s) => s.tensor),
    );
    result.push({ byRegion, cycles: Math.round(cycles) });
  }
  return result;
}

/** Cycles to copy a model from the board's flash into RAM at start-up (placement model in RAM). */
export function modelCopyCycles(bytes: number, placement: Placement, target: Target): number {
  if (!placement.model) return 0;
  const to = regionTiming(target, placement.model.region);
  const from = regionTiming(target, target.board.flash.name);
  const region = target.board.memory.find((m) => m.name === placement.model!.region);
  if (!region || region.kind === "flash") return 0;
  const lineBytes = target.board.memoryTiming?.dataCache?.lineBytes ?? DEFAULT_LINE;
  const lines = Math.ceil(bytes / lineBytes);
  return Math.round(
    lines * ((from?.lineCycles ?? 0) + (to?.writeLineCycles ?? 0)) +
      (from ? from.firstLineCycles - from.lineCycles : 0),
  );
}

/** Cycles the CPU stalls reading a DMA-filled buffer once (the driver invalidated its lines). */
export function bufferReadCycles(bytes: number, region: string, target: Target): number {
  const timing = regionTiming(target, region);
  if (!timing || bytes <= 0) return 0;
  const lineBytes = target.board.memoryTiming?.dataCache?.lineBytes ?? DEFAULT_LINE;
  const stream: OperandStream = { role: "input", tensor: -1, bytes, passes: 1, reuseBytes: 0 };
  return Math.round(streamCycles(stream, timing, lineBytes, 0, 0));
}
