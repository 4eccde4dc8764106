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

  constructor(n: i32) {
    this.offsets = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) this.offsets[i] = -1;
  }
}

export function planArena(model: Model): ArenaPlan {
  const tensors = model.tensors;
  const n = tensors.length;
  const ops = model.operators;
  const last = ops.length - 1;
  const first = new StaticArray<i32>(n);
  const end = new StaticArray<i32>(n);
  const used = new StaticArray<bool>(n);
  for (let i = 0; i < n; i++) { first[i] = -1; end[i] = -1; }
  // Lifetimes in operator indices: from the producer (or 0) to the last consumer.
  for (let o = 0; o < ops.length; o++) {
    const op = ops[o];
    for (let k = 0; k < op.outputIndices.length; k++) {
      const t = op.outputIndices[k];
      if (first[t] < 0) first[t] = o;
      used[t] = true;
    }
    for (let k = 0; k < op.inputIndices.length; k++) {
      const t = op.inputIndices[k];
      if (t < 0) continue;
      end[t] = o;
      used[t] = true;
    }
  }
  for (let k = 0; k < model.inputs.length; k++) { const t = model.inputs[k]; first[t] = 0; used[t] = true; }
  for (let k = 0; k < model.outputs.length; k++) { const t = model.outputs[k]; end[t] = max(last, 0); used[t] = true; if (first[t] < 0) first[t] = 0; }
  // Order: size descending, equal sizes in tensor order (a stable insertion sort).
  const order = new StaticArray<i32>(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t = tensors[i];
    if (!used[i] || t.isConstant) continue;
    if (first[i] < 0) first[i] = 0;
    if (end[i] < first[i]) end[i] = first[i];
    const size = alignUp(t.bytes);
    let j = count++;
    while (j > 0 && alignUp(tensors[order[j - 1]].bytes) < size) { order[j] = order[j - 1]; j--; }
    order[j] = i;
  }
  const plan = new ArenaPlan(n);
  // Placed tensors kept sorted by offset, so each placement is one scan.
  const placed = new StaticArray<i32>(count);
  let nPlaced = 0;
  for (let k = 0; k < count; k++) {
    const t = order[k];
    const size = alignUp(tensors[t].bytes);
    let offset = 0;
    for (let p = 0; p < nPlaced; p++) {
      const q = placed[p];
      if (end[q] < first[t] || first[q] > end[t]) continue; // not alive together
      const qOff = plan.offsets[q];
      if (offset + size <= qOff) break;
      offset = max(offset, qOff + alignUp(tensors[q].bytes));
    }
    plan.offsets[t] = offset;
    plan.tensorBytes = max(plan.tensorBytes, offset + size);
    let j = nPlaced++;
    while (j > 0 && plan.offsets[placed[j - 1]] > offset) { placed[j] = placed[j - 1]; j--; }
    placed[j] = t;
  }
  return plan;
}
