// The fan-state CNN, sized like NXP's state-monitor model (~50 k MACs). A window of 128 x 3
// samples is an image 128 high, 1 wide, with 3 channels, so every layer is one the MCX
// N947's NPU takes (CONV_2D, AVERAGE_POOL_2D, RESHAPE, FULLY_CONNECTED) but the softmax.
//
//   input  [128,1,3]
//   conv 8 x (8x1) stride 2, ReLU  -> [64,1,8]    12,288 MACs
//   conv 16 x (5x1) stride 2, ReLU -> [32,1,16]   20,480 MACs
//   conv 16 x (3x1) stride 2, ReLU -> [16,1,16]   12,288 MACs
//   average pool 4x1               -> [4,1,16]    (band energies: where in the window a tone
//   flatten                        -> [64]         peaks carries no information)
//   dense 64, ReLU                                  4,096 MACs
//   dense 4 (logits), softmax                         256 MACs
//
// Tried on the same data (held-out int8 accuracy): flatten straight into dense 32 (NXP's
// ~10 k parameters) 97.6 %; max pool 95.8 %; a strided conv as the pool 96.0 %; 32 filters in
// the third conv 96.8 %; dense 128 98.9 %; this one 99.2 %.
//
// Written with tfjs-core ops rather than tfjs-layers' conv2d: on the pure-JS CPU backend
// conv2d's gradients are naive loops and an epoch took minutes; im2col (our own op, with
// its gradient) and one matMul per layer compute the same thing (TensorFlow's SAME padding,
// kernel layout [tap, in, out] as tfjs' [kh, 1, in, out]) many times faster.
import * as tf from "@tensorflow/tfjs-core";
import { AXES, CLASSES, WINDOW, seededRandom } from "./dataset.ts";

export interface ConvSpec {
  kind: "conv";
  filters: number;
  kernel: number;
  stride: number;
  valid?: boolean;
}
export interface DenseSpec {
  kind: "dense";
  units: number;
  relu: boolean;
}
export interface PoolSpec {
  kind: "pool";
  size: number;
  max?: boolean;
}
export type LayerSpec = ConvSpec | DenseSpec | PoolSpec | { kind: "flatten" };

export const ARCHITECTURE: LayerSpec[] = [
  { kind: "conv", filters: 8, kernel: 8, stride: 2 },
  { kind: "conv", filters: 16, kernel: 5, stride: 2 },
  { kind: "conv", filters: 16, kernel: 3, stride: 2 },
  { kind: "pool", size: 4 },
  { kind: "flatten" },
  { kind: "dense", units: 64, relu: true },
  { kind: "dense", units: CLASSES.length, relu: false },
];

/** A net's input (rows x channels) and layers: the fan model's by default. */
export interface NetShape {
  window: number;
  channels: number;
  architecture: LayerSpec[];
}
export const FAN_SHAPE: NetShape = { window: WINDOW, channels: AXES, architecture: ARCHITECTURE };

/** Weights of a conv ([kernel*in, out]) or dense ([in, out]) layer. */
export interface LayerWeights {
  kernel: tf.Variable;
  bias: tf.Variable;
  fanIn: number;
  fanOut: number;
}

/** Geometry of a strided 1-D convolution over H rows (TensorFlow's SAME or VALID padding). */
export function geometry(h: number, spec: ConvSpec): { out: number; before: number } {
  if (spec.valid) return { out: Math.floor((h - spec.kernel) / spec.stride) + 1, before: 0 };
  const out = Math.ceil(h / spec.stride);
  return { out, before: Math.floor(Math.max((out - 1) * spec.stride + spec.kernel - h, 0) / 2) };
}

/**
 * im2col as one op with its own gradient: x [B, H, C] -> columns [B*out, kernel*C], row
 * (b, i) holding the taps x[b, i*stride + j - before, :] (zero outside). Plain typed-array
 * loops: tfjs' CPU Slice/Gather walk element by element through index objects.
 */
