// A learnt mouth-opening filter for the synchrony cue (sync-cue.ts activity "filter"): one
// weight per crop pixel, a ridge regression of the speech-band log energy FILTER_LAG hops after
// a frame on that frame's normalised mouth crop, over the frames where the face speaks, each
// track's mean taken out of both sides (the cue correlates within a face: what differs between
// faces, skin, hair, glasses, says nothing). Fitted on training meetings only, at the seat
// boxes and at the face detector's.
import { VIDEO_SIZE, type Samples } from "./dataset.ts";
import { CROP_H, CROP_W, HISTORY } from "./features.ts";
import { addStepEnergy, frameHop, speechBands, type MeetingShape } from "./sync-cue.ts";

const PIXELS = CROP_H * CROP_W;

/** The renderer's own mouth opening of meeting m's face p at frame f (training meetings only):
 *  with it the filter is fitted on every frame to that opening instead of to the sound. */
export type OpeningTruth = (m: number, p: number, f: number) => number;
/** The audio lag the filter is fitted at: 60 ms (where the pixels' correlation with the
 *  energy peaked on the training meetings' talkers). */
const FILTER_LAG = 3;

/** Per track, its frames' newest crops and those frames' hops (rebuilt from its samples). */
function speakingFrames(
  s: Samples,
  video: Float32Array,
  meetings: readonly MeetingShape[],
  truth?: OpeningTruth,
) {
  const rows: { x: Float64Array; y: number }[][] = [];
  const bands = speechBands();
  let k = 0;
  meetings.forEach(({ people: n, steps }, mi) => {
    const energy = new Map<number, number>();
    const per = Array.from({ length: n }, () => [] as { x: Float64Array; y: number }[]);
    const pending = Array.from({ length: n }, () => [] as { x: Float64Array; h: number }[]);
    for (let step = 0; step < steps; step++) {
      const f = HISTORY - 1 + step;
      const last = frameHop(f);
      addStepEnergy(energy, s, k, last, bands);
      for (let p = 0; p < n; p++, k++) {
        if (!truth && !s.face[k]) continue;
        const j = HISTORY - 1;
        const x = new Float64Array(PIXELS);
        for (let q = 0; q < PIXELS; q++) x[q] = video[k * VIDEO_SIZE + q * HISTORY + j];
        if (truth) per[p].push({ x, y: truth(mi, p, f) });
        else pending[p].push({ x, h: frameHop(f) + FILTER_LAG });
      }
      // A frame's target is heard FILTER_LAG hops later: taken once that hop has arrived.
      for (let p = 0; p < n; p++)
        while (pending[p].length && pending[p][0].h <= last) {
          const { x, h } = pending[p].shift()!;
          per[p].push({ x, y: energy.get(h)! });
        }
    }
    rows.push(...per);
  });
  return rows.filter((r) => r.length >= 2);
}

/** The filter's weights from training meetings' crops (one or more crop sets of the same samples). */
export function fitSyncFilter(
  s: Samples,
  videos: Float32Array[],
  meetings: readonly MeetingShape[],
  ridge = 1,
  truth?: OpeningTruth,
): Float64Array {
  const a = Array.from({ length: PIXELS }, () => new Float64Array(PIXELS));
  const b = new Float64Array(PIXELS);
  let n = 0;
  for (const video of videos)
    for (const track of speakingFrames(s, video, meetings, truth)) {
      const mx = new Float64Array(PIXELS);
      let my = 0;
      for (const r of track) {
        for (let q = 0; q < PIXELS; q++) mx[q] += r.x[q] / track.length;
        my += r.y / track.length;
      }
      for (const r of track) {
        const x = r.x.map((v, q) => v - mx[q]);
        const y = r.y - my;
        for (let i = 0; i < PIXELS; i++) {
          b[i] += x[i] * y;
          const ai = a[i];
          for (let j = 0; j < PIXELS; j++) ai[j] += x[i] * x[j];
        }
        n++;
      }
    }
  for (let i = 0; i < PIXELS; i++) a[i][i] += ridge * n * 1e-2;
  return choleskySolve(a, b);
}

/** a x = b for a symmetric positive definite a (overwritten). */
function choleskySolve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= a[j][k] * a[j][k];
    a[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let v = a[i][j];
      for (let k = 0; k < j; k++) v -= a[i][k] * a[j][k];
      a[i][j] = v / a[j][j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = b[i];
    for (let k = 0; k < i; k++) v -= a[i][k] * y[k];
    y[i] = v / a[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let v = y[i];
    for (let k = i + 1; k < n; k++) v -= a[k][i] * x[k];
    x[i] = v / a[i][i];
  }
  return x;
}
