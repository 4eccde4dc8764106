// The active-speaker training pipeline (apps/active-speaker/train): the hand-written weight
// gradients equal tfjs's own, a cached scene's samples equal freshly rendered ones, the log-mel
// floor sits below the generated meetings' quiet bands, and a short seeded run writes the same
// model twice that TFLite's runtime and the firmware engine both run.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { conv2dSame, depthwiseSame } from "../../apps/active-speaker/train/fast-conv.ts";
import { TRAIN_SET, randomMeeting, sceneSamples } from "../../apps/active-speaker/train/dataset.ts";
import { cachedSceneSamples } from "../../apps/active-speaker/train/sample-cache.ts";
import { LOG_FLOOR, LOG_OFFSET, LOG_SCALE } from "../../apps/active-speaker/train/features.ts";
import { MODEL_FILE, train } from "../../apps/active-speaker/train/train.ts";
import { tempDir } from "../helpers/tools.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { loadTarget } from "../../emulator/board.ts";
import { loadReference } from "../helpers/tflite-reference.ts";

test.before(async () => {
  await tf.setBackend("cpu");
});

type Shape4 = [number, number, number, number];
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];

test("conv2dSame and depthwiseSame: the same values and gradients as tfjs's kernels", (t) => {
  // The model's layers: v1 (3x3/2 over 8 channels), pointwise, a1 (3x1/2), the depthwise ones.
  const convs: [Shape4, Shape4, [number, number]][] = [
    [
      [3, 16, 24, 8],
      [3, 3, 8, 16],
      [2, 2],
    ],
    [
      [2, 8, 12, 16],
      [1, 1, 16, 32],
      [1, 1],
    ],
    [
      [2, 24, 1, 32],
      [3, 1, 32, 32],
      [2, 1],
    ],
    [
      [2, 9, 7, 3],
      [3, 3, 3, 4],
      [2, 2],
    ], // odd sizes: padding on both sides
  ];
  for (const [xs, ws, stride] of convs) {
    const x = tf.randomNormal(xs, 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal(ws, 0, 1, "float32", 2) as tf.Tensor4D;
    const probe = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = f(a as tf.Tensor4D, b as tf.Tensor4D);
        return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, "float32", 3)));
      })([x, w]);
    const ref = probe((a, b) => tf.conv2d(a, b, stride, "same"));
    const mine = probe((a, b) => conv2dSame(a, b, stride));
    t.true(maxDiff(ref[0], mine[0]) < 1e-4, `conv ${xs} ${ws}: dx`);
    t.true(maxDiff(ref[1], mine[1]) < 1e-3, `conv ${xs} ${ws}: dw`);
    t.true(tf.max(tf.abs(ref[1])).dataSync()[0] > 1, "a gradient that can differ");
    t.is(maxDiff(tf.conv2d(x, w, stride, "same"), conv2dSame(x, w, stride)), 0);
  }
  const depthwise: [Shape4, [number, number]][] = [
    [
      [3, 8, 12, 16],
      [1, 1],
    ],
    [
      [2, 8, 12, 32],
      [2, 2],
    ],
    [
      [2, 7, 9, 3],
      [2, 2],
    ],
  ];
  for (const [xs, stride] of depthwise) {
    const x = tf.randomNormal(xs, 0, 1, "float32", 4) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, xs[3], 1], 0, 1, "float32", 5) as tf.Tensor4D;
    const probe = (f: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        const y = f(a as tf.Tensor4D, b as tf.Tensor4D);
        return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, "float32", 6)));
      })([x, w]);
    const ref = probe((a, b) => tf.depthwiseConv2d(a, b, stride, "same"));
    const mine = probe((a, b) => depthwiseSame(a, b, stride));
    t.true(maxDiff(ref[0], mine[0]) < 1e-4, `depthwise ${xs}: dx`);
    t.true(maxDiff(ref[1], mine[1]) < 1e-3, `depthwise ${xs}: dw`);
  }
});

test("a cached scene's samples are the freshly rendered ones; the log-mel floor clamps little", (t) => {
  const raw = randomMeeting({ ...TRAIN_SET, seconds: 3 }, 0);
  const fresh = sceneSamples(raw, "fresh").samples;
  cachedSceneSamples(raw, "first"); // writes the cache (or reads an earlier run's)
  const cached = cachedSceneSamples(raw, "again");
  t.is(cached.count, fresh.count);
  t.deepEqual(cached.condition, fresh.condition);
  for (const k of ["video", "audio", "face", "any"] as const)
    t.true(Buffer.from(cached[k].buffer).equals(Buffer.from(fresh[k].buffer)), k);
  // Values at the floor carry no information: quiet bands, pauses and noise must sit above it.
  const floor = LOG_SCALE * (Math.log(LOG_FLOOR) + LOG_OFFSET);
  const atFloor = fresh.audio.filter((v) => v <= floor + 0.01).length / fresh.audio.length;
  t.true(atFloor < 0.05, `${(atFloor * 100).toFixed(1)} % of log-mel values at the floor`);
});

