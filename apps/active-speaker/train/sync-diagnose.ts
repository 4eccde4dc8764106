// What the synchrony cue sees, for measure-sync.ts: the mean cue per condition (a talker, a
// listener, a silent mouther, ...) and how well a learnt mouth filter reads the renderer's own
// mouth opening (the correlation r over every face-frame's newest crop).
import type { Samples } from "./dataset.ts";
import { VIDEO_SIZE } from "./dataset.ts";
import { CROP_H, CROP_W, HISTORY } from "./features.ts";
import type { MeetingShape } from "./sync-cue.ts";
import type { OpeningTruth } from "./sync-filter.ts";

/** "speaks", "speaks+<distractor>", a distractor, "listens" (another face speaks) or "silence". */
function conditionOf(s: Samples, k: number): string {
  if (s.face[k]) return s.condition[k] ? `speaks+${s.condition[k]}` : "speaks";
  return s.condition[k] || (s.any[k] ? "listens" : "silence");
}

/** Mean cue per condition, as "name mean (count)" items. */
export function cueByCondition(s: Samples, cue: ArrayLike<number>): string {
  const groups = new Map<string, number[]>();
  for (let k = 0; k < s.count; k++) {
    const g = conditionOf(s, k);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(cue[k]);
  }
  return [...groups]
    .map(([g, v]) => `${g} ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(2)} (${v.length})`)
    .join(", ");
}

/** Pearson r of the filter's reading of each sample's newest crop against the true opening. */
export function filterAgainstOpening(
  filter: Float64Array,
  video: Float32Array,
  meetings: readonly MeetingShape[],
  truth: OpeningTruth,
): number {
  const xs: number[] = [],
    ys: number[] = [];
  let k = 0;
  meetings.forEach(({ people, steps }, m) => {
    for (let step = 0; step < steps; step++)
      for (let p = 0; p < people; p++, k++) {
        let a = 0;
        for (let q = 0; q < CROP_H * CROP_W; q++)
          a += filter[q] * video[k * VIDEO_SIZE + q * HISTORY + HISTORY - 1];
        xs.push(a);
        ys.push(truth(m, p, HISTORY - 1 + step));
      }
  });
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n,
    my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
