// Post-training int8 quantisation of the face detector, as TFLite's converter does it
// (activations asymmetric per tensor from a calibration set's ranges; conv and depthwise
// weights symmetric per output channel; int32 biases at input x weight scale), written as a
// WriterModel for our .tflite writer. The input's range is fixed to [0, 1] (pixel / 255), so
// its int8 value is exactly pixel - 128: the firmware needs no multiply to fill it.
import * as tf from "@tensorflow/tfjs-core";
import type { WriterModel, WriterTensor } from "../../../emulator/model/tflite-writer.ts";
import { activationParams, type QuantParams } from "../../fan-monitor/train/quantize.ts";
import { FaceNet, HEADS, INPUT_SHAPE, LAYERS, type LayerSpec } from "./net.ts";

const bytes = (a: Int8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export interface QuantizedDetector {
  model: WriterModel;
  input: QuantParams;
  obj: QuantParams;
  box: QuantParams;
}

/** Min and max of every layer's output over a calibration batch (pixel / 255 inputs). */
export function calibrationRanges(
  net: FaceNet,
  x: Float32Array,
  n: number,
): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  tf.tidy(() => {
    const each = new Map<string, tf.Tensor>();
    net.forward(tf.tensor4d(x, [n, ...INPUT_SHAPE] as [number, number, number, number]), each);
    for (const [k, t] of each) out.set(k, [tf.min(t).dataSync()[0], tf.max(t).dataSync()[0]]);
  });
  return out;
}

export function quantizeDetector(
  net: FaceNet,
  ranges: Map<string, [number, number]>,
  description: string,
): QuantizedDetector {
  const tensors: WriterTensor[] = [];
  const ops: WriterModel["ops"] = [];
  const add = (t: WriterTensor) => tensors.push(t) - 1;
  const act = (name: string, shape: number[], q: QuantParams) =>
    add({ name, type: "int8", shape, quant: { scale: [q.scale], zeroPoint: [q.zeroPoint] } });

  const layer = (l: LayerSpec, input: number, inQ: QuantParams): [number, QuantParams] => {
    const w = net.v(`${l.name}/w`).dataSync() as Float32Array;
    const b = net.v(`${l.name}/b`).dataSync() as Float32Array;
    const dw = l.kind === "dw";
    const k = l.k,
      cin = l.cin,
      cout = l.cout;
    // tfjs [k, k, in, out | 1] -> TFLite conv [out, k, k, in], depthwise [1, k, k, in].
    const filter = new Float32Array(w.length);
    const last = dw ? 1 : cout;
    for (let y = 0; y < k; y++)
      for (let x = 0; x < k; x++)
        for (let c = 0; c < cin; c++)
          for (let o = 0; o < last; o++)
            filter[dw ? (y * k + x) * cin + c : ((o * k + y) * k + x) * cin + c] =
              w[((y * k + x) * cin + c) * last + o];
    const channelOf = (i: number) => (dw ? i % cin : Math.floor(i / (k * k * cin)));
    const maxAbs = new Float64Array(cout);
    filter.forEach((v, i) => {
      const o = channelOf(i);
      maxAbs[o] = Math.max(maxAbs[o], Math.abs(v));
    });
    const scales = Array.from(maxAbs, (m) => Math.max(1e-12, m / 127));
    const qf = Int8Array.from(filter, (v, i) =>
      Math.max(-127, Math.min(127, Math.round(v / scales[channelOf(i)]))),
    );
    const qb = Int32Array.from({ length: cout }, (_, o) =>
      Math.round(b[o] / (inQ.scale * scales[o])),
    );
    const f = add({
      name: `${l.name}/filter`,
      type: "int8",
      shape: dw ? [1, k, k, cin] : [cout, k, k, cin],
      data: bytes(qf),
      quant: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: dw ? 3 : 0 },
    });
    const bias = add({
      name: `${l.name}/bias`,
      type: "int32",
      shape: [cout],
      data: bytes(qb),
      quant: {
        scale: scales.map((s) => s * inQ.scale),
        zeroPoint: scales.map(() => 0),
        quantizedDimension: 0,
      },
    });
    const q = activationParams(...ranges.get(l.name)!);
    const out = act(l.name, [1, l.oh, l.ow, cout], q);
    ops.push({
      op: dw ? "DEPTHWISE_CONV_2D" : "CONV_2D",
      inputs: [input, f, bias],
      outputs: [out],
      options: {
        padding: "SAME",
        stride_h: l.stride,
        stride_w: l.stride,
        fused_activation_function: l.relu ? "RELU" : "NONE",
        ...(dw ? { depth_multiplier: 1 } : {}),
      },
    });
    return [out, q];
  };

  const inputQ = activationParams(0, 1);
  const input = act("input", [1, ...INPUT_SHAPE], inputQ);
  let x = input,
    q = inputQ;
  for (const l of LAYERS) [x, q] = layer(l, x, q);
  const [obj, objQ] = layer(HEADS[0], x, q);
  const [box, boxQ] = layer(HEADS[1], x, q);
  return {
    model: { tensors, ops, inputs: [input], outputs: [obj, box], description },
    input: inputQ,
    obj: objQ,
    box: boxQ,
  };
}
