// Numbered CSV logs on the SD card, as the apps keep them: a folder per app, one new file per
// boot named with the first free number (8.3 names: /VOICE/LOG0001.CSV), a header row, and
// rows gathered in a text buffer so the card sees whole writes rather than one per field.
import * as fat from "./fat32/file-system";
import { TextBuffer } from "./text";
import { NumberedName } from "./numbered-file";

/** Mounts the card (file times from a fixed clock: the boards have no RTC battery) and makes
 * `dir`; "" or what failed. */
export function openCardFolder(dir: string): string {
  fat.setClock(2026, 1, 1, 0, 0, 0);
  let r = fat.mount();
  if (r < 0) return "mount failed (" + r.toString() + ")";
  r = fat.mkdir(dir);
  if (r < 0) return "mkdir failed (" + r.toString() + ")";
  return "";
}

/** `dir/PREFIXnnnn.CSV` with the first number (of `digits` digits) not on the card; "" when
 * every number is taken. */
export function freeLogName(dir: string, prefix: string, digits: i32): string {
  const name = new NumberedName(dir, prefix, digits, ".CSV");
  return name.firstFree() < 0 ? "" : name.name;
}

/** One CSV file written from the start: `row` collects text, `flush` writes it. */
export class CsvFile {
  file: i32 = -1;
  name: string = "";
  rows: u32 = 0;
  readonly row: TextBuffer;

  constructor(bufferBytes: u32) {
    this.row = new TextBuffer(bufferBytes);
  }

  /** Creates `name` with its header row, written and synced at once; "" or what failed. */
  open(name: string, header: string): string {
    if (name.length == 0) return "no free log name";
    this.name = name;
    this.file = fat.open(name, fat.MODE_WRITE);
    if (this.file < 0) return "open " + name + " failed (" + this.file.toString() + ")";
    this.row.str(header).byte(0x0a);
    const r = this.flush(true);
    return r < 0 ? "write failed (" + r.toString() + ")" : "";
  }

  /** Ends the row being built (counted in `rows`). */
  endRow(): void {
    this.row.byte(0x0a);
    this.rows++;
  }

  /** Writes the pending text; with `sync`, to the card itself. 0 or a negative fat32 code. */
  flush(sync: bool): i32 {
    if (this.file < 0) return 0;
    let r: i32 = 0;
    if (this.row.length > 0) r = fat.write(this.file, this.row.base, this.row.length);
    if (r >= 0 && sync) r = fat.sync(this.file);
    this.row.clear();
    return r;
  }
}
