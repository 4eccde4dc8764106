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
    default: return "builtin op " + code.toString();
  }
}

// Padding and fused activation enums.
export const PADDING_SAME: i32 = 0;
export const PADDING_VALID: i32 = 1;
export const ACT_NONE: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_RELU_N1_TO_1: i32 = 2;
export const ACT_RELU6: i32 = 3;
