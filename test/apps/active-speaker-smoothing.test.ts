// The host's copy of the active-speaker app's smoothing (apps/active-speaker/train/smoothing.ts),
// which the held-out "as the app reports it" figures rest on: the same weight as main.ts, per
// track and in step order from a face's first score; the meetings' samples are assigned to the
// right tracks in time order; the validation choice breaks near-ties by latency.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { TRAIN_SET, VIDEO_SIZE } from "../../apps/active-speaker/train/dataset.ts";
import { HISTORY } from "../../apps/active-speaker/train/features.ts";
import {
  SMOOTHER_TIE,
  chooseSmoother,
  loadMeetings,
  logitsOf,
  scoreHeads,
} from "../../apps/active-speaker/train/evaluate.ts";
import {
  APP_SMOOTH,
  delaySteps,
  smoothPerTrack,
} from "../../apps/active-speaker/train/smoothing.ts";
import { ROOT } from "../faults/helpers.ts";

test("the host smooths with the app's weight (main.ts SMOOTH)", (t) => {
  const main = readFileSync(path.join(ROOT, "apps/active-speaker/main.ts"), "utf8");
  const m = /^const SMOOTH: f32 = ([\d.]+);/m.exec(main);
  t.truthy(m, "main.ts declares SMOOTH");
  t.is(Number(m![1]), APP_SMOOTH);
});

test("exponential smoothing runs per track, in order, from each track's first score", (t) => {
  const logit = (p: number) => Math.log(p / (1 - p));
  // Two tracks interleaved step by step, as dataset.ts writes them; track 1 starts a step late.
  const tracks = Int32Array.from([0, 0, 1, 0, 1, 0, 1]);
  const p = [0.9, 0.1, 0.2, 0.5, 0.8, 0.3, 0.6];
  const got = Array.from(
    smoothPerTrack(p.map(logit), tracks, { kind: "exponential", weight: 0.5 }),
  );
  const want = [0.9, 0.5, 0.2, 0.5, 0.5, 0.4, 0.55];
  got.forEach((v, i) => t.true(Math.abs(v - want[i]) < 1e-6, `step ${i}: ${v} vs ${want[i]}`));
  // A window mean of the last 2 steps of the track's own scores.
  const mean = Array.from(smoothPerTrack(p.map(logit), tracks, { kind: "mean", steps: 2 }));
  const wantMean = [0.9, 0.5, 0.2, 0.3, 0.5, 0.4, 0.7];
  mean.forEach((v, i) => t.true(Math.abs(v - wantMean[i]) < 1e-6, `mean ${i}: ${v}`));
  // Weight 1 is no smoothing: the probabilities themselves.
  const none = smoothPerTrack(p.map(logit), tracks, { kind: "exponential", weight: 1 });
  none.forEach((v, i) => t.true(Math.abs(v - p[i]) < 1e-6));
  t.is(delaySteps({ kind: "exponential", weight: APP_SMOOTH }), 1);
  t.is(delaySteps({ kind: "mean", steps: 3 }), 1);
});

test("a meeting's samples get their face's track, in step order", (t) => {
  // The smoke run's meeting (2-3 faces, 4 s): the cache makes it once.
  const m = loadMeetings({ ...TRAIN_SET, scenes: 1, seconds: 4 }, 0, 1);
  const { samples: s, tracks } = m;
  const faces = new Set(tracks).size;
  t.true(faces >= 2, `${faces} faces`);
  // Each sample holds a face's last HISTORY mouth crops, oldest first (channel j of HWC):
  // the next sample of the same track is the same history moved on by one frame.
  const crop = (k: number, j: number) =>
    Array.from(
      { length: VIDEO_SIZE / HISTORY },
      (_, q) => s.video[k * VIDEO_SIZE + q * HISTORY + j],
    );
  let checked = 0;
  for (let k = 0; k < s.count; k++) {
    const next = tracks.indexOf(tracks[k], k + 1);
    if (next < 0) continue;
    t.is(next - k, faces, "one sample per face per step");
    t.deepEqual(crop(next, 0), crop(k, 1), `sample ${k}: the next step's history follows on`);
    checked++;
  }
  t.true(checked > 50, `${checked} steps checked`);
  // Smoothing over these tracks changes the scores and so the auROC (here: the labels as
  // logits with noise, which smoothing over time makes cleaner).
  const logits = logitsOf(s.count);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 8;
  for (const h of ["fused", "video", "audio"] as const)
    for (let k = 0; k < s.count; k++) logits[h][k] = (s.face[k] * 2 - 1) * 0.5 + noise();
  const r = scoreHeads(logits, s.face, tracks);
  t.true(r.smoothed!.fused > r.raw.fused + 0.02, `${r.raw.fused} -> ${r.smoothed!.fused}`);
});

test("the validation choice: the best fused auROC, the least delay within a tie", (t) => {
  // One track, speaking in runs of 6 steps, with noise: no smoothing loses to a little, and a
  // slow smoother loses as it smears each run into the next.
  const n = 600;
  const labels = Float32Array.from({ length: n }, (_, i) => (Math.floor(i / 6) % 2 ? 1 : 0));
  const tracks = new Int32Array(n);
  let seed = 3;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 3;
  const logits = logitsOf(n);
  for (let i = 0; i < n; i++) logits.fused[i] = labels[i] * 2 - 1 + noise();
  const c = chooseSmoother(logits, labels, tracks);
  const best = Math.max(...c.all.map((x) => x.fused));
  const of = (name: string) => c.all.find((x) => x.smoother === name)!.fused;
  t.log(`chose ${JSON.stringify(c.smoother)} at ${c.fused.toFixed(4)} (best ${best.toFixed(4)})`);
  t.true(c.fused >= best - SMOOTHER_TIE);
  t.true(c.fused > of("exponential, weight 1") && c.fused > of("exponential, weight 0.1"));
  // A constant score: every smoother ties (auROC 0.5); the one without delay wins, not the first.
  const flat = logitsOf(n);
  flat.fused.fill(0.3);
  t.deepEqual(chooseSmoother(flat, labels, tracks).smoother, { kind: "exponential", weight: 1 });
});
