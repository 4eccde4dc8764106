// The options tables of the builtin operators the .tflite writer knows: for each, the
// BuiltinOptions union index and its fields (name, field id, kind, schema default) as in
// tensorflow/lite/schema/schema.fbs. Kept apart from the writer so that adding an op is one
// entry here. The enums some fields take (padding, activation, weights format) are here too.

import { ACTIVATIONS, PADDINGS } from "./tflite-schema.ts";

export type FieldKind =
  "padding" | "activation" | "weights_format" | "tensor_type" | "int" | "bool" | "float" | "ints";
// [field name, field id, kind, schema default, writer default (if different)]
export type Field = [string, number, FieldKind, number, number?];
export interface OptionTable {
  union: number;
  /** The union member's name in schema.fbs, for the reader's messages (where it reads them). */
  name?: string;
  fields: Field[];
}

const ACT: Field = ["fused_activation_function", 0, "activation", 0];
const POOL: OptionTable = {
  union: 5,
  name: "Pool2DOptions",
  fields: [
    ["padding", 0, "padding", 0],
    ["stride_w", 1, "int", 0, 1],
    ["stride_h", 2, "int", 0, 1],
    ["filter_width", 3, "int", 0],
    ["filter_height", 4, "int", 0],
    ["fused_activation_function", 5, "activation", 0],
  ],
};
const REDUCER: OptionTable = {
  union: 27,
  name: "ReducerOptions",
  fields: [["keep_dims", 0, "bool", 0]],
};

/** Builtin operators the writer knows: their options tables (null: the op has none). Codes
 *  come from the host's name table (tflite-schema.ts), the one copy of schema.fbs's. */
