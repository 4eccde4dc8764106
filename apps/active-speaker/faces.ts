// The faces of the current frame, one slot per face, whichever way they were found: the
// tracker's live tracks (named f1, f2, ... by track id; scored once confirmed) or the fixed
// seats (named as in seats.txt, always scored). Boxes as fractions of the frame, as the mouth
// crop takes them, and in pixels for the console, the log and the capture.
import { Seats } from "./seats";
import { Tracker, MAX_TRACKS } from "./tracker";
import { HEAD_ASPECT } from "./face-detector";
import { FaceRefiner } from "./face-refiner";

export class Faces {
  count: i32 = 0;
  readonly live: StaticArray<bool> = new StaticArray<bool>(MAX_TRACKS);
  /** Scored and shown (a confirmed track, or a seat). */
  readonly shown: StaticArray<bool> = new StaticArray<bool>(MAX_TRACKS);
  /** A new face in this slot since the last frame: its histories start again. */
  readonly fresh: StaticArray<bool> = new StaticArray<bool>(MAX_TRACKS);
  readonly id: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS);
  readonly cx: StaticArray<f64> = new StaticArray<f64>(MAX_TRACKS);
  readonly cy: StaticArray<f64> = new StaticArray<f64>(MAX_TRACKS);
  readonly hw: StaticArray<f64> = new StaticArray<f64>(MAX_TRACKS);
  readonly hh: StaticArray<f64> = new StaticArray<f64>(MAX_TRACKS);
  private readonly names: StaticArray<string> = new StaticArray<string>(MAX_TRACKS);

  constructor(readonly frameW: i32, readonly frameH: i32) {
    for (let s = 0; s < MAX_TRACKS; s++) this.names[s] = "";
  }

  /** The tracks' boxes, or with a refiner each refined track's refined box. */
  fromTracks(tracker: Tracker, refiner: FaceRefiner | null = null): void {
    this.count = 0;
    const w = <f64>this.frameW, h = <f64>this.frameH;
    for (let s = 0; s < MAX_TRACKS; s++) {
      const t = tracker.tracks[s];
      const live = t.id != 0;
      this.fresh[s] = live && this.id[s] != t.id;
      this.live[s] = live;
      this.shown[s] = live && t.confirmed;
      if (!live) { this.id[s] = 0; continue; }
      if (this.fresh[s]) { this.id[s] = t.id; this.names[s] = "f" + t.id.toString(); }
      const refined = refiner != null && refiner.owner[s] == t.id;
      const cx = refined ? refiner!.rcx[s] : t.cx, cy = refined ? refiner!.rcy[s] : t.cy, hw = refined ? refiner!.rhw[s] : t.hw;
      this.cx[s] = <f64>cx / w;
      this.cy[s] = <f64>cy / h;
      this.hw[s] = <f64>hw / w;
      this.hh[s] = <f64>hw * HEAD_ASPECT / h;
      if (t.confirmed) this.count++;
    }
  }

  fromSeats(seats: Seats): void {
    for (let s = 0; s < MAX_TRACKS; s++) {
      const live = s < seats.count;
      this.fresh[s] = live && this.id[s] == 0;
      this.live[s] = live;
      this.shown[s] = live;
      if (!live) continue;
      this.id[s] = s + 1;
      this.names[s] = seats.names[s];
      this.cx[s] = seats.box[4 * s];
      this.cy[s] = seats.box[4 * s + 1];
      this.hw[s] = seats.box[4 * s + 2];
      this.hh[s] = seats.box[4 * s + 3];
    }
    this.count = seats.count;
  }

  name(s: i32): string {
    return this.names[s];
  }
  px(s: i32): i32 {
    return <i32>Math.round(this.cx[s] * <f64>this.frameW);
  }
  py(s: i32): i32 {
    return <i32>Math.round(this.cy[s] * <f64>this.frameH);
  }
  left(s: i32): i32 {
    return <i32>((this.cx[s] - this.hw[s]) * <f64>this.frameW);
  }
  top(s: i32): i32 {
    return <i32>((this.cy[s] - this.hh[s]) * <f64>this.frameH);
  }
  width(s: i32): i32 {
    return <i32>(2 * this.hw[s] * <f64>this.frameW);
  }
  height(s: i32): i32 {
    return <i32>(2 * this.hh[s] * <f64>this.frameH);
  }
}
