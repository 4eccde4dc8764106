// Camera frame -> model-sized picture: the centre of the frame cropped to the output's aspect
// ratio, shrunk by area averaging (each output pixel is the rounded mean of the block of
// frame pixels it covers; blocks are floor(i * crop / out) .. floor((i + 1) * crop / out), so
// a 2.5x shrink alternates blocks of 2 and 3), converted to the output's colour space.
// Colour conversion happens per frame pixel, before averaging:
//   RGB565 -> RGB888: each field widened with its top bits repeated (r5 -> r5 << 3 | r5 >> 2)
//   RGB -> grey: BT.601 luma, (77 R + 150 G + 29 B + 128) >> 8, as the sensor computes it
//   grey -> 3 channels: the grey value in each
// Integer arithmetic throughout: emulator/inputs/optics.ts and the tests' reference compute
// the same bytes on the host.

export const PIXEL_GREY8: u32 = 0;
export const PIXEL_RGB565: u32 = 1;

/** Block edges along one axis: out + 1 offsets into the frame, starting at the crop. */
function edges(crop: i32, start: i32, out: i32, dst: usize): void {
  for (let i = 0; i <= out; i++) store<i32>(dst + (<usize>i << 2), start + <i32>((<i64>i * crop) / out));
}

// Block edges, kept between calls (outputs up to 1024 pixels a side).
const xEdges = memory.data(4 * 1025, 4);
const yEdges = memory.data(4 * 1025, 4);

@inline function luma(r: u32, g: u32, b: u32): u32 {
  return (77 * r + 150 * g + 29 * b + 128) >> 8;
}

/**
 * Crops and shrinks a width x height frame (`format` PIXEL_GREY8 or PIXEL_RGB565, rows
 * top-down) into outW x outH pixels of `channels` (1 = grey, 3 = RGB) bytes at `dst`.
 * Returns false when the output is larger than the crop (this shrinks only).
 */
export function cropResize(frame: usize, width: i32, height: i32, format: u32, dst: usize, outW: i32, outH: i32, channels: i32): bool {
  // The largest centred crop with the output's aspect ratio.
  let cropW = width;
  let cropH = <i32>((<i64>width * outH) / outW);
  if (cropH > height) { cropH = height; cropW = <i32>((<i64>height * outW) / outH); }
  if (outW > cropW || outH > cropH || outW > 1024 || outH > 1024 || (channels != 1 && channels != 3)) return false;
  edges(cropW, (width - cropW) >> 1, outW, xEdges);
  edges(cropH, (height - cropH) >> 1, outH, yEdges);
  if (format == PIXEL_RGB565) {
    if (channels == 3) rgb565ToRgb(frame, width, dst, outW, outH);
    else rgb565ToGrey(frame, width, dst, outW, outH);
  } else {
    greyToGrey(frame, width, dst, outW, outH, channels);
  }
  return true;
}

// One loop nest per conversion, so that nothing is decided per pixel.

// Widening is linear enough to sum before it: r8 = (r5 << 3) | (r5 >> 2) = 8 r5 + (r5 >> 2),
// and likewise g8 = 4 g6 + (g6 >> 4), b8 = 8 b5 + (b5 >> 2). Each of those terms is a field
// of the raw pixel, so a block's sums are four masked sums of raw pixels:
//   px & 0xF81F: r5 at bit 11, b5 at bit 0 (b's sum stays below bit 11 for <= 66 pixels)
//   px & 0x07E0: g6 at bit 5
//   px & 0xE01C: r5 >> 2 at bit 13, b5 >> 2 at bit 2 (stays below bit 13)
//   px & 0x0600: g6 >> 4 at bit 9
const PACKED_MAX_PIXELS: u32 = 66;