export const BUILTIN_OPS: Record<string, { options: OptionTable | null }> = {
  ADD: {
    options: { union: 11, name: "AddOptions", fields: [ACT, ["pot_scale_int16", 1, "bool", 1]] },
  },
  AVERAGE_POOL_2D: { options: POOL },
  CONCATENATION: {
    options: {
      union: 10,
      name: "ConcatenationOptions",
      fields: [
        ["axis", 0, "int", 0],
        ["fused_activation_function", 1, "activation", 0],
      ],
    },
  },
  CONV_2D: {
    options: {
      union: 1,
      name: "Conv2DOptions",
      fields: [
        ["padding", 0, "padding", 0],
        ["stride_w", 1, "int", 0, 1],
        ["stride_h", 2, "int", 0, 1],
        ["fused_activation_function", 3, "activation", 0],
        ["dilation_w_factor", 4, "int", 1],
        ["dilation_h_factor", 5, "int", 1],
        ["quantized_bias_type", 6, "tensor_type", 0],
      ],
    },
  },
  DEPTHWISE_CONV_2D: {
    options: {
      union: 2,
      name: "DepthwiseConv2DOptions",
      fields: [
        ["padding", 0, "padding", 0],
        ["stride_w", 1, "int", 0, 1],
        ["stride_h", 2, "int", 0, 1],
        ["depth_multiplier", 3, "int", 0, 1],
        ["fused_activation_function", 4, "activation", 0],
        ["dilation_w_factor", 5, "int", 1],
        ["dilation_h_factor", 6, "int", 1],
      ],
    },
  },
  DEQUANTIZE: { options: { union: 38, fields: [] } },
  FULLY_CONNECTED: {
    options: {
      union: 8,
      name: "FullyConnectedOptions",
      fields: [
        ACT,
        ["weights_format", 1, "weights_format", 0],
        ["keep_num_dims", 2, "bool", 0],
        ["asymmetric_quantize_inputs", 3, "bool", 0],
        ["quantized_bias_type", 4, "tensor_type", 0],
      ],
    },
  },
  L2_POOL_2D: { options: POOL },
  LOGISTIC: { options: null },
  MAX_POOL_2D: { options: POOL },
  MUL: { options: { union: 21, name: "MulOptions", fields: [ACT] } },
  RELU: { options: null },
  RELU_N1_TO_1: { options: null },
  RELU6: { options: null },
  RESHAPE: {
    options: { union: 17, name: "ReshapeOptions", fields: [["new_shape", 0, "ints", 0]] },
  },
  SOFTMAX: { options: { union: 9, name: "SoftmaxOptions", fields: [["beta", 0, "float", 0, 1]] } },
  TANH: { options: null },
  PAD: { options: { union: 22, fields: [] } },
  MEAN: { options: REDUCER },
  SUB: { options: { union: 28, fields: [ACT, ["pot_scale_int16", 1, "bool", 1]] } },
  SQUEEZE: { options: { union: 30, fields: [["squeeze_dims", 0, "ints", 0]] } },
  PADV2: { options: { union: 43, fields: [] } },
  SUM: { options: REDUCER },
  REDUCE_MAX: { options: REDUCER },
  QUANTIZE: { options: { union: 89, fields: [] } },
  HARD_SWISH: { options: { union: 91, fields: [] } },
  DEPTH_TO_SPACE: { options: { union: 94, fields: [["block_size", 0, "int", 0]] } },
  RESIZE_BILINEAR: {
    options: {
      union: 15,
      fields: [
        ["new_height", 0, "int", 0],
        ["new_width", 1, "int", 0],
        ["align_corners", 2, "bool", 0],
        ["half_pixel_centers", 3, "bool", 0],
      ],
    },
  },
  SPACE_TO_DEPTH: { options: { union: 19, fields: [["block_size", 0, "int", 0]] } },
  GATHER: {
    options: {
      union: 23,
      fields: [
        ["axis", 0, "int", 0],
        ["batch_dims", 1, "int", 0],
      ],
    },
  },
  TRANSPOSE: { options: { union: 26, fields: [] } },
  STRIDED_SLICE: {
    options: {
      union: 32,
      fields: [
        ["begin_mask", 0, "int", 0],
        ["end_mask", 1, "int", 0],
        ["ellipsis_mask", 2, "int", 0],
        ["new_axis_mask", 3, "int", 0],
        ["shrink_axis_mask", 4, "int", 0],
        ["offset", 5, "bool", 0],
      ],
    },
  },
  SPLIT: { options: { union: 35, fields: [["num_splits", 0, "int", 0]] } },
  PRELU: { options: null },
  MAXIMUM: { options: { union: 39, fields: [] } },
  ARG_MAX: { options: { union: 40, fields: [["output_type", 0, "tensor_type", 0]] } },
  MINIMUM: { options: { union: 39, fields: [] } },
  LESS: { options: { union: 41, fields: [] } },
  NEG: { options: { union: 42, fields: [] } },
  GREATER: { options: { union: 44, fields: [] } },
  GREATER_EQUAL: { options: { union: 45, fields: [] } },
  LESS_EQUAL: { options: { union: 46, fields: [] } },
  SLICE: { options: { union: 48, fields: [] } },
  EXPAND_DIMS: { options: { union: 52, fields: [] } },
  EQUAL: { options: { union: 53, fields: [] } },
  NOT_EQUAL: { options: { union: 54, fields: [] } },
  SHAPE: { options: { union: 55, fields: [["out_type", 0, "tensor_type", 0]] } },
  ARG_MIN: { options: { union: 57, fields: [["output_type", 0, "tensor_type", 0]] } },
  PACK: {
    options: {
      union: 59,
      fields: [
        ["values_count", 0, "int", 0],
        ["axis", 1, "int", 0],
      ],
    },
  },
  UNPACK: {
    options: {
      union: 64,
      fields: [
        ["num", 0, "int", 0],
        ["axis", 1, "int", 0],
      ],
    },
  },
  ZEROS_LIKE: { options: { union: 67, fields: [] } },
  FILL: { options: { union: 68, fields: [] } },
  RESIZE_NEAREST_NEIGHBOR: {
    options: {
      union: 74,
      fields: [
        ["align_corners", 0, "bool", 0],
        ["half_pixel_centers", 1, "bool", 0],
      ],
    },
  },
  LEAKY_RELU: { options: { union: 75, fields: [["alpha", 0, "float", 0]] } },
  SQUARED_DIFFERENCE: { options: { union: 76, fields: [] } },
  ABS: { options: { union: 78, fields: [] } },
  SPLIT_V: { options: { union: 79, fields: [["num_splits", 0, "int", 0]] } },
  SELECT_V2: { options: { union: 98, fields: [] } },
  RELU_0_TO_1: { options: null },
  L2_NORMALIZATION: { options: { union: 12, fields: [ACT] } },
  SVDF: {
    options: {
      union: 6,
      fields: [
        ["rank", 0, "int", 0],
        ["fused_activation_function", 1, "activation", 0],
        ["asymmetric_quantize_inputs", 2, "bool", 0],
      ],
    },
  },
  DIV: { options: { union: 29, fields: [ACT] } },
  UNIDIRECTIONAL_SEQUENCE_LSTM: {
    options: {
      union: 71,
      fields: [
        ACT,
        ["cell_clip", 1, "float", 0],
        ["proj_clip", 2, "float", 0],
        ["time_major", 3, "bool", 0],
        ["asymmetric_quantize_inputs", 4, "bool", 0],
        ["diagonal_recurrent_tensors", 5, "bool", 0],
      ],
    },
  },
  EXP: { options: { union: 33, fields: [] } },
  LOG_SOFTMAX: { options: { union: 36, fields: [] } },
  TRANSPOSE_CONV: {
    options: {
      union: 49,
      fields: [
        ["padding", 0, "padding", 0],
        ["stride_w", 1, "int", 0, 1],
        ["stride_h", 2, "int", 0, 1],
        ["fused_activation_function", 3, "activation", 0],
      ],
    },
  },
  LOG: { options: null },
  SQRT: { options: null },
  RSQRT: { options: null },
  BATCH_MATMUL: {
    options: {
      union: 101,
      fields: [
        ["adj_x", 0, "bool", 0],
        ["adj_y", 1, "bool", 0],
        ["asymmetric_quantize_inputs", 2, "bool", 0],
      ],
    },
  },
};

export const ENUMS: Partial<Record<FieldKind, readonly string[]>> = {
  padding: PADDINGS,
  activation: ACTIVATIONS,
  weights_format: ["DEFAULT", "SHUFFLED4x16INT8"],
};
