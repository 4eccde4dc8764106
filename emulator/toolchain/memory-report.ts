// The memory report, in the format of GNU ld's --print-memory-usage, and budget checks of
// an image's needs against any board.
import type { Target } from "../board.ts";
import type { ImageManifest } from "./image.ts";
import { formatBytes, kb } from "../errors.ts";
import type { ModelBudget } from "./model-budget.ts";
import {
  placedBytes,
  placementOverflows,
  type PlacedBytes,
  type Placement,
} from "../memory-hierarchy/placement.ts";

export interface RegionUsage {
  name: string;
  kind: string;
  base: string;
  used: number;
  size: number;
  percent: number;
}

export interface MemoryReport {
  board: string;
  core: string;
  regions: RegionUsage[];
  flash: { used: number; size: number };
  sram: {
    used: number;
    size: number;
    static: number;
    stack: number;
    heap: number;
    models: ModelBudget[];
  };
  breakdown: { code: number; data: number; partitions: number };
  /** What app.json placed in named regions (empty without a placement). */
  placed: PlacedBytes[];
  fits: boolean;
  problems: string[];
}

/** What an image needs, independent of the board it was built for. */
export interface Needs {
  flashBytes: number;
  sramBytes: number;
  staticBytes: number;
  stackBytes: number;
  codeBytes: number;
  dataBytes: number;
  partitionBytes: number;
  heapBytes: number;
  models: ModelBudget[];
  /** app.json's placement for the board, and the bytes of the model partitions it may copy. */
  placement?: Placement;
  modelBytes?: number;
}

export function needsOf(m: ImageManifest): Needs {
  return {
    flashBytes: m.usage.flashBytes,
    sramBytes: m.usage.sramBytes,
    staticBytes: m.usage.staticBytes,
    stackBytes: m.layout.stackBytes,
    codeBytes: m.usage.codeBytes,
    dataBytes: m.usage.dataBytes,
    partitionBytes: m.usage.partitionBytes,
    heapBytes:
      m.usage.heapBytes ??
      Math.max(0, m.usage.sramBytes - m.usage.staticBytes - m.layout.stackBytes),
    models: m.usage.models ?? [],
    placement: m.placement,
    modelBytes: (m.usage.models ?? []).reduce(
      (n, b) => n + (m.partitions.find((p) => p.name === b.partition)?.size ?? 0),
      0,
    ),
  };
}

export function memoryReport(needs: Needs, target: Target): MemoryReport {
  const { board, core } = target;
  const regions: RegionUsage[] = [];
  const hex = (n: number) => "0x" + n.toString(16).padStart(8, "0");
  const pct = (u: number, s: number) => Math.round((u / s) * 10000) / 100;
  regions.push({
    name: board.flash.name,
    kind: "flash",
    base: hex(board.flash.base),
    used: needs.flashBytes,
    size: board.flash.size,
    percent: pct(needs.flashBytes, board.flash.size),
  });
  // Placed items take their regions first (app.json "placement"); they leave the general SRAM
  // figure (the arena is part of the heap, the frame buffer of static data or heap).
  const placed = needs.placement
    ? placedBytes(needs.placement, target, {
        arenaBytes: needs.models.reduce((n, m) => n + m.arenaBytes, 0),
        modelBytes: needs.modelBytes ?? 0,
      })
    : [];
  const placedIn = (name: string) =>
    placed.filter((p) => p.region.name === name).reduce((n, p) => n + p.bytes, 0);
  const movedOut = placed.filter((p) => p.item !== "model").reduce((n, p) => n + p.bytes, 0);
  // Static data fills the SRAM regions in the core's allocation order, then the stack.
  let left = Math.max(0, needs.sramBytes - movedOut);
  for (const r of target.sram) {
    const own = placedIn(r.name);
    const used = Math.min(left, Math.max(0, r.size - own));
    left -= used;
    regions.push({
      name: r.name,
      kind: "sram",
      base: hex(r.base),
      used: used + own,
      size: r.size,
      percent: pct(used + own, r.size),
    });
  }
  for (const r of board.memory) {
    if (target.sram.includes(r) || r === board.flash || placedIn(r.name) === 0) continue;
    regions.push({
      name: r.name,
      kind: r.kind,
      base: hex(r.base),
      used: placedIn(r.name),
      size: r.size,
      percent: pct(placedIn(r.name), r.size),
    });
  }
  const problems: string[] = placementOverflows(placed);
  if (needs.flashBytes > board.flash.size) {
    problems.push(
      `${board.flash.name} overflowed by ${needs.flashBytes - board.flash.size} bytes (flash needs ${kb(needs.flashBytes)}, has ${kb(board.flash.size)})`,
    );
  }
  if (needs.sramBytes > target.sramBytes) {
    problems.push(
      `SRAM overflowed by ${needs.sramBytes - target.sramBytes} bytes (SRAM needs ${kb(needs.sramBytes)}, has ${kb(target.sramBytes)})`,
    );
  } else if (left > 0) {
    problems.push(
      `SRAM overflowed by ${left} bytes beside the placed items (${placed.map((p) => `${p.item} in ${p.region.name}`).join(", ")})`,
    );
  }
  return {
    board: board.id,
    core: core.id,
    regions,
    flash: { used: needs.flashBytes, size: board.flash.size },
    sram: {
      used: needs.sramBytes,
      size: target.sramBytes,
      static: needs.staticBytes,
      stack: needs.stackBytes,
      heap: needs.heapBytes,
      models: needs.models,
    },
    breakdown: { code: needs.codeBytes, data: needs.dataBytes, partitions: needs.partitionBytes },
    placed,
    fits: problems.length === 0,
    problems,
  };
}

