// SD card as a block device of 512-byte blocks (tinyboard:hal/sdcard).
@external("tinyboard:hal/sdcard@0.1.0", "present") export declare function present(): bool;
@external("tinyboard:hal/sdcard@0.1.0", "block-count") export declare function blockCount(): u32;
@external("tinyboard:hal/sdcard@0.1.0", "read-blocks") declare function readBlocksRaw(lba: u32, count: u32, ptr: u32): i32;
@external("tinyboard:hal/sdcard@0.1.0", "write-blocks") declare function writeBlocksRaw(lba: u32, count: u32, ptr: u32): i32;

// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---
/** Bytes per block. */
export const BLOCK_SIZE: u32 = 512;
/** Status codes of sdcard.read-blocks / write-blocks. */
export const OK: i32 = 0;
export const ERR_NO_CARD: i32 = -1;
export const ERR_RANGE: i32 = -2;
// --- end of generated constants ---

export function readBlocks(lba: u32, count: u32, dst: usize): i32 {
  return readBlocksRaw(lba, count, <u32>dst);
}

export function writeBlocks(lba: u32, count: u32, src: usize): i32 {
  return writeBlocksRaw(lba, count, <u32>src);
}
