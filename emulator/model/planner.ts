// Arena planning, the host mirror of firmware/tflite/planner.ts (keep the two in step: the
// firmware reports its plan and tests compare). Activations not alive at the same time
// share memory: tensors are placed largest first, each at the lowest 16-aligned offset
// that does not overlap a placed tensor whose lifetime intersects its own (TFLM's greedy
// planner). Constants stay in flash and take no arena.
import type { TfliteModel } from "./tflite-model.ts";

export const ARENA_ALIGN = 16;

export const alignUp = (n: number): number => Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;

/** Operator indices during which a tensor must stay in memory (both ends included). */
export interface Lifetime {
  first: number;
  last: number;
}

export interface ArenaPlan {
  /** Arena offset per tensor, -1 for tensors outside the arena (constants, unused). */
  offsets: number[];
  /** Bytes each arena tensor takes (byte size rounded up to 16), 0 outside the arena. */
  sizes: number[];
  lifetimes: (Lifetime | null)[];
  /** End of the furthest placed tensor. */
  tensorBytes: number;
  /** The scratch area the kernels share, after the tensors: the largest need of any layer. */
  scratchBytes: number;
  arenaBytes: number;
  /** No plan can do better: the most bytes alive during any one layer (scratch excluded). */
  lowerBound: number;
}

/** Lifetimes of the arena tensors: non-constant tensors the graph uses; null for the rest. */
export function tensorLifetimes(model: TfliteModel): (Lifetime | null)[] {
  const n = model.tensors.length;
  const ops = model.operators;
  const first = new Array<number>(n).fill(-1);
  const last = new Array<number>(n).fill(-1);
  const used = new Array<boolean>(n).fill(false);
  ops.forEach((op, o) => {
    for (const t of op.outputs) {
      if (first[t] < 0) first[t] = o;
      used[t] = true;
    }
    for (const t of op.inputs) {
      if (t < 0) continue; // absent optional input
      last[t] = o;
      used[t] = true;
    }
  });
  for (const t of model.inputs) {
    first[t] = 0;
    used[t] = true;
  }
  for (const t of model.outputs) {
    last[t] = Math.max(ops.length - 1, 0);
    used[t] = true;
  }
  return model.tensors.map((t, i) => {
    if (!used[i] || t.isConstant) return null;
    const f = Math.max(first[i], 0); // never produced: alive from the start
    return { first: f, last: Math.max(last[i], f) }; // never consumed: one layer
  });
}

/** Plans the arena; `scratchBytesPerOp` gives each layer's kernel scratch need, if known. */
export function planArena(model: TfliteModel, scratchBytesPerOp: number[] = []): ArenaPlan {
  const lifetimes = tensorLifetimes(model);
  const n = lifetimes.length;
  const sizes = model.tensors.map((t, i) => (lifetimes[i] ? alignUp(t.byteSize) : 0));
  const offsets = new Array<number>(n).fill(-1);
  // Size descending; Array.prototype.sort is stable, so equal sizes keep tensor order.
  const order = lifetimes.flatMap((l, i) => (l ? [i] : [])).sort((a, b) => sizes[b] - sizes[a]);
  // Placed tensors, kept sorted by offset so each placement is one upward scan.
  const placed: number[] = [];
  let tensorBytes = 0;
  for (const t of order) {
    const lt = lifetimes[t]!;
    const size = sizes[t];
    let offset = 0;
    for (const q of placed) {
      const lq = lifetimes[q]!;
      if (lq.last < lt.first || lq.first > lt.last) continue; // never alive together
      if (offset + size <= offsets[q]) break; // fits below q, and below everything after it
      offset = Math.max(offset, offsets[q] + sizes[q]);
    }
    offsets[t] = offset;
    tensorBytes = Math.max(tensorBytes, offset + size);
    let j = placed.length;
    while (j > 0 && offsets[placed[j - 1]] > offset) j--;
    placed.splice(j, 0, t);
  }
  const scratchBytes = scratchBytesPerOp.reduce((m, s) => Math.max(m, alignUp(Math.max(s, 0))), 0);
  // Bytes alive per layer by a sweep: each tensor adds its size at its first layer, removes it after its last.
  const delta = new Array<number>(Math.max(model.operators.length, 1) + 1).fill(0);
  lifetimes.forEach((l, i) => {
    if (!l) return;
    delta[l.first] += sizes[i];
    delta[l.last + 1] -= sizes[i];
  });
  let lowerBound = 0;
  let live = 0;
  for (const d of delta) {
    live += d;
    lowerBound = Math.max(lowerBound, live);
  }
  return {
    offsets,
    sizes,
    lifetimes,
    tensorBytes,
    scratchBytes,
    arenaBytes: tensorBytes + scratchBytes,
    lowerBound,
  };
}

/** Each layer's scratch area (`layerBytes`: kernel scratch + requantisation records) in the
 *  lowest gap among the tensors alive during that layer, after the tensors are placed, as
 *  firmware/tflite/planner.ts places them. Returns the offsets (-1: none) and the head's end. */
export function placeLayerAreas(
  plan: ArenaPlan,
  layerBytes: number[],
): { layerOffsets: number[]; headBytes: number } {
  const placed = plan.offsets
    .flatMap((o, i) => (o >= 0 ? [i] : []))
    .sort((a, b) => plan.offsets[a] - plan.offsets[b] || a - b);
  let headBytes = plan.tensorBytes;
  const layerOffsets = layerBytes.map((bytes, layer) => {
    const size = alignUp(Math.max(bytes, 0));
    if (size === 0) return -1;
    let offset = 0;
    for (const q of placed) {
      const lq = plan.lifetimes[q]!;
      if (lq.last < layer || lq.first > layer) continue; // not alive during this layer
      if (offset + size <= plan.offsets[q]) break;
      offset = Math.max(offset, plan.offsets[q] + plan.sizes[q]);
    }
    headBytes = Math.max(headBytes, offset + size);
    return offset;
  });
  return { layerOffsets, headBytes };
}
