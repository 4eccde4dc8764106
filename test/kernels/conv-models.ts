// Single-op CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED models with seeded random weights
// and quantisation chosen so outputs spread over the int8 range (for the kernel tests).
import { writeTflite, type WriterTensor } from "../../emulator/model/tflite-writer.ts";

export interface ConvCase {
  name: string;
  op: "CONV_2D" | "DEPTHWISE_CONV_2D" | "FULLY_CONNECTED";
  float: boolean;
  input: number[]; // NHWC (or [batch, inputs] for FC)
  filter: number[]; // as TFLite lays it out
  output: number[];
  options: Record<string, number | string | boolean>;
  perChannel?: boolean;
  bias?: boolean;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const bytesOf = (a: Int8Array | Int32Array | Float32Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The model; without a bias the reference gets an all-zero bias instead (it requires one). */
export function buildCase(c: ConvCase, seed: number, forReference = false): Uint8Array {
  const { tensors, op } = caseTensors(c, seed, forReference);
  return writeTflite({ tensors, ops: [op], inputs: [0], outputs: [3] });
}

/** The case's tensors (input 0, filter 1, bias 2, output 3) and its operator, for a model
 *  that adds layers after it. */
export function caseTensors(
  c: ConvCase,
  seed: number,
  forReference = false,
): {
  tensors: WriterTensor[];
  op: { op: string; inputs: number[]; outputs: number[]; options: ConvCase["options"] };
} {
  const r = rng(seed);
  const outC = c.op === "DEPTHWISE_CONV_2D" ? c.filter[3] : c.filter[0];
  const depth =
    c.op === "DEPTHWISE_CONV_2D" ? c.filter[1] * c.filter[2] : count(c.filter) / c.filter[0];
  const bias = c.bias !== false;
  const tensors: WriterTensor[] = [];
  if (c.float) {
    const w = Float32Array.from(
      { length: count(c.filter) },
      () => ((r() - 0.5) * 2) / Math.sqrt(depth),
    );
    const b = Float32Array.from({ length: outC }, () => (bias ? r() - 0.5 : 0));
    tensors.push({ name: "in", type: "float32", shape: c.input });
    tensors.push({ name: "w", type: "float32", shape: c.filter, data: bytesOf(w) });
    tensors.push({ name: "b", type: "float32", shape: [outC], data: bytesOf(b) });
    tensors.push({ name: "out", type: "float32", shape: c.output });
  } else {
    const inScale = 0.02 + r() * 0.03,
      inZp = Math.floor(r() * 41) - 20;
    const chan = c.perChannel !== false ? outC : 1;
    const wScales = Array.from({ length: chan }, () => 0.002 + r() * 0.01);
    const w = Int8Array.from({ length: count(c.filter) }, () => Math.floor(r() * 255) - 127);
    const meanW = wScales.reduce((a, b) => a + b, 0) / chan;
    const outScale = (Math.sqrt(depth) * 74 * inScale * 73 * meanW) / 40;
    const b = Int32Array.from({ length: outC }, () =>
      bias ? Math.floor(((r() - 0.5) * 2 * 30 * outScale) / (inScale * meanW)) : 0,
    );
    const quantDim = c.op === "DEPTHWISE_CONV_2D" ? 3 : 0;
    tensors.push({
      name: "in",
      type: "int8",
      shape: c.input,
      quant: { scale: [inScale], zeroPoint: [inZp] },
    });
    tensors.push({
      name: "w",
      type: "int8",
      shape: c.filter,
      data: bytesOf(w),
      quant: { scale: wScales, zeroPoint: wScales.map(() => 0), quantizedDimension: quantDim },
    });
    tensors.push({
      name: "b",
      type: "int32",
      shape: [outC],
      data: bytesOf(b),
      quant: {
        scale: wScales.map((s) => s * inScale),
        zeroPoint: wScales.map(() => 0),
        quantizedDimension: 0,
      },
    });
    tensors.push({
      name: "out",
      type: "int8",
      shape: c.output,
      quant: { scale: [outScale], zeroPoint: [Math.floor(r() * 41) - 20] },
    });
  }
  return {
    tensors,
    op: {
      op: c.op,
      inputs: [0, 1, bias || forReference ? 2 : -1],
      outputs: [3],
      options: c.options,
    },
  };
}

export function randomInput(c: ConvCase, seed: number): Uint8Array {
  const r = rng(seed * 7 + 3);
  const n = count(c.input);
  return c.float
    ? bytesOf(Float32Array.from({ length: n }, () => (r() - 0.5) * 4))
    : bytesOf(Int8Array.from({ length: n }, () => Math.floor(r() * 256) - 128));
}

const conv = (
  name: string,
  input: number[],
  filter: number[],
  output: number[],
  options: ConvCase["options"],
  extra: Partial<ConvCase> = {},
): ConvCase[] =>
  [false, true].map((float) => ({
    name: `${name}${float ? " float" : ""}`,
    op: "CONV_2D",
    float,
    input,
    filter,
    output,
    options,
    ...extra,
  }));
const dw = (
  name: string,
  input: number[],
  filter: number[],
  output: number[],
  options: ConvCase["options"],
  extra: Partial<ConvCase> = {},
): ConvCase[] =>
  [false, true].map((float) => ({
    name: `${name}${float ? " float" : ""}`,
    op: "DEPTHWISE_CONV_2D",
    float,
    input,
    filter,
    output,
    options,
    ...extra,
  }));
const fc = (
  name: string,
  input: number[],
  filter: number[],
  output: number[],
  options: ConvCase["options"],
  extra: Partial<ConvCase> = {},
): ConvCase[] =>
  [false, true].map((float) => ({
    name: `${name}${float ? " float" : ""}`,
    op: "FULLY_CONNECTED",
    float,
    input,
    filter,
    output,
    options,
    ...extra,
  }));

export const CASES: ConvCase[] = [
  ...conv("conv 1x1 16->24 relu6", [1, 7, 5, 16], [24, 1, 1, 16], [1, 7, 5, 24], {
    fused_activation_function: "RELU6",
  }),
  ...conv("conv 1x1 13->6 (tails)", [1, 3, 3, 13], [6, 1, 1, 13], [1, 3, 3, 6], {}),
  ...conv(
    "conv 3x3 s2 same 3->8 relu (MobileNet stem)",
    [1, 11, 12, 3],
    [8, 3, 3, 3],
    [1, 6, 6, 8],
    { stride_w: 2, stride_h: 2, fused_activation_function: "RELU" },
  ),
  ...conv("conv 3x3 valid 5->7", [2, 6, 7, 5], [7, 3, 3, 5], [2, 4, 5, 7], { padding: "VALID" }),
  ...conv("conv 5x3 same s1x2 dilation 2x1, 9->4", [1, 9, 8, 9], [4, 5, 3, 9], [1, 9, 4, 4], {
    stride_w: 2,
    dilation_h_factor: 2,
  }),
  ...conv("conv 1x1 stride 2 valid 8->8 relu_n1_to_1", [1, 6, 6, 8], [8, 1, 1, 8], [1, 3, 3, 8], {
    padding: "VALID",
    stride_w: 2,
    stride_h: 2,
    fused_activation_function: "RELU_N1_TO_1",
  }),
  ...conv(
    "conv 3x3 per-tensor no bias 4->5",
    [1, 5, 5, 4],
    [5, 3, 3, 4],
    [1, 5, 5, 5],
    {},
    { perChannel: false, bias: false },
  ),
  ...dw("dw 3x3 s1 same 8 relu6", [1, 9, 10, 8], [1, 3, 3, 8], [1, 9, 10, 8], {
    fused_activation_function: "RELU6",
  }),
  ...dw("dw 3x3 s2 same 16", [1, 9, 9, 16], [1, 3, 3, 16], [1, 5, 5, 16], {
    stride_w: 2,
    stride_h: 2,
  }),
  ...dw("dw 3x3 s1 valid 12 (odd width)", [1, 6, 7, 12], [1, 3, 3, 12], [1, 4, 5, 12], {
    padding: "VALID",
  }),
  ...dw("dw 3x3 s1 same 5 (channel tail)", [1, 4, 6, 5], [1, 3, 3, 5], [1, 4, 6, 5], {}),
  ...dw(
    "dw 3x3 s2 same 6 per-tensor",
    [1, 7, 8, 6],
    [1, 3, 3, 6],
    [1, 4, 4, 6],
    { stride_w: 2, stride_h: 2 },
    { perChannel: false },
  ),
  ...dw("dw 3x3 multiplier 2", [1, 5, 5, 3], [1, 3, 3, 6], [1, 5, 5, 6], { depth_multiplier: 2 }),
  ...dw("dw 5x5 dilation 2 valid", [1, 11, 10, 4], [1, 5, 5, 4], [1, 3, 2, 4], {
    padding: "VALID",
    dilation_w_factor: 2,
    dilation_h_factor: 2,
  }),
  // Windows other than 3x3 (depthwise-window.ts): the streaming wake-word model's Kx1 filters
  // over time, with padding, a channel tail, stride and dilation, and a 1xK filter along rows.
  ...dw("dw 5x1 over time valid 40 relu", [1, 30, 1, 40], [1, 5, 1, 40], [1, 26, 1, 40], {
    padding: "VALID",
    fused_activation_function: "RELU",
  }),
  ...dw(
    "dw 10x1 over time same 13 (channel tail)",
    [1, 24, 1, 13],
    [1, 10, 1, 13],
    [1, 24, 1, 13],
    {},
  ),
  ...dw(
    "dw 4x1 stride 2 dilation 2 batch 2 per-tensor",
    [2, 17, 1, 16],
    [1, 4, 1, 16],
    [2, 6, 1, 16],
    { padding: "VALID", stride_h: 2, dilation_h_factor: 2 },
    { perChannel: false },
  ),
  ...dw("dw 1x4 stride 3 same 12 relu6", [1, 3, 14, 12], [1, 1, 4, 12], [1, 3, 5, 12], {
    stride_w: 3,
    fused_activation_function: "RELU6",
  }),
  ...dw("dw 3x3 s1 batch 2 no bias", [2, 5, 4, 8], [1, 3, 3, 8], [2, 5, 4, 8], {}, { bias: false }),
  ...fc(
    "fc 256->10 relu",
    [1, 256],
    [10, 256],
    [1, 10],
    { fused_activation_function: "RELU" },
    { perChannel: false },
  ),
  ...fc("fc batch 6 37->13", [6, 37], [13, 37], [6, 13], {}, { perChannel: false }),
  ...fc("fc 4-D input 2x3x4 -> 5", [1, 2, 3, 4], [5, 24], [1, 5], {}, { perChannel: false }),
];
