// Post-training int8 quantisation of the face-box refiner, as TFLite's converter does it and as
// the face detector's quantize.ts does (activations asymmetric per tensor from a calibration
// set; conv and depthwise weights symmetric per output channel, dense weights per tensor; int32
// biases at input x weight scale), written as a WriterModel for our .tflite writer. The input's
// range is fixed to [0, 1] (pixel / 255), so its int8 value is exactly pixel - 128.
import type { WriterModel, WriterTensor } from "../../../emulator/model/tflite-writer.ts";
import { activationParams, type QuantParams } from "../../fan-monitor/train/quantize.ts";
import { addConvWeights } from "../train/conv-weights.ts";
import { imageCalibrationRanges } from "../train/image-calibration.ts";
import { FLAT, HIDDEN, INPUT_SHAPE, LAYERS, OUTPUTS, RefinerNet } from "./net.ts";

export interface QuantizedRefiner {
  model: WriterModel;
  input: QuantParams;
  output: QuantParams;
}

const bytes = (a: Int8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Min and max of every layer's output over a calibration batch (pixel / 255 inputs). */
export const calibrationRanges = (net: RefinerNet, x: Float32Array, n: number) =>
  imageCalibrationRanges(net, x, n, INPUT_SHAPE);

export function quantizeRefiner(
  net: RefinerNet,
  ranges: Map<string, [number, number]>,
  description: string,
): QuantizedRefiner {
  const tensors: WriterTensor[] = [];
  const ops: WriterModel["ops"] = [];
  const add = (t: WriterTensor) => tensors.push(t) - 1;
  const act = (name: string, shape: number[], q: QuantParams) =>
    add({ name, type: "int8", shape, quant: { scale: [q.scale], zeroPoint: [q.zeroPoint] } });
  const qOf = (name: string) => activationParams(...ranges.get(name)!);

  const inputQ = activationParams(0, 1);
  const input = act("input", [1, ...INPUT_SHAPE], inputQ);
  let x = input,
    q = inputQ;
  for (const l of LAYERS) {
    const w = net.v(`${l.name}/w`);
    const { filter, bias } = addConvWeights(
      add,
      l.name,
      w.dataSync() as Float32Array,
      net.v(`${l.name}/b`).dataSync() as Float32Array,
      w.shape as number[],
      l.kind === "dw",
      q.scale,
    );
    const outQ = qOf(l.name);
    const out = act(l.name, [1, l.oh, l.ow, l.cout], outQ);
    ops.push({
      op: l.kind === "dw" ? "DEPTHWISE_CONV_2D" : "CONV_2D",
      inputs: [x, filter, bias],
      outputs: [out],
      options: {
        padding: "SAME",
        stride_h: l.stride,
        stride_w: l.stride,
        fused_activation_function: "RELU",
        ...(l.kind === "dw" ? { depth_multiplier: 1 } : {}),
      },
    });
    [x, q] = [out, outQ];
  }
  // RESHAPE to [1, FLAT]: the same bytes, so the same quantisation.
  const shape = add({
    name: "flat/shape",
    type: "int32",
    shape: [2],
    data: bytes(new Int32Array([1, FLAT])),
  });
  const flat = act("flat", [1, FLAT], q);
  ops.push({
    op: "RESHAPE",
    inputs: [x, shape],
    outputs: [flat],
    options: { new_shape: [1, FLAT] },
  });
  x = flat;

  /** Dense from tfjs [in, out] weights to TFLite [out, in], per-tensor symmetric scale. */
  const dense = (name: string, inN: number, outN: number, relu: boolean) => {
    const w = net.v(`${name}/w`).dataSync() as Float32Array;
    const b = net.v(`${name}/b`).dataSync() as Float32Array;
    const t = new Float32Array(outN * inN);
    for (let o = 0; o < outN; o++) for (let i = 0; i < inN; i++) t[o * inN + i] = w[i * outN + o];
    const s = Math.max(1e-12, t.reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127);
    const qw = Int8Array.from(t, (v) => Math.max(-127, Math.min(127, Math.round(v / s))));
    const wt = add({
      name: `${name}/weights`,
      type: "int8",
      shape: [outN, inN],
      data: bytes(qw),
      quant: { scale: [s], zeroPoint: [0] },
    });
    const qb = Int32Array.from(b, (v) => Math.round(v / (q.scale * s)));
    const bt = add({
      name: `${name}/bias`,
      type: "int32",
      shape: [outN],
      data: bytes(qb),
      quant: { scale: [s * q.scale], zeroPoint: [0] },
    });
    const outQ = qOf(name);
    const out = act(name, [1, outN], outQ);
    ops.push({
      op: "FULLY_CONNECTED",
      inputs: [x, wt, bt],
      outputs: [out],
      options: { fused_activation_function: relu ? "RELU" : "NONE" },
    });
    [x, q] = [out, outQ];
  };
  dense("fc1", FLAT, HIDDEN, true);
  dense("fc2", HIDDEN, OUTPUTS, false);
  return {
    model: { tensors, ops, inputs: [input], outputs: [x], description },
    input: inputQ,
    output: q,
  };
}
