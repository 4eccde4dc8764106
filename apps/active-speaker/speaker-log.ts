// The SD card log: /ASD/LOGnnnn.CSV, one new numbered file per boot, a row per camera step
// while someone speaks: "t_ms,face,probability_pct,x,y,w,h" (the active speaker's seat box
// in pixels), synced once a second.
import * as fat from "../../firmware/fat32/file-system";
import { TextBuffer } from "../../firmware/text";

const DIR = "/ASD";

export class SpeakerLog {
  file: i32 = -1;
  name: string = "";
  rows: u32 = 0;
  private readonly row: TextBuffer = new TextBuffer(512);

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
    this.row.str("t_ms,face,probability_pct,x,y,w,h\n");
    r = this.flush(true);
    return r < 0 ? "write failed (" + r.toString() + ")" : "";
  }

  speaker(tMs: u64, face: string, pct: u32, x: i32, y: i32, w: i32, h: i32): void {
    if (this.file < 0) return;
    this.row.uint(tMs).byte(0x2c).str(face).byte(0x2c).uint(pct).byte(0x2c).int(x).byte(0x2c).int(y).byte(0x2c).int(w).byte(0x2c).int(h).byte(0x0a);
    this.rows++;
    if (this.row.length > 400) this.flush(false);
  }

  /** Writes the pending rows; with `sync`, to the card itself. 0 or a negative fat32 code. */
  flush(sync: bool): i32 {
    if (this.file < 0) return 0;
    let r: i32 = 0;
    if (this.row.length > 0) r = fat.write(this.file, this.row.base, this.row.length);
    if (r >= 0 && sync) r = fat.sync(this.file);
    this.row.clear();
    return r;
  }
}
