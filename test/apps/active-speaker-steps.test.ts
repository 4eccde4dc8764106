// Two fusion options of the active-speaker model quantise as they compute. The per-time-step
// synchrony path (AsdNet with `steps`: per-frame depthwise features, mV ⊙ mA, a learned sum over
// time): with the fusion fed by that path alone, the int8 .tflite in TFLite's runtime and the
// firmware engine follow the float net's fused logit on real meeting samples; a wrong filter
// layout, pooling or flattening order in quantize.ts breaks the agreement. Residual fusion
// (`residual`: the fused logit is the video logit plus a correction): the same, through the ADD
// whose input is also a model output.
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";
import test, { type ExecutionContext } from "ava";
import {
  AUDIO_SIZE,
  TRAIN_SET,
  VIDEO_SIZE,
  randomMeeting,
} from "../../apps/active-speaker/train/dataset.ts";
import { cachedSceneSamples } from "../../apps/active-speaker/train/sample-cache.ts";
import {
  AUDIO_SHAPE,
  AsdNet,
  VIDEO_SHAPE,
  layerMacs,
} from "../../apps/active-speaker/train/model.ts";
import {
  calibrationRanges,
  quantizeInput,
  quantizeNet,
  type Quantized,
} from "../../apps/active-speaker/train/quantize.ts";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { loadTarget } from "../../emulator/board.ts";
import { loadReference } from "../helpers/tflite-reference.ts";

test.before(async () => {
  await tf.setBackend("cpu");
});

const pearson = (a: number[], b: number[]) => {
  const m = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [m(a), m(b)];
  let sab = 0,
    saa = 0,
    sbb = 0;
  a.forEach((_, i) => {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  });
  return sab / Math.sqrt(saa * sbb);
};

/** The smoke run's training meeting (the cache makes it once): n samples. */
function samples(n: number) {
  const s = cachedSceneSamples(randomMeeting({ ...TRAIN_SET, scenes: 1, seconds: 4 }, 0), "steps");
  const m = Math.min(n, s.count);
  return {
    n: m,
    video: s.video.subarray(0, m * VIDEO_SIZE),
    audio: s.audio.subarray(0, m * AUDIO_SIZE),
  };
}

/** The float net's fused logits on the samples. */
function floatFused(net: AsdNet, video: Float32Array, audio: Float32Array, n: number): number[] {
  return tf.tidy(() => {
    const o = net.forward(
      tf.tensor4d(video, [n, ...VIDEO_SHAPE] as [number, number, number, number]),
      tf.tensor4d(audio, [n, ...AUDIO_SHAPE] as [number, number, number, number]),
    );
    return Array.from(o.fused.dataSync());
  });
}

/** Quantises the net, runs its int8 form in TFLite's runtime on the samples and in the firmware
 *  engine on `board` on the first 24, and holds both to the float net's fused logit (r > 0.98).
 *  The firmware rounds as TFLite Micro does, tfjs-tflite as XNNPACK
 *  (active-speaker-train-rounding.test.ts), so it is held to the float net, not to TFLite's bytes. */
async function int8FollowsFloat(
  t: ExecutionContext,
  net: AsdNet,
  board: string,
  description: string,
): Promise<Quantized> {
  const { n, video, audio } = samples(64);
  const float = floatFused(net, video, audio, n);
  const spread = Math.max(...float) - Math.min(...float);
  t.true(spread > 0.05, `the fused logit varies over the samples (${spread})`);
  const q = quantizeNet(net, calibrationRanges(net, video, audio, n), description);
  tf.dispose(net.variables);
  const bytes = writeTflite(q.model);
  const qv = quantizeInput(video, q.video),
    qa = quantizeInput(audio, q.audio);
  const ref = await loadReference(bytes);
  const sets: Uint8Array[] = [];
  const int8 = Array.from({ length: n }, (_, i) => {
    const v = qv.subarray(i * VIDEO_SIZE, (i + 1) * VIDEO_SIZE),
      a = qa.subarray(i * AUDIO_SIZE, (i + 1) * AUDIO_SIZE);
    const set = new Uint8Array(VIDEO_SIZE + AUDIO_SIZE);
    set.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    set.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), VIDEO_SIZE);
    sets.push(set);
    const out = ref.run([v, a]);
    return (out[0][0] - q.outputs[0].zeroPoint) * q.outputs[0].scale;
  });
  ref.dispose();
  const r = pearson(float, int8);
  t.log(`r ${r.toFixed(4)}`);
  t.true(r > 0.98, `int8 (TFLite runtime) vs float fused logit: r = ${r.toFixed(4)}`);
  const m = 24;
  const run = await runModel(bytes, sets.slice(0, m), loadTarget(board));
  const fw = run.inferences.map(
    (inf) => (((inf.outputs[0][0] << 24) >> 24) - q.outputs[0].zeroPoint) * q.outputs[0].scale,
  );
  const rf = pearson(float.slice(0, m), fw);
  t.log(`rf ${rf.toFixed(4)}`);
  t.true(rf > 0.98, `firmware on ${board} vs float fused logit: r = ${rf.toFixed(4)}`);
  return q;
}

// Serial: tfjs registers variables by name, so two nets may not live at once.
test.serial(
  "the per-step synchrony path: int8 in TFLite's runtime and the firmware follow the float net",
  async (t) => {
    const net = new AsdNet(7, true, true);
    t.true(
      layerMacs(true, true).some((l) => l.layer.startsWith("steps")),
      "MACs counted for the steps layers",
    );
    // Only the steps path reaches the fused head: the other fusion inputs' weights are zero.
    for (const name of ["f1/w", "fs/w"]) net.v(name).assign(tf.zerosLike(net.v(name)));
    net.v("ft/w").assign(tf.mul(net.v("ft/w"), 4));
    // MCX N947: the MULs on its CPU, the rest on the NPU.
    const q = await int8FollowsFloat(t, net, "mcxn947", "steps test");
    t.is(q.model.ops.filter((o) => o.op === "MUL").length, 2, "zV ⊙ zA and mV ⊙ mA");
  },
);

test.serial(
  "residual fusion: the int8 fused logit is the video logit plus the correction, as in float",
  async (t) => {
    const net = new AsdNet(7, true, false, true);
    // A small correction, so a fused output without the video logit would not follow the float.
    net.v("f2/w").assign(tf.mul(net.v("f2/w"), 0.25));
    // The firmware: the video logit is a model output and the ADD's input at once.
    await int8FollowsFloat(t, net, "rt1170", "residual test");
  },
);
