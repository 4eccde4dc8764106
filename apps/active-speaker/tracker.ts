// Face tracks from frame to frame by centroid association: each frame's faces are matched to
// the live tracks nearest first (a face within 1.5 half widths of a track's centre continues
// it), a track moves toward its face smoothly (exponential, so the mouth crop does not jitter
// with the detector's cell-size noise, which would look like lip motion to the ASD model),
// a face that matches no track starts a tentative one, confirmed after CONFIRM frames in a row
// (a false detection on one frame never becomes a face), and a track that misses faces keeps its
// place for LOST_AFTER frames (a blink, a turned head, a hand) before it is dropped. Track ids
// count up from 1 and are never reused, so the console and the log name a face the same way
// for as long as it is seen.
export const MAX_TRACKS: i32 = 4;
const GATE: f32 = 1.5; // half widths
const MOVE: f32 = 0.25; // weight of the newest position
const RESIZE: f32 = 0.1; // weight of the newest size
export const CONFIRM: i32 = 3;
export const LOST_AFTER: i32 = 15; // frames: 1 s at 15 fps

export class Track {
  id: i32 = 0; // 0 = free slot
  cx: f32 = 0;
  cy: f32 = 0;
  hw: f32 = 0;
  hits: i32 = 0; // consecutive frames matched (up to CONFIRM)
  misses: i32 = 0; // consecutive frames unmatched
  confirmed: bool = false;
  /** Frames since the track started: a new track's mouth history starts empty. */
  age: i32 = 0;
}

export class Tracker {
  readonly tracks: StaticArray<Track> = new StaticArray<Track>(MAX_TRACKS);
  private nextId: i32 = 1;
  private readonly taken: StaticArray<bool> = new StaticArray<bool>(16);
  /** Tracks confirmed, and confirmed tracks lost, since the start. */
  started: u32 = 0;
  dropped: u32 = 0;

  constructor() {
    for (let i = 0; i < MAX_TRACKS; i++) this.tracks[i] = new Track();
  }

  /** One frame's faces (centre and half width in pixels, `n` of them, at most 16). */
  update(cx: StaticArray<f32>, cy: StaticArray<f32>, hw: StaticArray<f32>, n: i32): void {
    n = min(n, 16);
    for (let j = 0; j < n; j++) this.taken[j] = false;
    for (let i = 0; i < MAX_TRACKS; i++) this.tracks[i].misses++;
    // Nearest pairs first: repeatedly take the closest (track, face) pair inside the gate.
    for (;;) {
      let bestT = -1, bestF = -1;
      let bestD: f32 = Infinity;
      for (let i = 0; i < MAX_TRACKS; i++) {
        const t = this.tracks[i];
        if (t.id == 0 || t.misses == 0) continue; // free, or matched this frame
        for (let j = 0; j < n; j++) {
          if (this.taken[j]) continue;
          const dx = cx[j] - t.cx, dy = cy[j] - t.cy;
          const d = Mathf.sqrt(dx * dx + dy * dy) / max<f32>(t.hw, hw[j]);
          if (d <= GATE && d < bestD) { bestD = d; bestT = i; bestF = j; }
        }
      }
      if (bestT < 0) break;
      const t = this.tracks[bestT];
      this.taken[bestF] = true;
      t.cx += MOVE * (cx[bestF] - t.cx);
      t.cy += MOVE * (cy[bestF] - t.cy);
      t.hw += RESIZE * (hw[bestF] - t.hw);
      t.misses = 0;
      if (t.hits < CONFIRM) t.hits++;
      if (t.hits >= CONFIRM && !t.confirmed) { t.confirmed = true; this.started++; }
    }
    for (let i = 0; i < MAX_TRACKS; i++) {
      const t = this.tracks[i];
      if (t.id == 0) continue;
      t.age++;
      if (t.misses > 0) t.hits = 0;
      // Tentative tracks die at their first miss; confirmed ones after LOST_AFTER.
      if ((!t.confirmed && t.misses > 0) || t.misses > LOST_AFTER) {
        if (t.confirmed) this.dropped++;
        t.id = 0;
      }
    }
    for (let j = 0; j < n; j++) {
      if (this.taken[j]) continue;
      let slot = -1;
      for (let i = 0; i < MAX_TRACKS; i++) if (this.tracks[i].id == 0) { slot = i; break; }
      if (slot < 0) break; // every slot is a face already
      const t = this.tracks[slot];
      t.id = this.nextId++;
      t.cx = cx[j]; t.cy = cy[j]; t.hw = hw[j];
      t.hits = 1; t.misses = 0; t.age = 0;
      t.confirmed = false;
    }
  }
}
