// The SRAM a model partition will take when the firmware's interpreter loads it, planned on
// the host before the firmware runs: the arena's tensors as the firmware's planner places
// them (emulator/model/planner.ts mirrors firmware/tflite/planner.ts; test/model/planner.test.ts
// compares the two), plus the arena's alignment slack. The interpreter allocates the arena
// from the heap once, so the build counts it in the SRAM budget.
import { readModel } from "../model/tflite-model.ts";
import { ARENA_ALIGN, planArena } from "../model/planner.ts";

export interface ModelBudget {
  /** The partition's name in app.json. */
  partition: string;
  /** Bytes of the arena's tensors plus alignment slack, as the firmware will allocate them. */
  arenaBytes: number;
}

/** TFLite flatbuffers carry the file identifier "TFL3" at byte 4. */
export function isTflite(data: Uint8Array): boolean {
  return data.length >= 8 && data[4] === 0x54 && data[5] === 0x46 && data[6] === 0x4c && data[7] === 0x33;
}

/** A budget line per partition that holds a TFLite model (other partitions take no SRAM). */
export function modelBudgets(parts: { name: string; data: Uint8Array }[]): ModelBudget[] {
  const out: ModelBudget[] = [];
  for (const p of parts) {
    if (!isTflite(p.data)) continue;
    let tensorBytes: number;
    try {
      tensorBytes = planArena(readModel(p.data, p.name)).tensorBytes;
    } catch {
      continue; // a model the host cannot read fails at run time with the firmware's reason
    }
    out.push({ partition: p.name, arenaBytes: tensorBytes + ARENA_ALIGN });
  }
  return out;
}
