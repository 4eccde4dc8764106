// The calibration ranges of a one-input image net (the face detector, the box refiner): the min
// and max of every named layer output over a batch, the activation ranges TFLite's converter
// takes from a representative dataset.
import * as tf from "@tensorflow/tfjs-core";

export interface ImageNet {
  forward(x: tf.Tensor4D, each: Map<string, tf.Tensor>): unknown;
}

/** Min and max of every layer's output over `n` inputs of `shape` (pixel / 255 values). */
export function imageCalibrationRanges(
  net: ImageNet,
  x: Float32Array,
  n: number,
  shape: readonly number[],
): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  tf.tidy(() => {
    const each = new Map<string, tf.Tensor>();
    net.forward(tf.tensor4d(x, [n, ...shape] as [number, number, number, number]), each);
    for (const [k, t] of each) out.set(k, [tf.min(t).dataSync()[0], tf.max(t).dataSync()[0]]);
  });
  return out;
}
