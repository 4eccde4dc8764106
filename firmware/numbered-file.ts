// Numbered files on the SD card (LOG0001.CSV, C0001.WAV, F0000001.BMP): the first number not yet
// taken. Why one name whose digits are rewritten for each number tried: the firmware's allocator
// (AssemblyScript's stub runtime) never frees, and a string built per number cost about 250 B of
// heap for every file earlier runs left on the card, so a card that had kept a few hundred logs
// ran a board out of heap at boot.
import * as fat from "./fat32/file-system";

/** `dir/PREFIX` + `n` in `digits` digits + `ext` (with its dot: ".CSV"). */
export function numberedName(dir: string, prefix: string, digits: i32, ext: string, n: i32): string {
  const name = dir + "/" + prefix + "0".repeat(digits) + ext;
  setNumber(name, digits, ext.length, n);
  return name;
}

/** The first number from `from` on (below 10^digits) whose file is not on the card, or -1. */
export function firstFreeNumber(dir: string, prefix: string, digits: i32, ext: string, from: i32 = 1): i32 {
  let limit = 1;
  for (let i = 0; i < digits; i++) limit *= 10;
  const name = numberedName(dir, prefix, digits, ext, 0);
  for (let n = from; n < limit; n++) {
    setNumber(name, digits, ext.length, n);
    if (!fat.exists(name)) return n;
  }
  return -1;
}

// AssemblyScript strings are UTF-16 in linear memory: the digits are written where they lie.
function setNumber(name: string, digits: i32, extLength: i32, n: i32): void {
  let at = changetype<usize>(name) + (<usize>(name.length - extLength - 1) << 1);
  for (let i = 0; i < digits; i++) {
    store<u16>(at, <u16>(0x30 + n % 10));
    n /= 10;
    at -= 2;
  }
}
