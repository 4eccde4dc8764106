// Fixed seat regions for a fixed meeting-room camera (the app's option FACE_DETECTOR=false):
// the "seats" partition, seats.txt in the app folder, one seat a line, "name cx cy hw hh" —
// the head box as fractions of the frame (centre x, centre y, half width, half height),
// measured once for the room; '#' starts a comment. At most MAX_SEATS seats.
import { partitionBase, partitionSize, partitionProblem } from "../../firmware/partitions";

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
    if (this.error.length == 0) this.parse(partitionBase(partition), <i32>partitionSize(partition));
    if (this.error.length == 0 && this.count == 0) this.error = "seats: no seat in the file";
  }

  private parse(base: usize, size: i32): void {
    let at = 0, lineNo = 0;
    while (at < size && this.error.length == 0) {
      lineNo++;
      let end = at;
      while (end < size && load<u8>(base + <usize>end) != 0x0a) end++;
      this.parseLine(base, at, end, lineNo);
      at = end + 1;
    }
  }

  private parseLine(base: usize, at: i32, end: i32, lineNo: i32): void {
    for (let i = at; i < end; i++) if (load<u8>(base + <usize>i) == 0x23) { end = i; break; } // '#' comment
    const fields = new Array<string>();
    let word = "";
    for (let i = at; i <= end; i++) {
      const c: i32 = i < end ? <i32>load<u8>(base + <usize>i) : 0x20;
      if (c == 0x20 || c == 0x09 || c == 0x0d) {
        if (word.length > 0) fields.push(word);
        word = "";
      } else word += String.fromCharCode(c);
    }
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
  let v: f64 = 0, scale: f64 = 1;
  let dot = false, digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2e && !dot) { dot = true; continue; }
    if (c < 0x30 || c > 0x39) return -1;
    digits++;
    if (dot) { scale /= 10; v += <f64>(c - 0x30) * scale; } else v = v * 10 + <f64>(c - 0x30);
  }
  return digits == 0 || v > 1 ? -1 : v;
}
