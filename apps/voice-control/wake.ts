// Wake word "marvin": MLPerf Tiny's streaming wake-word model on the newest 30 log-mel frames
// (frames of 1024 samples every 512, about 1 s), one inference per 32 ms hop. Each frame's
// features are computed once, when its samples have arrived, scaled by the newest second's
// peak (the recipe divides a clip by its largest sample). A detection needs the score at or
// above THRESHOLD; after one, the detector is deaf for REFRACTORY_MS.
import { Interpreter } from "../../firmware/tflite/interpreter";
import { WW_WORK_BYTES, WW_FRAME, WW_STEP, WW_FRAMES, WW_MELS, WW_INPUT_SCALE, WW_INPUT_ZERO_POINT, wwInit, wwFrame } from "../../firmware/dsp/mlperf-ww";
import { quantizeFeatures } from "../../firmware/dsp/mlperf-kws";
import { History } from "./history";

export const THRESHOLD: f32 = 0.8;
export const REFRACTORY_MS: u64 = 1500;
const PEAK_FLOOR: i32 = 1024; // -30 dBFS: quieter audio is not scaled up further

export class WakeWord {
  readonly work: usize = heap.alloc(<usize>WW_WORK_BYTES);
  readonly features: usize = heap.alloc(<usize>(WW_FRAMES * WW_MELS * 4)); // ring of frames
  private next: i32 = 0; // ring slot of the next frame
  private frames: u32 = 0;
  score: f32 = 0;
  invokes: u32 = 0;
  worstCycles: u64 = 0;
  private deafUntilMs: u64 = 0;
  /** Scores every `every`-th hop (1: every 32 ms; 2 on slow cores, where one inference takes 23 ms). */
  every: u32 = 1;

  constructor(readonly engine: Interpreter) {
    wwInit(this.work);
  }

  /** The hop ending before sample `end` has arrived: computes the newest frame and scores the window; true on a detection at `nowMs`. */
  hop(history: History, end: u64, peak: i32, nowMs: u64): bool {
    const pcm = history.ending(end, WW_FRAME + 1);
    const scale: f32 = 1.0 / <f32>max(peak, PEAK_FLOOR);
    const previous = <f32>load<i16>(pcm) * scale;
    wwFrame(this.work, pcm + 2, scale, previous, this.features + (<usize>(this.next * WW_MELS) << 2));
    this.next = (this.next + 1) % WW_FRAMES;
    this.frames++;
    if (this.frames < <u32>WW_FRAMES || this.frames % this.every != 0) return false;
    const input = this.engine.input(0);
    // Oldest frame first: the ring from `next` on, then from 0.
    const first = WW_FRAMES - this.next;
    quantizeFeatures(this.features + (<usize>(this.next * WW_MELS) << 2), input.data, first * WW_MELS, WW_INPUT_SCALE, WW_INPUT_ZERO_POINT);
    if (this.next > 0) quantizeFeatures(this.features, input.data + <usize>(first * WW_MELS), this.next * WW_MELS, WW_INPUT_SCALE, WW_INPUT_ZERO_POINT);
    const c0 = clockCycles();
    this.engine.invoke();
    const used = clockCycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
    this.invokes++;
    const out = this.engine.output(0);
    this.score = <f32>(<i32>load<i8>(out.data) - out.zeroPoint) * out.scale;
    if (nowMs < this.deafUntilMs || this.score < THRESHOLD) return false;
    this.deafUntilMs = nowMs + REFRACTORY_MS;
    return true;
  }
}

export const HOP_SAMPLES: i32 = WW_STEP;

import * as clock from "../../hal/clock";
@inline function clockCycles(): u64 { return clock.cycles(); }
