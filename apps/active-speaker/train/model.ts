// The two-branch active-speaker model (after NXP/INRIA's tiny AV-ASD, docs/references.md):
//
//   video [16, 24, 8]  mouth crops, the last 8 frames as channels (0.53 s at 15 fps)
//     conv 16 x 3x3 stride 2 over all 8 frames, ReLU  -> [8, 12, 16]  the temporal conv: lip motion
//     depthwise 3x3, ReLU; pointwise 32, ReLU         -> [8, 12, 32]  depthwise-separable
//     depthwise 3x3 stride 2, ReLU; pointwise 32, ReLU -> [4, 6, 32]
//     average pool 4x6                                -> hV [32]
//   audio [24, 1, 32]  log-mel, 24 hops of 20 ms (0.48 s) x 32 bands
//     conv 32 x (3x1) stride 2, ReLU                  -> [12, 1, 32]  temporal convs
//     conv 32 x (3x1) stride 2, ReLU                  -> [6, 1, 32]
//     average pool 6x1                                -> hA [32]
//   sync    (with --sync) zV = dense 16 on hV, zA = dense 16 on the a2 sequence as it is (6 steps x 32, the
//           audio envelope in time), s = zV ⊙ zA: a learned correlation between the mouth's
//           motion over the 8 frames and the sound over the same 0.48 s
//   steps   (with --steps) a per-time-step synchrony path: each frame's mouth, kept apart
//           (depthwise 3x3/2 twice over the 8 frame channels, average pool 2x3 -> 2x2 regions
//           x 8 frames), mV = dense 48 = 6 audio steps x 8; mA = 1x1 conv 32->8 at each of
//           a2's 6 steps; t = mV ⊙ mA (48 values: mouth motion times sound, step by step),
//           summed over time by a learned dense 48->16 into the fusion
//   fusion  u = λV·hV ⊕ λA·hA ⊕ s ⊕ t (λ learned), dense 16 ReLU, dense 1 -> fused logit
//   heads   dense 1 on hV (video logit), dense 1 on hA (audio logit: "some face speaks")
//   loss    L = L_fusion + L_video + L_audio (binary cross-entropy each)
//
// In the .tflite the concatenation and the λ disappear: a dense layer over [a; b] is the sum
// of a dense layer over a and one over b, so the fusion is two FULLY_CONNECTED (λ folded into
// their weights) and an ADD with ReLU (with --sync a third FULLY_CONNECTED over the product and
// a second ADD), ops the MCX N947's NPU takes, as are the CONV_2D, AVERAGE_POOL_2D and RESHAPE
// layers; the sync product (MUL, 16 values) runs on its CPU.
import * as tf from "@tensorflow/tfjs-core";
import { AUDIO_HOPS, CROP_H, CROP_W, HISTORY, MEL_BANDS } from "./features.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { conv2dSame, depthwiseSame } from "./fast-conv.ts";

export const EMBED = 32;
export const FUSION = 16;
/** Width of the synchrony product zV ⊙ zA. */
export const SYNC = 16;
/** Time steps of the audio branch's output (24 hops, two stride-2 convs). */
export const AUDIO_STEPS = 6;
/** Width of the per-step mouth and audio embeddings of the --steps path. */
export const STEP_EMBED = 8;
/** The --steps path's mouth features: 2 x 2 regions x HISTORY frames. */
export const FRAME_FEATURES = 4 * HISTORY;

export interface Outputs {
  fused: tf.Tensor2D;
  video: tf.Tensor2D;
  audio: tf.Tensor2D;
}

type Shape = number[];

export class AsdNet {
  readonly vars = new Map<string, tf.Variable>();
  private readonly rnd: () => number;

