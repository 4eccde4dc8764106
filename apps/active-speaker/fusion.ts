// The late fusion of the model's fused logit with the direction cue (direction.ts): a logistic
// regression fitted on the validation meetings only (train/measure-direction.ts --write), one per
// microphone array, read from the "fusion" partition (fusion.txt in the app folder): one line per
// array, "mics w_fused w_cue w_cue_audio bias", '#' starts a comment; the line whose microphone
// count is the board's is used:
//   logit = w_fused x fused logit + w_cue x cue + w_cue_audio x cue x max(0, audio logit) + bias.
// Without a line for the board's array (or with one microphone) the model's fused logit is
// used alone, as before the cue.
import { partitionBase, partitionSize, partitionProblem } from "../../firmware/partitions";

export class Fusion {
  error: string = "";
  found: bool = false;
  wFused: f32 = 1;
  wCue: f32 = 0;
  wCueAudio: f32 = 0;
  bias: f32 = 0;

  constructor(partition: string, mics: i32) {
    this.error = partitionProblem(partition);
    if (this.error.length == 0) {
      const base = partitionBase(partition), size = <i32>partitionSize(partition);
      let at = 0, lineNo = 0;
      while (at < size && this.error.length == 0) {
        lineNo++;
        let end = at;
        while (end < size && load<u8>(base + <usize>end) != 0x0a) end++;
        this.parseLine(base, at, end, lineNo, mics);
        at = end + 1;
      }
    }
  }

  /** The fused logit with the cue. */
  @inline apply(fused: f32, cue: f32, audio: f32): f32 {
    return this.wFused * fused + this.wCue * cue + this.wCueAudio * cue * (audio > 0 ? audio : 0) + this.bias;
  }

  private parseLine(base: usize, at: i32, end: i32, lineNo: i32, mics: i32): void {
    for (let i = at; i < end; i++) if (load<u8>(base + <usize>i) == 0x23) { end = i; break; } // '#' comment
    const fields = new Array<f64>();
    let word = "";
    for (let i = at; i <= end; i++) {
      const c: i32 = i < end ? <i32>load<u8>(base + <usize>i) : 0x20;
      if (c == 0x20 || c == 0x09 || c == 0x0d) {
        if (word.length > 0) {
          const v = parseDecimal(word);
          if (isNaN(v)) { this.error = "fusion line " + lineNo.toString() + ": '" + word + "' is not a number"; return; }
          fields.push(v);
        }
        word = "";
      } else word += String.fromCharCode(c);
    }
    if (fields.length == 0) return;
    if (fields.length != 5) { this.error = "fusion line " + lineNo.toString() + ": want 'mics w_fused w_cue w_cue_audio bias'"; return; }
    if (<i32>fields[0] != mics || this.found) return;
    this.found = true;
    this.wFused = <f32>fields[1];
    this.wCue = <f32>fields[2];
    this.wCueAudio = <f32>fields[3];
    this.bias = <f32>fields[4];
  }
}

/** "-0.674" as -0.674; NaN when it is not a plain signed decimal. */
function parseDecimal(s: string): f64 {
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
