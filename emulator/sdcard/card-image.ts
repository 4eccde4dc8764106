// Checks that a file is a usable SD card image before a board gets it: a whole number of
// 512-byte blocks holding a FAT32 volume (superfloppy or MBR with one FAT32 partition).
import { openSync, readSync, fstatSync, closeSync } from "node:fs";
import { UserError } from "../errors.ts";
import { describeFsError, regularFile } from "../host-files.ts";

export const BLOCK = 512;

function isFat32BootSector(s: Buffer): boolean {
  return (
    s.readUInt16LE(510) === 0xaa55 &&
    s.readUInt16LE(11) === 512 &&
    s[13] > 0 &&
    s.readUInt16LE(22) === 0 &&
    s.readUInt32LE(36) > 0 &&
    s.subarray(82, 87).toString("latin1") === "FAT32"
  );
}

export function validateCardImage(file: string): { blocks: number } {
  let fd: number;
  regularFile(file, "SD card image");
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new UserError(`cannot open ${describeFsError(e, file, "SD card image")}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 1 << 20 || size % BLOCK !== 0)
      throw new UserError(
        `SD card image ${file} is corrupt: ${size} bytes is not a whole number of 512-byte blocks of at least 1 MB`,
      );
    const s0 = Buffer.alloc(BLOCK);
    readSync(fd, s0, 0, BLOCK, 0);
    if (isFat32BootSector(s0)) return { blocks: size / BLOCK };
    if (s0.readUInt16LE(510) === 0xaa55) {
      for (let i = 0; i < 4; i++) {
        const e = 446 + i * 16;
        if (s0[e + 4] !== 0x0b && s0[e + 4] !== 0x0c) continue;
        const lba = s0.readUInt32LE(e + 8);
        if ((lba + 1) * BLOCK > size) break;
        const vbr = Buffer.alloc(BLOCK);
        readSync(fd, vbr, 0, BLOCK, lba * BLOCK);
        if (isFat32BootSector(vbr)) return { blocks: size / BLOCK };
      }
    }
    throw new UserError(
      `SD card image ${file} is corrupt or not FAT32 (no FAT32 boot sector or partition found)`,
    );
  } finally {
    closeSync(fd);
  }
}
