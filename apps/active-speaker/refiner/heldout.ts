// The held-out rooms for the refiner: crops at perturbed true boxes (as in training), and the
// boxes the app itself would start from. Each room is a run of consecutive frames through the
// committed int8 face detector (TFLite's runtime, downscaled and decoded as the firmware does
// it) and the firmware tracker's copy (train/detector-boxes.ts HostTracker); from the 7th frame
// on (a track is confirmed after 3 and has settled a little), each true face is paired with the
// confirmed track nearest its centre, and with the frame's nearest detection, within one true
// half width (eval-app.ts matches faces so too).
import { decode } from "../detector/decode.ts";
import { IN_H, IN_W, downscale } from "../detector/frames.ts";
import { HostTracker, loadDetector } from "../train/detector-boxes.ts";
import type { Box } from "./crop.ts";
import { renderCrops, type Crops, type RoomSet } from "./frames.ts";

/** Frames of a run before its boxes are scored. */
export const SETTLE_FRAMES = 6;

export interface BoxPairs {
  frames: Uint8Array[];
  boxes: Box[];
  truths: Box[];
}

export interface HeldOut {
  crops: Crops;
  /** The tracker's confirmed boxes (what the app crops from) and the frame's raw detections. */
  tracked: BoxPairs;
  detected: BoxPairs;
}

function nearest(t: Box, boxes: Box[], used: Set<number>): number {
  let best = -1,
    bestD = Infinity;
  boxes.forEach((b, i) => {
    const d = Math.hypot(b.cx - t.cx, b.cy - t.cy);
    if (!used.has(i) && d <= t.hw && d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

export async function renderHeldOut(set: RoomSet, log: (s: string) => void): Promise<HeldOut> {
  const det = await loadDetector();
  const input = new Float32Array(IN_W * IN_H);
  const bytes = new Int8Array(IN_W * IN_H);
  const tracked: BoxPairs = { frames: [], boxes: [], truths: [] };
  const detected: BoxPairs = { frames: [], boxes: [], truths: [] };
  let tracker = new HostTracker();
  const crops = renderCrops(set, log, (_room, k, f) => {
    if (k === 0) tracker = new HostTracker();
    downscale(f.grey, input);
    for (let i = 0; i < input.length; i++) bytes[i] = input[i] - 128;
    const [o, b] = det.ref.run([bytes]) as Int8Array[];
    const deq = (x: Int8Array, q: { scale: number; zeroPoint: number }) =>
      Float32Array.from(x, (v) => (v - q.zeroPoint) * q.scale);
    const found = decode(deq(o, det.obj), deq(b, det.box));
    tracker.update(found);
    if (k < SETTLE_FRAMES) return;
    const tracks = tracker.tracks
      .filter((t) => t?.confirmed)
      .map((t) => ({ cx: t!.cx, cy: t!.cy, hw: t!.hw }));
    for (const [boxes, into] of [
      [tracks, tracked],
      [found, detected],
    ] as const) {
      const used = new Set<number>();
      for (const t of f.faces) {
        const i = nearest(t, boxes, used);
        if (i < 0) continue;
        used.add(i);
        into.frames.push(f.grey);
        into.boxes.push(boxes[i]);
        into.truths.push(t);
      }
    }
  });
  det.ref.dispose();
  return { crops, tracked, detected };
}
