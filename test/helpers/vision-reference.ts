// The firmware image pipeline (firmware/vision) computed independently on the host: centre
// crop to the output's aspect, area averaging with blocks floor(i*crop/out)..floor((i+1)*crop/out),
// RGB565 widened by repeating top bits, BT.601 integer luma, rounded means, then the pixel
// range mapped onto the model input's int8 range with its scale and zero point.

export const GREY8 = 0;
export const RGB565 = 1;

/** The model's view of a sensor frame: outW x outH x channels bytes (0..255). */
export function referenceView(
  frame: Uint8Array,
  width: number,
  height: number,
  format: number,
  outW: number,
  outH: number,
  channels: number,
): Uint8Array {
  let cropW = width;
  let cropH = Math.floor((width * outH) / outW);
  if (cropH > height) {
    cropH = height;
    cropW = Math.floor((height * outW) / outH);
  }
  const left = (width - cropW) >> 1;
  const top = (height - cropH) >> 1;
  const pixel = (x: number, y: number): [number, number, number] => {
    if (format === GREY8) {
      const v = frame[y * width + x];
      return [v, v, v];
    }
    const px = frame[2 * (y * width + x)] | (frame[2 * (y * width + x) + 1] << 8);
    const r5 = px >> 11,
      g6 = (px >> 5) & 63,
      b5 = px & 31;
    return [(r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)];
  };
  const out = new Uint8Array(outW * outH * channels);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = top + Math.floor((oy * cropH) / outH),
      y1 = top + Math.floor(((oy + 1) * cropH) / outH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = left + Math.floor((ox * cropW) / outW),
        x1 = left + Math.floor(((ox + 1) * cropW) / outW);
      const sums = [0, 0, 0];
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const [r, g, b] = pixel(x, y);
          if (channels === 3) {
            sums[0] += r;
            sums[1] += g;
            sums[2] += b;
          } else sums[0] += format === GREY8 ? r : (77 * r + 150 * g + 29 * b + 128) >> 8;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      for (let c = 0; c < channels; c++)
        out[(oy * outW + ox) * channels + c] = Math.floor(
          (sums[format === GREY8 ? 0 : c] + (n >> 1)) / n,
        );
    }
  }
  return out;
}

/** int8 model input from the view: pixels spread over the range the input's quantisation covers. */
export function referenceQuantize(view: Uint8Array, scale: number, zeroPoint: number): Int8Array {
  const s = Math.fround(scale);
  const lo = (-128 - zeroPoint) * s,
    hi = (127 - zeroPoint) * s;
  const table = Array.from({ length: 256 }, (_, p) =>
    Math.max(-128, Math.min(127, Math.floor((lo + (p * (hi - lo)) / 255) / s + 0.5) + zeroPoint)),
  );
  return Int8Array.from(view, (p) => table[p]);
}