  /** With `sync`, the fusion also gets the synchrony product zV ⊙ zA; with `steps`, the
   *  per-time-step product mV ⊙ mA. */
  constructor(
    seed: number,
    readonly sync = false,
    readonly steps = false,
    readonly residual = false,
  ) {
    this.rnd = seededRandom(seed);
    const glorot = (name: string, shape: Shape, fanIn: number, fanOut: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const n = shape.reduce((a, b) => a * b, 1);
      this.vars.set(
        name,
        tf.variable(
          tf.tensor(
            Float32Array.from({ length: n }, () => (2 * this.rnd() - 1) * limit),
            shape,
          ),
          true,
          name,
        ),
      );
    };
    const zeros = (name: string, n: number) =>
      this.vars.set(name, tf.variable(tf.zeros([n]), true, name));
    glorot("v1/w", [3, 3, HISTORY, 16], 9 * HISTORY, 9 * 16);
    zeros("v1/b", 16);
    glorot("v2dw/w", [3, 3, 16, 1], 9, 9);
    zeros("v2dw/b", 16);
    glorot("v2pw/w", [1, 1, 16, 32], 16, 32);
    zeros("v2pw/b", 32);
    glorot("v3dw/w", [3, 3, 32, 1], 9, 9);
    zeros("v3dw/b", 32);
    glorot("v3pw/w", [1, 1, 32, EMBED], 32, EMBED);
    zeros("v3pw/b", EMBED);
    glorot("a1/w", [3, 1, MEL_BANDS, 32], 3 * MEL_BANDS, 3 * 32);
    zeros("a1/b", 32);
    glorot("a2/w", [3, 1, 32, EMBED], 3 * 32, 3 * EMBED);
    zeros("a2/b", EMBED);
    glorot("vhead/w", [EMBED, 1], EMBED, 1);
    zeros("vhead/b", 1);
    glorot("ahead/w", [EMBED, 1], EMBED, 1);
    zeros("ahead/b", 1);
    glorot("f1/w", [2 * EMBED, FUSION], 2 * EMBED, FUSION);
    zeros("f1/b", FUSION);
    glorot("f2/w", [FUSION, 1], FUSION, 1);
    zeros("f2/b", 1);
    this.vars.set("lambdaV", tf.variable(tf.scalar(1), true, "lambdaV"));
    this.vars.set("lambdaA", tf.variable(tf.scalar(1), true, "lambdaA"));
    // Drawn last, so the net without them starts from the same weights as before they existed.
    if (sync) {
      glorot("sv/w", [EMBED, SYNC], EMBED, SYNC);
      zeros("sv/b", SYNC);
      glorot("sa/w", [AUDIO_STEPS * EMBED, SYNC], AUDIO_STEPS * EMBED, SYNC);
      zeros("sa/b", SYNC);
      glorot("fs/w", [SYNC, FUSION], SYNC, FUSION);
    }
    if (steps) {
      const n = AUDIO_STEPS * STEP_EMBED;
      glorot("t1/w", [3, 3, HISTORY, 1], 9, 9);
      zeros("t1/b", HISTORY);
      glorot("t2/w", [3, 3, HISTORY, 1], 9, 9);
      zeros("t2/b", HISTORY);
      glorot("mv/w", [FRAME_FEATURES, n], FRAME_FEATURES, n);
      zeros("mv/b", n);
      glorot("ma/w", [1, 1, EMBED, STEP_EMBED], EMBED, STEP_EMBED);
      zeros("ma/b", STEP_EMBED);
      glorot("ft/w", [n, FUSION], n, FUSION);
    }
  }

  v(name: string): tf.Variable {
    return this.vars.get(name)!;
  }

  get variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  get parameters(): number {
    return [...this.vars.entries()]
      .filter(([k]) => !k.startsWith("lambda"))
      .reduce((n, [, t]) => n + t.size, 0);
  }

