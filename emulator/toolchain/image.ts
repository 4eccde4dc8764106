// The firmware image: one file carrying the metered code, its source map, the manifest
// (app, board, layout, budgets, build info) and the flash contents (partition table and
// partitions). Layout: "TBIMAGE2", u32 header length, header JSON, then the sections,
// each with a CRC-32, then a CRC-32 of everything before it (the header included), so that
// a truncated or damaged image is caught on load. The manifest is checked against a schema
// (image-manifest.ts): an image is untrusted input.
import { writeFileSync, mkdirSync } from "node:fs";
import { readRegularFile } from "../host-files.ts";
import path from "node:path";
import zlib from "node:zlib";
import { UserError } from "../errors.ts";
import type { Placement } from "../memory-hierarchy/placement.ts";
import { manifestProblem } from "./image-manifest.ts";

const MAGIC = "TBIMAGE2";
const OLD_MAGIC = "TBIMAGE1";

export interface PartitionInfo {
  name: string;
  offset: number;
  size: number;
  crc32: number;
  source?: string;
}

export interface ImageManifest {
  format: 2;
  app: string;
  board: string;
  core: string;
  coreType: string;
  clockHz: number;
  build: { tinyboard: string; assemblyscript: string; sourceHash: string; debug: boolean };
  layout: {
    /** Bytes of the flash window at address 0 (partition table + partitions, page-aligned). */
    flashWindow: number;
    /** wasm address where SRAM starts (= flashWindow). */
    sramBase: number;
    sramBytes: number;
    maxPages: number;
    /** End of static data: the heap starts here. */
    staticEnd: number;
    stackBytes: number;
  };
  usage: {
    codeBytes: number;
    dataBytes: number;
    partitionBytes: number;
    flashBytes: number;
    staticBytes: number;
    /** static + heap + stack: the heap is app.json's heapBytes, or the models' arenas when larger. */
    sramBytes: number;
    /** app.json's heapBytes (absent in images from before model budgets). */
    heapBytes?: number;
    /** Per model partition, the arena the interpreter will allocate (host plan). */
    models?: { partition: string; arenaBytes: number; headBytes?: number; tailBytes?: number }[];
  };
  partitions: PartitionInfo[];
  meter: {
    functions: number;
    regions: number;
    loops: number;
    /** Functions checked at their entry (on a call-graph cycle); absent in older images. */
    recursive?: number;
    /** Loops charged once at entry for their trip count (absent in images from before them). */
    counted?: number;
    guardedStores: number;
  } | null;
  defaults: { inputs: Record<string, string>; seconds: number; micArray?: string };
  /** app.json's placement for this board (absent: none, zero-wait timing). */
  placement?: Placement;
}

export interface Image {
  manifest: ImageManifest;
  wasm: Uint8Array;
  flash: Uint8Array;
  sourceMap: string | null;
}

export function crc32(data: Uint8Array): number {
  return zlib.crc32(data) >>> 0;
}

export function encodeImage(image: Image): Buffer {
  const parts: [string, Uint8Array][] = [
    ["firmware.wasm", image.wasm],
    ["flash.bin", image.flash],
  ];
  if (image.sourceMap) parts.push(["firmware.wasm.map", Buffer.from(image.sourceMap, "utf8")]);
  let offset = 0;
  const sections = parts.map(([name, data]) => {
    const s = { name, offset, size: data.length, crc32: crc32(data) };
    offset += data.length;
    return s;
  });
  const header = Buffer.from(JSON.stringify({ manifest: image.manifest, sections }), "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length);
  const body = Buffer.concat([Buffer.from(MAGIC), len, header, ...parts.map(([, d]) => d)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  return Buffer.concat([body, crc]);
}

export function decodeImage(bytes: Uint8Array, name = "image"): Image {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new UserError(`${name} is not a valid tinyboard image: ${why}`);
  if (buf.length >= 8 && buf.subarray(0, 8).toString("latin1") === OLD_MAGIC)
    throw bad(
      "written by an older tinyboard (format 1, no whole-image CRC): rebuild it with 'tinyboard build'",
    );
  if (buf.length < 12 || buf.subarray(0, 8).toString("latin1") !== MAGIC)
    throw bad("wrong magic (expected a file written by 'tinyboard build')");
  const headerLen = buf.readUInt32LE(8);
  if (12 + headerLen > buf.length) throw bad("truncated header");
  let header: {
    manifest: ImageManifest;
    sections: { name: string; offset: number; size: number; crc32: number }[];
  };
  try {
    header = JSON.parse(buf.subarray(12, 12 + headerLen).toString("utf8"));
  } catch {
    throw bad("damaged header");
  }
  if (header?.manifest?.format !== 2 || !Array.isArray(header.sections))
    throw bad("unknown format version");
  const base = 12 + headerLen;
  const get = (section: string): Uint8Array | null => {
    const s = header.sections.find((x) => x?.name === section);
    if (!s) return null;
    if (
      !Number.isSafeInteger(s.offset) ||
      !Number.isSafeInteger(s.size) ||
      s.offset < 0 ||
      s.size < 0
    )
      throw bad(`section ${section} has an impossible offset or size`);
    if (base + s.offset + s.size > buf.length - 4)
      throw bad(`truncated (section ${section} ends past the end of the file)`);
    const data = buf.subarray(base + s.offset, base + s.offset + s.size);
    if (crc32(data) !== s.crc32) throw bad(`section ${section} is damaged (CRC mismatch)`);
    return data;
  };
  const wasm = get("firmware.wasm");
  const flash = get("flash.bin");
  if (!wasm || !flash) throw bad("missing code or flash section");
  const map = get("firmware.wasm.map");
  if (crc32(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4))
    throw bad("damaged (whole-image CRC mismatch: the header or the sections were changed)");
  const problem = manifestProblem(header.manifest);
  if (problem) throw bad(problem);
  return {
    manifest: header.manifest,
    wasm,
    flash,
    sourceMap: map ? Buffer.from(map).toString("utf8") : null,
  };
}

/** Images larger than this are not read (the largest flash is 16 MB; code and map add a few). */
export const MAX_IMAGE_BYTES = 64 << 20;

export function readImage(file: string): Image {
  return decodeImage(readRegularFile(file, "image", MAX_IMAGE_BYTES), file);
}

export function writeImage(file: string, image: Image): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodeImage(image));
}
