// The fan-state CNN, sized like NXP's state-monitor model (~53 k MACs, ~10 k parameters).
// A window of 128 x 3 samples is an image 128 high, 1 wide, with 3 channels, so every layer
// is a plain CONV_2D / FULLY_CONNECTED that TFLM-style engines and the MCX N947's NPU run.
//
//   input  [128,1,3]
//   conv 8 x (8x1) stride 2, ReLU  -> [64,1,8]    12,288 MACs
//   conv 16 x (5x1) stride 2, ReLU -> [32,1,16]   20,480 MACs
//   conv 16 x (3x1) stride 2, ReLU -> [16,1,16]   12,288 MACs
//   flatten                        -> [256]
//   dense 32, ReLU                                  8,192 MACs
//   dense 4 (logits), softmax                         128 MACs
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { AXES, CLASSES, WINDOW } from "./dataset.ts";

export interface ConvSpec { kind: "conv"; filters: number; kernel: number; stride: number }
export interface DenseSpec { kind: "dense"; units: number; relu: boolean }
export type LayerSpec = ConvSpec | DenseSpec | { kind: "flatten" };

export const ARCHITECTURE: LayerSpec[] = [
  { kind: "conv", filters: 8, kernel: 8, stride: 2 },
  { kind: "conv", filters: 16, kernel: 5, stride: 2 },
  { kind: "conv", filters: 16, kernel: 3, stride: 2 },
  { kind: "flatten" },
  { kind: "dense", units: 32, relu: true },
  { kind: "dense", units: CLASSES.length, relu: false },
];

/**
 * The model up to the logits (softmax is applied by the loss in training and added as its
 * own op in the .tflite). Initialisers are seeded, so a run is reproducible.
 */
export function buildModel(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [WINDOW, 1, AXES] });
  let x: tfl.SymbolicTensor = input;
  ARCHITECTURE.forEach((l, i) => {
    const init = { kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + i }), biasInitializer: "zeros" as const };
    if (l.kind === "conv") {
      x = tfl.layers.conv2d({ filters: l.filters, kernelSize: [l.kernel, 1], strides: [l.stride, 1], padding: "same", activation: "relu", ...init, name: `conv${i}` }).apply(x) as tfl.SymbolicTensor;
    } else if (l.kind === "dense") {
      x = tfl.layers.dense({ units: l.units, activation: l.relu ? "relu" : "linear", ...init, name: `dense${i}` }).apply(x) as tfl.SymbolicTensor;
    } else {
      x = tfl.layers.flatten({ name: `flatten${i}` }).apply(x) as tfl.SymbolicTensor;
    }
  });
  return tfl.model({ inputs: input, outputs: x });
}

/** MACs of the convolution and dense layers (as the fixtures' README counts them). */
export function countMacs(): number {
  let h = WINDOW;
  let c = AXES;
  let macs = 0;
  for (const l of ARCHITECTURE) {
    if (l.kind === "conv") { h = Math.ceil(h / l.stride); macs += h * l.filters * l.kernel * c; c = l.filters; }
    else if (l.kind === "flatten") { c = h * c; h = 1; }
    else { macs += c * l.units; c = l.units; }
  }
  return macs;
}

/** A model's per-layer outputs (after activation) for a batch: what calibration measures. */
export function layerOutputs(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor[] {
  const outputs = model.layers.slice(1).map((l) => l.output as tfl.SymbolicTensor);
  const probe = tfl.model({ inputs: model.inputs, outputs });
  const ys = probe.predict(x);
  return Array.isArray(ys) ? ys : [ys];
}
