// The firmware image: one file carrying the metered code, its source map, the manifest
// (app, board, layout, budgets, build info) and the flash contents (partition table and
// partitions). Layout: "TBIMAGE1", u32 header length, header JSON, then the sections,
// each with a CRC-32 so that a truncated or damaged image is caught on load.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { UserError } from "../errors.ts";

const MAGIC = "TBIMAGE1";

export interface PartitionInfo {
  name: string;
  offset: number;
  size: number;
  crc32: number;
  source?: string;
}

export interface ImageManifest {
  format: 1;
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
    sramBytes: number;
  };
  partitions: PartitionInfo[];
  meter: { functions: number; regions: number; loops: number; guardedStores: number } | null;
  defaults: { inputs: Record<string, string>; seconds: number; micArray?: string };
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
  const parts: [string, Uint8Array][] = [["firmware.wasm", image.wasm], ["flash.bin", image.flash]];
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
  return Buffer.concat([Buffer.from(MAGIC), len, header, ...parts.map(([, d]) => d)]);
}

export function decodeImage(bytes: Uint8Array, name = "image"): Image {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new UserError(`${name} is not a valid tinyboard image: ${why}`);
  if (buf.length < 12 || buf.subarray(0, 8).toString("latin1") !== MAGIC) throw bad("wrong magic (expected a file written by 'tinyboard build')");
  const headerLen = buf.readUInt32LE(8);
  if (12 + headerLen > buf.length) throw bad("truncated header");
  let header: { manifest: ImageManifest; sections: { name: string; offset: number; size: number; crc32: number }[] };
  try {
    header = JSON.parse(buf.subarray(12, 12 + headerLen).toString("utf8"));
  } catch {
    throw bad("damaged header");
  }
  if (header?.manifest?.format !== 1 || !Array.isArray(header.sections)) throw bad("unknown format version");
  const base = 12 + headerLen;
  const get = (section: string): Uint8Array | null => {
    const s = header.sections.find((x) => x.name === section);
    if (!s) return null;
    if (base + s.offset + s.size > buf.length) throw bad(`truncated (section ${section} ends past the end of the file)`);
    const data = buf.subarray(base + s.offset, base + s.offset + s.size);
    if (crc32(data) !== s.crc32) throw bad(`section ${section} is damaged (CRC mismatch)`);
    return data;
  };
  const wasm = get("firmware.wasm");
  const flash = get("flash.bin");
  if (!wasm || !flash) throw bad("missing code or flash section");
  const map = get("firmware.wasm.map");
  return { manifest: header.manifest, wasm, flash, sourceMap: map ? Buffer.from(map).toString("utf8") : null };
}

export function readImage(file: string): Image {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UserError(`cannot read image ${file}`);
  }
  return decodeImage(bytes, file);
}

export function writeImage(file: string, image: Image): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, encodeImage(image));
}