/** Text in GNU ld's layout: one row per region. */
export function formatReport(r: MemoryReport): string {
  const lines = ["Memory region         Used Size  Region Size  %age Used"];
  for (const g of r.regions) {
    lines.push(
      `${(g.name + ":").padStart(16)} ${formatBytes(g.used).padStart(16)} ${formatBytes(g.size).padStart(12)} ${g.percent.toFixed(2).padStart(9)}%`,
    );
  }
  // What the SRAM total is made of: the model arenas count, so "fits" means the model fits too.
  const s = r.sram;
  const arenas = s.models.reduce((n, m) => n + m.arenaBytes, 0);
  const heap = Math.max(s.heap, arenas);
  lines.push(`SRAM ${s.used} B = static ${s.static} B + heap ${heap} B + stack ${s.stack} B`);
  // A run holds the firmware to a declared heap; an undeclared one cannot be checked here.
  if (s.heap === 0)
    lines.push(
      `  heap not declared (app.json heapBytes): counted as ${arenas ? "the model arenas only" : "0 B"}; a run reports the heap the app uses`,
    );
  for (const m of s.models) {
    // Images built before the head/tail split carry only arenaBytes.
    const parts =
      m.headBytes !== undefined
        ? ` = head ${m.headBytes} B (tensors, kernel scratch, requantisation records) + tail ${m.tailBytes} B (parsed model, kernels, per-channel data)`
        : "";
    lines.push(`  model '${m.partition}' arena ${m.arenaBytes} B${parts}`);
  }
  if (s.models.length)
    lines.push(
      `  heap = ${s.heap >= arenas ? `app.json heapBytes ${s.heap} B (covers the arena${s.models.length > 1 ? "s" : ""})` : `the model arena${s.models.length > 1 ? "s" : ""} (app.json heapBytes ${s.heap} B is less)`}`,
    );
  for (const p of r.placed)
    lines.push(
      `  placed: ${p.item} in ${p.region.name}${p.item === "model" ? (p.copied ? ` (copied from flash at start-up, ${p.bytes} B)` : " (read in place)") : ` ${p.bytes} B`}`,
    );
  return lines.join("\n");
}

/** One line per board: "fits on rt1170" / "does not fit on mcxn947: SRAM needs 640 KB, has 512 KB". */
export function fitLine(needs: Needs, target: Target): { fits: boolean; line: string } {
  const r = memoryReport(needs, target);
  if (r.fits) return { fits: true, line: `fits on ${target.board.id}` };
  const why: string[] = [];
  if (needs.sramBytes > target.sramBytes)
    why.push(`SRAM needs ${kb(needs.sramBytes)}, has ${kb(target.sramBytes)}`);
  if (needs.flashBytes > target.board.flash.size)
    why.push(`flash needs ${kb(needs.flashBytes)}, has ${kb(target.board.flash.size)}`);
  return { fits: false, line: `does not fit on ${target.board.id}: ${why.join("; ")}` };
}
