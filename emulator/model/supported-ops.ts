// The operators the engine's kernels (firmware/tflite/kernels/registry.ts) run, with the
// element types each takes and the TFLM acceptance rule it follows, for `tinyboard model ops`,
// `model inspect` and docs/inference-engine.md. Kept beside the registry by hand: the
// kernel tests (test/kernels/) run a single-op model of every entry.

export interface SupportedOp {
  op: string;
  int8: boolean;
  float32: boolean;
  /** Other element types the kernel takes (data movement copies any held type). */
  other?: string;
  /** What the kernel accepts and computes, where TFLM sets a rule. */
  rule: string;
}

const ANY = "int32, int16, bool and the rest: raw copy";

export const SUPPORTED_OPS: SupportedOp[] = [
  {
    op: "ABS",
    int8: true,
    float32: true,
    rule: "int8: |q - zp_in| rescaled by s_in/s_out when the scales differ",
  },
  {
    op: "ADD",
    int8: true,
    float32: true,
    rule: "broadcast to rank 4; int8 left shift 20, per-input multipliers",
  },
  {
    op: "ARG_MAX",
    int8: true,
    float32: true,
    other: "int32 input; int32/int64 output",
    rule: "constant axis; first index of the maximum",
  },
  {
    op: "ARG_MIN",
    int8: true,
    float32: true,
    other: "int32 input; int32/int64 output",
    rule: "constant axis; first index of the minimum",
  },
  {
    op: "AVERAGE_POOL_2D",
    int8: true,
    float32: true,
    rule: "output keeps the input's quantisation",
  },
  {
    op: "BATCH_MATMUL",
    int8: true,
    float32: true,
    rule: "adj_x, adj_y, up to 3 broadcast batch dims; int8 per-tensor, scale s_lhs*s_rhs/s_out",
  },
  {
    op: "CONCATENATION",
    int8: true,
    float32: true,
    other: ANY,
    rule: "no fused activation; int8 inputs of another scale requantised",
  },
  { op: "CONV_2D", int8: true, float32: true, rule: "per-channel int8 weights, int32 bias" },
  {
    op: "DEPTHWISE_CONV_2D",
    int8: true,
    float32: true,
    rule: "per-channel int8 weights, any depth multiplier",
  },
  {
    op: "DEPTH_TO_SPACE",
    int8: true,
    float32: true,
    other: ANY,
    rule: "NHWC; int8 output keeps the input's quantisation",
  },
  { op: "DEQUANTIZE", int8: true, float32: false, rule: "int8 to float32" },
  {
    op: "DIV",
    int8: true,
    float32: true,
    rule: "broadcast to rank 4; int8 TFLM reciprocal arithmetic (a zero divisor saturates)",
  },
  {
    op: "EQUAL",
    int8: true,
    float32: true,
    rule: "bool output; int8 inputs rescaled (left shift 8, scales below 1)",
  },
  { op: "EXP", int8: false, float32: true, rule: "float32 only (TFLM's EXP is float-only)" },
  {
    op: "EXPAND_DIMS",
    int8: true,
    float32: true,
    other: ANY,
    rule: "the output shape is the model's",
  },
  {
    op: "FILL",
    int8: true,
    float32: true,
    other: ANY,
    rule: "one-element value of the output's type, raw",
  },
  {
    op: "FULLY_CONNECTED",
    int8: true,
    float32: true,
    rule: "int8 weights per-tensor or per-channel, keep_num_dims",
  },
  {
    op: "GATHER",
    int8: true,
    float32: true,
    other: ANY,
    rule: "int32/int64 indices, axis and batch_dims",
  },
  { op: "GREATER", int8: true, float32: true, rule: "as EQUAL" },
  { op: "GREATER_EQUAL", int8: true, float32: true, rule: "as EQUAL" },
  {
    op: "HARD_SWISH",
    int8: true,
    float32: true,
    rule: "int8: TFLite's int16 fixed point (reluish 3/32768)",
  },
  {
    op: "L2_NORMALIZATION",
    int8: true,
    float32: true,
    rule: "innermost axis, no fused activation; int8 output scale 1/128, zero point 0",
  },
  { op: "LEAKY_RELU", int8: true, float32: true, rule: "int8: identity and alpha multipliers" },
  { op: "LESS", int8: true, float32: true, rule: "as EQUAL" },
  { op: "LESS_EQUAL", int8: true, float32: true, rule: "as EQUAL" },
  { op: "LOG", int8: false, float32: true, rule: "float32 only (TFLM's LOG is float-only)" },
  {
    op: "LOGISTIC",
    int8: true,
    float32: true,
    rule: "int8 output zero point -128; computed at scale 1/256 whatever the output scale (as TFLM)",
  },
  {
    op: "LOG_SOFTMAX",
    int8: true,
    float32: true,
    rule: "innermost axis; int8 output scale 16/256, zero point 127 (TFLM's fixed-point exp and log)",
  },
  { op: "MAXIMUM", int8: true, float32: true, rule: "raw elements, broadcast to rank 4" },
  { op: "MAX_POOL_2D", int8: true, float32: true, rule: "output keeps the input's quantisation" },
  {
    op: "MEAN",
    int8: true,
    float32: true,
    rule: "constant axes; int8 requantised in float32 as QuantizedMeanOrSum",
  },
  { op: "MINIMUM", int8: true, float32: true, rule: "raw elements, broadcast to rank 4" },
  { op: "MUL", int8: true, float32: true, rule: "broadcast to rank 4" },
  { op: "NEG", int8: false, float32: true, rule: "float32 only (TFLM has no int8 NEG)" },
  { op: "NOT_EQUAL", int8: true, float32: true, rule: "as EQUAL" },
  {
    op: "PACK",
    int8: true,
    float32: true,
    other: ANY,
    rule: "inputs keep the output's quantisation",
  },
  {
    op: "PAD",
    int8: true,
    float32: true,
    other: ANY,
    rule: "constant paddings; int8 pads with the output zero point",
  },
  {
    op: "PADV2",
    int8: true,
    float32: true,
    other: ANY,
    rule: "one-element constant_values; int8 needs the output's scale and zero point",
  },
  {
    op: "PRELU",
    int8: true,
    float32: true,
    rule: "alpha broadcast to the input; int8 identity and alpha multipliers",
  },
  { op: "QUANTIZE", int8: true, float32: false, rule: "float32 to int8, int8 to int8 requantise" },
  {
    op: "REDUCE_MAX",
    int8: true,
    float32: true,
    rule: "constant axes; int8 output keeps the input's quantisation",
  },
  {
    op: "RELU",
    int8: true,
    float32: true,
    rule: "int8 rescaled when the output quantisation differs",
  },
  { op: "RELU6", int8: true, float32: true, rule: "as RELU" },
  {
    op: "RELU_0_TO_1",
    int8: true,
    float32: true,
    rule: "as RELU, clamped at the quantised 0 and 1",
  },
  {
    op: "RELU_N1_TO_1",
    int8: true,
    float32: true,
    rule: "as RELU, clamped at the quantised -1 and 1",
  },
  { op: "RESHAPE", int8: true, float32: true, other: ANY, rule: "the output shape is the model's" },
  {
    op: "RESIZE_BILINEAR",
    int8: true,
    float32: true,
    rule: "int8: 10-bit fixed point (exact); align_corners, half_pixel_centers",
  },
  {
    op: "RESIZE_NEAREST_NEIGHBOR",
    int8: true,
    float32: true,
    other: ANY,
    rule: "align_corners, half_pixel_centers",
  },
  {
    op: "RSQRT",
    int8: true,
    float32: true,
    rule: "int8: TFLM fixed-point 1/sqrt, inputs at or above the zero point",
  },
  {
    op: "SELECT_V2",
    int8: true,
    float32: true,
    other: ANY,
    rule: "bool condition; the three inputs broadcast to rank 4",
  },
  { op: "SHAPE", int8: true, float32: true, other: ANY, rule: "int32 or int64 output" },
  {
    op: "SLICE",
    int8: true,
    float32: true,
    other: ANY,
    rule: "constant begin and size (-1: to the end)",
  },
  { op: "SOFTMAX", int8: true, float32: true, rule: "int8 output scale 1/256, zero point -128" },
  {
    op: "SPACE_TO_DEPTH",
    int8: true,
    float32: true,
    other: ANY,
    rule: "NHWC; int8 output keeps the input's quantisation",
  },
  { op: "SPLIT", int8: true, float32: true, other: ANY, rule: "constant axis, equal parts" },
  { op: "SPLIT_V", int8: true, float32: true, other: ANY, rule: "constant sizes and axis" },
  { op: "SQRT", int8: false, float32: true, rule: "float32 only (TFLM's SQRT is float-only)" },
  {
    op: "SQUARED_DIFFERENCE",
    int8: true,
    float32: true,
    rule: "int8 left shift 7, per-input multipliers",
  },
  { op: "SQUEEZE", int8: true, float32: true, other: ANY, rule: "the output shape is the model's" },
  {
    op: "STRIDED_SLICE",
    int8: true,
    float32: true,
    other: ANY,
    rule: "constant begin/end/strides, begin/end/shrink masks; no ellipsis or new-axis mask (as TFLM)",
  },
  { op: "SUB", int8: true, float32: true, rule: "as ADD" },
  {
    op: "SUM",
    int8: true,
    float32: true,
    rule: "constant axes; int8 as TFLM's QuantizedMeanOrSum (narrowed without a clamp)",
  },
  {
    op: "SVDF",
    int8: true,
    float32: true,
    rule: "2-D input, rank divides the filters; state kept by the kernel between invocations; int8: time weights and state both int16 or both int8 (state zero point honoured), int32 bias, no fused activation (as TFLM)",
  },
  { op: "TANH", int8: true, float32: true, rule: "int8 output scale 1/128, zero point 0" },
  {
    op: "TRANSPOSE",
    int8: true,
    float32: true,
    other: ANY,
    rule: "constant permutation, rank up to 6",
  },
  {
    op: "TRANSPOSE_CONV",
    int8: true,
    float32: true,
    rule: "constant output shape; per-channel int8 filter, int32 bias, fused activation",
  },
  {
    op: "UNIDIRECTIONAL_SEQUENCE_LSTM",
    int8: true,
    float32: false,
    rule: "TFLM's integer LSTM: 24 inputs, no peephole, projection, layer norm or CIFG; int8 weights (zero point 0, per tensor), int32 biases, int8 hidden and int16 cell state kept by the kernel between invocations; gates in Q3.12, cell gate TANH, cell_clip",
  },
  {
    op: "UNPACK",
    int8: true,
    float32: true,
    other: ANY,
    rule: "outputs keep the input's quantisation",
  },
  {
    op: "ZEROS_LIKE",
    int8: false,
    float32: true,
    other: "int32, int64",
    rule: "raw zeros (TFLM: float32, int32, int64)",
  },
];

const BY_NAME = new Map(SUPPORTED_OPS.map((o) => [o.op, o]));

export function supportedOp(name: string): SupportedOp | undefined {
  return BY_NAME.get(name);
}
