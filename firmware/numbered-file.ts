// Numbered files on the SD card (LOG0001.CSV, C0001.WAV, F0000001.BMP): one name whose digits are
// rewritten in place for each number. Why not a string per number: the firmware's allocator
// (AssemblyScript's stub runtime) never frees, and building one cost about 250 B of heap for
// every file earlier runs left on the card (a card that kept a few hundred logs ran a board out
// of heap at boot) and for every file written (an app capturing each detection ran out within
// an hour).
import * as fat from "./fat32/file-system";

export class NumberedName {
  /** `dir/PREFIX` + the number in `digits` digits + `ext`; rewritten by set() and firstFree(). */
  readonly name: string;
  private readonly digits: i32;
  private readonly last: i32; // the last digit's index

  /** `ext` with its dot: ".CSV". */
  constructor(dir: string, prefix: string, digits: i32, ext: string) {
    this.name = dir + "/" + prefix + "0".repeat(digits) + ext;
    this.digits = digits;
    this.last = this.name.length - ext.length - 1;
  }

  /** The name with number `n`; the same string object each time. */
  set(n: i32): string {
    writeDigits(this.name, this.last, this.digits, n);
    return this.name;
  }

  /** The first number from `from` on (below 10^digits) whose file is not on the card, set in `name`; or -1. */
  firstFree(from: i32 = 1): i32 {
    let limit = 1;
    for (let i = 0; i < this.digits; i++) limit *= 10;
    for (let n = from; n < limit; n++) if (!fat.exists(this.set(n))) return n;
    return -1;
  }
}

/** Writes `n` as `digits` decimal digits into `s` (a string this code made), the last at index `last`. */
export function writeDigits(s: string, last: i32, digits: i32, n: i32): void {
  // AssemblyScript strings are UTF-16 in linear memory: the digits are written where they lie.
  let at = changetype<usize>(s) + (<usize>last << 1);
  for (let i = 0; i < digits; i++) {
    store<u16>(at, <u16>(0x30 + n % 10));
    n /= 10;
    at -= 2;
  }
}
