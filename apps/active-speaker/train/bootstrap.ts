// A confidence interval for a pooled auROC over meetings: the face-frames of one meeting share
// its room, voices, lighting and noise draw, so they are not independent samples; the meeting
// is the unit. Each resample draws as many meetings as there are, with replacement, pools their
// face-frames and scores them; the interval is the resamples' percentiles (percentile bootstrap).
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { auroc } from "./auroc.ts";

export interface MeetingScores {
  scores: number[];
  labels: number[];
}

export interface Interval {
  /** The pooled auROC of all meetings. */
  value: number;
  lo: number;
  hi: number;
  /** Resamples scored (a resample with one class only is drawn again). */
  resamples: number;
}

/** Percentile bootstrap over meetings: `level` 0.95 gives the 2.5th and 97.5th percentiles. */
export function meetingBootstrap(
  meetings: MeetingScores[],
  opts: { resamples?: number; level?: number; seed?: number } = {},
): Interval {
  const resamples = opts.resamples ?? 2000,
    level = opts.level ?? 0.95;
  const rnd = seededRandom(opts.seed ?? 1);
  const pool = (ms: MeetingScores[]) => ({
    scores: ms.flatMap((m) => m.scores),
    labels: ms.flatMap((m) => m.labels),
  });
  const all = pool(meetings);
  const value = auroc(all.scores, all.labels);
  const draws: number[] = [];
  for (let tries = 0; draws.length < resamples && tries < resamples * 10; tries++) {
    const pick = meetings.map(() => meetings[Math.floor(rnd() * meetings.length)]);
    const p = pool(pick);
    const a = auroc(p.scores, p.labels);
    if (!Number.isNaN(a)) draws.push(a);
  }
  draws.sort((a, b) => a - b);
  const at = (q: number) =>
    draws[Math.min(draws.length - 1, Math.max(0, Math.floor(q * draws.length)))];
  return { value, lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2), resamples: draws.length };
}

export const formatInterval = (i: Interval, digits = 3) =>
  `${i.value.toFixed(digits)} [${i.lo.toFixed(digits)}, ${i.hi.toFixed(digits)}]`;
