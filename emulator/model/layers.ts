// Per-layer facts of a model read by tflite-model.ts: shapes, multiply-accumulates and the
// bytes of weights each layer reads. MACs count only the layers that are dot products
// (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, as MLPerf Tiny's figures count them, and the
// four gates' matrix products of UNIDIRECTIONAL_SEQUENCE_LSTM).
import { UserError } from "../errors.ts";
import type { OperatorInfo, TfliteModel } from "./tflite-model.ts";

export interface LayerInfo {
  index: number;
  op: string;
  /** Shapes of the activation (non-constant) inputs. */
  inputShapes: number[][];
  outputShapes: number[][];
  /** Type of the first output ("int8" for a quantised layer). */
  outputType: string;
  macs: number;
  /** Bytes of the layer's constant inputs (weights, biases, shape operands). */
  weightBytes: number;
  /** Bytes of the activation inputs and of the outputs. */
  inputBytes: number;
  outputBytes: number;
}

export interface LayerFacts {
  layers: LayerInfo[];
  totalMacs: number;
  /** Bytes of the constants the layers use, each tensor counted once. */
  totalWeightBytes: number;
}

export function describeLayers(model: TfliteModel): LayerFacts {
  const layers: LayerInfo[] = [];
  const constants = new Set<number>();
  for (const op of model.operators) {
    let weightBytes = 0;
    let inputBytes = 0;
    const inputShapes: number[][] = [];
    for (const i of op.inputs) {
      if (i < 0) continue;
      const t = model.tensors[i];
      if (t.isConstant) {
        weightBytes += t.byteSize;
        constants.add(i);
      } else {
        inputBytes += t.byteSize;
        inputShapes.push(t.shape);
      }
    }
    const outs = op.outputs.map((o) => model.tensors[o]);
    layers.push({
      index: op.index,
      op: op.opName,
      inputShapes,
      outputShapes: outs.map((t) => t.shape),
      outputType: outs[0].type,
      macs: layerMacs(model, op),
      weightBytes,
      inputBytes,
      outputBytes: outs.reduce((n, t) => n + t.byteSize, 0),
    });
  }
  let totalWeightBytes = 0;
  for (const i of constants) totalWeightBytes += model.tensors[i].byteSize;
  return { layers, totalMacs: layers.reduce((n, l) => n + l.macs, 0), totalWeightBytes };
}

/** Multiply-accumulates of one layer; 0 for layers that are not dot products. */
export function layerMacs(model: TfliteModel, op: OperatorInfo): number {
  if (op.opName === "UNIDIRECTIONAL_SEQUENCE_LSTM") return lstmMacs(model, op);
  if (
    op.opName !== "CONV_2D" &&
    op.opName !== "DEPTHWISE_CONV_2D" &&
    op.opName !== "FULLY_CONNECTED"
  )
    return 0;
  const fail = (why: string): never => {
    throw new UserError(`${model.name}: layer ${op.index} (${op.opName}): ${why}`);
  };
  const shapeOf = (k: number, what: string): number[] => {
    const i = op.inputs[k];
    if (i === undefined || i < 0) fail(`no ${what} input`);
    return model.tensors[i].shape;
  };
  const input = shapeOf(0, "data");
  const weights = shapeOf(1, "weights");
  const out = model.tensors[op.outputs[0]].shape;
  const product = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (op.opName === "FULLY_CONNECTED") {
    // Weights are [outputs, inputs]; every other output dimension is a batch.
    if (weights.length !== 2) fail(`weights shape [${weights}] is not [outputs, inputs]`);
    const [outputs, inputs] = weights;
    if (outputs > 0 && product(out) % outputs !== 0)
      fail(`output shape [${out}] is not a whole number of ${outputs}-wide rows`);
    if (inputs > 0 && product(input) % inputs !== 0)
      fail(`input shape [${input}] is not a whole number of ${inputs}-wide rows`);
    const batch = outputs > 0 ? product(out) / outputs : 0;
    return batch * outputs * inputs;
  }
  if (out.length !== 4) fail(`output shape [${out}] is not [batch, height, width, channels]`);
  if (weights.length !== 4) fail(`filter shape [${weights}] is not 4-D`);
  const [, kH, kW, last] = weights;
  // CONV_2D filters are [outC, kH, kW, inC per group]; DEPTHWISE_CONV_2D ones [1, kH, kW, outC].
  const perOutput = op.opName === "CONV_2D" ? kH * kW * last : kH * kW;
  return product(out) * perOutput;
}

/** An LSTM's four gates, each an input [units, inputs] and a recurrent [units, units] matrix
 *  product, per step of every batch row: output elements x 4 x (inputs + units). */
function lstmMacs(model: TfliteModel, op: OperatorInfo): number {
  const input = op.inputs[0] >= 0 ? model.tensors[op.inputs[0]].shape : [];
  const weights = op.inputs[1] >= 0 ? model.tensors[op.inputs[1]]?.shape : undefined;
  const out = model.tensors[op.outputs[0]].shape;
  if (!weights || weights.length !== 2 || input.length === 0) return 0;
  const [units, inputs] = weights;
  return out.reduce((a, b) => a * b, 1) * 4 * (inputs + units);
}
