// The app's small text partitions (seats.txt, fusion.txt): one record a line, fields separated by
// blanks, '#' starts a comment. Read once at start-up.
import { partitionBase, partitionSize } from "../../firmware/partitions";

/** The fields of each line of the partition (index = line number - 1; a blank or comment-only
 *  line has none). The caller checks partitionProblem first. */
export function partitionLines(partition: string): Array<Array<string>> {
  const base = partitionBase(partition), size = <i32>partitionSize(partition);
  const lines = new Array<Array<string>>();
  let at = 0;
  while (at < size) {
    let end = at;
    while (end < size && load<u8>(base + <usize>end) != 0x0a) end++;
    lines.push(lineFields(base, at, end));
    at = end + 1;
  }
  return lines;
}

function lineFields(base: usize, at: i32, end: i32): Array<string> {
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
  return fields;
}

/** "-0.674" as -0.674; NaN when it is not a plain signed decimal. */
export function parseDecimal(s: string): f64 {
  let v: f64 = 0, scale: f64 = 1;
  let dot = false, digits = 0, i = 0;
  const negative = s.length > 0 && s.charCodeAt(0) == 0x2d;
  if (negative) i = 1;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x2e && !dot) { dot = true; continue; }
    if (c < 0x30 || c > 0x39) return NaN;
    digits++;
    if (dot) { scale /= 10; v += <f64>(c - 0x30) * scale; } else v = v * 10 + <f64>(c - 0x30);
  }
  if (digits == 0) return NaN;
  return negative ? -v : v;
}
