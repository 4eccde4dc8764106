// Facts of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs, version 3) that
// the engine reads: table field ids, enum values and builtin operator codes.

// Tensor element types (TensorType).
export const TYPE_FLOAT32: i32 = 0;
export const TYPE_FLOAT16: i32 = 1;
export const TYPE_INT32: i32 = 2;
export const TYPE_UINT8: i32 = 3;
export const TYPE_INT64: i32 = 4;
export const TYPE_STRING: i32 = 5;
export const TYPE_BOOL: i32 = 6;
export const TYPE_INT16: i32 = 7;
export const TYPE_INT8: i32 = 9;

/** Bytes per element, or 0 for a type the engine does not hold in memory. */
export function typeBytes(type: i32): i32 {
  switch (type) {
    case TYPE_FLOAT32: case TYPE_INT32: return 4;
    case TYPE_INT64: return 8;
    case TYPE_INT16: case TYPE_FLOAT16: return 2;
    case TYPE_UINT8: case TYPE_INT8: case TYPE_BOOL: return 1;
    default: return 0;
  }
}

export function typeName(type: i32): string {
  switch (type) {
    case TYPE_FLOAT32: return "float32";
    case TYPE_FLOAT16: return "float16";
    case TYPE_INT32: return "int32";
    case TYPE_UINT8: return "uint8";
    case TYPE_INT64: return "int64";
    case TYPE_STRING: return "string";
    case TYPE_BOOL: return "bool";
    case TYPE_INT16: return "int16";
    case TYPE_INT8: return "int8";
    default: return "type " + type.toString();
  }
}

// Table field ids.
export const MODEL_VERSION: u32 = 0;
export const MODEL_OPERATOR_CODES: u32 = 1;
export const MODEL_SUBGRAPHS: u32 = 2;
export const MODEL_BUFFERS: u32 = 4;
export const OPCODE_DEPRECATED_BUILTIN: u32 = 0;
export const OPCODE_CUSTOM: u32 = 1;
export const OPCODE_BUILTIN: u32 = 3;
export const SUBGRAPH_TENSORS: u32 = 0;
export const SUBGRAPH_INPUTS: u32 = 1;
export const SUBGRAPH_OUTPUTS: u32 = 2;
export const SUBGRAPH_OPERATORS: u32 = 3;
export const TENSOR_SHAPE: u32 = 0;
export const TENSOR_TYPE: u32 = 1;
export const TENSOR_BUFFER: u32 = 2;
export const TENSOR_QUANTIZATION: u32 = 4;
export const QUANT_SCALE: u32 = 2;
export const QUANT_ZERO_POINT: u32 = 3;
export const QUANT_DIMENSION: u32 = 6;
export const OPERATOR_OPCODE_INDEX: u32 = 0;
export const OPERATOR_INPUTS: u32 = 1;
export const OPERATOR_OUTPUTS: u32 = 2;
export const OPERATOR_OPTIONS: u32 = 4;
export const BUFFER_DATA: u32 = 0;
export const BUFFER_OFFSET: u32 = 1;