function rgb565ToRgb(frame: usize, width: i32, dst: usize, outW: i32, outH: i32): void {
  let out = dst;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = load<i32>(yEdges + (<usize>oy << 2)), y1 = load<i32>(yEdges + (<usize>oy << 2), 4);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = load<i32>(xEdges + (<usize>ox << 2)), x1 = load<i32>(xEdges + (<usize>ox << 2), 4);
      const count = <u32>((x1 - x0) * (y1 - y0)), half = count >> 1;
      let r: u32 = 0, g: u32 = 0, b: u32 = 0;
      if (count <= PACKED_MAX_PIXELS) {
        let rb: u32 = 0, g6: u32 = 0, rbLow: u32 = 0, gLow: u32 = 0;
        for (let y = y0; y < y1; y++) {
          const row = frame + (<usize>(y * width) << 1);
          const end = row + (<usize>x1 << 1);
          for (let p = row + (<usize>x0 << 1); p < end; p += 2) {
            const px = <u32>load<u16>(p);
            rb += px & 0xf81f;
            g6 += px & 0x07e0;
            rbLow += px & 0xe01c;
            gLow += px & 0x0600;
          }
        }
        r = ((rb >> 11) << 3) + (rbLow >> 13);
        g = ((g6 >> 5) << 2) + (gLow >> 9);
        b = ((rb & 0x7ff) << 3) + ((rbLow & 0x1fff) >> 2);
      } else {
        for (let y = y0; y < y1; y++) {
          const row = frame + (<usize>(y * width) << 1);
          const end = row + (<usize>x1 << 1);
          for (let p = row + (<usize>x0 << 1); p < end; p += 2) {
            const px = <u32>load<u16>(p);
            const r5 = px >> 11, g6 = (px >> 5) & 63, b5 = px & 31;
            r += (r5 << 3) | (r5 >> 2);
            g += (g6 << 2) | (g6 >> 4);
            b += (b5 << 3) | (b5 >> 2);
          }
        }
      }
      store<u8>(out, <u8>((r + half) / count));
      store<u8>(out, <u8>((g + half) / count), 1);
      store<u8>(out, <u8>((b + half) / count), 2);
      out += 3;
    }
  }
}

function rgb565ToGrey(frame: usize, width: i32, dst: usize, outW: i32, outH: i32): void {
  let out = dst;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = load<i32>(yEdges + (<usize>oy << 2)), y1 = load<i32>(yEdges + (<usize>oy << 2), 4);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = load<i32>(xEdges + (<usize>ox << 2)), x1 = load<i32>(xEdges + (<usize>ox << 2), 4);
      let sum: u32 = 0;
      for (let y = y0; y < y1; y++) {
        const row = frame + (<usize>(y * width) << 1);
        const end = row + (<usize>x1 << 1);
        for (let p = row + (<usize>x0 << 1); p < end; p += 2) {
          const px = <u32>load<u16>(p);
          const r5 = px >> 11, g6 = (px >> 5) & 63, b5 = px & 31;
          sum += luma((r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2));
        }
      }
      const count = <u32>((x1 - x0) * (y1 - y0));
      store<u8>(out++, <u8>((sum + (count >> 1)) / count));
    }
  }
}

function greyToGrey(frame: usize, width: i32, dst: usize, outW: i32, outH: i32, channels: i32): void {
  let out = dst;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = load<i32>(yEdges + (<usize>oy << 2)), y1 = load<i32>(yEdges + (<usize>oy << 2), 4);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = load<i32>(xEdges + (<usize>ox << 2)), x1 = load<i32>(xEdges + (<usize>ox << 2), 4);
      let sum: u32 = 0;
      for (let y = y0; y < y1; y++) {
        const row = frame + <usize>(y * width);
        const end = row + <usize>x1;
        for (let p = row + <usize>x0; p < end; p++) sum += <u32>load<u8>(p);
      }
      const count = <u32>((x1 - x0) * (y1 - y0));
      const v = <u8>((sum + (count >> 1)) / count);
      store<u8>(out++, v);
      if (channels == 3) { store<u8>(out++, v); store<u8>(out++, v); } // grey into each channel
    }
  }
}
