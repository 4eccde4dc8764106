// Post-training int8 quantisation of the trained model, as TFLite's converter does it:
// activations asymmetric per tensor from the ranges a calibration set produces; convolution
// weights symmetric per output channel, dense weights symmetric per tensor; biases int32 at
// input scale x weight scale; softmax output at 1/256, zero point -128. The result is a
// WriterModel for our .tflite writer.
import * as tf from "@tensorflow/tfjs-core";
import type { WriterModel, WriterTensor } from "../../../emulator/model/tflite-writer.ts";
import { geometry, type FanNet } from "./model.ts";

export interface QuantParams {
  scale: number;
  zeroPoint: number;
}

/** int8 parameters covering [lo, hi] (widened to include 0, as TFLite requires). */
export function activationParams(lo: number, hi: number): QuantParams {
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  if (hi - lo < 1e-9) hi = lo + 1e-9;
  const scale = Math.fround((hi - lo) / 255); // stored as float32 in the .tflite
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/** round(x / scale) + zero point, the division in float32 as the firmware does it. */
export function quantizeValue(x: number, q: QuantParams): number {
  return Math.max(-128, Math.min(127, Math.round(Math.fround(x / q.scale)) + q.zeroPoint));
}

/** A float batch (n x rows x channels) as the model's int8 input. */
export function quantizeInput(x: Float32Array, q: QuantParams): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = quantizeValue(x[i], q);
  return out;
}

function int8Symmetric(values: Float32Array | number[], scale: number): Int8Array {
  const out = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++)
    out[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
  return out;
}

