// Wake-word verifier: the second stage after the MLPerf wake-word model. A small CNN trained in
// this repository (train/wake-train.ts: synthetic "marvin" from voices the bench never uses,
// against other words, near rhymes, partial "marvin", babble and noise) on the KWS MFCC window
// the command path computes anyway (command.ts), so a check costs one small inference (about
// 69 k MACs) and runs only when the first stage names a candidate.
import { Interpreter } from "../../firmware/tflite/interpreter";
import { Command } from "./command";
import * as clock from "../../hal/clock";

export const VERIFIER_PARTITION = "wwv";
/**
 * The verifier's "marvin" probability needed to accept a candidate: the best validation point
 * (eval/wake-verify.ts) with the first stage's own 0.95 as the candidate threshold (lower ones
 * let babble through on the emulator; README "Wake-word verifier").
 */
export const VERIFY_THRESHOLD: f32 = 0.5;
const MARVIN: i32 = 0; // output 0: marvin, 1: other

export class Verifier {
  score: f32 = 0;
  invokes: u32 = 0;
  worstCycles: u64 = 0;

  constructor(readonly engine: Interpreter) {}

  /** Scores the command path's newest second; true when it is "marvin". */
  check(command: Command): bool {
    command.fill(this.engine);
    const c0 = clock.cycles();
    this.engine.invoke();
    const used = clock.cycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
    this.invokes++;
    const out = this.engine.output(0);
    this.score = <f32>(<i32>load<i8>(out.data + <usize>MARVIN) - out.zeroPoint) * out.scale;
    return this.score >= VERIFY_THRESHOLD;
  }
}
