// The audio-visual synchrony cue per face: how well the mouth's motion follows the sound's
// energy over the last second. Per camera frame a mouth activity value from the face's
// normalised mouth crop (features.ts mouthCrop), per 20 ms hop the log energy of the mel bands
// between 300 Hz and 3 kHz (from the log-mel values the audio branch gets), and the cue is
// the normalised correlation of the two over the last WINDOW frames, the best over audio lags
// of 0..MAX_LAG hops (the mouth leads the sound it makes), then taken against the highest
// other face's of the same step (as direction-cue.ts relativeCues). A face that mouths or
// chews while another talks moves without the sound's rhythm; the talker's mouth follows it.
// Host only: measured (measure-sync.ts), too weak to go into the firmware (README "Synchrony
// cue").
import {
  CROP_H,
  CROP_W,
  FPS,
  HISTORY,
  HOP,
  LOG_OFFSET,
  LOG_SCALE,
  MEL_BANDS,
  MEL_HIGH_HZ,
  MEL_LOW_HZ,
  SAMPLE_RATE,
  AUDIO_HOPS,
} from "./features.ts";
import { AUDIO_SIZE, VIDEO_SIZE, type Samples } from "./dataset.ts";
import { relativeCues } from "./direction-cue.ts";

/** Frames the correlation spans (1 s at 15 fps). */
export const WINDOW = 15;
/** Audio lags tried, in 20 ms hops: 0..120 ms. */
export const MAX_LAG = 6;
/** Hops whose log energies are averaged per frame (3, about a frame period, tied on
 *  validation: 0.9316 against 0.9324 for the pair's fusion with one hop). */
export const SPAN = 1;
/** Fewer frame pairs than this give no cue (0). */
const MIN_PAIRS = 5;
/** Mel bands whose centre lies in 300 Hz..3 kHz: where speech's energy follows the jaw. */
const BAND_LO_HZ = 300;
const BAND_HI_HZ = 3000;

/** "truth": the renderer's own mouth opening, a ceiling for what the crops could give (not
 *  something a camera has). */
export type Activity = "motion" | "opening" | "contrast" | "filter" | "truth";

const hzToMel = (f: number) => 1127 * Math.log(1 + f / 700);

/** The first and last mel band (HTK, features.ts) whose centre is within the band. */
export function speechBands(): [number, number] {
  const lo = hzToMel(MEL_LOW_HZ),
    step = (hzToMel(MEL_HIGH_HZ) - lo) / (MEL_BANDS + 1);
  const centre = (b: number) => 700 * (Math.exp((lo + step * (b + 1)) / 1127) - 1);
  let first = -1,
    last = -1;
  for (let b = 0; b < MEL_BANDS; b++)
    if (centre(b) >= BAND_LO_HZ && centre(b) <= BAND_HI_HZ) {
      if (first < 0) first = b;
      last = b;
    }
  return [first, last];
}

/** One hop's speech-band log energy from its MEL_BANDS log-mel values (features.ts scaling). */
export function hopEnergy(mel: ArrayLike<number>, at: number, bands = speechBands()): number {
  let sum = 0;
  for (let b = bands[0]; b <= bands[1]; b++) sum += Math.exp(mel[at + b] / LOG_SCALE - LOG_OFFSET);
  return Math.log(sum + 1e-12);
}

/** A crop's activity: "motion", the mean absolute change from the previous crop; "opening",
 *  how dark the mouth's middle is (rows 3..9, columns 8..15 hold a seated face's mouth);
 *  "contrast", the lips and chin against the opening; "filter", a learnt weight per pixel. Crops
 *  in the model's layout [16, 24, HISTORY], channel j. */
function cropActivity(
  kind: Activity,
  video: Float32Array,
  at: number,
  j: number,
  prev: number,
  filter?: Float64Array,
): number {
  let acc = 0;
  if (kind === "filter") {
    for (let q = 0; q < CROP_H * CROP_W; q++) acc += filter![q] * video[at + q * HISTORY + j];
    return acc;
  }
  if (kind === "motion") {
    for (let q = 0; q < CROP_H * CROP_W; q++)
      acc += Math.abs(video[at + q * HISTORY + j] - video[at + q * HISTORY + prev]);
    return acc / (CROP_H * CROP_W);
  }
  if (kind === "opening") {
    for (let r = 3; r <= 9; r++)
      for (let c = 8; c <= 15; c++) acc -= video[at + (r * CROP_W + c) * HISTORY + j];
    return acc / 56;
  }
  // "contrast": the lips and chin below (rows 8..11) against the mouth's opening (rows 4..6).
  for (let c = 7; c <= 18; c++)
    for (let r = 8; r <= 11; r++) acc += video[at + (r * CROP_W + c) * HISTORY + j] / 48;
  for (let c = 9; c <= 14; c++)
    for (let r = 4; r <= 6; r++) acc -= video[at + (r * CROP_W + c) * HISTORY + j] / 18;
  return acc;
}

