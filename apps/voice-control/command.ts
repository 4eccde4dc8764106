// Commands: MLPerf Tiny's KWS model (12 classes: the ten words, silence, unknown) on the
// newest 49 MFCC frames (frames of 480 samples every 320, 1 s). Frames are computed as their
// samples arrive at a fixed scale; the recipe's per-clip scaling (divide by the clip's largest
// sample) only adds ln(scale) to every log-mel band, which the DCT turns into sqrt(2 x 40) x
// ln(scale) on coefficient 0 alone, so it is applied there when the window is scored. Scored
// every SCORE_EVERY frames while listening; a word at or above THRESHOLD is the command.
import { Interpreter } from "../../firmware/tflite/interpreter";
import { KWS_WORK_BYTES, KWS_FRAME, KWS_STEP, KWS_FRAMES, KWS_COEFS, KWS_MELS, KWS_INPUT_SCALE, KWS_INPUT_ZERO_POINT, kwsInit, kwsFrame, quantizeFeatures } from "../../firmware/dsp/mlperf-kws";
import { History } from "./history";
import * as clock from "../../hal/clock";
import { COMMAND_THRESHOLD_PCT, COMMAND_GATED_THRESHOLD_PCT } from "../../firmware/app-options";

export const WORDS: StaticArray<string> = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"];
export const COMMANDS: i32 = 10; // the first ten are commands
// The app's own set (apps/voice-control/train: synthetic speech, same features), used when
// flash holds a partition named LED_PARTITION instead of "kws".
export const LED_PARTITION = "led";
export const LED_WORDS: StaticArray<string> = ["led-red", "led-green", "led-blue", "cycle-fast", "cycle-slow", "silence", "unknown"];
export const LED_COMMANDS: i32 = 5;
export const THRESHOLD: f32 = <f32>COMMAND_THRESHOLD_PCT / 100; // app.json COMMAND_THRESHOLD_PCT
// With the direction gate on (main.ts): the gate drops the babble words a lower threshold lets in.
export const GATED_THRESHOLD: f32 = <f32>COMMAND_GATED_THRESHOLD_PCT / 100;
export const SCORE_EVERY: u32 = 5; // frames: every 100 ms
export const STEP_SAMPLES: i32 = KWS_STEP;
const C0_SHIFT: f32 = Mathf.sqrt(<f32>KWS_MELS * 2.0);

export class Command {
  readonly work: usize = heap.alloc(<usize>KWS_WORK_BYTES);
  readonly mfcc: usize = heap.alloc(<usize>(KWS_FRAMES * KWS_COEFS * 4)); // ring of frames
  private readonly window: usize = heap.alloc(<usize>(KWS_FRAMES * KWS_COEFS * 4));
  private readonly frameMax: usize = heap.alloc(<usize>(KWS_FRAMES * 4)); // largest sample of each frame's new 320
  private readonly frameEnd: usize = heap.alloc(<usize>(KWS_FRAMES * 8)); // sample number each frame ends before
  private next: i32 = 0;
  frames: u32 = 0;
  best: i32 = -1;
  score: f32 = 0;
  invokes: u32 = 0;
  worstCycles: u64 = 0;

  /** The model's labels (the first `commands` are commands): MLPerf's unless useSet() names others. */
  words: StaticArray<string> = WORDS;
  commands: i32 = COMMANDS;

  constructor(readonly engine: Interpreter) {
    kwsInit(this.work);
  }

  useSet(words: StaticArray<string>, commands: i32): void {
    this.words = words;
    this.commands = commands;
  }

  /** A step's samples have arrived: the newest frame's MFCCs (always, so the window is full when a command starts). */
  step(history: History, end: u64): void {
    this.frame(history, end, this.next);
    this.next = (this.next + 1) % KWS_FRAMES;
    this.frames++;
  }

  /** Ring slot `slot`'s frame: the one ending before sample `end`, from `history` (again, after rebeam.ts re-beamed its samples). */
  frame(history: History, end: u64, slot: i32): void {
    const pcm = history.ending(end, KWS_FRAME);
    kwsFrame(this.work, pcm, 1.0 / 32768.0, this.mfcc + (<usize>(slot * KWS_COEFS) << 2));
    let m: i32 = -32768;
    const fresh = pcm + (<usize>(KWS_FRAME - KWS_STEP) << 1);
    for (let i = 0; i < KWS_STEP; i++) m = max(m, <i32>load<i16>(fresh + (<usize>i << 1)));
    store<i32>(this.frameMax + (<usize>slot << 2), m);
    store<u64>(this.frameEnd + (<usize>slot << 3), end);
  }

  /** Where ring slot `slot`'s frame ends (a sample number; 0: not computed yet). */
  @inline frameEndAt(slot: i32): u64 {
    return load<u64>(this.frameEnd + (<usize>slot << 3));
  }

  /** The largest sample over the newest `n` frames' fresh samples (a level for the speech-end test). */
  recentPeak(n: i32): i32 {
    let m: i32 = 0;
    for (let k = 1; k <= n; k++) m = max(m, load<i32>(this.frameMax + (<usize>((this.next - k + KWS_FRAMES) % KWS_FRAMES) << 2)));
    return m;
  }

  /** Scores the newest second; sets best and score. */
  classify(): void {
    this.fill(this.engine);
    const c0 = clock.cycles();
    this.engine.invoke();
    const used = clock.cycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
    this.invokes++;
    const out = this.engine.output(0);
    let best = 0;
    for (let c = 1; c < this.words.length; c++) if (load<i8>(out.data + <usize>c) > load<i8>(out.data + <usize>best)) best = c;
    this.best = best;
    this.score = <f32>(<i32>load<i8>(out.data + <usize>best) - out.zeroPoint) * out.scale;
  }

  /** The newest second's MFCC window, scaled as the recipe and quantised, into `engine`'s input (the wake-word verifier takes the same). */
  fill(engine: Interpreter): void {
    let m: i32 = -32768;
    for (let t = 0; t < KWS_FRAMES; t++) m = max(m, load<i32>(this.frameMax + (<usize>t << 2)));
    // Not scaled when the largest sample is <= 0, as the recipe; features were made at 1/32768.
    const shift: f32 = m > 0 ? C0_SHIFT * Mathf.log(32768.0 / <f32>m) : 0;
    for (let t = 0; t < KWS_FRAMES; t++) {
      const src = this.mfcc + (<usize>(((this.next + t) % KWS_FRAMES) * KWS_COEFS) << 2);
      const dst = this.window + (<usize>(t * KWS_COEFS) << 2);
      memory.copy(dst, src, <usize>KWS_COEFS << 2);
      store<f32>(dst, load<f32>(dst) + shift);
    }
    const input = engine.input(0);
    quantizeFeatures(this.window, input.data, KWS_FRAMES * KWS_COEFS, KWS_INPUT_SCALE, KWS_INPUT_ZERO_POINT);
  }
}
