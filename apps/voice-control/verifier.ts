// Wake-word verifier: the second stage after the MLPerf wake-word model. A small CNN trained in
// this repository (train/wake-train.ts: synthetic "marvin" from voices the bench never uses,
// against other words, near rhymes, partial "marvin", babble and noise) on the KWS MFCC window
// the command path computes anyway (command.ts), so a check costs one small inference (about
// 69 k MACs) and runs only when the first stage names a candidate.
//
// One window is a noisy verdict: shifted by a few tens of samples the verifier's score can move
// by 0.5 (MEASUREMENTS.md "Wake-word verifier"). So a candidate is scored on up to SCORINGS windows, the
// candidate's own and one every STRIDE feature steps after it (the word then also lies whole in
// the window), and accepted at the first where the mean of the last SMOOTH scores reaches
// VERIFY_THRESHOLD. The values (with wake.ts CANDIDATE_THRESHOLD) are the best validation
// detection with at most one false accept in the validation's 20 minutes (eval/wake-verify.ts,
// validation voices and seeds only; MEASUREMENTS.md "Wake-word verifier").
import { Interpreter } from "../../firmware/tflite/interpreter";
import { Command } from "./command";
import * as clock from "../../hal/clock";
import { WAKE_VERIFY_PCT, WAKE_VERIFY_WINDOWS } from "../../firmware/app-options";

export const VERIFIER_PARTITION = "wwv";
/** The mean verifier "marvin" probability needed to accept a candidate. */
export const VERIFY_THRESHOLD: f32 = <f32>WAKE_VERIFY_PCT / 100; // app.json WAKE_VERIFY_PCT
/** Windows scored per candidate at most. */
export const SCORINGS: i32 = WAKE_VERIFY_WINDOWS; // app.json; 10: the candidate's window and 360 ms after it
/** Consecutive scores averaged. */
export const SMOOTH: i32 = 3;
/** Feature steps (20 ms) between two scorings. */
export const STRIDE: i32 = 2;
const MARVIN: i32 = 0; // output 0: marvin, 1: other

export class Verifier {
  score: f32 = 0; // the newest window's
  mean: f32 = 0; // of the last SMOOTH windows
  invokes: u32 = 0;
  worstCycles: u64 = 0;
  /** A candidate is being verified. */
  busy: bool = false;
  private readonly recent: StaticArray<f32> = new StaticArray<f32>(SMOOTH);
  private scored: i32 = 0;
  private steps: i32 = 0;

  constructor(readonly engine: Interpreter) {}

  /** A first-stage candidate: scores the command path's newest second; true when accepted at once. */
  start(command: Command): bool {
    this.busy = true;
    this.scored = 0;
    this.steps = 0;
    return this.next(command);
  }

  /** A feature step while busy: scores every STRIDE-th; true when the candidate is accepted. */
  step(command: Command): bool {
    if (!this.busy || ++this.steps % STRIDE != 0) return false;
    return this.next(command);
  }

  private next(command: Command): bool {
    command.fill(this.engine);
    const c0 = clock.cycles();
    this.engine.invoke();
    const used = clock.cycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
    this.invokes++;
    const out = this.engine.output(0);
    this.score = <f32>(<i32>load<i8>(out.data + <usize>MARVIN) - out.zeroPoint) * out.scale;
    this.recent[this.scored % SMOOTH] = this.score;
    this.scored++;
    if (this.scored >= SMOOTH) {
      let sum: f32 = 0;
      for (let i = 0; i < SMOOTH; i++) sum += this.recent[i];
      this.mean = sum / <f32>SMOOTH;
      if (this.mean >= VERIFY_THRESHOLD) { this.busy = false; return true; }
    }
    if (this.scored >= SCORINGS) this.busy = false;
    return false;
  }
}