  /** Logits of the three heads; with `each`, every intermediate activation by name (calibration). */
  forward(video: tf.Tensor4D, audio: tf.Tensor4D, each?: Map<string, tf.Tensor>): Outputs {
    const keep = (name: string, t: tf.Tensor) => {
      each?.set(name, t);
      return t;
    };
    const conv = (x: tf.Tensor4D, n: string, stride: [number, number]) =>
      tf.relu(
        tf.add(conv2dSame(x, this.v(`${n}/w`) as tf.Tensor4D, stride), this.v(`${n}/b`)),
      ) as tf.Tensor4D;
    const dw = (x: tf.Tensor4D, n: string, stride: [number, number]) =>
      tf.relu(
        tf.add(depthwiseSame(x, this.v(`${n}/w`) as tf.Tensor4D, stride), this.v(`${n}/b`)),
      ) as tf.Tensor4D;
    const dense = (x: tf.Tensor2D, n: string) =>
      tf.add(tf.matMul(x, this.v(`${n}/w`) as tf.Tensor2D), this.v(`${n}/b`)) as tf.Tensor2D;
    let v = keep("v1", conv(video, "v1", [2, 2])) as tf.Tensor4D;
    v = keep("v2dw", dw(v, "v2dw", [1, 1])) as tf.Tensor4D;
    v = keep("v2pw", conv(v, "v2pw", [1, 1])) as tf.Tensor4D;
    v = keep("v3dw", dw(v, "v3dw", [2, 2])) as tf.Tensor4D;
    v = keep("v3pw", conv(v, "v3pw", [1, 1])) as tf.Tensor4D;
    const hV = keep("hV", tf.mean(v, [1, 2])) as tf.Tensor2D;
    let a = keep("a1", conv(audio, "a1", [2, 1])) as tf.Tensor4D;
    a = keep("a2", conv(a, "a2", [2, 1])) as tf.Tensor4D;
    const hA = keep("hA", tf.mean(a, [1, 2])) as tf.Tensor2D;
    const f1w = this.v("f1/w") as tf.Tensor2D;
    // The two halves of the fusion layer, as the .tflite computes them.
    const pv = keep(
      "f1v",
      tf.add(
        tf.matMul(tf.mul(hV, this.v("lambdaV")), tf.slice(f1w, [0, 0], [EMBED, FUSION])),
        this.v("f1/b"),
      ),
    ) as tf.Tensor2D;
    const pa = keep(
      "f1a",
      tf.matMul(tf.mul(hA, this.v("lambdaA")), tf.slice(f1w, [EMBED, 0], [EMBED, FUSION])),
    ) as tf.Tensor2D;
    const heads = (u: tf.Tensor2D): Outputs => {
      if (!this.residual)
        return {
          fused: keep("fused", dense(u, "f2")) as tf.Tensor2D,
          video: keep("video", dense(hV, "vhead")) as tf.Tensor2D,
          audio: keep("audio", dense(hA, "ahead")) as tf.Tensor2D,
        };
      // Residual fusion: the fused logit is the video head's plus a learned correction, so the
      // fusion starts from the video branch's ranking instead of having to relearn it.
      const video = keep("video", dense(hV, "vhead")) as tf.Tensor2D;
      const correction = keep("f2", dense(u, "f2")) as tf.Tensor2D;
      return {
        fused: keep("fused", tf.add(correction, video)) as tf.Tensor2D,
        video,
        audio: keep("audio", dense(hA, "ahead")) as tf.Tensor2D,
      };
    };
    const pt = this.steps ? this.stepSync(video, a, keep) : null;
    if (!this.sync) {
      if (!pt) return heads(keep("f1", tf.relu(tf.add(pv, pa))) as tf.Tensor2D);
      const pva = keep("f1va", tf.add(pv, pa)) as tf.Tensor2D;
      return heads(keep("f1", tf.relu(tf.add(pva, pt))) as tf.Tensor2D);
    }
    // Synchrony: the audio sequence keeps its 6 time steps, so zA can follow the envelope
    // that a talking mouth's motion (in zV) follows; their product is large when both agree.
    const aSeq = keep("aSeq", tf.reshape(a, [-1, AUDIO_STEPS * EMBED])) as tf.Tensor2D;
    const zV = keep("sv", dense(hV, "sv")) as tf.Tensor2D;
    const zA = keep("sa", dense(aSeq, "sa")) as tf.Tensor2D;
    const sync = keep("sync", tf.mul(zV, zA)) as tf.Tensor2D;
    const ps = keep("fs", tf.matMul(sync, this.v("fs/w") as tf.Tensor2D)) as tf.Tensor2D;
    const pva = keep("f1va", tf.add(pv, pa)) as tf.Tensor2D;
    if (!pt) return heads(keep("f1", tf.relu(tf.add(pva, ps))) as tf.Tensor2D);
    const pvas = keep("f1vas", tf.add(pva, ps)) as tf.Tensor2D;
    return heads(keep("f1", tf.relu(tf.add(pvas, pt))) as tf.Tensor2D);
  }

