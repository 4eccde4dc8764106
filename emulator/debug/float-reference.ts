// The float reference of an int8 model: the same graph evaluated in float32 with tfjs-core
// over the dequantized weights, from the dequantized inputs the firmware used. Comparing a
// tensor the firmware computed with its float counterpart (SNR in dB) shows where
// quantisation damage starts.
import type * as TF from "@tensorflow/tfjs-core";
import type { TfliteModel, TensorInfo, OperatorInfo, Activation } from "../model/tflite-model.ts";
import { dequantize, rawValues, snrDb } from "./tensor-view.ts";

let tfReady: Promise<typeof TF> | null = null;

/** tfjs-core on its CPU backend, loaded on first use (quietly: it greets Node users on stdout). */
function loadTf(): Promise<typeof TF> {
  tfReady ??= (async () => {
    const tf = await import("@tensorflow/tfjs-core");
    const [log, warn] = [console.log, console.warn];
    console.log = console.warn = () => undefined;
    try {
      await import("@tensorflow/tfjs-backend-cpu");
      await tf.setBackend("cpu");
      tf.tensor([0]).dispose(); // the greeting comes with the backend's first write
    } finally {
      [console.log, console.warn] = [log, warn];
    }
    return tf;
  })();
  return tfReady;
}

export class FloatReferenceError extends Error {}

export interface TensorDiff {
  tensor: number;
  snrDb: number;
  maxAbsError: number;
  meanAbsError: number;
  /** Largest magnitude of the reference, to read the errors against. */
  referenceMax: number;
  elements: number;
}

/** Every tensor's float value for one set of inputs. */
export class FloatReference {
  private constructor(private readonly values: Map<number, Float32Array>) {}

  /** Runs the model in float from the firmware's quantized input bytes. */
  static async run(
    model: TfliteModel,
    file: Uint8Array,
    inputs: Uint8Array[],
  ): Promise<FloatReference> {
    const tf = await loadTf();
    const values = new Map<number, Float32Array>();
    const live = new Map<number, TF.Tensor>();
    const get = (t: number): TF.Tensor => {
      let v = live.get(t);
      if (v) return v;
      const info = model.tensors[t];
      if (!info?.isConstant || !info.data)
        throw new FloatReferenceError(
          `tensor ${t} has no value (not an input, a constant or an earlier output)`,
        );
      v = tf.tensor(constantValues(info, file), info.shape.length ? info.shape : [1], "float32");
      live.set(t, v);
      return v;
    };
    try {
      model.inputs.forEach((t, i) => {
        const info = model.tensors[t];
        const real = dequantize(info, rawValues(info, inputs[i] ?? new Uint8Array(0)));
        const v = tf.tensor(Float32Array.from(real), info.shape, "float32");
        live.set(t, v);
        values.set(t, v.dataSync() as Float32Array);
      });
      for (const op of model.operators) {
        const out = tf.tidy(() => evalOp(tf, model, op, get));
        live.set(op.outputs[0], out);
        values.set(op.outputs[0], out.dataSync() as Float32Array);
      }
    } finally {
      for (const v of live.values()) v.dispose();
    }
    return new FloatReference(values);
  }

  value(tensor: number): Float32Array | undefined {
    return this.values.get(tensor);
  }

  /** The firmware's tensor (dequantized) against the reference. */
  diff(info: TensorInfo, bytes: Uint8Array): TensorDiff {
    const ref = this.values.get(info.index);
    if (!ref)
      throw new FloatReferenceError(
        `tensor ${info.index} is a constant or not computed by the graph: nothing to compare`,
      );
    const got = dequantize(info, rawValues(info, bytes));
    if (got.length !== ref.length)
      throw new FloatReferenceError(
        `tensor ${info.index}: ${got.length} values here, ${ref.length} in the reference`,
      );
    let maxAbs = 0,
      sumAbs = 0,
      refMax = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs(ref[i] - got[i]);
      maxAbs = Math.max(maxAbs, d);
      sumAbs += d;
      refMax = Math.max(refMax, Math.abs(ref[i]));
    }
    return {
      tensor: info.index,
      snrDb: snrDb(ref, got),
      maxAbsError: maxAbs,
      meanAbsError: sumAbs / Math.max(ref.length, 1),
      referenceMax: refMax,
      elements: ref.length,
    };
  }
}

/** A constant's real values: dequantized int8/int32 weights and biases, or float data. */
function constantValues(info: TensorInfo, file: Uint8Array): Float32Array {
  const bytes = file.subarray(info.data!.offset, info.data!.offset + info.data!.length);
  return Float32Array.from(dequantize(info, rawValues(info, bytes)));
}

