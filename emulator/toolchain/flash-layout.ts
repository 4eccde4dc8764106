// The flash window at address 0 of the firmware's memory: a partition table followed by
// the partitions (models, assets), each 64-byte aligned so kernels can read weights in place.
//
// Table: "TBPT", u32 version (1), u32 count, u32 reserved, then per partition 32 bytes:
// name (16 bytes, NUL padded), u32 offset, u32 size, u32 crc32, u32 reserved.
import { crc32, type PartitionInfo } from "./image.ts";
import { UserError } from "../errors.ts";

export const PAGE = 65536;
export const PARTITION_ALIGN = 64;
const ENTRY = 32;

export interface PartitionInput {
  name: string;
  data: Uint8Array;
  source?: string;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Builds the flash contents; the window is the contents (or `minWindow`) rounded up to a wasm page. */
export function layoutFlash(
  parts: PartitionInput[],
  minWindow = 0,
): { flash: Uint8Array; window: number; partitions: PartitionInfo[] } {
  const seen = new Set<string>();
  for (const p of parts) {
    if (!/^[A-Za-z0-9_.-]{1,15}$/.test(p.name))
      throw new UserError(`partition name '${p.name}' must be 1-15 characters of [A-Za-z0-9_.-]`);
    if (seen.has(p.name)) throw new UserError(`partition name '${p.name}' is used twice`);
    seen.add(p.name);
  }
  let offset = alignUp(16 + parts.length * ENTRY, PARTITION_ALIGN);
  const partitions: PartitionInfo[] = parts.map((p) => {
    const info = {
      name: p.name,
      offset,
      size: p.data.length,
      crc32: crc32(p.data),
      source: p.source,
    };
    offset = alignUp(offset + p.data.length, PARTITION_ALIGN);
    return info;
  });
  const flash = new Uint8Array(offset);
  const view = new DataView(flash.buffer);
  flash.set([0x54, 0x42, 0x50, 0x54]); // "TBPT"
  view.setUint32(4, 1, true);
  view.setUint32(8, parts.length, true);
  partitions.forEach((p, i) => {
    const at = 16 + i * ENTRY;
    flash.set(Buffer.from(p.name, "latin1"), at);
    view.setUint32(at + 16, p.offset, true);
    view.setUint32(at + 20, p.size, true);
    view.setUint32(at + 24, p.crc32, true);
    flash.set(parts[i].data, p.offset);
  });
  return { flash, window: alignUp(Math.max(flash.length, minWindow, 1), PAGE), partitions };
}
