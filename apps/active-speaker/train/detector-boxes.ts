// The face boxes the app crops from when its face detector runs: the committed int8 detector
// (detector/model, in TFLite's runtime) on the grey frame downscaled as the firmware does it,
// decoded as the firmware decodes it, and the firmware tracker's smoothing (tracker.ts: a track
// moves a quarter of the way to its face per frame and its size a tenth; confirmed after 3
// frames in a row; held through missed frames). The ASD model trained only on crops at the
// exact seat boxes loses auROC on the detector's boxes (README "auROC through the whole app");
// training also on these crops teaches it the detector's placement.
//
// Each person is given the tracked box nearest their true head centre (within one true half
// width, as eval-app.ts matches faces); a person no confirmed track covers keeps the seat box.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadReference, type ReferenceModel } from "../../../test/helpers/tflite-reference.ts";
import { decode } from "../detector/decode.ts";
import { CELL, GRID_H, GRID_W, HEAD_ASPECT, IN_H, IN_W, downscale } from "../detector/frames.ts";
import type { SeatBox } from "./features.ts";

export const DETECTOR_DIR = fileURLToPath(new URL("../detector/model/", import.meta.url));
export const DETECTOR_FILE = path.join(DETECTOR_DIR, "face_detector_int8.tflite");

/** tracker.ts's constants (a test holds them equal). */
export const TRACK_GATE = 1.5;
export const TRACK_MOVE = 0.25;
export const TRACK_RESIZE = 0.1;
export const TRACK_CONFIRM = 3;
export const TRACK_LOST_AFTER = 15;
const MAX_TRACKS = 4;

interface Track {
  cx: number;
  cy: number;
  hw: number;
  hits: number;
  misses: number;
  confirmed: boolean;
}

/** tracker.ts on the host, slot for slot (f32 there, f64 here). */
export class HostTracker {
  readonly tracks: (Track | null)[] = Array.from({ length: MAX_TRACKS }, () => null);

  update(faces: { cx: number; cy: number; hw: number }[]): void {
    const taken = faces.map(() => false);
    for (const t of this.tracks) if (t) t.misses++;
    for (;;) {
      let bestT = -1,
        bestF = -1,
        bestD = Infinity;
      this.tracks.forEach((t, i) => {
        if (!t || t.misses === 0) return;
        faces.forEach((f, j) => {
          if (taken[j]) return;
          const d = Math.hypot(f.cx - t.cx, f.cy - t.cy) / Math.max(t.hw, f.hw);
          if (d <= TRACK_GATE && d < bestD) [bestD, bestT, bestF] = [d, i, j];
        });
      });
      if (bestT < 0) break;
      const t = this.tracks[bestT]!,
        f = faces[bestF];
      taken[bestF] = true;
      t.cx += TRACK_MOVE * (f.cx - t.cx);
      t.cy += TRACK_MOVE * (f.cy - t.cy);
      t.hw += TRACK_RESIZE * (f.hw - t.hw);
      t.misses = 0;
      if (t.hits < TRACK_CONFIRM) t.hits++;
      if (t.hits >= TRACK_CONFIRM) t.confirmed = true;
    }
    this.tracks.forEach((t, i) => {
      if (!t) return;
      if (t.misses > 0) t.hits = 0;
      if ((!t.confirmed && t.misses > 0) || t.misses > TRACK_LOST_AFTER) this.tracks[i] = null;
    });
    faces.forEach((f, j) => {
      if (taken[j]) return;
      const slot = this.tracks.indexOf(null);
      if (slot < 0) return;
      this.tracks[slot] = { cx: f.cx, cy: f.cy, hw: f.hw, hits: 1, misses: 0, confirmed: false };
    });
  }
}

type Quant = { scale: number; zeroPoint: number };

/** One meeting's detector and tracker, frame by frame. */
export class DetectorBoxes {
  private readonly tracker = new HostTracker();
  private readonly input = new Float32Array(IN_W * IN_H);
  private readonly bytes = new Int8Array(IN_W * IN_H);
  /** Frames in which a person had no confirmed track near them (the seat box was used). */
  uncovered = 0;

  constructor(
    private readonly ref: ReferenceModel,
    private readonly obj: Quant,
    private readonly box: Quant,
  ) {}

  /** This frame's box per person (fractions of the frame, as SeatBox), the seat box where no
   *  confirmed track is near the person's true centre `truth` (pixels). */
  next(
    grey: Uint8Array,
    w: number,
    h: number,
    truth: { cx: number; cy: number; hw: number }[],
    seats: SeatBox[],
  ): SeatBox[] {
    downscale(grey, this.input);
    for (let i = 0; i < this.input.length; i++) this.bytes[i] = this.input[i] - 128;
    const [o, b] = this.ref.run([this.bytes]) as Int8Array[];
    const deq = (x: Int8Array, q: Quant) =>
      Float32Array.from(x, (v) => (v - q.zeroPoint) * q.scale);
    if (o.length !== GRID_W * GRID_H || b.length !== 3 * GRID_W * GRID_H)
      throw new Error(`detector: want a ${GRID_W} x ${GRID_H} grid of ${CELL} px cells`);
    this.tracker.update(decode(deq(o, this.obj), deq(b, this.box)));
    const used = new Set<number>();
    return truth.map((t, p) => {
      let best = -1,
        bestD = Infinity;
      this.tracker.tracks.forEach((k, i) => {
        if (!k || !k.confirmed || used.has(i)) return;
        const d = Math.hypot(k.cx - t.cx, k.cy - t.cy);
        if (d <= t.hw && d < bestD) [best, bestD] = [i, d];
      });
      if (best < 0) {
        this.uncovered++;
        return seats[p];
      }
      used.add(best);
      const k = this.tracker.tracks[best]!;
      return { cx: k.cx / w, cy: k.cy / h, hw: k.hw / w, hh: (k.hw * HEAD_ASPECT) / h };
    });
  }
}

/** The committed detector in TFLite's runtime, with its output quantisation (training.json). */
export async function loadDetector(): Promise<{
  ref: ReferenceModel;
  obj: Quant;
  box: Quant;
}> {
  const json = JSON.parse(readFileSync(path.join(DETECTOR_DIR, "training.json"), "utf8"));
  return { ref: await loadReference(readFileSync(DETECTOR_FILE)), obj: json.obj, box: json.box };
}
