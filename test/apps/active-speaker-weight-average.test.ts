// The training's weight average (apps/active-speaker/train/weight-average.ts): the mean of the
// weights over the steps from its window's start, and a swap that puts the weights back exactly.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import test from "ava";
import { WeightAverage, swapWeights } from "../../apps/active-speaker/train/weight-average.ts";

test.before(async () => {
  await tf.setBackend("cpu");
});

test("the mean over the steps inside the window, none before it", (t) => {
  const w = tf.variable(tf.tensor1d([0, 0]), true, "wa/w");
  const b = tf.variable(tf.tensor2d([[10]]), true, "wa/b");
  const avg = new WeightAverage([w, b], 2);
  t.throws(() => avg.mean(), { message: /no step inside the window/ });
  // Steps 0..4 set the weights to (k, 2k) and [[10 + k]]; the window takes steps 2, 3 and 4.
  for (let k = 0; k < 5; k++) {
    w.assign(tf.tensor1d([k, 2 * k]));
    b.assign(tf.tensor2d([[10 + k]]));
    avg.step(k);
  }
  t.is(avg.steps, 3);
  const [mw, mb] = avg.mean();
  t.deepEqual(Array.from(mw.dataSync()), [3, 6]);
  t.deepEqual(mb.shape, [1, 1]);
  t.deepEqual(Array.from(mb.dataSync()), [13]);
  // Swapping the mean in and back leaves the last step's weights, value for value.
  const before = swapWeights([w, b], [mw, mb]);
  t.deepEqual(Array.from(w.dataSync()), [3, 6]);
  tf.dispose(swapWeights([w, b], before));
  t.deepEqual(Array.from(w.dataSync()), [4, 8]);
  t.deepEqual(Array.from(b.dataSync()), [14]);
  avg.dispose();
  tf.dispose([w, b, mw, mb, ...before]);
});
