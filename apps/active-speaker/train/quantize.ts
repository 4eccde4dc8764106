// Post-training int8 quantisation of the active-speaker model, as TFLite's converter does it
// (activation ranges from a calibration set, asymmetric per tensor; conv and depthwise weights
// symmetric per output channel; dense weights per tensor; int32 biases at input x weight
// scale), written as a WriterModel for our .tflite writer. Two inputs (video, audio), three
// outputs (fused, video and audio logits).
import * as tf from "@tensorflow/tfjs-core";
import type { WriterModel, WriterTensor } from "../../../emulator/model/tflite-writer.ts";
import { activationParams, type QuantParams } from "../../fan-monitor/train/quantize.ts";
import { addConvWeights, bytes } from "./conv-weights.ts";
import {
  AUDIO_SHAPE,
  AUDIO_STEPS,
  EMBED,
  FRAME_FEATURES,
  FUSION,
  STEP_EMBED,
  SYNC,
  VIDEO_SHAPE,
  type AsdNet,
} from "./model.ts";

export {
  activationParams,
  quantizeInput,
  type QuantParams,
} from "../../fan-monitor/train/quantize.ts";

const sym = (x: ArrayLike<number>, s: number) =>
  Int8Array.from(x as ArrayLike<number>, (v) => Math.max(-127, Math.min(127, Math.round(v / s))));

export interface Quantized {
  model: WriterModel;
  video: QuantParams;
  audio: QuantParams;
  outputs: QuantParams[];
}

export function calibrationRanges(
  net: AsdNet,
  video: Float32Array,
  audio: Float32Array,
  n: number,
): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  tf.tidy(() => {
    const each = new Map<string, tf.Tensor>();
    const v = tf.tensor4d(video, [n, ...VIDEO_SHAPE] as [number, number, number, number]);
    const a = tf.tensor4d(audio, [n, ...AUDIO_SHAPE] as [number, number, number, number]);
    net.forward(v, a, each);
    each.set("input_video", v);
    each.set("input_audio", a);
    for (const [k, t] of each) out.set(k, [tf.min(t).dataSync()[0], tf.max(t).dataSync()[0]]);
  });
  return out;
}

