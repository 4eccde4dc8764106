// The face detector, a centroid grid as in FOMO (Edge Impulse's "Faster Objects, More
// Objects": a truncated fully-convolutional net whose output cells say "an object's centre is
// here"), with a small box head so that the mouth crop lands where the ASD model expects it:
//
//   input [60, 80, 1]   the grey QVGA frame area-averaged 4 x 4, pixel / 255
//   c1    conv 8 x 3x3 stride 2, ReLU                     -> [30, 40, 8]
//   c2    depthwise 3x3 stride 2, ReLU; pointwise 16, ReLU -> [15, 20, 16]
//   c3    depthwise 3x3, ReLU; pointwise 32, ReLU          -> [15, 20, 32]
//   c4    depthwise 3x3, ReLU; pointwise 32, ReLU          -> [15, 20, 32]  (receptive field 23 input px: a head and its surroundings)
//   obj   conv 1 x 1x1                                    -> [15, 20, 1]   logit: a face's centre is in this 16 x 16 px cell
//   box   conv 3 x 1x1                                    -> [15, 20, 3]   dx, dy (centre in cell widths from the cell's centre), hw / 16 px
//
// Every layer is CONV_2D or DEPTHWISE_CONV_2D: the firmware engine and the MCX N947's NPU take them all.
import * as tf from "@tensorflow/tfjs-core";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { conv2dSame, depthwiseSame } from "../train/fast-conv.ts";
import { GRID_H, GRID_W, IN_H, IN_W } from "./frames.ts";

export interface LayerSpec {
  name: string;
  kind: "conv" | "dw";
  k: number;
  stride: number;
  cin: number;
  cout: number;
  relu: boolean;
  /** Output height and width. */
  oh: number;
  ow: number;
}

export const LAYERS: LayerSpec[] = [
  { name: "c1", kind: "conv", k: 3, stride: 2, cin: 1, cout: 8, relu: true, oh: 30, ow: 40 },
  { name: "c2dw", kind: "dw", k: 3, stride: 2, cin: 8, cout: 8, relu: true, oh: 15, ow: 20 },
  { name: "c2pw", kind: "conv", k: 1, stride: 1, cin: 8, cout: 16, relu: true, oh: 15, ow: 20 },
  { name: "c3dw", kind: "dw", k: 3, stride: 1, cin: 16, cout: 16, relu: true, oh: 15, ow: 20 },
  { name: "c3pw", kind: "conv", k: 1, stride: 1, cin: 16, cout: 32, relu: true, oh: 15, ow: 20 },
  { name: "c4dw", kind: "dw", k: 3, stride: 1, cin: 32, cout: 32, relu: true, oh: 15, ow: 20 },
  { name: "c4pw", kind: "conv", k: 1, stride: 1, cin: 32, cout: 32, relu: true, oh: 15, ow: 20 },
];
export const HEADS: LayerSpec[] = [
  { name: "obj", kind: "conv", k: 1, stride: 1, cin: 32, cout: 1, relu: false, oh: 15, ow: 20 },
  { name: "box", kind: "conv", k: 1, stride: 1, cin: 32, cout: 3, relu: false, oh: 15, ow: 20 },
];
export const INPUT_SHAPE = [IN_H, IN_W, 1];

export function layerMacs(): { layer: string; macs: number }[] {
  return [...LAYERS, ...HEADS].map((l) => ({
    layer: l.name,
    macs: l.oh * l.ow * l.k * l.k * (l.kind === "dw" ? l.cout : l.cin * l.cout),
  }));
}

export class FaceNet {
  readonly vars = new Map<string, tf.Variable>();

  constructor(seed: number) {
    const rnd = seededRandom(seed);
    for (const l of [...LAYERS, ...HEADS]) {
      const shape = l.kind === "dw" ? [l.k, l.k, l.cin, 1] : [l.k, l.k, l.cin, l.cout];
      const fanIn = l.k * l.k * (l.kind === "dw" ? 1 : l.cin);
      const fanOut = l.k * l.k * (l.kind === "dw" ? 1 : l.cout);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const n = shape.reduce((a, b) => a * b, 1);
      const w = Float32Array.from({ length: n }, () => (2 * rnd() - 1) * limit);
      this.vars.set(`${l.name}/w`, tf.variable(tf.tensor(w, shape), true, `${l.name}/w`));
      // The objectness bias starts at the prior of a face centre in a cell (about 1 in 150), as FOMO/RetinaNet do.
      const b = new Float32Array(l.cout).fill(l.name === "obj" ? -5 : 0);
      this.vars.set(`${l.name}/b`, tf.variable(tf.tensor1d(b), true, `${l.name}/b`));
    }
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

  /** Objectness logits [n, 15, 20, 1] and box [n, 15, 20, 3]; with `each`, every activation by name. */
  forward(x: tf.Tensor4D, each?: Map<string, tf.Tensor>): { obj: tf.Tensor4D; box: tf.Tensor4D } {
    const run = (h: tf.Tensor4D, l: LayerSpec): tf.Tensor4D => {
      const w = this.v(`${l.name}/w`) as tf.Tensor4D;
      const s: [number, number] = [l.stride, l.stride];
      let y = tf.add(
        l.kind === "dw" ? depthwiseSame(h, w, s) : conv2dSame(h, w, s),
        this.v(`${l.name}/b`),
      ) as tf.Tensor4D;
      if (l.relu) y = tf.relu(y);
      each?.set(l.name, y);
      return y;
    };
    let h = x;
    for (const l of LAYERS) h = run(h, l);
    return { obj: run(h, HEADS[0]), box: run(h, HEADS[1]) };
  }
}

export const GRID = { w: GRID_W, h: GRID_H };