const bytes = (a: Int8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Min and max of each layer's output over the calibration batch, and of the input. */
export function calibrate(
  model: FanNet,
  calibration: Float32Array,
  count: number,
): { input: [number, number]; layers: [number, number][] } {
  return tf.tidy(() => {
    const x = tf.tensor3d(calibration, [count, model.shape.window, model.shape.channels]);
    const range = (t: tf.Tensor): [number, number] => [
      tf.min(t).dataSync()[0],
      tf.max(t).dataSync()[0],
    ];
    const each: tf.Tensor[] = [];
    model.forward(x, each);
    return { input: range(x), layers: each.map(range) };
  });
}

export interface Quantized {
  model: WriterModel;
  input: QuantParams;
  output: QuantParams;
}

export function quantizeModel(
  model: FanNet,
  calibration: Float32Array,
  count: number,
  description: string,
  /** Fixed input quantisation (a firmware front end that quantises for another model). */
  fixedInput?: QuantParams,
): Quantized {
  const ranges = calibrate(model, calibration, count);
  const { window, channels, architecture } = model.shape;
  const tensors: WriterTensor[] = [];
  const ops: WriterModel["ops"] = [];
  const add = (t: WriterTensor): number => tensors.push(t) - 1;
  const act = (name: string, shape: number[], q: QuantParams) =>
    add({ name, type: "int8", shape, quant: { scale: [q.scale], zeroPoint: [q.zeroPoint] } });

  const inputQ = fixedInput ?? activationParams(...ranges.input);
  let current = act("input", [1, window, 1, channels], inputQ);
  let q = inputQ;
  let shape = [1, window, 1, channels];
  architecture.forEach((spec, i) => {
    const range = ranges.layers[i];
    if (spec.kind === "pool") {
      // int8 pooling keeps its input's quantisation (TFLite requires it).
      shape = [1, Math.floor(shape[1] / spec.size), 1, shape[3]];
      const out = act(`pool${i}`, shape, q);
      ops.push({
        op: spec.max ? "MAX_POOL_2D" : "AVERAGE_POOL_2D",
        inputs: [current],
        outputs: [out],
        options: {
          padding: "VALID",
          stride_h: spec.size,
          stride_w: 1,
          filter_height: spec.size,
          filter_width: 1,
        },
      });
      current = out;
      return;
    }
    if (spec.kind === "flatten") {
      const flat = [1, shape.slice(1).reduce((a, b) => a * b, 1)];
      const newShape = add({
        name: `flatten${i}/shape`,
        type: "int32",
        shape: [2],
        data: bytes(new Int32Array(flat)),
      });
      const out = act(`flatten${i}`, flat, q); // RESHAPE keeps the quantisation
      ops.push({
        op: "RESHAPE",
        inputs: [current, newShape],
        outputs: [out],
        options: { new_shape: flat },
      });
      current = out;
      shape = flat;
      return;
    }
    const { kernel, bias } = model.weights(i);
    const outQ = activationParams(range[0], range[1]);
    if (spec.kind === "conv") {
      // Kernel [tap, in, out] -> TFLite filter [out, tap, 1, in], one scale per out.
      const inC = shape[3];
      const outC = spec.filters;
      const filter = new Float32Array(outC * spec.kernel * inC);
      for (let o = 0; o < outC; o++)
        for (let k = 0; k < spec.kernel; k++)
          for (let c = 0; c < inC; c++)
            filter[(o * spec.kernel + k) * inC + c] = kernel[(k * inC + c) * outC + o];
      const scales: number[] = [];
      const qFilter = new Int8Array(filter.length);
      const qBias = new Int32Array(outC);
      for (let o = 0; o < outC; o++) {
        const row = filter.subarray(o * spec.kernel * inC, (o + 1) * spec.kernel * inC);
        const max = row.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const s = max > 0 ? max / 127 : 1;
        scales.push(s);
        qFilter.set(int8Symmetric(row, s), o * spec.kernel * inC);
        qBias[o] = Math.round(bias[o] / (q.scale * s));
      }
      const f = add({
        name: `conv${i}/filter`,
        type: "int8",
        shape: [outC, spec.kernel, 1, inC],
        data: bytes(qFilter),
        quant: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: 0 },
      });
      const b = add({
        name: `conv${i}/bias`,
        type: "int32",
        shape: [outC],
        data: bytes(qBias),
        quant: {
          scale: scales.map((s) => s * q.scale),
          zeroPoint: scales.map(() => 0),
          quantizedDimension: 0,
        },
      });
      shape = [1, geometry(shape[1], spec).out, 1, outC];
      const out = act(`conv${i}`, shape, outQ);
      ops.push({
        op: "CONV_2D",
        inputs: [current, f, b],
        outputs: [out],
        options: {
          padding: spec.valid ? "VALID" : "SAME",
          stride_h: spec.stride,
          stride_w: 1,
          fused_activation_function: "RELU",
        },
      });
      current = out;
    } else {
      // Kernel [in, out] -> TFLite weights [out, in], one scale for the tensor.
      const inN = shape[1];
      const outN = spec.units;
      const weights = new Float32Array(outN * inN);
      for (let o = 0; o < outN; o++)
        for (let k = 0; k < inN; k++) weights[o * inN + k] = kernel[k * outN + o];
      const max = weights.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const s = max > 0 ? max / 127 : 1;
      const qBias = new Int32Array(outN);
      for (let o = 0; o < outN; o++) qBias[o] = Math.round(bias[o] / (q.scale * s));
      const wt = add({
        name: `dense${i}/weights`,
        type: "int8",
        shape: [outN, inN],
        data: bytes(int8Symmetric(weights, s)),
        quant: { scale: [s], zeroPoint: [0] },
      });
      const b = add({
        name: `dense${i}/bias`,
        type: "int32",
        shape: [outN],
        data: bytes(qBias),
        quant: { scale: [s * q.scale], zeroPoint: [0] },
      });
      shape = [1, outN];
      const out = act(spec.relu ? `dense${i}` : "logits", shape, outQ);
      ops.push({
        op: "FULLY_CONNECTED",
        inputs: [current, wt, b],
        outputs: [out],
        options: { fused_activation_function: spec.relu ? "RELU" : "NONE" },
      });
      current = out;
    }
    q = outQ;
  });
  const outputQ = { scale: 1 / 256, zeroPoint: -128 };
  const probs = act("probabilities", shape, outputQ);
  ops.push({ op: "SOFTMAX", inputs: [current], outputs: [probs], options: { beta: 1 } });
  return {
    model: { tensors, ops, inputs: [0], outputs: [probs], description },
    input: inputQ,
    output: outputQ,
  };
}
