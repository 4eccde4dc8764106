// train/fit-app-fusion.ts: the app's smoothing copied per track (false faces smoothed, not
// scored), and the choice between the two fusions on synthetic face-frames whose truth is known.
import test from "ava";
import {
  appSmoothed,
  chooseFusion,
  smoothedAuroc,
} from "../../apps/active-speaker/train/fit-app-fusion.ts";
import type { FaceFrame } from "../../apps/active-speaker/train/eval-app.ts";

const frame = (track: number, fused: number, label: number): FaceFrame => ({
  track,
  fused,
  cue: 0,
  audio: 0,
  label,
});

test("each track is smoothed from its own first score, as the app does (weight 0.5, f32)", (t) => {
  const s = appSmoothed(
    [frame(1, 0, 1), frame(2, 100, 0), frame(1, 100, 1), frame(2, -100, 0), frame(1, -100, 1)],
    (f) => f.fused,
  );
  t.deepEqual(
    s.map((v) => +v.toFixed(4)),
    [0.5, 1, 0.75, 0.5, 0.375],
  );
});

test("a false face is smoothed with its track but not scored", (t) => {
  // Track 1 speaks (0.5), track 2 does not; track 2's false-face frame (-1) smooths to 0.56.
  const frames = [
    frame(1, 0, 1),
    frame(2, -2, 0),
    frame(2, 9, -1),
    frame(1, 0, 1),
    frame(2, -2, 0),
  ];
  t.is(
    smoothedAuroc(frames, (f) => f.fused),
    1,
  );
  // Scored, that frame would rank a negative above both positives.
  const scored = frames.map((f) => ({ ...f, label: f.label < 0 ? 0 : f.label }));
  t.true(smoothedAuroc(scored, (f) => f.fused) < 1);
});

/** Face-frames whose truth is a logistic in the given logit (a fixed pseudo-random sequence). */
function synthetic(truth: (fused: number, cue: number, audio: number) => number): FaceFrame[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: 4000 }, (_, i) => {
    const fused = 4 * rand() - 2,
      cue = rand() - 0.5,
      audio = 4 * rand() - 2;
    const label = rand() < 1 / (1 + Math.exp(-truth(fused, cue, audio))) ? 1 : 0;
    return { track: i, fused, cue, audio, label };
  });
}

test("the fusion with the cue x audio term is chosen only when it scores higher", (t) => {
  // The cue counts only while someone is heard: the third number is needed.
  const gated = chooseFusion(
    synthetic((f, c, a) => 2 * f + 8 * c * Math.max(0, a)),
    2,
  );
  t.true(gated.three.auroc > gated.two.auroc + 0.001);
  // (truth 4; the fit lets w_cue take a little of it)
  const ratio = gated.pick.wCueAudio / gated.pick.wFused;
  t.true(
    ratio > 2 && ratio < 6 && gated.pick.wCueAudio > 4 * gated.pick.wCue,
    JSON.stringify(gated.pick),
  );
  // The cue alone: the two-number line, its ratio recovered, no audio weight.
  const plain = chooseFusion(
    synthetic((f, c) => 2 * f + 6 * c - 1),
    2,
  );
  t.is(plain.pick.wCueAudio, 0);
  t.true(Math.abs(plain.pick.wCue / plain.pick.wFused - 3) < 0.6, JSON.stringify(plain.pick));
  t.is(plain.pick.mics, 2);
});
