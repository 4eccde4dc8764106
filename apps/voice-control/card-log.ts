// The SD card log: /VOICE/LOGnnnn.CSV, one new numbered file per boot, a row per detection
// "t_ms,kind,word,score_pct,doa_deg" (kind: wake or command), synced at once.
import * as fat from "../../firmware/fat32/file-system";
import { TextBuffer } from "../../firmware/text";

const DIR = "/VOICE";

export class CardLog {
  file: i32 = -1;
  name: string = "";
  rows: u32 = 0;
  private readonly row: TextBuffer = new TextBuffer(96);

  /** Mounts the card and opens a new log; "" or what failed. */
  open(): string {
    fat.setClock(2026, 1, 1, 0, 0, 0);
    let r = fat.mount();
    if (r < 0) return "mount failed (" + r.toString() + ")";
    r = fat.mkdir(DIR);
    if (r < 0) return "mkdir failed (" + r.toString() + ")";
    for (let n = 1; n < 10000; n++) {
      const name = DIR + "/LOG" + n.toString().padStart(4, "0") + ".CSV";
      if (fat.exists(name)) continue;
      this.name = name;
      break;
    }
    if (this.name.length == 0) return "no free log name";
    this.file = fat.open(this.name, fat.MODE_WRITE);
    if (this.file < 0) return "open " + this.name + " failed (" + this.file.toString() + ")";
    this.row.str("t_ms,kind,word,score_pct,doa_deg\n");
    r = this.flush();
    return r < 0 ? "write failed (" + r.toString() + ")" : "";
  }

  /** Appends one detection; 0 or a negative fat32 code. */
  detection(tMs: u64, kind: string, word: string, scorePct: u32, doaDeg: u32): i32 {
    if (this.file < 0) return 0;
    this.row.uint(tMs).byte(0x2c).str(kind).byte(0x2c).str(word).byte(0x2c).uint(scorePct).byte(0x2c).uint(doaDeg).byte(0x0a);
    this.rows++;
    return this.flush();
  }

  private flush(): i32 {
    let r = fat.write(this.file, this.row.base, this.row.length);
    if (r >= 0) r = fat.sync(this.file);
    this.row.clear();
    return r;
  }
}