export function quantizeNet(
  net: AsdNet,
  ranges: Map<string, [number, number]>,
  description: string,
): Quantized {
  const tensors: WriterTensor[] = [];
  const ops: WriterModel["ops"] = [];
  const add = (t: WriterTensor) => tensors.push(t) - 1;
  const qOf = (name: string) => activationParams(...ranges.get(name)!);
  const act = (name: string, shape: number[], q: QuantParams) =>
    add({ name, type: "int8", shape, quant: { scale: [q.scale], zeroPoint: [q.zeroPoint] } });
  const data = (name: string) => net.v(name).dataSync() as Float32Array;

  /** A conv (depthwise when `depthwise`) from tfjs kernel [fh, fw, in, out|1] to TFLite. */
  const conv = (
    name: string,
    input: number,
    inQ: QuantParams,
    outShape: number[],
    stride: [number, number],
    depthwise: boolean,
    relu = true,
  ): [number, QuantParams] => {
    const shape = net.v(`${name}/w`).shape as number[];
    const w = data(`${name}/w`),
      b = data(`${name}/b`);
    const { filter: f, bias } = addConvWeights(add, name, w, b, shape, depthwise, inQ.scale);
    const q = qOf(name);
    const out = act(name, outShape, q);
    ops.push({
      op: depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D",
      inputs: [input, f, bias],
      outputs: [out],
      options: {
        padding: "SAME",
        stride_h: stride[0],
        stride_w: stride[1],
        fused_activation_function: relu ? "RELU" : "NONE",
        ...(depthwise ? { depth_multiplier: 1 } : {}),
      },
    });
    return [out, q];
  };
  const pool = (
    name: string,
    input: number,
    q: QuantParams,
    h: number,
    w: number,
    c: number,
  ): number => {
    const pooled = act(`${name}/pool`, [1, 1, 1, c], q);
    ops.push({
      op: "AVERAGE_POOL_2D",
      inputs: [input],
      outputs: [pooled],
      options: { padding: "VALID", stride_h: h, stride_w: w, filter_height: h, filter_width: w },
    });
    const shape = add({
      name: `${name}/shape`,
      type: "int32",
      shape: [2],
      data: bytes(new Int32Array([1, c])),
    });
    const flat = act(name, [1, c], q);
    ops.push({
      op: "RESHAPE",
      inputs: [pooled, shape],
      outputs: [flat],
      options: { new_shape: [1, c] },
    });
    return flat;
  };
  /** RESHAPE to [1, n]: the same bytes, so the same quantisation. */
  const flatten = (name: string, input: number, q: QuantParams, n: number): number => {
    const shape = add({
      name: `${name}/shape`,
      type: "int32",
      shape: [2],
      data: bytes(new Int32Array([1, n])),
    });
    const flat = act(name, [1, n], q);
    ops.push({
      op: "RESHAPE",
      inputs: [input, shape],
      outputs: [flat],
      options: { new_shape: [1, n] },
    });
    return flat;
  };
  /** Dense from tfjs [in, out] weights (times `gain`) to TFLite [out, in], per-tensor scale. */
  const dense = (
    name: string,
    input: number,
    inQ: QuantParams,
    w: Float32Array,
    inN: number,
    outN: number,
    bias: Float32Array | null,
    outName: string,
    relu = false,
  ): [number, QuantParams] => {
    const t = new Float32Array(outN * inN);
    for (let o = 0; o < outN; o++) for (let i = 0; i < inN; i++) t[o * inN + i] = w[i * outN + o];
    const s = Math.max(1e-12, t.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127);
    const wt = add({
      name: `${name}/weights`,
      type: "int8",
      shape: [outN, inN],
      data: bytes(sym(t, s)),
      quant: { scale: [s], zeroPoint: [0] },
    });
    const qb = Int32Array.from({ length: outN }, (_, o) =>
      Math.round((bias ? bias[o] : 0) / (inQ.scale * s)),
    );
    const b = add({
      name: `${name}/bias`,
      type: "int32",
      shape: [outN],
      data: bytes(qb),
      quant: { scale: [s * inQ.scale], zeroPoint: [0] },
    });
    const q = qOf(outName);
    const out = act(outName, [1, outN], q);
    ops.push({
      op: "FULLY_CONNECTED",
      inputs: [input, wt, b],
      outputs: [out],
      options: { fused_activation_function: relu ? "RELU" : "NONE" },
    });
    return [out, q];
  };

  const videoQ = qOf("input_video"),
    audioQ = qOf("input_audio");
  const vin = act("input_video", [1, ...VIDEO_SHAPE], videoQ);
  const ain = act("input_audio", [1, ...AUDIO_SHAPE], audioQ);
  let [x, q] = conv("v1", vin, videoQ, [1, 8, 12, 16], [2, 2], false);
  [x, q] = conv("v2dw", x, q, [1, 8, 12, 16], [1, 1], true);
  [x, q] = conv("v2pw", x, q, [1, 8, 12, 32], [1, 1], false);
  [x, q] = conv("v3dw", x, q, [1, 4, 6, 32], [2, 2], true);
  [x, q] = conv("v3pw", x, q, [1, 4, 6, EMBED], [1, 1], false);
  const hV = pool("hV", x, q, 4, 6, EMBED),
    hVq = q;
  let [y, qa] = conv("a1", ain, audioQ, [1, 12, 1, 32], [2, 1], false);
  [y, qa] = conv("a2", y, qa, [1, 6, 1, EMBED], [2, 1], false);
  const hA = pool("hA", y, qa, 6, 1, EMBED),
    hAq = qa;
  const f1 = data("f1/w");
  const lv = data("lambdaV")[0],
    la = data("lambdaA")[0];
  const [pv] = dense(
    "f1v",
    hV,
    hVq,
    f1.slice(0, EMBED * FUSION).map((v) => v * lv),
    EMBED,
    FUSION,
    data("f1/b"),
    "f1v",
  );
  const [pa] = dense(
    "f1a",
    hA,
    hAq,
    f1.slice(EMBED * FUSION).map((v) => v * la),
    EMBED,
    FUSION,
    null,
    "f1a",
  );
  const addOp = (name: string, a: number, b: number, relu: boolean): [number, QuantParams] => {
    const q = qOf(name);
    const out = act(name, [1, FUSION], q);
    ops.push({
      op: "ADD",
      inputs: [a, b],
      outputs: [out],
      options: { fused_activation_function: relu ? "RELU" : "NONE" },
    });
    return [out, q];
  };
  /** The synchrony product's term (AsdNet with sync): (zV ⊙ zA)·Wfs. */
  const syncProduct = (): number => {
    // Synchrony: the a2 sequence flattened (a RESHAPE keeps its quantisation), zV and zA, their product.
    const seqShape = add({
      name: "aSeq/shape",
      type: "int32",
      shape: [2],
      data: bytes(new Int32Array([1, AUDIO_STEPS * EMBED])),
    });
    const aSeq = act("aSeq", [1, AUDIO_STEPS * EMBED], qa);
    ops.push({
      op: "RESHAPE",
      inputs: [y, seqShape],
      outputs: [aSeq],
      options: { new_shape: [1, AUDIO_STEPS * EMBED] },
    });
    const [zV] = dense("sv", hV, hVq, data("sv/w"), EMBED, SYNC, data("sv/b"), "sv");
    const [zA] = dense("sa", aSeq, qa, data("sa/w"), AUDIO_STEPS * EMBED, SYNC, data("sa/b"), "sa");
    const syncQ = qOf("sync");
    const sync = act("sync", [1, SYNC], syncQ);
    ops.push({
      op: "MUL",
      inputs: [zV, zA],
      outputs: [sync],
      options: { fused_activation_function: "NONE" },
    });
    return dense("fs", sync, syncQ, data("fs/w"), SYNC, FUSION, null, "fs")[0];
  };
  /** The fusion with the synchrony product: u = relu(pv + pa + (zV ⊙ zA)·Wfs). */
  const syncFusion = (pv: number, pa: number): [number, QuantParams] => {
    const ps = syncProduct();
    const [pva] = addOp("f1va", pv, pa, false);
    return addOp("f1", pva, ps, true);
  };
  /** The --steps path (AsdNet.stepSync): per-frame depthwise features, mV ⊙ mA, dense to FUSION. */
  const stepSync = (): number => {
    let [t, tq] = conv("t1", vin, videoQ, [1, 8, 12, VIDEO_SHAPE[2]], [2, 2], true);
    [t, tq] = conv("t2", t, tq, [1, 4, 6, VIDEO_SHAPE[2]], [2, 2], true);
    // Average pooling keeps its input's quantisation (TFLite requires it).
    const regions = act("t2/pool", [1, 2, 2, VIDEO_SHAPE[2]], tq);
    ops.push({
      op: "AVERAGE_POOL_2D",
      inputs: [t],
      outputs: [regions],
      options: { padding: "VALID", stride_h: 2, stride_w: 3, filter_height: 2, filter_width: 3 },
    });
    const n = AUDIO_STEPS * STEP_EMBED;
    const frames = flatten("frames", regions, tq, FRAME_FEATURES);
    const [mv] = dense("mv", frames, tq, data("mv/w"), FRAME_FEATURES, n, data("mv/b"), "mv");
    const [ma4, maq] = conv("ma", y, qa, [1, AUDIO_STEPS, 1, STEP_EMBED], [1, 1], false, false);
    const ma = flatten("maSeq", ma4, maq, n);
    const prodQ = qOf("steps");
    const prod = act("steps", [1, n], prodQ);
    ops.push({
      op: "MUL",
      inputs: [mv, ma],
      outputs: [prod],
      options: { fused_activation_function: "NONE" },
    });
    return dense("ft", prod, prodQ, data("ft/w"), n, FUSION, null, "ft")[0];
  };
  let u: number, uq: QuantParams;
  if (net.steps) {
    const pt = stepSync();
    let [pva] = addOp("f1va", pv, pa, false);
    if (net.sync) [pva] = addOp("f1vas", pva, syncProduct(), false);
    [u, uq] = addOp("f1", pva, pt, true);
  } else if (!net.sync) {
    uq = qOf("f1");
    u = act("f1", [1, FUSION], uq);
    ops.push({
      op: "ADD",
      inputs: [pv, pa],
      outputs: [u],
      options: { fused_activation_function: "RELU" },
    });
  } else [u, uq] = syncFusion(pv, pa);
  let fused: number, fq: QuantParams, video: number, vq: QuantParams;
  if (!net.residual) {
    [fused, fq] = dense("f2", u, uq, data("f2/w"), FUSION, 1, data("f2/b"), "fused");
    [video, vq] = dense("vhead", hV, hVq, data("vhead/w"), EMBED, 1, data("vhead/b"), "video");
  } else {
    // Residual fusion (AsdNet with residual): fused = the correction f2 + the video logit.
    [video, vq] = dense("vhead", hV, hVq, data("vhead/w"), EMBED, 1, data("vhead/b"), "video");
    const [f2] = dense("f2", u, uq, data("f2/w"), FUSION, 1, data("f2/b"), "f2");
    fq = qOf("fused");
    fused = act("fused", [1, 1], fq);
    ops.push({
      op: "ADD",
      inputs: [f2, video],
      outputs: [fused],
      options: { fused_activation_function: "NONE" },
    });
  }
  const [audio, aq] = dense("ahead", hA, hAq, data("ahead/w"), EMBED, 1, data("ahead/b"), "audio");
  return {
    model: { tensors, ops, inputs: [vin, ain], outputs: [fused, video, audio], description },
    video: videoQ,
    audio: audioQ,
    outputs: [fq, vq, aq],
  };
}
