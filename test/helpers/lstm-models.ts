// Single-op int8 UNIDIRECTIONAL_SEQUENCE_LSTM models for the tests and the ops bench, in the
// layout TFLM's integer LSTM takes (and the TFLite converter writes, as in TFLM's DTLN
// example): 24 inputs (input; 4 input and 4 recurrent int8 weight matrices in the order
// input, forget, cell, output gate; no peephole; 4 int32 biases; no projection; the variable
// int8 hidden state and int16 cell state; no layer norm), one int8 output, and the five
// intermediates the converter adds (TFLite's runtime reads the hidden one's quantisation).
// Seeded weights with scales that keep most gate inputs inside Q3.12's ±8.
import type { WriterModel, WriterTensor } from "../../emulator/model/tflite-writer.ts";

export interface LstmShape {
  batches: number;
  steps: number;
  inputSize: number;
  units: number;
  timeMajor?: boolean;
  inputZero?: number;
  hiddenZero?: number;
  /** log2 of the cell state's scale (default -11, as DTLN's first layer). */
  cellPower?: number;
  cellClip?: number;
  seed?: number;
}

/** A seeded generator of uniform numbers in [0, 1). */
function random(seed: number): () => number {
  let s = (seed * 2654435761 + 1) >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const q = (scale: number, zeroPoint = 0) => ({
  scale: [Math.fround(scale)],
  zeroPoint: [zeroPoint],
});

export function lstmModel(s: LstmShape): WriterModel {
  const next = random(s.seed ?? 1);
  const { batches: B, steps: T, inputSize: I, units: S } = s;
  const inputScale = 0.05,
    hiddenScale = 1 / 128;
  const int8 = (n: number) =>
    new Uint8Array(Int8Array.from({ length: n }, () => Math.round(next() * 254) - 127).buffer);
  const tensors: WriterTensor[] = [];
  const add = (t: WriterTensor) => tensors.push(t) - 1;
  const shape = (d: number) => (s.timeMajor ? [T, B, d] : [B, T, d]);
  const input = add({
    name: "input",
    type: "int8",
    shape: shape(I),
    quant: q(inputScale, s.inputZero ?? 0),
  });
  const gates = ["input", "forget", "cell", "output"];
  // a gate input's standard deviation about 1.5 from each product (73: a uniform int8's)
  const wxScale = 1.5 / (Math.sqrt(I) * 73 * 73 * inputScale);
  const whScale = 1.5 / (Math.sqrt(S) * 73 * 0.5);
  const wx = gates.map((g) =>
    add({
      name: `${g}_weights`,
      type: "int8",
      shape: [S, I],
      data: int8(S * I),
      quant: q(wxScale),
    }),
  );
  const wh = gates.map((g) =>
    add({
      name: `recurrent_${g}_weights`,
      type: "int8",
      shape: [S, S],
      data: int8(S * S),
      quant: q(whScale),
    }),
  );
  const biasScale = Math.fround(Math.fround(inputScale) * Math.fround(wxScale));
  const bias = gates.map((g) =>
    add({
      name: `${g}_bias`,
      type: "int32",
      shape: [S],
      data: new Uint8Array(
        Int32Array.from({ length: S }, () => Math.round(((next() * 2 - 1) * 1.0) / biasScale))
          .buffer,
      ),
      quant: q(biasScale),
    }),
  );
  const hidden = add({
    name: "hidden_state",
    type: "int8",
    shape: [B, S],
    quant: q(hiddenScale, s.hiddenZero ?? 0),
    variable: true,
  });
  const cell = add({
    name: "cell_state",
    type: "int16",
    shape: [B, S],
    quant: q(2 ** (s.cellPower ?? -11)),
    variable: true,
  });
  const output = add({
    name: "output",
    type: "int8",
    shape: shape(S),
    quant: q(hiddenScale, s.hiddenZero ?? 0),
  });
  const intermediates = [
    ...gates.map((g) => add({ name: `input_to_${g}_intermediate`, type: "float32", shape: [0] })),
    add({
      name: "effective_hidden_scale_intermediate",
      type: "int8",
      shape: [0],
      quant: q(hiddenScale, s.hiddenZero ?? 0),
    }),
  ];
  const none = -1;
  return {
    tensors,
    ops: [
      {
        op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
        inputs: [
          input,
          ...wx,
          ...wh,
          none,
          none,
          none,
          ...bias,
          none,
          none,
          hidden,
          cell,
          none,
          none,
          none,
          none,
        ],
        outputs: [output],
        intermediates,
        options: {
          fused_activation_function: "TANH",
          cell_clip: s.cellClip ?? 0,
          time_major: s.timeMajor ?? false,
        },
      },
    ],
    inputs: [input],
    outputs: [output],
    description: "int8 LSTM",
  };
}
