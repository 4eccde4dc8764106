// The late fusion of the model's fused logit with the direction cue (direction.ts): a logistic
// regression fitted on the validation meetings only (train/measure-direction.ts --write), one per
// microphone array, read from the "fusion" partition (fusion.txt in the app folder): one line per
// array, "mics w_fused w_cue w_cue_audio bias", '#' starts a comment; the line whose microphone
// count is the board's is used:
//   logit = w_fused x fused logit + w_cue x cue + w_cue_audio x cue x max(0, audio logit) + bias.
// Without a line for the board's array (or with one microphone) the model's fused logit is
// used alone, as before the cue.
import { partitionProblem } from "../../firmware/partitions";
import { partitionLines, parseDecimal } from "./text-partition";

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
      const lines = partitionLines(partition);
      for (let k = 0; k < lines.length && this.error.length == 0; k++) this.parseLine(lines[k], k + 1, mics);
    }
  }

  /** The fused logit with the cue. */
  @inline apply(fused: f32, cue: f32, audio: f32): f32 {
    return this.wFused * fused + this.wCue * cue + this.wCueAudio * cue * (audio > 0 ? audio : 0) + this.bias;
  }

  private parseLine(words: Array<string>, lineNo: i32, mics: i32): void {
    const fields = new Array<f64>();
    for (let i = 0; i < words.length; i++) {
      const v = parseDecimal(words[i]);
      if (isNaN(v)) { this.error = "fusion line " + lineNo.toString() + ": '" + words[i] + "' is not a number"; return; }
      fields.push(v);
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
