// train/eval-app.ts's scoring of the app's steps: each face is matched to the nearest true head
// within its half width, scored against that person's label, and its box compared with the true
// head (half width over the true one, vertical offset in true half widths, + = below).
import test from "ava";
import {
  emptyScored,
  mean,
  parseAppConsole,
  scoreSteps,
} from "../../apps/active-speaker/train/eval-app.ts";
import { meetingBootstrap } from "../../apps/active-speaker/train/bootstrap.ts";
import { auroc } from "../../apps/active-speaker/train/auroc.ts";

test("a step's faces are matched to the true heads and their boxes measured against them", (t) => {
  // Two people: heads 40 x 56 px at (100, 100) speaking and (220, 100) silent.
  const truth = [
    { frame: 0, t: 0, person: "a", speaking: true, mouthVisible: true, box: [80, 72, 40, 56] },
    { frame: 0, t: 0, person: "b", speaking: false, mouthVisible: true, box: [200, 72, 40, 56] },
  ] as const;
  const out = emptyScored();
  scoreSteps(
    [
      {
        tMs: 600,
        faces: [
          // Over b: 4 px high (0.2 true half widths), 10 % small.
          {
            id: 2,
            x: 221,
            y: 96,
            hw: 18,
            raw: 0.2,
            smoothed: 0.1,
            fused: 0,
            relCue: 0,
            audioLogit: 0,
          },
          // Over a: 6 px below (0.3), 10 % large.
          {
            id: 1,
            x: 99,
            y: 106,
            hw: 22,
            raw: 0.9,
            smoothed: 0.8,
            fused: 0,
            relCue: 0,
            audioLogit: 0,
          },
          // Nobody's head: a false face.
          {
            id: 3,
            x: 300,
            y: 20,
            hw: 10,
            raw: 0.5,
            smoothed: 0.5,
            fused: 0,
            relCue: 0,
            audioLogit: 0,
          },
        ],
      },
    ],
    0,
    () => truth.map((r) => ({ ...r, box: [...r.box] as [number, number, number, number] })),
    out,
  );
  t.deepEqual(out.labels, [0, 1]);
  t.deepEqual(out.smoothed, [0.1, 0.8]);
  t.is(out.falseFaces, 1);
  t.is(out.missed, 0);
  t.deepEqual(
    out.boxSize.map((v) => +v.toFixed(3)),
    [0.9, 1.1],
  );
  t.deepEqual(
    out.boxDy.map((v) => +v.toFixed(3)),
    [-0.2, 0.3],
  );
  t.is(+mean(out.boxDy).toFixed(3), 0.05);
});

test("the console line's video, audio and cue values join the step's face record", (t) => {
  const face = (id: number, smoothed: number) => ({
    id,
    x: 0,
    y: 0,
    hw: 10,
    raw: smoothed,
    smoothed,
    fused: 0,
    relCue: 0,
    audioLogit: 0,
  });
  const { steps } = parseAppConsole(
    [
      {
        text: "[1.200 s] f1@93,105 0.87 (v 0.95 a 0.80 c -0.21) f2@200,99 0.10 (v 0.05 a 0.80 c 0.21) | f1",
        timeUs: 0,
      },
      { text: "[1.267 s] f1@93,105 0.90 (v 0.97 a 0.81) | f1", timeUs: 0 },
    ],
    [
      { tMs: 1200, faces: [face(1, 0.871), face(2, 0.1)] },
      { tMs: 1267, faces: [face(1, 0.9)] },
    ],
  );
  t.deepEqual(
    steps.map((s) => s.faces.map((f) => [f.video, f.audio, f.cue])),
    [
      [
        [0.95, 0.8, -0.21],
        [0.05, 0.8, 0.21],
      ],
      [[0.97, 0.81, undefined]],
    ],
  );
});

// Meetings whose face-frames score alike: the pooled auROC of any resample of whole meetings is
// the same, so the interval has no width (resampling single face-frames would give it some).
test("the bootstrap resamples whole meetings: identical meetings give no interval, more meetings a narrower one", (t) => {
  const meeting = (shift: number) => {
    const scores: number[] = [],
      labels: number[] = [];
    for (let i = 0; i < 40; i++) {
      labels.push(i % 2);
      // Positives above negatives except for an overlap that grows with `shift`.
      scores.push((i % 2) + (((i * 7919) % 40) / 40) * shift);
    }
    return { scores, labels };
  };
  const same = meetingBootstrap([meeting(1.5), meeting(1.5), meeting(1.5), meeting(1.5)]);
  t.is(same.lo, same.value);
  t.is(same.hi, same.value);
  const ms = [meeting(0.5), meeting(1), meeting(1.5), meeting(2), meeting(3)];
  const own = ms.map((m) => auroc(m.scores, m.labels));
  const spread = meetingBootstrap(ms, { resamples: 500, seed: 7 });
  t.true(spread.lo < spread.value && spread.value < spread.hi, JSON.stringify(spread));
  // Four times the meetings (the same five again): a narrower interval around the same value.
  const more = meetingBootstrap([...ms, ...ms, ...ms, ...ms], { resamples: 500, seed: 7 });
  t.is(more.value, spread.value);
  t.true(more.hi - more.lo < 0.7 * (spread.hi - spread.lo), JSON.stringify({ own, spread, more }));
  t.deepEqual(
    meetingBootstrap(ms, { resamples: 500, seed: 7 }),
    spread,
    "seeded: the same interval",
  );
  t.is(spread.resamples, 500);
});
