// What the lens does: the scene (an image file) imaged onto the sensor's pixel grid, and the
// sensor's output format. Aspect ratio is kept; `contain` shows the whole picture with black
// around it (a print held up to the camera), `cover` fills the sensor and crops the picture's
// edges (a wider scene than the field of view). A picture is a flat print of uniform squares
// (its pixels); each sensor pixel integrates the light over its footprint on it (area
// averaging, enlarging or shrinking alike). Outside the picture the scene is black.
import type { RgbImage } from "./image-decode.ts";
import { CAMERA_FORMAT } from "../hal-constants.ts";

export type Fit = "contain" | "cover";
export const FITS: Fit[] = ["contain", "cover"];

/** Sensor pixel formats (hal-constants.ts, camera.configure). */
export const { grey8: FORMAT_GREY8, rgb565: FORMAT_RGB565 } = CAMERA_FORMAT;
export const BYTES_PER_PIXEL = [1, 2];

/** Per output index along one axis: the source indices and weights that make it. */
type Taps = { index: Int32Array; weight: Float64Array }[];

function axisTaps(outSize: number, srcSize: number, scale: number, offset: number): Taps {
  const taps: Taps = [];
  for (let o = 0; o < outSize; o++) {
    const idx: number[] = [];
    const wts: number[] = [];
    // The footprint [u0, u1) in picture pixels; each picture pixel weighs its overlap.
    const u0 = (o - offset) / scale;
    const u1 = (o + 1 - offset) / scale;
    for (let i = Math.max(0, Math.floor(u0)); i < Math.min(srcSize, Math.ceil(u1)); i++) {
      const overlap = Math.min(u1, i + 1) - Math.max(u0, i);
      if (overlap > 1e-12) {
        idx.push(i);
        wts.push(overlap * scale);
      }
    }
    taps.push({ index: Int32Array.from(idx), weight: Float64Array.from(wts) });
  }
  return taps;
}

/** The scene as the sensor sees it: RGB888 at width x height. */
export function projectOntoSensor(
  img: RgbImage,
  width: number,
  height: number,
  fit: Fit,
): Uint8Array {
  const scale =
    fit === "contain"
      ? Math.min(width / img.width, height / img.height)
      : Math.max(width / img.width, height / img.height);
  const xTaps = axisTaps(width, img.width, scale, (width - img.width * scale) / 2);
  const yTaps = axisTaps(height, img.height, scale, (height - img.height * scale) / 2);
  // Rows first (every source row to the sensor's width), then columns.
  const rows = new Float64Array(img.height * width * 3);
  for (let y = 0; y < img.height; y++) {
    const src = y * img.width * 3;
    const dst = y * width * 3;
    for (let x = 0; x < width; x++) {
      const { index, weight } = xTaps[x];
      let r = 0,
        g = 0,
        b = 0;
      for (let k = 0; k < index.length; k++) {
        const p = src + index[k] * 3;
        r += img.rgb[p] * weight[k];
        g += img.rgb[p + 1] * weight[k];
        b += img.rgb[p + 2] * weight[k];
      }
      rows[dst + x * 3] = r;
      rows[dst + x * 3 + 1] = g;
      rows[dst + x * 3 + 2] = b;
    }
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const { index, weight } = yTaps[y];
    for (let x = 0; x < width * 3; x++) {
      let v = 0;
      for (let k = 0; k < index.length; k++) v += rows[index[k] * width * 3 + x] * weight[k];
      out[y * width * 3 + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return out;
}

/** The sensor's output: grey8 as BT.601 luma, RGB565 little-endian (as the core reads a u16). */
export function toSensorFormat(rgb: Uint8Array, format: number): Uint8Array {
  const n = rgb.length / 3;
  if (format === FORMAT_GREY8) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      out[i] = (77 * rgb[3 * i] + 150 * rgb[3 * i + 1] + 29 * rgb[3 * i + 2] + 128) >> 8;
    return out;
  }
  const out = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const r5 = Math.floor((rgb[3 * i] * 31 + 127) / 255);
    const g6 = Math.floor((rgb[3 * i + 1] * 63 + 127) / 255);
    const b5 = Math.floor((rgb[3 * i + 2] * 31 + 127) / 255);
    const px = (r5 << 11) | (g6 << 5) | b5;
    out[2 * i] = px & 0xff;
    out[2 * i + 1] = px >> 8;
  }
  return out;
}
