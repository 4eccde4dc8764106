// "Save camera data for training": each picture the model saw (its 96x96 input before
// quantisation) as a 24-bit BMP in /CAPTURE on the SD card, when that folder exists on the
// card (make it with `mmd -i card.img ::/CAPTURE`). The files replay as camera input.
import * as fat from "../../firmware/fat32/file-system";
import { NumberedName } from "../../firmware/numbered-file";

const HEADER_BYTES: u32 = 54;
let header: usize = 0;
let row: usize = 0;
let enabled = false;
let saved: u32 = 0;
let names: NumberedName | null = null; // one name, its digits rewritten per picture (the stub allocator never frees)

/** Mounts the card and turns capture on when /CAPTURE exists; returns whether it is on. */
export function startCapture(): bool {
  if (fat.mount() < 0) return false;
  enabled = fat.exists("/CAPTURE");
  if (enabled) {
    header = heap.alloc(HEADER_BYTES);
    row = heap.alloc(1024 * 3);
    // Continue numbering after files a previous run left.
    names = new NumberedName("/CAPTURE", "F", 7, ".BMP");
    const free = names!.firstFree(<i32>saved + 1);
    saved = free < 0 ? 9999999 : <u32>(free - 1);
  }
  return enabled;
}

export function captureCount(): u32 {
  return saved;
}


@inline function le32(at: usize, v: u32): void {
  store<u32>(at, v);
}

/** Saves width x height pixels of `channels` bytes (rows top-down) as a BMP; returns 0 or an error. */
export function capture(pixels: usize, width: u32, height: u32, channels: u32): i32 {
  if (!enabled || width > 1024) return 0;
  const rowBytes = (width * 3 + 3) & ~3;
  memory.fill(header, 0, HEADER_BYTES);
  store<u8>(header, 0x42); store<u8>(header, 0x4d, 1);
  le32(header + 2, HEADER_BYTES + rowBytes * height);
  le32(header + 10, HEADER_BYTES);
  le32(header + 14, 40);
  le32(header + 18, width);
  le32(header + 22, height); // positive: rows bottom-up, as most readers expect
  store<u16>(header + 26, 1);
  store<u16>(header + 28, 24);
  le32(header + 34, rowBytes * height);
  le32(header + 38, 2835); le32(header + 42, 2835); // 72 dpi
  const h = fat.open(names!.set(<i32>saved + 1), fat.MODE_WRITE);
  if (h < 0) return h;
  let r = fat.write(h, header, HEADER_BYTES);
  memory.fill(row, 0, rowBytes);
  for (let y = <i32>height - 1; y >= 0 && r >= 0; y--) {
    const src = pixels + <usize>(<u32>y * width * channels);
    for (let x: u32 = 0; x < width; x++) {
      const p = src + <usize>(x * channels);
      const at = row + <usize>(x * 3);
      // BMP stores blue, green, red.
      store<u8>(at, load<u8>(p + (channels == 3 ? 2 : 0)));
      store<u8>(at, load<u8>(p + (channels == 3 ? 1 : 0)), 1);
      store<u8>(at, load<u8>(p), 2);
    }
    r = fat.write(h, row, rowBytes);
  }
  const c = fat.close(h);
  if (r < 0) return r;
  if (c < 0) return c;
  saved++;
  return 0;
}