test("a short training run repeats byte for byte and runs in TFLite's runtime and the firmware", async (t) => {
  const a = tempDir("tinyboard-asd-train-");
  const b = tempDir("tinyboard-asd-train-");
  const log: string[] = [];
  const r = await train({ smoke: true, epochs: 1, outDir: a, log: (s) => log.push(s) });
  t.regex(log.join("\n"), /held-out int8 auROC \(TFLite runtime\): fused [\d.]+/);
  // Half the crops come from the face detector's boxes; the report scores both kinds of crop.
  t.regex(log.join("\n"), /held-out int8 fused auROC, raw \/ smoothed, by crop box: .*"detector"/);
  t.true(r.detectorCrops.detector.raw > 0 && r.detectorCrops.exact.smoothed > 0);
  // The second run also writes the weight-average candidates (--candidates): they only read the
  // weights, so the run trains and writes its model as without them, and its last step's
  // candidate is that model.
  await train({ smoke: true, epochs: 1, outDir: b, log: () => {}, candidates: true });
  const bytes = readFileSync(r.modelPath);
  t.deepEqual(bytes, readFileSync(path.join(b, MODEL_FILE)), "seeded: the same model twice");
  const json = (dir: string) => readFileSync(path.join(dir, "training.json"), "utf8");
  t.is(json(b), json(a), "candidates leave training.json as it was");
  t.deepEqual(bytes, readFileSync(path.join(b, "candidates/last", MODEL_FILE)));
  t.notDeepEqual(bytes, readFileSync(path.join(b, "candidates/avg1", MODEL_FILE)));
  t.is(JSON.parse(json(path.join(b, "candidates/avg1"))).average, 1);
  // --seed: another seed is another run (initialisation and batches), recorded in training.json.
  const c = tempDir("tinyboard-asd-train-");
  await train({ smoke: true, epochs: 1, outDir: c, log: () => {}, seed: 6 });
  t.notDeepEqual(bytes, readFileSync(path.join(c, MODEL_FILE)), "seed 6: another model");
  t.is(JSON.parse(readFileSync(path.join(c, "training.json"), "utf8")).seed, 6);
  const info = JSON.parse(readFileSync(path.join(a, "training.json"), "utf8"));
  const inputs = new Uint8Array(16 * 24 * 8 + 24 * 32);
  const run = await runModel(new Uint8Array(bytes), [inputs], loadTarget("rt1170"));
  t.is(run.inferences[0].outputs.length, 3, "fused, video and audio logits");
  t.is(info.macs, r.macs);
});

// Serial: tfjs registers variables by name, so two trainings may not overlap in one process.
test.serial(
  "with --sync the fusion's synchrony product (MUL) runs in TFLite's runtime and the firmware alike",
  async (t) => {
    const dir = tempDir("tinyboard-asd-sync-");
    const r = await train({
      smoke: true,
      epochs: 1,
      outDir: dir,
      log: () => {},
      sync: true,
      mismatch: 0.25,
    });
    const bytes = new Uint8Array(readFileSync(r.modelPath));
    const info = JSON.parse(readFileSync(path.join(dir, "training.json"), "utf8"));
    t.is(info.sync, true);
    t.is(info.mismatch, 0.25);
    t.true(
      info.layerMacs.some((l: { layer: string }) => l.layer.startsWith("sync")),
      "MACs counted for the sync layers",
    );
    // Varied inputs, so the product is not all zero.
    const sets = Array.from({ length: 6 }, (_, k) =>
      Uint8Array.from({ length: 16 * 24 * 8 + 24 * 32 }, (_, i) => (i * (7 + k) + k * 31) & 0xff),
    );
    const ref = await loadReference(bytes);
    const run = await runModel(bytes, sets, loadTarget("mcxn947"));
    sets.forEach((s, k) => {
      const want = ref.run([
        new Int8Array(s.buffer, 0, 16 * 24 * 8),
        new Int8Array(s.buffer, 16 * 24 * 8, 24 * 32),
      ]);
      const got = run.inferences[k].outputs.map((o) => (o[0] << 24) >> 24);
      // The fused head goes through the MUL. The two engines' int8 outputs already differ by a
      // few steps without it (the video head, no MUL, in `npm run eval:active-speaker`), so: a few.
      t.true(Math.abs(got[0] - want[0][0]) <= 3, `set ${k}: fused ${got[0]} vs ${want[0][0]}`);
    });
    ref.dispose();
  },
);
