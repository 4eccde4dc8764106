// train/eval-app.ts's scoring of the app's steps: each face is matched to the nearest true head
// within its half width, scored against that person's label, and its box compared with the true
// head (half width over the true one, vertical offset in true half widths, + = below).
import test from "ava";
import { emptyScored, mean, scoreSteps } from "../../apps/active-speaker/train/eval-app.ts";

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
          { id: 2, x: 221, y: 96, hw: 18, raw: 0.2, smoothed: 0.1 },
          // Over a: 6 px below (0.3), 10 % large.
          { id: 1, x: 99, y: 106, hw: 22, raw: 0.9, smoothed: 0.8 },
          // Nobody's head: a false face.
          { id: 3, x: 300, y: 20, hw: 10, raw: 0.5, smoothed: 0.5 },
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