// Builtin operator codes (BuiltinOperator).
export const OP_ADD: i32 = 0;
export const OP_AVERAGE_POOL_2D: i32 = 1;
export const OP_CONCATENATION: i32 = 2;
export const OP_CONV_2D: i32 = 3;
export const OP_DEPTHWISE_CONV_2D: i32 = 4;
export const OP_DEQUANTIZE: i32 = 6;
export const OP_FULLY_CONNECTED: i32 = 9;
export const OP_LOGISTIC: i32 = 14;
export const OP_MAX_POOL_2D: i32 = 17;
export const OP_MUL: i32 = 18;
export const OP_RELU: i32 = 19;
export const OP_RELU6: i32 = 21;
export const OP_RESHAPE: i32 = 22;
export const OP_SOFTMAX: i32 = 25;
export const OP_TANH: i32 = 28;
export const OP_PAD: i32 = 34;
export const OP_MEAN: i32 = 40;
export const OP_SQUEEZE: i32 = 43;
export const OP_QUANTIZE: i32 = 114;
export const OP_DEPTH_TO_SPACE: i32 = 5;
export const OP_RELU_N1_TO_1: i32 = 20;
export const OP_RESIZE_BILINEAR: i32 = 23;
export const OP_SPACE_TO_DEPTH: i32 = 26;
export const OP_GATHER: i32 = 36;
export const OP_TRANSPOSE: i32 = 39;
export const OP_SUB: i32 = 41;
export const OP_STRIDED_SLICE: i32 = 45;
export const OP_SPLIT: i32 = 49;
export const OP_PRELU: i32 = 54;
export const OP_MAXIMUM: i32 = 55;
export const OP_ARG_MAX: i32 = 56;
export const OP_MINIMUM: i32 = 57;
export const OP_LESS: i32 = 58;
export const OP_NEG: i32 = 59;
export const OP_PADV2: i32 = 60;
export const OP_GREATER: i32 = 61;
export const OP_GREATER_EQUAL: i32 = 62;
export const OP_LESS_EQUAL: i32 = 63;
export const OP_SLICE: i32 = 65;
export const OP_EXPAND_DIMS: i32 = 70;
export const OP_EQUAL: i32 = 71;
export const OP_NOT_EQUAL: i32 = 72;
export const OP_SUM: i32 = 74;
export const OP_SHAPE: i32 = 77;
export const OP_ARG_MIN: i32 = 79;
export const OP_REDUCE_MAX: i32 = 82;
export const OP_PACK: i32 = 83;
export const OP_UNPACK: i32 = 88;
export const OP_ZEROS_LIKE: i32 = 93;
export const OP_FILL: i32 = 94;
export const OP_RESIZE_NEAREST_NEIGHBOR: i32 = 97;
export const OP_LEAKY_RELU: i32 = 98;
export const OP_SQUARED_DIFFERENCE: i32 = 99;
export const OP_ABS: i32 = 101;
export const OP_SPLIT_V: i32 = 102;
export const OP_HARD_SWISH: i32 = 117;
export const OP_SELECT_V2: i32 = 123;
export const OP_RELU_0_TO_1: i32 = 152;
export const OP_L2_NORMALIZATION: i32 = 11;
export const OP_DIV: i32 = 42;
export const OP_EXP: i32 = 47;
export const OP_LOG: i32 = 73;
export const OP_SQRT: i32 = 75;
export const OP_RSQRT: i32 = 76;
export const OP_BATCH_MATMUL: i32 = 126;
export const OP_TRANSPOSE_CONV: i32 = 67;
export const OP_LOG_SOFTMAX: i32 = 50;
export const OP_SVDF: i32 = 27;
export const OP_UNIDIRECTIONAL_SEQUENCE_LSTM: i32 = 44;

// Builtin operator names by code, 0..161, as schema.fbs spells them: errors name the op
// ("PADV2", never a number) even for one the engine has no kernel for. Split on first use,
// not at start-up: naming is for errors and reports.
let opNames: string[] | null = null;
const OP_NAMES_TEXT = "ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN BITCAST BITWISE_XOR RIGHT_SHIFT";

/** The schema's name of any builtin operator code. */
function anyOpName(code: i32): string {
  let names = opNames;
  if (names === null) opNames = names = OP_NAMES_TEXT.split(" ");
  if (code >= 0 && code < names.length) return names[code];
  return "builtin op " + code.toString();
}

// The first twenty ops keep their direct cases (the interpreter names every layer while it
// prepares them; this keeps the cycles of that start-up as they were).
export function opName(code: i32): string {
  switch (code) {
    case OP_ADD: return "ADD";
    case OP_AVERAGE_POOL_2D: return "AVERAGE_POOL_2D";
    case OP_CONCATENATION: return "CONCATENATION";
    case OP_CONV_2D: return "CONV_2D";
    case OP_DEPTHWISE_CONV_2D: return "DEPTHWISE_CONV_2D";
    case OP_DEQUANTIZE: return "DEQUANTIZE";
    case OP_FULLY_CONNECTED: return "FULLY_CONNECTED";
    case OP_LOGISTIC: return "LOGISTIC";
    case OP_MAX_POOL_2D: return "MAX_POOL_2D";
    case OP_MUL: return "MUL";
    case OP_RELU: return "RELU";
    case OP_RELU6: return "RELU6";
    case OP_RESHAPE: return "RESHAPE";
    case OP_SOFTMAX: return "SOFTMAX";
    case OP_TANH: return "TANH";
    case OP_PAD: return "PAD";
    case OP_MEAN: return "MEAN";
    case OP_SQUEEZE: return "SQUEEZE";
    case OP_QUANTIZE: return "QUANTIZE";
    case 32: return "CUSTOM";
    default: return anyOpName(code);
  }
}

// Padding and fused activation enums.
export const PADDING_SAME: i32 = 0;
export const PADDING_VALID: i32 = 1;
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_RELU_N1_TO_1: i32 = 2;
export const ACT_RELU6: i32 = 3;
