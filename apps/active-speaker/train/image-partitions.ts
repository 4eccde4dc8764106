// A built image of the app with another text in one of its text partitions (seats.txt,
// fusion.txt): the new text replaces the old in a copy of the flash, padded to the partition's
// size with a comment line, and the partition table's CRC is updated. For running
// FACE_DETECTOR=false on a meeting whose seats are not the demo's (eval-app.ts --seats), and
// for the tests of the partitions' error lines.
import { crc32, type Image } from "../../../emulator/toolchain/image.ts";

const ENTRY = 32; // flash-layout.ts: name[16], offset, size, crc32, reserved

export function withPartitionText(image: Image, name: string, text: string): Image {
  const part = image.manifest.partitions.find((p) => p.name === name);
  if (!part) throw new Error(`the image has no ${name} partition`);
  const bytes = Buffer.from(text + "\n#", "latin1");
  if (bytes.length > part.size)
    throw new Error(`${name}: ${bytes.length} B of text, the partition has ${part.size}`);
  const data = new Uint8Array(part.size).fill(0x20); // the closing comment line's padding
  data.set(bytes);
  const flash = new Uint8Array(image.flash);
  flash.set(data, part.offset);
  const view = new DataView(flash.buffer);
  const count = view.getUint32(8, true);
  for (let i = 0; i < count; i++) {
    const at = 16 + i * ENTRY;
    const entry = Buffer.from(flash.subarray(at, at + 16))
      .toString("latin1")
      .replace(/\0+$/, "");
    if (entry === name) view.setUint32(at + 24, crc32(data), true);
  }
  return { ...image, flash };
}

type Seat = { name: string; box: { cx: number; cy: number; hw: number; hh: number } };

/** Seats in seats.txt's format: `name cx cy hw hh`, fractions of the frame. */
export function seatsText(people: Seat[]): string {
  return people
    .map((p) =>
      [p.name, ...[p.box.cx, p.box.cy, p.box.hw, p.box.hh].map((v) => v.toFixed(4))].join(" "),
    )
    .join("\n");
}

export const withSeats = (image: Image, people: Seat[]): Image =>
  withPartitionText(image, "seats", seatsText(people));
