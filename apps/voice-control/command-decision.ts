// The closed-set command decision (app option COMMAND_CLOSED_SET): after a wake word the product
// expects one of its commands, so "silence" and "unknown" on top do not rule a word out. Per
// command word its probability is summed over the scorings from the talker's direction, times the
// scoring interval (probability x ms); the leader is taken once it has COMMAND_EVIDENCE_MS and
// COMMAND_RUNNER_UP_PCT % of the runner-up's, and either its probability has fallen below
// COMMAND_FALL_PCT (the word is leaving the model's 1 s window: later scorings add nothing of it)
// or the listening window ends. With COMMAND_TWO_IN_A_ROW (main.ts) the old rule's word, >= 0.60
// twice in a row, is still taken at once: the closed set waits for the word to leave the window.
// Chosen offline on the bench grid's even scenes (eval/command-rules.ts; MEASUREMENTS.md "The closed-set
// decision").
import { Tensor } from "../../firmware/tflite/tensor";
import { COMMAND_EVIDENCE_MS, COMMAND_RUNNER_UP_PCT, COMMAND_FALL_PCT } from "../../firmware/app-options";

const MAX_COMMANDS = 10;

export class ClosedSet {
  private readonly sum: StaticArray<f32> = new StaticArray<f32>(MAX_COMMANDS); // probability x ms
  /** The taken word's share of all the words' evidence, 0-1 (the console's score). */
  share: f32 = 0;

  reset(): void {
    for (let w = 0; w < MAX_COMMANDS; w++) this.sum[w] = 0;
  }

  /**
   * One scoring (`out`: the model's output, its first `commands` classes the commands), adding
   * `ms` x probability when it came from the talker's direction; `last`: the window's last scoring.
   * The word to take now, or -1.
   */
  decide(out: Tensor, commands: i32, fromTalker: bool, ms: f32, last: bool): i32 {
    let lead = 0;
    for (let w = 0; w < commands; w++) {
      if (fromTalker) this.sum[w] += ms * this.probability(out, w);
      if (this.sum[w] > this.sum[lead]) lead = w;
    }
    let second: f32 = 0, total: f32 = 0;
    for (let w = 0; w < commands; w++) {
      total += this.sum[w];
      if (w != lead && this.sum[w] > second) second = this.sum[w];
    }
    const leader = this.sum[lead];
    const clear = leader >= <f32>COMMAND_EVIDENCE_MS && leader * 100 >= second * <f32>COMMAND_RUNNER_UP_PCT;
    const fallen = this.probability(out, lead) * 100 < <f32>COMMAND_FALL_PCT;
    if (!clear || !(fallen || last)) return -1;
    this.share = leader / total;
    return lead;
  }

  @inline private probability(out: Tensor, c: i32): f32 {
    return <f32>(<i32>load<i8>(out.data + <usize>c) - out.zeroPoint) * out.scale;
  }
}
