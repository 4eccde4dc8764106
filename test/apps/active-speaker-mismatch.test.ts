// Mismatched audio for the fusion's training (apps/active-speaker/train/mismatch.ts): about the
// asked share of rows get another sample's audio and a fused target of 0; the rest keep their own.
import test from "ava";
import { mismatchBatch } from "../../apps/active-speaker/train/mismatch.ts";
import { seededRandom } from "../../apps/fan-monitor/train/dataset.ts";

test("a quarter of the rows hear another sample, and only those lose the fused target", (t) => {
  const own = Array.from({ length: 4000 }, (_, i) => (i * 7) % 50);
  const { audioIdx, fusedKeep } = mismatchBatch(own, 50, 0.25, seededRandom(3));
  t.is(audioIdx.length, own.length);
  const swapped = audioIdx.filter((k, r) => k !== own[r]).length;
  t.true(Math.abs(swapped / own.length - 0.25) < 0.03, `${swapped} of ${own.length} swapped`);
  for (let r = 0; r < own.length; r++) {
    t.true(audioIdx[r] >= 0 && audioIdx[r] < 50);
    t.is(fusedKeep[r], audioIdx[r] === own[r] ? 1 : 0);
  }
  // Every other sample can be drawn (none is favoured or left out).
  t.is(new Set(audioIdx.filter((k, r) => k !== own[r])).size, 50);
});

test("share 0 leaves every row its own audio and target", (t) => {
  const own = [5, 1, 9, 0];
  const { audioIdx, fusedKeep } = mismatchBatch(own, 10, 0, seededRandom(1));
  t.deepEqual(audioIdx, own);
  t.deepEqual(fusedKeep, [1, 1, 1, 1]);
});
