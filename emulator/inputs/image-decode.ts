// Image files for the camera: PNG (pngjs), JPEG (jpeg-js) and BMP (bmp-js), chosen by their
// signature bytes, not their name, and decoded to 8-bit RGB. A file none of them reads, or
// one they reject, is an InputError naming the file.
import { readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { UserError } from "../errors.ts";
import { regularFile } from "../host-files.ts";
import jpeg from "jpeg-js";
import bmp from "bmp-js";
import { InputError } from "./accel-source.ts";

/** An image as the scene in front of the camera: width x height pixels, RGB888, rows top-down. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

/** Extensions a folder input picks up (case-insensitive). */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".bmp"];

// Larger photos are a mistake for a camera input (and would take seconds to decode).
const MAX_PIXELS = 40e6;

type Kind = "PNG" | "JPEG" | "BMP";

function kindOf(b: Uint8Array): Kind | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47)
    return "PNG";
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "JPEG";
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return "BMP";
  return null;
}

// A camera picture file past this size is not a photo (a 40-megapixel PNG or JPEG is far smaller).
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export function readImageFile(file: string, label = file): RgbImage {
  let bytes: Buffer;
  try {
    regularFile(file, "camera input", MAX_FILE_BYTES);
  } catch (e) {
    if (e instanceof UserError) throw new InputError(e.message);
    throw e;
  }
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${label}: file not found`);
    throw new InputError(`${label}: cannot read: ${(e as Error).message}`);
  }
  return decodeImage(bytes, label);
}

export function decodeImage(bytes: Buffer, label: string): RgbImage {
  const kind = kindOf(bytes);
  if (!kind)
    throw new InputError(`${label}: not a PNG, JPEG or BMP image (unrecognised file signature)`);
  // The header's size is checked before decoding: a small file can claim billions of pixels.
  const claimed = headerSize(bytes, kind);
  if (claimed && claimed.width * claimed.height > MAX_PIXELS) {
    throw new InputError(
      `${label}: ${claimed.width}x${claimed.height} is larger than ${MAX_PIXELS / 1e6} megapixels`,
    );
  }
  let rgba: { width: number; height: number; data: Uint8Array; order: "RGBA" | "ABGR" };
  try {
    if (kind === "PNG") {
      const png = PNG.sync.read(bytes);
      rgba = { width: png.width, height: png.height, data: png.data, order: "RGBA" };
    } else if (kind === "JPEG") {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 1024,
      });
      rgba = { width: img.width, height: img.height, data: img.data, order: "RGBA" };
    } else {
      checkBmpHeader(bytes, label);
      const img = bmp.decode(bytes);
      rgba = { width: img.width, height: img.height, data: img.data, order: "ABGR" };
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(
      `${label}: corrupt or unsupported ${kind} image (${why || "decoder failed"})`,
    );
  }
  const { width, height, data, order } = rgba;
  if (!(width > 0 && height > 0))
    throw new InputError(`${label}: ${kind} image has no pixels (${width}x${height})`);
  if (width * height > MAX_PIXELS)
    throw new InputError(
      `${label}: ${width}x${height} is larger than ${MAX_PIXELS / 1e6} megapixels`,
    );
  if (data.length < width * height * 4)
    throw new InputError(`${label}: corrupt ${kind} image (pixel data is truncated)`);
  const rgb = new Uint8Array(width * height * 3);
  // Alpha is ignored: a transparent pixel shows whatever colour it stores, as a print would.
  const [r, g, b] = order === "RGBA" ? [0, 1, 2] : [3, 2, 1];
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = data[i + r];
    rgb[j + 1] = data[i + g];
    rgb[j + 2] = data[i + b];
  }
  return { width, height, rgb };
}

/** The size a PNG's IHDR or a JPEG's SOF marker claims (null where the header cannot be found: the decoder then says why). */
export function headerSize(b: Buffer, kind: Kind): { width: number; height: number } | null {
  if (kind === "PNG") {
    // Signature (8), then the IHDR chunk: length (4), "IHDR", width (4, big-endian), height (4).
    if (b.length < 24 || b.toString("latin1", 12, 16) !== "IHDR") return null;
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (kind === "JPEG") {
    // Walk the marker segments up to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    let i = 2;
    while (i + 4 <= b.length) {
      if (b[i] !== 0xff) return null;
      const marker = b[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      } // fill byte
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
        i += 2;
        continue;
      } // no length
      const length = b.readUInt16BE(i + 2);
      if (
        marker >= 0xc0 &&
        marker <= 0xcf &&
        marker !== 0xc4 &&
        marker !== 0xc8 &&
        marker !== 0xcc
      ) {
        if (i + 9 > b.length) return null;
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      if (marker === 0xda || length < 2) return null; // scan data before any frame header
      i += 2 + length;
    }
    return null;
  }
  return null; // BMP: checkBmpHeader
}

// bmp-js reads whatever the header claims: check the parts it trusts before it runs.
function checkBmpHeader(b: Buffer, label: string): void {
  if (b.length < 54)
    throw new InputError(
      `${label}: corrupt BMP image (${b.length} bytes, shorter than its headers)`,
    );
  const offset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const height = Math.abs(b.readInt32LE(22));
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  if (![1, 4, 8, 16, 24, 32].includes(bpp))
    throw new InputError(`${label}: unsupported BMP (${bpp} bits per pixel)`);
  // 0 = BI_RGB; 3 = BI_BITFIELDS, which bmp-js reads for 16 and 32 bits only.
  if (!(compression === 0 || (compression === 3 && (bpp === 16 || bpp === 32)))) {
    throw new InputError(
      `${label}: unsupported BMP compression ${compression} (only uncompressed BMPs are read)`,
    );
  }
  if (!(width > 0 && height > 0) || width * height > MAX_PIXELS)
    throw new InputError(`${label}: corrupt BMP image (size ${width}x${height})`);
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (offset + rowBytes * height > b.length) {
    throw new InputError(
      `${label}: corrupt BMP image (pixel data is truncated: needs ${offset + rowBytes * height} bytes, file has ${b.length})`,
    );
  }
}
