// The SD card log: /ASD/LOGnnnn.CSV, one new numbered file per boot, a row per camera step
// while someone speaks: "t_ms,face,probability_pct,x,y,w,h" (the active speaker's seat box
// in pixels), synced once a second.
import { CsvFile, freeLogName, openCardFolder } from "../../firmware/csv-log";

const DIR = "/ASD";

export class SpeakerLog {
  private readonly csv: CsvFile = new CsvFile(512);

  get name(): string {
    return this.csv.name;
  }

  get rows(): u32 {
    return this.csv.rows;
  }

  /** Mounts the card and opens a new log; "" or what failed. */
  open(): string {
    const problem = openCardFolder(DIR);
    if (problem.length > 0) return problem;
    return this.csv.open(freeLogName(DIR, "LOG", 4), "t_ms,face,probability_pct,x,y,w,h");
  }

  speaker(tMs: u64, face: string, pct: u32, x: i32, y: i32, w: i32, h: i32): void {
    if (this.csv.file < 0) return;
    this.csv.row.uint(tMs).byte(0x2c).str(face).byte(0x2c).uint(pct).byte(0x2c).int(x).byte(0x2c).int(y).byte(0x2c).int(w).byte(0x2c).int(h);
    this.csv.endRow();
    if (this.csv.row.length > 400) this.csv.flush(false);
  }

  /** Writes the pending rows; with `sync`, to the card itself. 0 or a negative fat32 code. */
  flush(sync: bool): i32 {
    return this.csv.flush(sync);
  }
}
