// Post-training int8 quantisation of the face detector, as TFLite's converter does it
// (activations asymmetric per tensor from a calibration set's ranges; conv and depthwise
// weights symmetric per output channel; int32 biases at input x weight scale), written as a
// WriterModel for our .tflite writer. The input's range is fixed to [0, 1] (pixel / 255), so
// its int8 value is exactly pixel - 128: the firmware needs no multiply to fill it.
import type { WriterModel, WriterTensor } from "../../../emulator/model/tflite-writer.ts";
import { activationParams, type QuantParams } from "../../fan-monitor/train/quantize.ts";
import { addConvWeights } from "../train/conv-weights.ts";
import { imageCalibrationRanges } from "../train/image-calibration.ts";
import { FaceNet, HEADS, INPUT_SHAPE, LAYERS, type LayerSpec } from "./net.ts";

export interface QuantizedDetector {
  model: WriterModel;
  input: QuantParams;
  obj: QuantParams;
  box: QuantParams;
}

/** Min and max of every layer's output over a calibration batch (pixel / 255 inputs). */
export const calibrationRanges = (net: FaceNet, x: Float32Array, n: number) =>
  imageCalibrationRanges(net, x, n, INPUT_SHAPE);

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
    const w = net.v(`${l.name}/w`);
    const { filter: f, bias } = addConvWeights(
      add,
      l.name,
      w.dataSync() as Float32Array,
      net.v(`${l.name}/b`).dataSync() as Float32Array,
      w.shape as number[],
      l.kind === "dw",
      inQ.scale,
    );
    const q = activationParams(...ranges.get(l.name)!);
    const out = act(l.name, [1, l.oh, l.ow, l.cout], q);
    ops.push({
      op: l.kind === "dw" ? "DEPTHWISE_CONV_2D" : "CONV_2D",
      inputs: [input, f, bias],
      outputs: [out],
      options: {
        padding: "SAME",
        stride_h: l.stride,
        stride_w: l.stride,
        fused_activation_function: l.relu ? "RELU" : "NONE",
        ...(l.kind === "dw" ? { depth_multiplier: 1 } : {}),
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