/** The newest hop of frame f's audio window (features.ts audioWindow). */
export const frameHop = (f: number) => Math.floor(((f / FPS) * SAMPLE_RATE) / HOP) - 1;

/** Best normalised correlation over lags 0..maxLag of activity[i] with the mean energy of the
 *  `span` hops ending at hop[i] + lag,
 *  pairs whose lagged hop is past `lastHop` (not heard yet) left out. */
function syncCorrelation(
  activity: readonly number[],
  hop: readonly number[],
  energy: (k: number) => number,
  lastHop: number,
  maxLag = MAX_LAG,
  span = SPAN,
): number {
  let best = -Infinity;
  for (let lag = 0; lag <= maxLag; lag++) {
    let n = 0,
      sa = 0,
      se = 0,
      saa = 0,
      see = 0,
      sae = 0;
    for (let i = 0; i < activity.length; i++) {
      const k = hop[i] + lag;
      if (k > lastHop) continue;
      const a = activity[i];
      let e = 0;
      for (let q = 0; q < span; q++) e += energy(k - q);
      e /= span;
      n++;
      sa += a;
      se += e;
      saa += a * a;
      see += e * e;
      sae += a * e;
    }
    if (n < MIN_PAIRS) continue;
    const va = saa - (sa * sa) / n,
      ve = see - (se * se) / n;
    if (va <= 1e-12 || ve <= 1e-12) continue;
    const r = (sae - (sa * se) / n) / Math.sqrt(va * ve);
    best = Math.max(best, r);
  }
  return best === -Infinity ? 0 : best;
}

export interface SyncOptions {
  activity: Activity;
  window: number;
  maxLag: number;
  span?: number;
  absolute?: boolean;
  /** Activity "filter": its weight per crop pixel (sync-filter.ts). */
  filter?: Float64Array;
  /** Activity "truth": meeting m's face p's mouth opening at frame f. */
  truth?: (m: number, p: number, f: number) => number;
}
export const SYNC_DEFAULT: SyncOptions = { activity: "motion", window: WINDOW, maxLag: MAX_LAG };

/** A meeting's shape in a run of samples: its faces and its steps. */
export interface MeetingShape {
  people: number;
  steps: number;
}

/** The speech-band energy of each hop of sample `k`'s audio window, by hop index (the window
 *  ends at hop `last`), into `energy`. */
export function addStepEnergy(
  energy: Map<number, number>,
  s: Samples,
  k: number,
  last: number,
  bands: [number, number],
): void {
  for (let i = 0; i < AUDIO_HOPS; i++)
    energy.set(
      last - AUDIO_HOPS + 1 + i,
      hopEnergy(s.audio, k * AUDIO_SIZE + i * MEL_BANDS, bands),
    );
}

/** The cue per sample of consecutive meetings (dataset.ts order: step by step, the faces of a
 *  meeting in seat order), from the crops `video` (the seat crops or the
 *  detector's) and the log-mel audio windows. Each track's frames are rebuilt from its samples:
 *  the first sample holds HISTORY frames, each later one adds its newest. */
export function sampleSyncCues(
  s: Samples,
  video: Float32Array,
  meetings: readonly MeetingShape[],
  o: SyncOptions = SYNC_DEFAULT,
): Float64Array {
  const out = new Float64Array(s.count);
  const bands = speechBands();
  let k = 0;
  meetings.forEach(({ people: n, steps }, mi) => {
    const energy = new Map<number, number>();
    const acts = Array.from({ length: n }, () => ({ a: [] as number[], h: [] as number[] }));
    for (let step = 0; step < steps; step++) {
      const f = HISTORY - 1 + step;
      const last = frameHop(f);
      // The hops of this step's audio window (the same for every face).
      addStepEnergy(energy, s, k, last, bands);
      const cues: number[] = [];
      for (let p = 0; p < n; p++) {
        const at = (k + p) * VIDEO_SIZE;
        const tr = acts[p];
        // The first step brings its HISTORY frames; later steps their newest.
        const from = step === 0 ? (o.activity === "motion" ? 1 : 0) : HISTORY - 1;
        for (let j = from; j < HISTORY; j++) {
          const g = f - (HISTORY - 1) + j;
          tr.a.push(
            o.activity === "truth"
              ? o.truth!(mi, p, g)
              : cropActivity(o.activity, video, at, j, j - 1, o.filter),
          );
          tr.h.push(frameHop(f - (HISTORY - 1) + j));
        }
        while (tr.a.length > o.window) {
          tr.a.shift();
          tr.h.shift();
        }
        cues.push(
          syncCorrelation(tr.a, tr.h, (q) => energy.get(q) ?? 0, last, o.maxLag, o.span ?? SPAN),
        );
      }
      const rel = o.absolute ? cues : relativeCues(cues);
      rel.forEach((c, p) => (out[k + p] = c));
      k += n;
    }
  });
  if (k !== s.count) throw new Error(`sync cue: ${k} of ${s.count} samples in whole steps`);
  return out;
}
