// The jittered boxes the ASD model may train on (train/jitter-boxes.ts): a steady offset per face
// per meeting, drawn from the spread the face detector's tracked boxes show, the same for the
// same meeting, and cut into crops beside the seat box's and the detector's.
import test from "ava";
import { JITTERS, jitterBoxes } from "../../apps/active-speaker/train/jitter-boxes.ts";
import { FRAME_H, FRAME_W } from "../../apps/active-speaker/train/features.ts";
import {
  TRAIN_SET,
  VIDEO_SIZE,
  randomMeeting,
  sceneSamples,
} from "../../apps/active-speaker/train/dataset.ts";
import { loadDetector } from "../../apps/active-speaker/train/detector-boxes.ts";

const seat = { cx: 0.5, cy: 0.45, hw: 0.06, hh: 0.11 };

test("jittered boxes: the same meeting seed gives the same boxes, another seed others", (t) => {
  const a = jitterBoxes(7, [seat, seat]);
  t.deepEqual(a, jitterBoxes(7, [seat, seat]));
  t.notDeepEqual(a, jitterBoxes(8, [seat, seat]));
  t.is(a.length, 2);
  t.is(a[0].length, JITTERS);
  t.notDeepEqual(a[0][0], a[1][0], "each face its own offset");
});

test("jittered boxes follow the detector's spread: 0.1 half widths high, rms 0.3, 7 % small", (t) => {
  const dx: number[] = [],
    dy: number[] = [],
    size: number[] = [];
  for (let s = 0; s < 1000; s++)
    for (const b of jitterBoxes(s, [seat])[0]) {
      dx.push((b.cx - seat.cx) / seat.hw);
      dy.push(((b.cy - seat.cy) * FRAME_H) / (seat.hw * FRAME_W));
      size.push(b.hw / seat.hw);
      t.true(Math.abs(b.hh / seat.hh - b.hw / seat.hw) < 1e-12, "aspect kept");
    }
  const mean = (x: number[]) => x.reduce((p, q) => p + q, 0) / x.length;
  const sd = (x: number[]) => Math.sqrt(mean(x.map((v) => (v - mean(x)) ** 2)));
  t.true(Math.abs(mean(dy) + 0.1) < 0.03, `mean dy ${mean(dy)}`);
  t.true(Math.abs(sd(dy) - 0.3) < 0.03, `sd dy ${sd(dy)}`);
  t.true(Math.abs(mean(dx) - 0.05) < 0.02, `mean dx ${mean(dx)}`);
  t.true(Math.abs(mean(size) - 0.93) < 0.02, `mean size ${mean(size)}`);
});

test("a meeting rendered with the detector also holds crops at its jittered boxes", async (t) => {
  const detector = await loadDetector();
  const raw = randomMeeting({ ...TRAIN_SET, seconds: 2 }, 3);
  const s = sceneSamples(raw, "jitter", detector).samples;
  detector.ref.dispose();
  t.is(s.videoJitter!.length, s.count * JITTERS * VIDEO_SIZE);
  // Sample 0's two jitters differ from each other and from the seat box's crop.
  const crop = (x: Float32Array, k: number) => x.subarray(k * VIDEO_SIZE, (k + 1) * VIDEO_SIZE);
  const diff = (a: Float32Array, b: Float32Array) =>
    a.reduce((n, v, i) => n + Math.abs(v - b[i]), 0) / a.length;
  const [j0, j1] = [crop(s.videoJitter!, 0), crop(s.videoJitter!, 1)];
  t.true(diff(j0, crop(s.video, 0)) > 0.05, `jitter 0 against seat ${diff(j0, crop(s.video, 0))}`);
  t.true(diff(j0, j1) > 0.05, `jitter 0 against jitter 1 ${diff(j0, j1)}`);
});
