// The false-accept bench's split of scenes over worker processes (test/bench/voice-false-accepts.ts):
// every scene from --first-scene on runs exactly once, whatever the number of workers, and none
// before it (so a longer run adds to a shorter one's counts without repeating a scene).
import test from "ava";
import { workerScenes } from "../bench/voice-false-accepts.ts";

test("workers share the scenes from the first one on, each exactly once", (t) => {
  for (const workers of [1, 2, 3, 4])
    for (const first of [0, 10, 29]) {
      const all = Array.from({ length: workers }, (_, w) =>
        workerScenes(first, w, workers, 30),
      ).flat();
      t.deepEqual(
        all.sort((a, b) => a - b),
        Array.from({ length: 30 - first }, (_, i) => first + i),
        `${workers} workers from ${first}`,
      );
    }
  t.deepEqual(workerScenes(10, 1, 2, 30).slice(0, 3), [11, 13, 15]);
  t.deepEqual(workerScenes(30, 0, 2, 30), []);
});
