// Wake word "marvin": MLPerf Tiny's streaming wake-word model on the newest 30 log-mel frames
// (frames of 1024 samples every 512, about 1 s), one inference per 32 ms hop.
//
// Scaling: the recipe divides each 1 s clip by its largest |sample| before the features. Each
// frame's log-mel values are computed once, when its samples arrive, at a fixed scale and not
// yet clipped; at scoring time the whole window is shifted by 20 log10(32768 / the window's
// peak) / 64 and clipped to [0, 1], which is exactly the recipe on that window. (Until now each
// frame was scaled by the peak of the second before it: frames of one window at different
// scales, which cost detections; eval/wake-sweep.ts measures both.)
//
// Decision: a candidate is the mean of the last SMOOTH scores at or above `threshold` on `run`
// scorings in a row, outside the refractory time. With the verifier (verifier.ts, flash
// partition "wwv") main.ts hands it every candidate (it scores the next windows, verifier.ts)
// and calls accept() on a yes; the candidate is then CANDIDATE_THRESHOLD on one scoring (the
// same rule at every scoring rate).
// Without it the first stage decides alone (THRESHOLD on RUN scorings in a row).
// After an accepted detection the detector is deaf for REFRACTORY_MS. Both operating points were
// chosen on the host (eval/wake-sweep.ts, eval/wake-verify.ts; MEASUREMENTS.md "Wake word").
import { Interpreter } from "../../firmware/tflite/interpreter";
import { WW_WORK_BYTES, WW_FRAME, WW_STEP, WW_FRAMES, WW_MELS, WW_INPUT_SCALE, WW_INPUT_ZERO_POINT, wwInit, wwFrameUnclipped } from "../../firmware/dsp/mlperf-ww";
import { History } from "./history";
import { WAKE_CANDIDATE_PCT } from "../../firmware/app-options";

export const THRESHOLD: f32 = 0.95; // first stage alone
export const RUN: u32 = 2; // scorings in a row, first stage alone
export const CANDIDATE_THRESHOLD: f32 = <f32>WAKE_CANDIDATE_PCT / 100; // with the verifier, on one scoring (verifier.ts; app.json WAKE_CANDIDATE_PCT)
export const SMOOTH: i32 = 1; // scores averaged
export const REFRACTORY_MS: u64 = 1500;
const PEAK_FLOOR: i32 = 1024; // -30 dBFS: quieter audio is not scaled up further
const DB_PER_UNIT: f32 = 64.0; // the recipe's (dB + 52) / 64

export class WakeWord {
  readonly work: usize = heap.alloc(<usize>WW_WORK_BYTES);
  readonly features: usize = heap.alloc(<usize>(WW_FRAMES * WW_MELS * 4)); // ring of frames, unclipped
  private readonly framePeak: usize = heap.alloc(<usize>(WW_FRAMES * 4)); // largest |sample| of each frame
  private readonly frameEnd: usize = heap.alloc(<usize>(WW_FRAMES * 8)); // sample number each frame ends before
  private readonly recent: usize = heap.alloc(<usize>(SMOOTH * 4)); // the last SMOOTH scores
  private next: i32 = 0; // ring slot of the next frame
  private frames: u32 = 0;
  private above: u32 = 0; // scorings in a row at or above the threshold
  score: f32 = 0; // the model's newest score
  smoothed: f32 = 0;
  invokes: u32 = 0;
  worstCycles: u64 = 0;
  private deafUntilMs: u64 = 0;
  /** Scores every `every`-th hop (1: every 32 ms; 2 on slow cores, where one inference takes 23 ms). */
  every: u32 = 1;
  threshold: f32 = THRESHOLD;
  run: u32 = RUN;

  constructor(readonly engine: Interpreter) {
    wwInit(this.work);
  }

  /** The hop ending before sample `end` has arrived: computes the newest frame and scores the window; true on a candidate at `nowMs`. */
  hop(history: History, end: u64, nowMs: u64): bool {
    this.frame(history, end, this.next);
    this.next = (this.next + 1) % WW_FRAMES;
    this.frames++;
    if (this.frames < <u32>WW_FRAMES || this.frames % this.every != 0) return false;
    let peak = PEAK_FLOOR;
    for (let t = 0; t < WW_FRAMES; t++) peak = max(peak, load<i32>(this.framePeak + (<usize>t << 2)));
    const shift: f32 = Mathf.log(32768.0 / <f32>peak) * (20.0 / Mathf.log(10.0)) / DB_PER_UNIT;
    // Oldest frame first: the ring from `next` on, then from 0.
    const input = this.engine.input(0);
    const inv: f32 = 1.0 / WW_INPUT_SCALE;
    for (let t = 0; t < WW_FRAMES; t++) {
      const src = this.features + (<usize>(((this.next + t) % WW_FRAMES) * WW_MELS) << 2);
      const dst = input.data + <usize>(t * WW_MELS);
      for (let b = 0; b < WW_MELS; b++) {
        let v = load<f32>(src + (<usize>b << 2)) + shift;
        v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
        // As quantizeFeatures (round half away from zero; v >= 0 here), then saturate.
        const q = <i32>Mathf.floor(v * inv + 0.5) + WW_INPUT_ZERO_POINT;
        store<i8>(dst + <usize>b, <i8>(q > 127 ? 127 : q));
      }
    }
    const c0 = clockCycles();
    this.engine.invoke();
    const used = clockCycles() - c0;
    if (used > this.worstCycles) this.worstCycles = used;
    const out = this.engine.output(0);
    this.score = <f32>(<i32>load<i8>(out.data) - out.zeroPoint) * out.scale;
    store<f32>(this.recent + (<usize>(this.invokes % <u32>SMOOTH) << 2), this.score);
    this.invokes++;
    const k = min<u32>(this.invokes, <u32>SMOOTH);
    let sum: f32 = 0;
    for (let i: u32 = 0; i < k; i++) sum += load<f32>(this.recent + (<usize>i << 2));
    this.smoothed = sum / <f32>k;
    this.above = this.smoothed >= this.threshold ? this.above + 1 : 0;
    return nowMs >= this.deafUntilMs && this.above >= this.run;
  }

  /** Ring slot `slot`'s frame: the one ending before sample `end`, computed from `history` (again, after rebeam.ts re-beamed its samples). */
  frame(history: History, end: u64, slot: i32): void {
    const pcm = history.ending(end, WW_FRAME + 1);
    const scale: f32 = 1.0 / 32768.0;
    const previous = <f32>load<i16>(pcm) * scale;
    wwFrameUnclipped(this.work, pcm + 2, scale, previous, this.features + (<usize>(slot * WW_MELS) << 2));
    let peak: i32 = 0;
    for (let i = 1; i <= WW_FRAME; i++) peak = max(peak, abs<i32>(<i32>load<i16>(pcm + (<usize>i << 1))));
    store<i32>(this.framePeak + (<usize>slot << 2), peak);
    store<u64>(this.frameEnd + (<usize>slot << 3), end);
  }

  /** Where ring slot `slot`'s frame ends (a sample number; 0: not computed yet). */
  @inline frameEndAt(slot: i32): u64 {
    return load<u64>(this.frameEnd + (<usize>slot << 3));
  }

  /** The candidate at `nowMs` is a detection: deaf for the refractory time. */
  accept(nowMs: u64): void {
    this.deafUntilMs = nowMs + REFRACTORY_MS;
    this.above = 0;
  }
}

export const HOP_SAMPLES: i32 = WW_STEP;

import * as clock from "../../hal/clock";
@inline function clockCycles(): u64 { return clock.cycles(); }
