// The host's copy of the app's face detector and tracker (train/detector-boxes.ts), whose boxes
// the ASD model trains on: the tracker's constants are tracker.ts's, it confirms, follows and
// drops a face as tracker.ts does, and a meeting rendered with the detector carries crops cut at
// the detector's boxes (near the true head, not the seat boxes) through the cache.
import test from "ava";
import { readFileSync } from "node:fs";
import {
  HostTracker,
  TRACK_CONFIRM,
  TRACK_GATE,
  TRACK_LOST_AFTER,
  TRACK_MOVE,
  TRACK_RESIZE,
  loadDetector,
} from "../../apps/active-speaker/train/detector-boxes.ts";
import { TRAIN_SET, randomMeeting, sceneSamples } from "../../apps/active-speaker/train/dataset.ts";
import { cachedSceneSamples } from "../../apps/active-speaker/train/sample-cache.ts";
import { boxErrors } from "../../apps/active-speaker/train/measure-crops.ts";

test("the host tracker's constants are the firmware tracker's", (t) => {
  const src = readFileSync("apps/active-speaker/tracker.ts", "utf8");
  const num = (name: string) =>
    Number(new RegExp(`const ${name}: \\w+ = ([\\d.]+);`).exec(src)![1]);
  t.is(TRACK_GATE, num("GATE"));
  t.is(TRACK_MOVE, num("MOVE"));
  t.is(TRACK_RESIZE, num("RESIZE"));
  t.is(TRACK_CONFIRM, num("CONFIRM"));
  t.is(TRACK_LOST_AFTER, num("LOST_AFTER"));
});

test("the host tracker confirms after 3 frames, moves a quarter of the way, drops after 15 misses", (t) => {
  const tr = new HostTracker();
  const face = { cx: 100, cy: 80, hw: 20 };
  tr.update([face]);
  tr.update([face]);
  t.false(tr.tracks[0]!.confirmed);
  tr.update([face]);
  t.true(tr.tracks[0]!.confirmed);
  tr.update([{ cx: 108, cy: 80, hw: 30 }]);
  t.is(tr.tracks[0]!.cx, 102);
  t.is(tr.tracks[0]!.hw, 21);
  // Outside the gate (1.5 half widths): a new tentative track, the first one missed.
  tr.update([{ cx: 200, cy: 80, hw: 20 }]);
  t.is(tr.tracks.filter((k) => k).length, 2);
  for (let i = 0; i < TRACK_LOST_AFTER - 1; i++) tr.update([]);
  t.truthy(tr.tracks[0], "held through 15 missed frames");
  tr.update([]);
  t.is(tr.tracks[0], null);
});

test("a meeting rendered with the detector has crops at its tracked boxes, near the true heads", async (t) => {
  const detector = await loadDetector();
  const raw = randomMeeting({ ...TRAIN_SET, seconds: 3 }, 1);
  const fresh = sceneSamples(raw, "fresh", detector).samples;
  cachedSceneSamples(raw, "first", detector);
  const cached = cachedSceneSamples(raw, "again");
  detector.ref.dispose();
  for (const k of ["videoDetector", "detectorError", "videoJitter"] as const)
    t.true(Buffer.from(cached[k]!.buffer).equals(Buffer.from(fresh[k]!.buffer)), k);
  const people = (raw.people as unknown[]).length;
  const err = boxErrors({
    samples: fresh,
    tracks: Int32Array.from({ length: fresh.count }, (_, k) => k % people),
  });
  // The detector's boxes sit on the heads (centre within one half width, size within 40 %)
  // but not on the seat boxes: the crops differ.
  t.true(err.p90Centre < 1 && err.medianSize < 0.4, JSON.stringify(err));
  let diff = 0;
  for (let i = 0; i < fresh.video.length; i++)
    diff += Math.abs(fresh.video[i] - fresh.videoDetector![i]);
  t.true(diff / fresh.video.length > 0.05, `mean crop difference ${diff / fresh.video.length}`);
});