function activate(tf: typeof TF, x: TF.Tensor, a: Activation): TF.Tensor {
  switch (a) {
    case "NONE":
      return x;
    case "RELU":
      return tf.relu(x);
    case "RELU6":
      return tf.clipByValue(x, 0, 6);
    case "RELU_N1_TO_1":
      return tf.clipByValue(x, -1, 1);
    case "TANH":
      return tf.tanh(x);
    default:
      throw new FloatReferenceError(`fused activation ${a} is not in the float reference`);
  }
}

const pad = (p: string) => (p === "SAME" ? "same" : "valid");

function evalOp(
  tf: typeof TF,
  model: TfliteModel,
  op: OperatorInfo,
  get: (t: number) => TF.Tensor,
): TF.Tensor {
  const o = op.options;
  const outShape = model.tensors[op.outputs[0]].shape;
  const input = () => get(op.inputs[0]);
  const bias = (x: TF.Tensor) =>
    op.inputs[2] !== undefined && op.inputs[2] >= 0 ? tf.add(x, get(op.inputs[2])) : x;
  switch (op.opName) {
    case "CONV_2D": {
      if (o?.kind !== "conv") break;
      const filter = tf.transpose(get(op.inputs[1]), [1, 2, 3, 0]) as TF.Tensor4D; // OHWI -> HWIO
      const y = tf.conv2d(
        input() as TF.Tensor4D,
        filter,
        [o.strideH, o.strideW],
        pad(o.padding),
        "NHWC",
        [o.dilationH, o.dilationW],
      );
      return activate(tf, bias(y), o.activation);
    }
    case "DEPTHWISE_CONV_2D": {
      if (o?.kind !== "depthwise") break;
      const x = input() as TF.Tensor4D;
      const w = get(op.inputs[1]); // [1, H, W, C*M]
      const channels = x.shape[3];
      const filter = tf.reshape(w, [
        w.shape[1]!,
        w.shape[2]!,
        channels,
        w.shape[3]! / channels,
      ]) as TF.Tensor4D;
      const y = tf.depthwiseConv2d(x, filter, [o.strideH, o.strideW], pad(o.padding), "NHWC", [
        o.dilationH,
        o.dilationW,
      ]);
      return activate(tf, bias(y), o.activation);
    }
    case "FULLY_CONNECTED": {
      if (o?.kind !== "fully-connected") break;
      const w = get(op.inputs[1]) as TF.Tensor2D;
      const x = tf.reshape(input(), [-1, w.shape[1]]) as TF.Tensor2D;
      const y = activate(tf, bias(tf.matMul(x, w, false, true)), o.activation);
      return tf.reshape(y, outShape);
    }
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D": {
      if (o?.kind !== "pool") break;
      const f = op.opName === "MAX_POOL_2D" ? tf.maxPool : tf.avgPool;
      return activate(
        tf,
        f(input() as TF.Tensor4D, [o.filterH, o.filterW], [o.strideH, o.strideW], pad(o.padding)),
        o.activation,
      );
    }
    case "RESHAPE":
    case "SQUEEZE":
      return tf.reshape(input(), outShape);
    case "SOFTMAX":
      return tf.softmax(tf.mul(input(), o?.kind === "softmax" ? o.beta : 1));
    case "ADD":
    case "MUL": {
      const y =
        op.opName === "ADD"
          ? tf.add(input(), get(op.inputs[1]))
          : tf.mul(input(), get(op.inputs[1]));
      return activate(tf, y, o?.kind === "activation" ? o.activation : "NONE");
    }
    case "CONCATENATION": {
      if (o?.kind !== "concatenation") break;
      return activate(tf, tf.concat(op.inputs.map(get), o.axis), o.activation);
    }
    case "LOGISTIC":
      return tf.sigmoid(input());
    case "TANH":
      return tf.tanh(input());
    case "RELU":
      return tf.relu(input());
    case "RELU6":
      return tf.clipByValue(input(), 0, 6);
    case "QUANTIZE":
    case "DEQUANTIZE":
      return tf.clone(input());
    case "PAD": {
      const p = Array.from(get(op.inputs[1]).dataSync());
      const pairs = Array.from(
        { length: p.length / 2 },
        (_, i) => [p[2 * i], p[2 * i + 1]] as [number, number],
      );
      return tf.pad(input(), pairs);
    }
    case "MEAN": {
      const axes = Array.from(get(op.inputs[1]).dataSync());
      return tf.reshape(tf.mean(input(), axes, true), outShape);
    }
  }
  throw new FloatReferenceError(`layer ${op.index} (${op.opName}) is not in the float reference`);
}
