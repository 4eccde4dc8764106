// SVDF single-op models for the tests (test/kernels/ops-svdf.test.ts, ops-fuzz.test.ts): a
// float32 one and TFLM's integer one (int8 input and feature weights, int16 time weights and
// state as TFLite takes them, or int8 ones with a state zero point as TFLM's newer kernel
// does, int32 bias), each with a variable activation state; seeded weights.
import type { WriterModel } from "../../emulator/model/tflite-writer.ts";
import { data } from "./op-compare.ts";

const f32 = (values: Float32Array) => new Uint8Array(values.buffer);
const weights = (n: number, seed: number) => new Float32Array(data("float32", [n], seed, 1).buffer);

export interface SvdfShape {
  batches: number;
  inputSize: number;
  units: number;
  rank: number;
  memory: number;
  bias: boolean;
  act: string;
  /** Added to the weights' seeds (default 0). */
  seed?: number;
}

export function svdfModel(s: SvdfShape): WriterModel {
  const filters = s.units * s.rank;
  const tensors: WriterModel["tensors"] = [
    { name: "input", type: "float32", shape: [s.batches, s.inputSize] },
    {
      name: "weights_feature",
      type: "float32",
      shape: [filters, s.inputSize],
      data: f32(weights(filters * s.inputSize, 7 + (s.seed ?? 0))),
    },
    {
      name: "weights_time",
      type: "float32",
      shape: [filters, s.memory],
      data: f32(weights(filters * s.memory, 11 + (s.seed ?? 0))),
    },
    {
      name: "bias",
      type: "float32",
      shape: [s.units],
      data: f32(weights(s.units, 13 + (s.seed ?? 0))),
    },
    {
      name: "activation_state",
      type: "float32",
      shape: [s.batches, filters * s.memory],
      variable: true,
    },
    { name: "output", type: "float32", shape: [s.batches, s.units] },
  ];
  return {
    tensors,
    ops: [
      {
        op: "SVDF",
        inputs: [0, 1, 2, s.bias ? 3 : -1, 4],
        outputs: [5],
        options: { rank: s.rank, fused_activation_function: s.act },
      },
    ],
    inputs: [0],
    outputs: [5],
  };
}

const ints = (n: number, seed: number, lim: number) => {
  const bytes = data("float32", [n], seed, 1);
  return Array.from(new Float32Array(bytes.buffer), (x) => Math.round(x * lim));
};
const qp = (scale: number, zeroPoint: number) => ({
  scale: [Math.fround(scale)],
  zeroPoint: [zeroPoint],
});

export interface Int8Svdf extends SvdfShape {
  inputZero: number;
  outputZero: number;
  stateScale: number;
  outputScale: number;
  /** Time weights and state: int16 (default, the type TFLite takes) or int8 (TFLM's newer kernel). */
  stateType?: "int16" | "int8";
  /** The state's zero point (default 0; TFLM's kernel honours it, TFLite's assumes 0). */
  stateZero?: number;
}

export function int8SvdfModel(s: Int8Svdf): WriterModel {
  const filters = s.units * s.rank;
  const narrow = s.stateType === "int8";
  // int8 time weights in [-127, 127] at 16x the scale of int16 ones in [-2000, 2000]
  const wtScale = narrow ? 0.008 : 0.0005;
  const timeWeights = ints(filters * s.memory, 11 + (s.seed ?? 0), narrow ? 127 : 2000);
  return {
    tensors: [
      {
        name: "input",
        type: "int8",
        shape: [s.batches, s.inputSize],
        quant: qp(0.05, s.inputZero),
      },
      {
        name: "weights_feature",
        type: "int8",
        shape: [filters, s.inputSize],
        quant: qp(0.01, 0),
        data: new Uint8Array(
          Int8Array.from(ints(filters * s.inputSize, 7 + (s.seed ?? 0), 127)).buffer,
        ),
      },
      {
        name: "weights_time",
        type: s.stateType ?? "int16",
        shape: [filters, s.memory],
        quant: qp(wtScale, 0),
        data: new Uint8Array((narrow ? Int8Array : Int16Array).from(timeWeights).buffer),
      },
      {
        name: "bias",
        type: "int32",
        shape: [s.units],
        quant: qp(s.stateScale * wtScale, 0),
        data: new Uint8Array(Int32Array.from(ints(s.units, 13 + (s.seed ?? 0), 5000)).buffer),
      },
      {
        name: "activation_state",
        type: s.stateType ?? "int16",
        shape: [s.batches, filters * s.memory],
        quant: qp(s.stateScale, s.stateZero ?? 0),
        variable: true,
      },
      {
        name: "output",
        type: "int8",
        shape: [s.batches, s.units],
        quant: qp(s.outputScale, s.outputZero),
      },
    ],
    ops: [
      {
        op: "SVDF",
        inputs: [0, 1, 2, s.bias ? 3 : -1, 4],
        outputs: [5],
        options: { rank: s.rank, fused_activation_function: s.act },
      },
    ],
    inputs: [0],
    outputs: [5],
  };
}
