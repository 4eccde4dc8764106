// The direction cue per face: how much of the sound of the crop history's 0.48 s comes from the
// face's direction, from every microphone of the array (firmware/dsp/srp-cue.ts, the twin of
// train/direction-cue.ts). The microphones' positions come from the board (mic.position) and are
// turned into the camera's frame by the board's camera axis (CAMERA_AXIS_DEG: the product's
// mounting choice, boards/*.json microphones.cameraAxisDeg); a face's azimuth is its box centre
// through the lens's field of view. Per 20 ms hop each live face's steered response is kept in
// its ring of 24 hops beside the grid's mean and maximum; a face's cue is the srpCueOf of the
// sums over the hops it has been seen in, and the fusion takes it against the highest other
// scored face's (relative, as train/direction-cue.ts relativeCues).
import * as mic from "../../hal/mic";
import { CAMERA_AXIS_DEG } from "../../firmware/board";
import { SrpCue, srpCueOf } from "../../firmware/dsp/srp-cue";
import { MAX_TRACKS } from "./tracker";
import { Faces } from "./faces";
import { FFT, HOPS, RATE } from "./audio";

/** The lens's horizontal field of view: the av-scene camera's default (scene.ts camera.fov), for
 *  which the meetings the fusion was fitted on were rendered. */
export const CAMERA_FOV_DEG: f32 = 62;
const K_LO: i32 = 10; // 312 Hz, train/direction-cue.ts K_LO
const K_HI: i32 = 240; // 7.5 kHz, train/direction-cue.ts K_HI
const GRID_STEP_DEG: i32 = 5; // train/direction-cue.ts GRID_STEP

export class DirectionCue {
  srp: SrpCue | null = null;
  private readonly focal: f32 = 0.5 / Mathf.tan(CAMERA_FOV_DEG * Mathf.PI / 360.0);
  private readonly face: usize = heap.alloc(<usize>(MAX_TRACKS * HOPS * 4)); // [slot][hop % HOPS]
  private readonly mean: usize = heap.alloc(<usize>(HOPS * 4));
  private readonly top: usize = heap.alloc(<usize>(HOPS * 4));
  private readonly seen: StaticArray<i32> = new StaticArray<i32>(MAX_TRACKS); // hops in the face's ring
  private hops: i32 = 0;

  constructor(mics: i32) {
    if (mics >= 2) this.srp = new SrpCue(mics, cameraFramePositions(mics), FFT, K_LO, K_HI, GRID_STEP_DEG, <f32>RATE);
  }

  /** A face box centre (fraction of the width) as an azimuth in degrees, + left. */
  @inline azimuthDeg(cx: f64): f32 {
    return Mathf.atan((0.5 - <f32>cx) / this.focal) * 180.0 / Mathf.PI;
  }

  /** A new face in slot s: its ring starts empty. */
  reset(s: i32): void { this.seen[s] = 0; }

  /** One hop: every channel's spectrum and microphone 0's energy (audio.ts), toward every live face. */
  hop(spectra: usize, energy: f32, faces: Faces): void {
    const srp = this.srp;
    if (!srp) return;
    srp.hop(spectra, energy);
    const at = this.hops % HOPS;
    store<f32>(this.mean + (<usize>at << 2), srp.mean);
    store<f32>(this.top + (<usize>at << 2), srp.max);
    for (let s = 0; s < MAX_TRACKS; s++) {
      if (!faces.live[s]) { this.seen[s] = 0; continue; }
      store<f32>(this.face + (<usize>(s * HOPS + at) << 2), srp.response(this.azimuthDeg(faces.cx[s])));
      if (this.seen[s] < HOPS) this.seen[s]++;
    }
    this.hops++;
  }

  /** Slot s's cue over the hops of its ring (up to HOPS, the newest); 0 before any. */
  cue(s: i32): f32 {
    const n = this.seen[s];
    if (n == 0) return 0;
    let f: f32 = 0, m: f32 = 0, x: f32 = 0;
    for (let k = 1; k <= n; k++) {
      const at = (this.hops - k) % HOPS;
      f += load<f32>(this.face + (<usize>(s * HOPS + at) << 2));
      m += load<f32>(this.mean + (<usize>at << 2));
      x += load<f32>(this.top + (<usize>at << 2));
    }
    return srpCueOf(f, m, x);
  }
}

/** The microphones' positions (mic.position) turned into the camera's frame (x forward, y left):
 *  mics x (x, y, z) f32 mm. */
function cameraFramePositions(mics: i32): usize {
  const positions = heap.alloc(<usize>(mics * 12));
  const a: f32 = -CAMERA_AXIS_DEG * Mathf.PI / 180.0;
  const c = Mathf.cos(a), s = Mathf.sin(a);
  const p = heap.alloc(12);
  for (let i = 0; i < mics; i++) {
    mic.position(<u32>i, p);
    const x = load<f32>(p), y = load<f32>(p, 4);
    store<f32>(positions + <usize>(i * 12), c * x - s * y);
    store<f32>(positions + <usize>(i * 12), s * x + c * y, 4);
    store<f32>(positions + <usize>(i * 12), load<f32>(p, 8), 8);
  }
  return positions;
}

/** Each scored face's cue minus the highest other scored face's (a lone face keeps its own):
 *  train/direction-cue.ts relativeCues. `cue` and `scored` per slot; the result into `out`. */
export function relativeCues(cue: StaticArray<f32>, scored: StaticArray<bool>, out: StaticArray<f32>): void {
  let count = 0;
  for (let s = 0; s < MAX_TRACKS; s++) if (scored[s]) count++;
  for (let s = 0; s < MAX_TRACKS; s++) {
    if (!scored[s]) continue;
    let other: f32 = count > 1 ? -Infinity : 0;
    for (let j = 0; j < MAX_TRACKS; j++) if (j != s && scored[j] && cue[j] > other) other = cue[j];
    out[s] = cue[s] - other;
  }
}
