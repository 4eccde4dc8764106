// Each step's faces in full precision for the host (debug.report, REPORT_OUTPUT; free when no
// host tool listens): the console prints probabilities to 0.01, too coarse to score auROC on
// and to recover the raw probability from the smoothing. One f32 record per step:
// [t_ms, faces, then per face: track id, raw probability (after the cue's fusion, before the
// smoothing), smoothed probability, centre x, centre y and half width in pixels, and the
// fusion's inputs: the model's fused logit, the relative cue (0 without one) and the audio
// logit, so that the fusion can be fitted on what the firmware sees (train/fit-app-fusion.ts)].
// train/eval-app.ts reads it (parseFaceRecord).
import * as debug from "../../hal/debug";
import { MAX_TRACKS } from "./tracker";

export const RECORD_HEAD: i32 = 2;
export const RECORD_FACE: i32 = 9;

export class FaceRecord {
  private readonly buf: usize = heap.alloc(<usize>((RECORD_HEAD + RECORD_FACE * MAX_TRACKS) * 4));
  private count: i32 = 0;

  begin(tMs: u64): void {
    store<f32>(this.buf, <f32>tMs);
    this.count = 0;
  }

  add(id: i32, raw: f32, smoothed: f32, cx: f32, cy: f32, hw: f32, fused: f32, cue: f32, audio: f32): void {
    if (this.count >= MAX_TRACKS) return;
    const at = this.buf + <usize>((RECORD_HEAD + RECORD_FACE * this.count) * 4);
    store<f32>(at, <f32>id);
    store<f32>(at, raw, 4);
    store<f32>(at, smoothed, 8);
    store<f32>(at, cx, 12);
    store<f32>(at, cy, 16);
    store<f32>(at, hw, 20);
    store<f32>(at, fused, 24);
    store<f32>(at, cue, 28);
    store<f32>(at, audio, 32);
    this.count++;
  }

  send(): void {
    store<f32>(this.buf, <f32>this.count, 4);
    debug.report(debug.REPORT_OUTPUT, this.buf, (RECORD_HEAD + RECORD_FACE * this.count) * 4);
  }
}
