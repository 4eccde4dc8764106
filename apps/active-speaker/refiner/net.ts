// The face-box refiner: a small regressor from a grey crop around a face's box (crop.ts) to the
// correction that moves the box onto the true head (the second stage of a face pipeline: detect
// coarsely, then align):
//
//   input [32, 32, 1]   the crop, pixel / 255
//   c1    conv 8 x 3x3 stride 2, ReLU                     -> [16, 16, 8]
//   c2    depthwise 3x3 stride 2, ReLU; pointwise 16, ReLU -> [8, 8, 16]
//   c3    depthwise 3x3 stride 2, ReLU; pointwise 32, ReLU -> [4, 4, 32]
//   c4    depthwise 3x3, ReLU; pointwise 32, ReLU          -> [4, 4, 32]  (each cell sees most of the crop)
//   flatten (RESHAPE) -> fc1 32, ReLU -> fc2 3             dx, dy (box half widths), log size ratio
//
// The dense layers keep where in the crop each feature lies, which a global pool would lose.
// Every op is CONV_2D, DEPTHWISE_CONV_2D, RESHAPE or FULLY_CONNECTED: the firmware engine runs
// them all, and the MCX N947's NPU takes the convolutions and the dense layers.
import * as tf from "@tensorflow/tfjs-core";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { conv2dSame, depthwiseSame } from "../train/fast-conv.ts";
import type { LayerSpec } from "../detector/net.ts";
import { CROP } from "./crop.ts";

export const LAYERS: LayerSpec[] = [
  { name: "c1", kind: "conv", k: 3, stride: 2, cin: 1, cout: 8, relu: true, oh: 16, ow: 16 },
  { name: "c2dw", kind: "dw", k: 3, stride: 2, cin: 8, cout: 8, relu: true, oh: 8, ow: 8 },
  { name: "c2pw", kind: "conv", k: 1, stride: 1, cin: 8, cout: 16, relu: true, oh: 8, ow: 8 },
  { name: "c3dw", kind: "dw", k: 3, stride: 2, cin: 16, cout: 16, relu: true, oh: 4, ow: 4 },
  { name: "c3pw", kind: "conv", k: 1, stride: 1, cin: 16, cout: 32, relu: true, oh: 4, ow: 4 },
  { name: "c4dw", kind: "dw", k: 3, stride: 1, cin: 32, cout: 32, relu: true, oh: 4, ow: 4 },
  { name: "c4pw", kind: "conv", k: 1, stride: 1, cin: 32, cout: 32, relu: true, oh: 4, ow: 4 },
];
export const FLAT = 4 * 4 * 32;
export const HIDDEN = 32;
export const OUTPUTS = 3;
export const INPUT_SHAPE = [CROP, CROP, 1];

export function layerMacs(): { layer: string; macs: number }[] {
  return [
    ...LAYERS.map((l) => ({
      layer: l.name,
      macs: l.oh * l.ow * l.k * l.k * (l.kind === "dw" ? l.cout : l.cin * l.cout),
    })),
    { layer: "fc1", macs: FLAT * HIDDEN },
    { layer: "fc2", macs: HIDDEN * OUTPUTS },
  ];
}

export class RefinerNet {
  readonly vars = new Map<string, tf.Variable>();

  constructor(seed: number) {
    const rnd = seededRandom(seed);
    const glorot = (name: string, shape: number[], outs: number, fanIn: number, fanOut: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const n = shape.reduce((a, b) => a * b, 1);
      const w = Float32Array.from({ length: n }, () => (2 * rnd() - 1) * limit);
      this.vars.set(`${name}/w`, tf.variable(tf.tensor(w, shape), true, `refiner/${name}/w`));
      const b = tf.tensor1d(new Float32Array(outs));
      this.vars.set(`${name}/b`, tf.variable(b, true, `refiner/${name}/b`));
    };
    for (const l of LAYERS) {
      const dw = l.kind === "dw";
      glorot(
        l.name,
        dw ? [l.k, l.k, l.cin, 1] : [l.k, l.k, l.cin, l.cout],
        l.cout,
        l.k * l.k * (dw ? 1 : l.cin),
        l.k * l.k * (dw ? 1 : l.cout),
      );
    }
    glorot("fc1", [FLAT, HIDDEN], HIDDEN, FLAT, HIDDEN);
    glorot("fc2", [HIDDEN, OUTPUTS], OUTPUTS, HIDDEN, OUTPUTS);
  }

  v(name: string): tf.Variable {
    return this.vars.get(name)!;
  }

  get variables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  get parameters(): number {
    return [...this.vars.values()].reduce((n, t) => n + t.size, 0);
  }

  /** Corrections [n, 3]; with `each`, every activation by name (for calibration). */
  forward(x: tf.Tensor4D, each?: Map<string, tf.Tensor>): tf.Tensor2D {
    let h = x;
    for (const l of LAYERS) {
      const w = this.v(`${l.name}/w`) as tf.Tensor4D;
      const s: [number, number] = [l.stride, l.stride];
      const y = tf.add(
        l.kind === "dw" ? depthwiseSame(h, w, s) : conv2dSame(h, w, s),
        this.v(`${l.name}/b`),
      );
      h = tf.relu(y) as tf.Tensor4D;
      each?.set(l.name, h);
    }
    const flat = tf.reshape(h, [x.shape[0], FLAT]) as tf.Tensor2D;
    const f1 = tf.relu(
      tf.add(tf.matMul(flat, this.v("fc1/w") as tf.Tensor2D), this.v("fc1/b")),
    ) as tf.Tensor2D;
    each?.set("fc1", f1);
    const out = tf.add(
      tf.matMul(f1, this.v("fc2/w") as tf.Tensor2D),
      this.v("fc2/b"),
    ) as tf.Tensor2D;
    each?.set("fc2", out);
    return out;
  }
}
