// The lean paths keep nothing in the arena's head (no widened rows, pair rows, widened weights
// or requantisation records: issue 16 §1, a head like TFLM's) and must give the same bytes as
// the vectorised paths they replace. Each layer runs twice: alone, where its input and output
// fill the head so the interpreter takes the lean path, and followed by a PAD whose large output
// leaves room for the layer's scratch area, so it takes the vectorised path. The host's plan
// (model-budget.ts) says which path each run took, and the firmware's head must equal it.
import test from "ava";
import { writeTflite, type WriterTensor } from "../../emulator/model/tflite-writer.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { engineHeadBytes, layerAreas } from "../../emulator/toolchain/model-budget.ts";
import { caseTensors, randomInput, type ConvCase } from "./conv-models.ts";
import { runModelSets } from "../helpers/engine.ts";

const CASES: ConvCase[] = [
  // 1x1 CONV_2D: depth 13 (a masked last group), 6 channels (a channel tail), 15 pixels
  // (a block of 8, one of 4, 3 single rows); the ReLU and the general requantisation forms.
  ...[
    ["RELU", true],
    ["NONE", true],
    ["RELU6", false],
  ].map(([act, perChannel]) => ({
    name: `conv 1x1 13->6 ${act}${perChannel ? "" : " per-tensor"}`,
    op: "CONV_2D" as const,
    float: false,
    input: [1, 3, 5, 13],
    filter: [6, 1, 1, 13],
    output: [1, 3, 5, 6],
    options: { fused_activation_function: act as string },
    perChannel: perChannel as boolean,
  })),
  {
    name: "conv 1x1 24->16 batch 2, no bias",
    op: "CONV_2D",
    float: false,
    input: [2, 4, 3, 24],
    filter: [16, 1, 1, 24],
    output: [2, 4, 3, 16],
    options: {},
    bias: false,
  },
  {
    name: "conv 1x1 depth 5 (rows shorter than a group)",
    op: "CONV_2D",
    float: false,
    input: [1, 4, 4, 5],
    filter: [7, 1, 1, 5],
    output: [1, 4, 4, 7],
    options: { fused_activation_function: "RELU" },
  },
  {
    name: "fc batch 12 37->13",
    op: "FULLY_CONNECTED",
    float: false,
    input: [12, 37],
    filter: [13, 37],
    output: [12, 13],
    options: {},
  },
  // 3x3 DEPTHWISE_CONV_2D: 13 channels (a group of 8 and a tail of 5), borders, strides.
  {
    name: "dw 3x3 s1 same 13 relu6",
    op: "DEPTHWISE_CONV_2D",
    float: false,
    input: [1, 6, 5, 13],
    filter: [1, 3, 3, 13],
    output: [1, 6, 5, 13],
    options: { fused_activation_function: "RELU6" },
  },
  {
    name: "dw 3x3 s2 same 16 batch 2",
    op: "DEPTHWISE_CONV_2D",
    float: false,
    input: [2, 7, 9, 16],
    filter: [1, 3, 3, 16],
    output: [2, 4, 5, 16],
    options: { stride_w: 2, stride_h: 2 },
  },
  {
    name: "dw 3x3 s1 valid 8 per-tensor",
    op: "DEPTHWISE_CONV_2D",
    float: false,
    input: [1, 5, 6, 8],
    filter: [1, 3, 3, 8],
    output: [1, 3, 4, 8],
    options: { padding: "VALID", fused_activation_function: "RELU" },
    perChannel: false,
  },
  // Depth multipliers: 10 outputs per input channel (a group of 8 and a short one), int8 and float.
  {
    name: "dw 5x4 s2 multiplier 10 relu",
    op: "DEPTHWISE_CONV_2D",
    float: false,
    input: [1, 9, 8, 3],
    filter: [1, 5, 4, 30],
    output: [1, 5, 4, 30],
    options: { stride_w: 2, stride_h: 2, depth_multiplier: 10, fused_activation_function: "RELU" },
  },
  {
    name: "dw 3x3 multiplier 8 (micro_speech's shape)",
    op: "DEPTHWISE_CONV_2D",
    float: false,
    input: [1, 7, 6, 1],
    filter: [1, 3, 3, 8],
    output: [1, 7, 6, 8],
    options: { depth_multiplier: 8 },
  },
  {
    name: "dw 4x3 multiplier 6 float relu",
    op: "DEPTHWISE_CONV_2D",
    float: true,
    input: [1, 8, 3, 2],
    filter: [1, 4, 3, 12],
    output: [1, 8, 3, 12],
    options: { depth_multiplier: 6, fused_activation_function: "RELU" },
  },
];

/** The case alone, or followed by a PAD of its output whose large result (alive only after the
 *  layer) leaves a gap in the head while the layer runs. */
function model(c: ConvCase, padded: boolean): Uint8Array {
  const { tensors, op } = caseTensors(c, 7);
  if (!padded) return writeTflite({ tensors, ops: [op], inputs: [0], outputs: [3] });
  const out = tensors[3];
  const rank = out.shape.length;
  const grow = rank === 4 ? [0, 0, 24, 24, 24, 24, 0, 0] : [0, 0, 0, 4000];
  const padShape = out.shape.map((d, i) => d + grow[2 * i] + grow[2 * i + 1]);
  const extra: WriterTensor[] = [
    {
      name: "paddings",
      type: "int32",
      shape: [rank, 2],
      data: new Uint8Array(Int32Array.from(grow).buffer),
    },
    { name: "padded", type: out.type, shape: padShape, quant: out.quant },
  ];
  return writeTflite({
    tensors: [...tensors, ...extra],
    ops: [op, { op: "PAD", inputs: [3, 4], outputs: [5], options: {} }],
    inputs: [0],
    outputs: [3, 5],
  });
}

for (const c of CASES) {
  test(`${c.name}: the lean path gives the vectorised path's bytes`, async (t) => {
    const sets = [randomInput(c, 1), randomInput(c, 2)];
    const outputs: Uint8Array[][] = [];
    for (const padded of [false, true]) {
      const bytes = model(c, padded);
      const m = readModel(bytes, c.name);
      const areaBytes = layerAreas(m).bytes[0];
      // Alone: nothing beyond the tensors (the lean path); padded: the layer's scratch area.
      if (padded) t.true(areaBytes > 0, `${c.name}: the padded model's layer has no scratch area`);
      else t.is(areaBytes, 0, `${c.name}: the layer alone keeps a scratch area`);
      const run = await runModelSets(bytes, sets, "rt1060");
      t.is(
        run.arena.headBytes,
        engineHeadBytes(m),
        `${c.name}: firmware head differs from the host's plan`,
      );
      outputs.push(run.inferences.map((inf) => inf.outputs[0]));
    }
    for (let s = 0; s < sets.length; s++)
      t.deepEqual(
        Buffer.from(outputs[0][s]),
        Buffer.from(outputs[1][s]),
        `${c.name}: input set ${s}`,
      );
  });
}
