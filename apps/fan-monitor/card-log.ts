// The SD card log, in /FANMON (one new file of each kind per boot, numbered):
// - STATnnnn.CSV: every change of the debounced state, "t_ms,state,confidence_pct,window",
//   synced at once (changes are rare and each one matters).
// - RAWnnnn.CSV: when the card holds /FANMON/RAW.ON, every sample as "t_ms,x,y,z" in g, the
//   accelerometer-input format, so the file replays with --input accel=... and windows cut
//   from it (timed against the state log) make a new dataset: NXP's data-logging mode.
import * as fat from "../../firmware/fat32/file-system";
import { freeLogName, openCardFolder } from "../../firmware/csv-log";
import { TextBuffer } from "../../firmware/text";

const DIR = "/FANMON";
const RAW_FLAG = "/FANMON/RAW.ON";
const FLUSH_BYTES: u32 = 4096;
const ROW_MAX: u32 = 48;

export class CardLog {
  stateFile: i32 = -1;
  rawFile: i32 = -1;
  stateName: string = "";
  rawName: string = "";
  changes: u32 = 0;
  rawBytes: u64 = 0;
  private readonly row: TextBuffer = new TextBuffer(96);
  private readonly raw: TextBuffer = new TextBuffer(FLUSH_BYTES);

  /** Mounts the card and opens the logs; "" or what failed. */
  open(): string {
    const problem = openCardFolder(DIR);
    if (problem.length > 0) return problem;
    this.stateName = this.freeName("STAT");
    this.stateFile = fat.open(this.stateName, fat.MODE_WRITE);
    if (this.stateFile < 0) return this.fail("open " + this.stateName, this.stateFile);
    this.row.str("t_ms,state,confidence_pct,window\n");
    const r = this.writeRow(this.stateFile);
    if (r < 0) return this.fail("write", r);
    if (fat.exists(RAW_FLAG)) {
      this.rawName = this.freeName("RAW");
      this.rawFile = fat.open(this.rawName, fat.MODE_WRITE);
      if (this.rawFile < 0) return this.fail("open " + this.rawName, this.rawFile);
      this.raw.str("t_ms,x,y,z\n");
    }
    return "";
  }

  /** Appends a state change and syncs it to the card. */
  stateChange(tMs: u64, state: string, confidencePct: u32, window: u32): i32 {
    this.row.uint(tMs).byte(0x2c).str(state).byte(0x2c).uint(confidencePct).byte(0x2c).uint(window).byte(0x0a);
    this.changes++;
    return this.writeRow(this.stateFile);
  }

  /** Appends one raw sample (counts at `countsPerG`); writes the card in 4 KB blocks. */
  rawSample(tMs: u64, x: i16, y: i16, z: i16, countsPerG: i32): i32 {
    if (this.rawFile < 0) return 0;
    let r = 0;
    if (this.raw.free < ROW_MAX) r = this.flushRaw();
    this.raw.uint(tMs).byte(0x2c);
    this.g(x, countsPerG).byte(0x2c);
    this.g(y, countsPerG).byte(0x2c);
    this.g(z, countsPerG).byte(0x0a);
    return r;
  }

  private g(counts: i16, countsPerG: i32): TextBuffer {
    // 6 decimals: counts/8192 g reads back as the same count.
    return this.raw.fixed((<i64>counts * 1000000) / countsPerG, 6);
  }

  private flushRaw(): i32 {
    let r = fat.write(this.rawFile, this.raw.base, this.raw.length);
    if (r >= 0) r = fat.sync(this.rawFile);
    this.rawBytes += this.raw.length;
    this.raw.clear();
    return r;
  }

  private writeRow(file: i32): i32 {
    let r = fat.write(file, this.row.base, this.row.length);
    if (r >= 0) r = fat.sync(file);
    this.row.clear();
    return r;
  }

  /** /FANMON/<prefix>nnnn.CSV with the first free number (8.3 names). */
  private freeName(prefix: string): string {
    const name = freeLogName(DIR, prefix, 8 - prefix.length);
    return name.length > 0 ? name : DIR + "/" + prefix + "FULL.CSV";
  }

  private fail(what: string, code: i32): string {
    return what + " failed (" + code.toString() + ")";
  }
}
