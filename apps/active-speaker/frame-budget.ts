// The app's answer to a core too slow for every frame's work: it degrades on purpose, in
// steps, instead of letting the camera drop frames and the microphones lose buffers. After every
// camera frame it predicts the busy share of a window of WINDOW frame periods at each level from
// what it measured with the board's cycle counter: the last WINDOW periods' work other than the
// detector and the model (microphone hops with the direction cue, crops, console, log), plus one
// detector invoke's cycles times the level's detector runs, plus one face's model cycles times
// the confirmed faces times the level's share. When the current level's prediction passes
// BUDGET_PCT, the level rises, for the rest of the run, to the first level under it (or 3):
//   level 1: the face detector on every 2nd frame (the tracker holds its tracks in between);
//   level 2: the face detector on every 4th frame;
//   level 3: also each face's model on every 2nd frame (faces alternate; a face not run this
//            frame keeps its last logits, its direction cue and smoothing still follow the frame).
// The detector is the largest single piece of a frame on a core without an NPU (MCX N947
// --cpu-only: 23.6 ms of a 66.7 ms period, the model 5.9 ms a face, the cue 16 ms), so it is
// thinned first; mouth crops are kept every frame, so the model still sees 15 fps lips. The
// prediction starts once the detector and the model have each run, so the level is chosen
// before a full-rate window has overrun. Cycles are deterministic: the same image and inputs
// change level on the same frames in every run.

/** A window of frame periods may be this busy before the app degrades. The microphones' DMA has
 * two 20 ms buffers (audio.ts), so a frame's work must leave room for the hops that arrive
 * during it. Measured on MCX N947 (4-6 s runs, per-second loads): --cpu-only at 96-100 % lost
 * 25 microphone buffers in 3 s and dropped a frame; runs at 84-90 % (three faces with the NPU,
 * two without it at level 1) lost nothing. */
export const BUDGET_PCT: u64 = 90;
/** Frame periods per measurement: a multiple of every level's detector spacing (predict() sums 4). */
export const WINDOW: u32 = 4;
export const MAX_LEVEL: i32 = 3;

export class FrameBudget {
  /** Cycles of one frame period at the camera's rate. */
  readonly periodCycles: u64;
  level: i32 = 0;
  /** The predicted busy share at the old level that raised it, in 0.01 % (for the console line). */
  lastLoad: u64 = 0;
  private frame: u32 = 0;
  /** The last WINDOW periods' cycles other than the detector's and the model's. */
  private readonly rest: StaticArray<u64> = new StaticArray<u64>(WINDOW);
  private periods: u32 = 0;

  constructor(coreHz: u64, fps: u32) {
    this.periodCycles = coreHz / <u64>fps;
  }

  /** The detector's spacing in frames at a level. */
  detectEvery(level: i32 = this.level): u32 {
    return level >= 2 ? 4 : level == 1 ? 2 : 1;
  }

  /** Whether this camera frame runs the face detector. */
  detectThisFrame(): bool {
    return this.frame % this.detectEvery() == 0;
  }

  /** Whether a window's periods have been measured (the level chosen for the start): the face-box
   * refiner waits for it, so that a slow core has degraded before the refiner adds to a frame. */
  settled(): bool {
    return this.periods >= WINDOW;
  }

  /** Whether the face-box refiner runs on this (not detecting) frame: degraded, on the frame after
   * each detector frame, so that the two never share one frame's period. */
  refineThisFrame(): bool {
    return this.level > 0 && this.frame % this.detectEvery() == 1;
  }

  /** Whether face slot `s` runs the model this frame (at level 3, alternate slots alternate). */
  scoreFace(s: i32): bool {
    return this.level < 3 || ((this.frame + <u32>s) & 1) == 0;
  }

  /** Predicted busy cycles of a window at `level`. */
  private predict(level: i32, detector: u64, perFace: u64, faces: i32): u64 {
    // Written out, not looped: a loop here, inlined into main's event loop, made an image the
    // meter verifier refused (verify-loops.ts, "set back without a tick") with FACE_DETECTOR=false.
    let busy: u64 = this.rest[0] + this.rest[1] + this.rest[2] + this.rest[3];
    busy += detector * <u64>(WINDOW / this.detectEvery(level));
    const model = perFace * <u64>faces * <u64>WINDOW;
    return busy + (level >= 3 ? model / 2 : model);
  }

  /** After a frame: its period's busy cycles and, of them, the detector's and the model's; one
   * detector invoke's and one face's model cycles (measured averages, 0 before the first) and
   * the confirmed faces. True when the level rose. */
  endFrame(periodBusy: u64, detectorSpent: u64, modelSpent: u64, detector: u64, perFace: u64, faces: i32): bool {
    this.rest[this.frame % WINDOW] = periodBusy - detectorSpent - modelSpent;
    this.frame++;
    if (this.periods < WINDOW) this.periods++;
    if (this.periods < WINDOW || this.level >= MAX_LEVEL || detector == 0 || perFace == 0) return false;
    const budget = this.periodCycles * <u64>WINDOW * BUDGET_PCT / 100;
    const now = this.predict(this.level, detector, perFace, faces);
    if (now <= budget) return false;
    this.lastLoad = now * 10000 / (this.periodCycles * <u64>WINDOW);
    let level = this.level + 1;
    if (level < MAX_LEVEL && this.predict(level, detector, perFace, faces) > budget) level++;
    if (level < MAX_LEVEL && this.predict(level, detector, perFace, faces) > budget) level++;
    this.level = level;
    this.frame = 0; // the next frame detects, then every detectEvery()-th
    return true;
  }

  /** What the level does, for the console. */
  describe(): string {
    if (this.level == 0) return "full rate";
    const d = "face detector every " + this.detectEvery().toString() + " frames";
    return this.level >= 3 ? d + ", each face's model every 2 frames" : d;
  }
}
