// Arena planning: activations that are not alive at the same time share memory. Greedy by
// size, as TFLM's GreedyMemoryPlanner: the largest tensors are placed first, each at the
// lowest offset that does not collide with a placed tensor whose lifetime overlaps its own.
// The host mirrors this exactly (emulator/model/planner.ts) for `tinyboard model inspect`.
import { Model } from "./model";

export const ARENA_ALIGN: i32 = 16;

function alignUp(n: i32): i32 {
  return (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
}

export class ArenaPlan {
  /** Offset per tensor, -1 for tensors outside the arena (constants, unused). */
  offsets: StaticArray<i32>;
  tensorBytes: i32 = 0;
  /** Offset per layer of its scratch area (kernel scratch, then requantisation records), -1
   *  for a layer that needs none; and the head's end, tensors and scratch areas together. */
  layerOffsets: StaticArray<i32>;
  headBytes: i32 = 0;

  constructor(n: i32, layers: i32) {
    const offsets = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) offsets[i] = -1;
    const layerOffsets = new StaticArray<i32>(layers);
    for (let i = 0; i < layers; i++) layerOffsets[i] = -1;
    this.offsets = offsets;
    this.layerOffsets = layerOffsets;
  }
}

/** Plans the tensors, then each layer's scratch area (`layerBytes`, 16-byte multiples; empty
 *  when the layers' needs are not known) in the lowest gap among the tensors alive during that
 *  layer, so scratch shares memory with dead activations as TFLM's scratch buffers do (TFLM
 *  plans them with the tensors in one greedy pass; a second pass leaves the tensors' offsets as
 *  emulator/model/planner.ts plans them). */
export function planArena(model: Model, layerBytes: StaticArray<i32> = new StaticArray<i32>(0)): ArenaPlan {
  const tensors = model.tensors;
  const n = tensors.length;
  const ops = model.operators;
  const last = ops.length - 1;
  const plan = new ArenaPlan(n, ops.length);
  const offsets = plan.offsets;
  // The planner's working arrays are temporary, as TFLM's (which it takes from the arena's
  // head): taken from the heap after the plan and given back in reverse order, which the bump
  // allocator reclaims, so they do not stay in the tail.
  const first = heap.alloc(<usize>n << 2), end = heap.alloc(<usize>n << 2), order = heap.alloc(<usize>n << 2), placed = heap.alloc(<usize>n << 2);
  const used = heap.alloc(<usize>max(n, 1));
  // Each tensor's aligned size, found once (a tensor's size walks its shape; the placement
  // loops below would otherwise walk it for every pair of tensors they compare).
  const sizes = heap.alloc(<usize>n << 2);
  for (let i = 0; i < n; i++) { setAt(first, i, -1); setAt(end, i, -1); store<u8>(used + <usize>i, 0); }
  // Lifetimes in operator indices: from the producer (or 0) to the last consumer.
  for (let o = 0; o < ops.length; o++) {
    const op = ops[o];
    for (let k = 0; k < op.outputCount; k++) {
      const t = op.outputIndex(k);
      if (at(first, t) < 0) setAt(first, t, o);
      store<u8>(used + <usize>t, 1);
    }
    for (let k = 0; k < op.inputCount; k++) {
      const t = op.inputIndex(k);
      if (t < 0) continue;
      setAt(end, t, o);
      store<u8>(used + <usize>t, 1);
    }
  }
  for (let k = 0; k < model.inputs.length; k++) { const t = model.inputs[k]; setAt(first, t, 0); store<u8>(used + <usize>t, 1); }
  for (let k = 0; k < model.outputs.length; k++) { const t = model.outputs[k]; setAt(end, t, max(last, 0)); store<u8>(used + <usize>t, 1); if (at(first, t) < 0) setAt(first, t, 0); }
  // Order: size descending, equal sizes in tensor order (a stable insertion sort).
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t = tensors[i];
    if (load<u8>(used + <usize>i) == 0 || t.isConstant) continue;
    if (at(first, i) < 0) setAt(first, i, 0);
    if (at(end, i) < at(first, i)) setAt(end, i, at(first, i));
    const size = alignUp(t.bytes);
    setAt(sizes, i, size);
    let j = count++;
    while (j > 0 && at(sizes, at(order, j - 1)) < size) { setAt(order, j, at(order, j - 1)); j--; }
    setAt(order, j, i);
  }
  // Placed tensors kept sorted by offset, so each placement is one scan.
  let nPlaced = 0;
  for (let k = 0; k < count; k++) {
    const t = at(order, k);
    const size = at(sizes, t);
    const tFirst = at(first, t), tEnd = at(end, t);
    let offset = 0;
    for (let p = 0; p < nPlaced; p++) {
      const q = at(placed, p);
      if (at(end, q) < tFirst || at(first, q) > tEnd) continue; // not alive together
      const qOff = unchecked(offsets[q]);
      if (offset + size <= qOff) break;
      offset = max(offset, qOff + at(sizes, q));
    }
    unchecked(offsets[t] = offset);
    plan.tensorBytes = max(plan.tensorBytes, offset + size);
    let j = nPlaced++;
    while (j > 0 && unchecked(offsets[at(placed, j - 1)]) > offset) { setAt(placed, j, at(placed, j - 1)); j--; }
    setAt(placed, j, t);
  }
  plan.headBytes = plan.tensorBytes;
  for (let o = 0; o < layerBytes.length; o++) {
    const size = layerBytes[o];
    if (size <= 0) continue;
    let offset = 0;
    for (let p = 0; p < nPlaced; p++) {
      const q = at(placed, p);
      if (at(end, q) < o || at(first, q) > o) continue; // not alive during layer o
      const qOff = unchecked(offsets[q]);
      if (offset + size <= qOff) break;
      offset = max(offset, qOff + at(sizes, q));
    }
    plan.layerOffsets[o] = offset;
    plan.headBytes = max(plan.headBytes, offset + size);
  }
  heap.free(sizes); heap.free(used); heap.free(placed); heap.free(order); heap.free(end); heap.free(first);
  return plan;
}

// @ts-ignore: decorator
@inline function at(list: usize, i: i32): i32 {
  return load<i32>(list + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function setAt(list: usize, i: i32, v: i32): void {
  store<i32>(list + (<usize>i << 2), v);
}
