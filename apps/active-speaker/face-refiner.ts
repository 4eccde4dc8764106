// The face-box refiner on the board (refiner/ trains it; refiner/crop.ts is this file's crop
// on the host, integer for integer): the detector places a face only to about a third of a half
// width (its 16 px cells), each face with its own steady offset, so each confirmed track's box
// is cropped from the full-resolution grey frame (a square SPAN half widths from the centre each
// way, area averaged to CROP x CROP, int8 = pixel - 128) and the regressor says how far the true
// head is: the centre's move in box half widths and the log size ratio. PASSES passes, each
// cropping at the last one's box. The refined box is kept per track and follows each frame's
// refinement smoothly (MOVE, RESIZE: as the tracker's, so the mouth crop does not jitter with
// the refiner's own pixel noise); the tracker's box stays the detector's, so association is
// unchanged. For host tools (free when none listens) each frame's refinements go out through
// debug.report(REPORT_INPUT): the grey frame once, then per track a record of six f32 (the
// track's box, the refined box): test/apps/active-speaker-refiner.test.ts checks them against
// the host's crop.
import * as debug from "../../hal/debug";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TYPE_INT8 } from "../../firmware/tflite/schema";
import { Tracker, MAX_TRACKS } from "./tracker";

export const CROP: i32 = 32;
export const SPAN: f32 = 2.5;
export const PASSES: i32 = 2;
const MOVE: f32 = 0.25;
const RESIZE: f32 = 0.1;

export class FaceRefiner {
  readonly engine: Interpreter;
  error: string = "";
  /** The last refine's box (pixels). */
  cx: f32 = 0;
  cy: f32 = 0;
  hw: f32 = 0;
  /** Per track slot: the smoothed refined box, and the track id it belongs to (0: none yet). */
  readonly rcx: StaticArray<f32> = new StaticArray<f32>(MAX_TRACKS);
  readonly rcy: StaticArray<f32> = new StaticArray<f32>(MAX_TRACKS);
  readonly rhw: StaticArray<f32> = new StaticArray<f32>(MAX_TRACKS);
  readonly owner: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS);
  runs: u64 = 0;
  private readonly record: usize = heap.alloc(24);

  constructor(partition: string) {
    this.engine = Interpreter.fromPartition(partition);
    this.error = this.engine.ok ? this.check() : this.engine.error;
  }

  private check(): string {
    const input = this.engine.input(0),
      out = this.engine.output(0);
    if (
      input.type != TYPE_INT8 ||
      input.rank != 4 ||
      input.dim(1) != CROP ||
      input.dim(2) != CROP ||
      input.dim(3) != 1
    )
      return "the refiner's input must be int8 [1, 32, 32, 1]";
    if (out.type != TYPE_INT8 || out.elements != 3)
      return "the refiner's output must be int8 [1, 3] (dx, dy, log size)";
    return "";
  }

  get ok(): bool {
    return this.error.length == 0;
  }

  /** The crop of a box into the model's input (refiner/crop.ts cropInput). */
  crop(grey: usize, w: i32, h: i32, cx: f32, cy: f32, hw: f32): void {
    const dst = this.engine.input(0).data;
    const half = max<i32>(1, <i32>Mathf.floor(hw * SPAN + <f32>0.5));
    const x0 = <i32>Mathf.floor(cx + <f32>0.5) - half,
      y0 = <i32>Mathf.floor(cy + <f32>0.5) - half;
    const side = 2 * half;
    for (let j = 0; j < CROP; j++) {
      const ya = y0 + (j * side) / CROP;
      const yb = max<i32>(ya + 1, y0 + ((j + 1) * side) / CROP);
      for (let i = 0; i < CROP; i++) {
        const xa = x0 + (i * side) / CROP;
        const xb = max<i32>(xa + 1, x0 + ((i + 1) * side) / CROP);
        let acc: i32 = 0;
        for (let y = ya; y < yb; y++) {
          const row = grey + <usize>(min<i32>(h - 1, max<i32>(0, y)) * w);
          for (let x = xa; x < xb; x++)
            acc += <i32>load<u8>(row + <usize>min<i32>(w - 1, max<i32>(0, x)));
        }
        store<i8>(dst + <usize>(j * CROP + i), <i8>(acc / ((yb - ya) * (xb - xa)) - 128));
      }
    }
  }

  /** One box refined PASSES times; the result in cx, cy, hw. */
  refine(grey: usize, w: i32, h: i32, cx: f32, cy: f32, hw: f32): void {
    const out = this.engine.output(0);
    for (let p = 0; p < PASSES; p++) {
      this.crop(grey, w, h, cx, cy, hw);
      this.engine.invoke();
      this.runs++;
      const dx = <f32>(<i32>load<i8>(out.data) - out.zeroPoint) * out.scale;
      const dy = <f32>(<i32>load<i8>(out.data, 1) - out.zeroPoint) * out.scale;
      const ds = <f32>(<i32>load<i8>(out.data, 2) - out.zeroPoint) * out.scale;
      cx = cx + dx * hw;
      cy = cy + dy * hw;
      hw = hw * Mathf.exp(ds);
    }
    this.cx = cx;
    this.cy = cy;
    this.hw = hw;
  }

  /** Every confirmed track's refined box, from this frame; a new track's starts at its first refine.
   * With `onlyNew` (the frame budget degraded) only tracks not refined yet; the others hold theirs. */
  update(tracker: Tracker, grey: usize, w: i32, h: i32, onlyNew: bool = false): void {
    let reported = false;
    for (let s = 0; s < MAX_TRACKS; s++) {
      const t = tracker.tracks[s];
      if (t.id == 0 || !t.confirmed) {
        this.owner[s] = 0;
        continue;
      }
      if (onlyNew && this.owner[s] == t.id) continue; // degraded: each track's box refined once, then held
      if (!reported) {
        debug.report(debug.REPORT_INPUT, grey, w * h);
        reported = true;
      }
      this.refine(grey, w, h, t.cx, t.cy, t.hw);
      store<f32>(this.record, t.cx);
      store<f32>(this.record, t.cy, 4);
      store<f32>(this.record, t.hw, 8);
      store<f32>(this.record, this.cx, 12);
      store<f32>(this.record, this.cy, 16);
      store<f32>(this.record, this.hw, 20);
      debug.report(debug.REPORT_INPUT, this.record, 24);
      if (this.owner[s] != t.id) {
        this.owner[s] = t.id;
        this.rcx[s] = this.cx;
        this.rcy[s] = this.cy;
        this.rhw[s] = this.hw;
      } else {
        this.rcx[s] += MOVE * (this.cx - this.rcx[s]);
        this.rcy[s] += MOVE * (this.cy - this.rcy[s]);
        this.rhw[s] += RESIZE * (this.hw - this.rhw[s]);
      }
    }
  }
}