function im2col(x: tf.Tensor3D, spec: ConvSpec): tf.Tensor2D {
  const [b, h, c] = x.shape;
  const { out, before } = geometry(h, spec);
  const k = spec.kernel;
  const s = spec.stride;
  const each = (fn: (xAt: number, colAt: number) => void) => {
    for (let n = 0; n < b; n++)
      for (let i = 0; i < out; i++)
        for (let j = 0; j < k; j++) {
          const row = i * s + j - before;
          if (row < 0 || row >= h) continue;
          fn((n * h + row) * c, ((n * out + i) * k + j) * c);
        }
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = (args[0] as tf.Tensor).dataSync() as Float32Array;
    const cols = new Float32Array(b * out * k * c);
    each((xAt, colAt) => cols.set(xs.subarray(xAt, xAt + c), colAt));
    return {
      value: tf.tensor2d(cols, [b * out, k * c]) as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(b * h * c);
        each((xAt, colAt) => {
          for (let q = 0; q < c; q++) dx[xAt + q] += g[colAt + q];
        });
        return tf.tensor3d(dx, [b, h, c]);
      },
    };
  });
  return op(x) as tf.Tensor2D;
}

/** One convolution with ReLU: im2col, then a matMul with the kernel [tap*in, out]. */
function conv(x: tf.Tensor3D, w: LayerWeights, spec: ConvSpec): tf.Tensor3D {
  const { out } = geometry(x.shape[1], spec);
  const y = tf.relu(tf.add(tf.matMul(im2col(x, spec), w.kernel), w.bias));
  return tf.reshape(y, [x.shape[0], out, spec.filters]);
}

export class FanNet {
  readonly layers: (LayerWeights | null)[];

  /** Glorot-uniform weights from a seeded stream, zero biases: a run is reproducible. */
  constructor(
    seed: number,
    readonly shape: NetShape = FAN_SHAPE,
  ) {
    const rnd = seededRandom(seed);
    let c = shape.channels;
    let h = shape.window;
    this.layers = shape.architecture.map((l) => {
      if (l.kind === "flatten") {
        c *= h;
        h = 1;
        return null;
      }
      if (l.kind === "pool") {
        h = Math.floor(h / l.size);
        return null;
      }
      const fanIn = l.kind === "conv" ? l.kernel * c : c;
      const fanOut = l.kind === "conv" ? l.filters : l.units;
      const limit = Math.sqrt(6 / (fanIn + (l.kind === "conv" ? l.kernel * fanOut : fanOut)));
      const init = Float32Array.from({ length: fanIn * fanOut }, () => (2 * rnd() - 1) * limit);
      if (l.kind === "conv") h = geometry(h, l).out;
      c = fanOut;
      return {
        kernel: tf.variable(tf.tensor2d(init, [fanIn, fanOut])),
        bias: tf.variable(tf.zeros([fanOut])),
        fanIn,
        fanOut,
      };
    });
  }

  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => (l ? [l.kernel, l.bias] : []));
  }

  get parameters(): number {
    return this.layers.reduce((n, l) => n + (l ? l.fanIn * l.fanOut + l.fanOut : 0), 0);
  }

  /** Logits for x [B, rows, channels]; with `each`, also every layer's output (for calibration). */
  forward(x: tf.Tensor3D, each?: tf.Tensor[]): tf.Tensor2D {
    let y: tf.Tensor = x;
    this.shape.architecture.forEach((spec, i) => {
      const w = this.layers[i];
      if (spec.kind === "conv") y = conv(y as tf.Tensor3D, w!, spec);
      else if (spec.kind === "flatten") y = tf.reshape(y, [y.shape[0], -1]);
      else if (spec.kind === "pool") {
        const [b, h, c] = y.shape;
        const groups = tf.reshape(y, [b, h / spec.size, spec.size, c]);
        y = spec.max ? tf.max(groups, 2) : tf.mean(groups, 2);
      } else {
        y = tf.add(tf.matMul(y as tf.Tensor2D, w!.kernel), w!.bias);
        if (spec.relu) y = tf.relu(y);
      }
      each?.push(y);
    });
    return y as tf.Tensor2D;
  }

  /** Kernel and bias values of the layer at architecture index i. */
  weights(i: number): { kernel: Float32Array; bias: Float32Array } {
    const l = this.layers[i]!;
    return { kernel: l.kernel.dataSync() as Float32Array, bias: l.bias.dataSync() as Float32Array };
  }
}

/** MACs of the convolution and dense layers (as the fixtures' README counts them). */
export function countMacs(shape: NetShape = FAN_SHAPE): number {
  let h = shape.window;
  let c = shape.channels;
  let macs = 0;
  for (const l of shape.architecture) {
    if (l.kind === "conv") {
      h = geometry(h, l).out;
      macs += h * l.filters * l.kernel * c;
      c = l.filters;
    } else if (l.kind === "flatten") {
      c = h * c;
      h = 1;
    } else if (l.kind === "pool") h = Math.floor(h / l.size);
    else {
      macs += c * l.units;
      c = l.units;
    }
  }
  return macs;
}
