// Fixed seat regions for a fixed meeting-room camera (the app's option FACE_DETECTOR=false):
// the "seats" partition, seats.txt in the app folder, one seat a line, "name cx cy hw hh" —
// the head box as fractions of the frame (centre x, centre y, half width, half height),
// measured once for the room; '#' starts a comment. At most MAX_SEATS seats.
import { partitionProblem } from "../../firmware/partitions";
import { partitionLines, parseDecimal } from "./text-partition";

export const MAX_SEATS: i32 = 4;

export class Seats {
  count: i32 = 0;
  error: string = "";
  readonly names: StaticArray<string> = new StaticArray<string>(MAX_SEATS);
  /** Per seat cx, cy, hw, hh as fractions of the frame. */
  readonly box: StaticArray<f64> = new StaticArray<f64>(4 * MAX_SEATS);

  /** Reads the named partition; `error` says what is wrong with it (line number included). */
  constructor(partition: string) {
    this.error = partitionProblem(partition);
    if (this.error.length == 0) this.parse(partition);
    if (this.error.length == 0 && this.count == 0) this.error = "seats: no seat in the file";
  }

  private parse(partition: string): void {
    const lines = partitionLines(partition);
    for (let k = 0; k < lines.length && this.error.length == 0; k++) this.parseLine(lines[k], k + 1);
  }

  private parseLine(fields: Array<string>, lineNo: i32): void {
    if (fields.length == 0) return;
    const where = "seats line " + lineNo.toString() + ": ";
    if (fields.length != 5) { this.error = where + "want 'name cx cy hw hh'"; return; }
    if (this.count >= MAX_SEATS) { this.error = where + "more than " + MAX_SEATS.toString() + " seats"; return; }
    if (fields[0].length > 16) { this.error = where + "a name of at most 16 characters"; return; }
    const s = this.count;
    for (let k = 0; k < 4; k++) {
      const v = parseFraction(fields[k + 1]);
      if (v < 0) { this.error = where + "'" + fields[k + 1] + "' is not a fraction 0..1"; return; }
      this.box[4 * s + k] = v;
    }
    const cx = this.box[4 * s], cy = this.box[4 * s + 1], hw = this.box[4 * s + 2], hh = this.box[4 * s + 3];
    if (hw <= 0 || hh <= 0 || cx - hw < 0 || cx + hw > 1 || cy - hh < 0 || cy + hh > 1) {
      this.error = where + "the box is empty or not inside the frame";
      return;
    }
    this.names[s] = fields[0];
    this.count++;
  }
}

/** "0.2925" as 0.2925; -1 when it is not a plain decimal between 0 and 1. */
function parseFraction(s: string): f64 {
  const v = parseDecimal(s);
  return isNaN(v) || v < 0 || v > 1 || s.charCodeAt(0) == 0x2d ? -1 : v;
}