  /** The --steps path: the fusion's term from mV ⊙ mA, mouth and sound compared per 80 ms step. */
  private stepSync(
    video: tf.Tensor4D,
    a2: tf.Tensor4D,
    keep: (name: string, t: tf.Tensor) => tf.Tensor,
  ): tf.Tensor2D {
    const dw = (x: tf.Tensor4D, n: string) =>
      tf.relu(
        tf.add(depthwiseSame(x, this.v(`${n}/w`) as tf.Tensor4D, [2, 2]), this.v(`${n}/b`)),
      ) as tf.Tensor4D;
    // Depthwise only: each of the 8 frame channels stays its own frame.
    let t = keep("t1", dw(video, "t1")) as tf.Tensor4D;
    t = keep("t2", dw(t, "t2")) as tf.Tensor4D;
    const regions = tf.avgPool(t, [2, 3], [2, 3], "valid");
    const frames = tf.reshape(regions, [-1, FRAME_FEATURES]) as tf.Tensor2D;
    const mV = keep(
      "mv",
      tf.add(tf.matMul(frames, this.v("mv/w") as tf.Tensor2D), this.v("mv/b")),
    ) as tf.Tensor2D;
    // mA: the same 1x1 projection at each audio step (no ReLU: a signed embedding).
    const mA4 = keep(
      "ma",
      tf.add(conv2dSame(a2, this.v("ma/w") as tf.Tensor4D, [1, 1]), this.v("ma/b")),
    );
    const mA = tf.reshape(mA4, [-1, AUDIO_STEPS * STEP_EMBED]) as tf.Tensor2D;
    const prod = keep("steps", tf.mul(mV, mA)) as tf.Tensor2D;
    return keep("ft", tf.matMul(prod, this.v("ft/w") as tf.Tensor2D)) as tf.Tensor2D;
  }
}

/** MACs per layer for one face (the audio branch is shared by all faces of a step: counted once here). */
export function layerMacs(sync = false, steps = false): { layer: string; macs: number }[] {
  const syncMacs = EMBED * SYNC + AUDIO_STEPS * EMBED * SYNC + SYNC;
  const n = AUDIO_STEPS * STEP_EMBED;
  return [
    { layer: "v1 conv 3x3/2 8->16", macs: 8 * 12 * 16 * 9 * HISTORY },
    { layer: "v2 depthwise 3x3", macs: 8 * 12 * 16 * 9 },
    { layer: "v2 pointwise 16->32", macs: 8 * 12 * 16 * 32 },
    { layer: "v3 depthwise 3x3/2", macs: 4 * 6 * 32 * 9 },
    { layer: "v3 pointwise 32->32", macs: 4 * 6 * 32 * EMBED },
    { layer: "a1 conv 3x1/2 32->32", macs: 12 * 32 * 3 * MEL_BANDS },
    { layer: "a2 conv 3x1/2 32->32", macs: 6 * EMBED * 3 * 32 },
    ...(sync ? [{ layer: "sync zV, zA, zV*zA", macs: syncMacs }] : []),
    ...(steps
      ? [
          { layer: "steps t1 depthwise 3x3/2", macs: 8 * 12 * HISTORY * 9 },
          { layer: "steps t2 depthwise 3x3/2", macs: 4 * 6 * HISTORY * 9 },
          { layer: "steps mV, mA, mV*mA", macs: FRAME_FEATURES * n + n * EMBED + n },
        ]
      : []),
    {
      layer: "heads + fusion",
      macs:
        2 * EMBED +
        2 * EMBED * FUSION +
        (sync ? SYNC * FUSION : 0) +
        (steps ? n * FUSION : 0) +
        FUSION,
    },
  ];
}

export const VIDEO_SHAPE = [CROP_H, CROP_W, HISTORY];
export const AUDIO_SHAPE = [AUDIO_HOPS, 1, MEL_BANDS];
