// The SD card log: /VOICE/LOGnnnn.CSV, one new numbered file per boot, a row per detection
// "t_ms,kind,word,score_pct,doa_deg" (kind: wake or command), synced at once.
import { CsvFile, freeLogName, openCardFolder } from "../../firmware/csv-log";

const DIR = "/VOICE";

export class CardLog {
  private readonly csv: CsvFile = new CsvFile(96);

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
    return this.csv.open(freeLogName(DIR, "LOG", 4), "t_ms,kind,word,score_pct,doa_deg");
  }

  /** Appends one detection; 0 or a negative fat32 code. */
  detection(tMs: u64, kind: string, word: string, scorePct: u32, doaDeg: u32): i32 {
    if (this.csv.file < 0) return 0;
    this.csv.row.uint(tMs).byte(0x2c).str(kind).byte(0x2c).str(word).byte(0x2c).uint(scorePct).byte(0x2c).uint(doaDeg);
    this.csv.endRow();
    return this.csv.flush(true);
  }
}
