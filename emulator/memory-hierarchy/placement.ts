// Where an app puts its big blocks: the model arena (activations), the camera frame buffer and
// the model's weights, each in a named memory region of the board (app.json "placement"). An
// item left out keeps today's meaning: every access to it costs as zero-wait TCM.
import type { MemoryRegion, Target } from "../board.ts";
import { UserError } from "../errors.ts";
import { kb } from "../errors.ts";

export const PLACED_ITEMS = ["arena", "frameBuffer", "model"] as const;
export type PlacedItem = (typeof PLACED_ITEMS)[number];

export interface PlacementEntry {
  region: string;
  /** Bytes it takes there; absent: the build's figure (the arenas, the model partitions). */
  bytes?: number;
}

export type Placement = Partial<Record<PlacedItem, PlacementEntry>>;

/** app.json's placement per board id ("*" for every board). */
export type AppPlacement = Record<string, Placement>;

/** Reads app.json's "placement": { board | "*": { item: REGION | { region, bytes } } }. */
export function parsePlacement(raw: unknown, fail: (why: string) => Error): AppPlacement {
  if (raw === undefined) return {};
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(raw))
    throw fail("'placement' must be { board: { arena|frameBuffer|model: REGION } }");
  const result: AppPlacement = {};
  for (const [board, items] of Object.entries(raw)) {
    if (!isObject(items)) throw fail(`placement '${board}' must be an object of items`);
    const p: Placement = {};
    for (const [item, spec] of Object.entries(items)) {
      if (!(PLACED_ITEMS as readonly string[]).includes(item))
        throw fail(
          `placement '${board}': unknown item '${item}' (items: ${PLACED_ITEMS.join(", ")})`,
        );
      if (typeof spec === "string") p[item as PlacedItem] = { region: spec };
      else if (
        isObject(spec) &&
        typeof spec.region === "string" &&
        (spec.bytes === undefined ||
          (Number.isSafeInteger(spec.bytes) && (spec.bytes as number) >= 0))
      )
        p[item as PlacedItem] = {
          region: spec.region,
          ...(spec.bytes !== undefined ? { bytes: spec.bytes as number } : {}),
        };
      else throw fail(`placement '${board}'.${item} must be a region name or { region, bytes }`);
    }
    result[board] = p;
  }
  return result;
}

/** The placement the app asks for on a board (undefined: none, today's zero-wait timing). */
export function placementFor(app: AppPlacement, board: string): Placement | undefined {
  const p = app[board] ?? app["*"];
  return p && Object.keys(p).length ? p : undefined;
}

/** The region an item may go to, or a one-line reason it may not. */
function regionProblem(item: PlacedItem, name: string, target: Target): string | null {
  const region = target.board.memory.find((m) => m.name === name);
  const names = target.board.memory.map((m) => m.name).join(", ");
  if (!region)
    return `placement: ${item} in '${name}', which ${target.board.id} does not have (regions: ${names})`;
  if (item !== "model" && region.kind === "flash")
    return `placement: ${item} in ${name}, a flash region (writable data needs SRAM or SDRAM)`;
  if (region.kind === "sram" && !target.sram.includes(region))
    return `placement: ${item} in ${name}, which core ${target.core.id} does not use (its SRAM: ${target.sram.map((r) => r.name).join(", ")})`;
  return null;
}

/** Checks a placement against a board (names, kinds): throws a one-line UserError. */
export function checkPlacement(p: Placement, target: Target): void {
  for (const item of PLACED_ITEMS) {
    const entry = p[item];
    if (!entry) continue;
    const why = regionProblem(item, entry.region, target);
    if (why) throw new UserError(why);
  }
  if (p.frameBuffer && p.frameBuffer.bytes === undefined)
    throw new UserError(
      "placement: frameBuffer needs its size ({ region, bytes }): the build cannot know the camera window",
    );
}

/** An item's bytes in its region. */
export interface PlacedBytes {
  item: PlacedItem;
  region: MemoryRegion;
  bytes: number;
  /** The model copied from flash into RAM at start-up (not read in place). */
  copied: boolean;
}

/**
 * What each placed item takes in its region: the arena the build counted (or the bytes given),
 * the model partitions' bytes when copied to RAM or kept in another flash (in place in the
 * board's flash they are in the flash figure already), the frame buffer's given bytes.
 */
export function placedBytes(
  p: Placement,
  target: Target,
  figures: { arenaBytes: number; modelBytes: number },
): PlacedBytes[] {
  const out: PlacedBytes[] = [];
  for (const item of PLACED_ITEMS) {
    const entry = p[item];
    if (!entry) continue;
    const region = target.board.memory.find((m) => m.name === entry.region)!;
    const copied = item === "model" && region.kind !== "flash";
    const bytes =
      entry.bytes ??
      (item === "arena" ? figures.arenaBytes : item === "model" ? figures.modelBytes : 0);
    // In place in the board's flash the model is in the flash figure already; in another flash
    // (an external QSPI) it is counted there too (the emulator still flashes it to the first).
    const inBoardFlash = item === "model" && region === target.board.flash;
    out.push({ item, region, bytes: inBoardFlash ? 0 : bytes, copied });
  }
  return out;
}

/** One line per region that the placed items overflow. */
export function placementOverflows(placed: PlacedBytes[]): string[] {
  const byRegion = new Map<MemoryRegion, PlacedBytes[]>();
  for (const p of placed) byRegion.set(p.region, [...(byRegion.get(p.region) ?? []), p]);
  const problems: string[] = [];
  for (const [region, items] of byRegion) {
    const total = items.reduce((n, i) => n + i.bytes, 0);
    if (total > region.size)
      problems.push(
        `${region.name} overflowed by ${total - region.size} bytes (placed ${items.map((i) => `${i.item} ${kb(i.bytes)}`).join(" + ")}, has ${kb(region.size)})`,
      );
  }
  return problems;
}
