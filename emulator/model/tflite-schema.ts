// The TFLite flatbuffer schema (v3) as the host reads it: tensor types, builtin operator
// names by code, the enums options use, and the shapes of what readModel returns. Facts from
// tensorflow/lite/schema/schema.fbs; one copy here for the reader and the writer.

// TensorType: name and bytes per element (0: not held as plain elements; INT4 packs two).
export const TENSOR_TYPE_TABLE: [string, number][] = [
  ["float32", 4],
  ["float16", 2],
  ["int32", 4],
  ["uint8", 1],
  ["int64", 8],
  ["string", 0],
  ["bool", 1],
  ["int16", 2],
  ["complex64", 8],
  ["int8", 1],
  ["float64", 8],
  ["complex128", 16],
  ["uint64", 8],
  ["resource", 0],
  ["variant", 0],
  ["uint32", 4],
  ["uint16", 2],
  ["int4", 0.5],
  ["bfloat16", 2],
];

// BuiltinOperator names by code, 0..161 (schema.fbs); later codes are StableHLO and friends.
const OP_NAMES = (
  "ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP " +
  "FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC " +
  "LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX " +
  "SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD " +
  "UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE " +
  "UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE " +
  "BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL " +
  "LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT " +
  "RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT " +
  "UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR " +
  "LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK " +
  "ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 " +
  "NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES " +
  "CUMSUM CALL_ONCE BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT " +
  "HASHTABLE_SIZE REDUCE_ALL CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS " +
  "RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 " +
  "UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 UNSORTED_SEGMENT_MIN SIGN BITCAST " +
  "BITWISE_XOR RIGHT_SHIFT"
).split(" ");

/** The builtin operator code of an op name (schema.fbs), -1 for a name it does not have. */
export function builtinOpCode(name: string): number {
  return OP_NAMES.indexOf(name);
}

/** The name of a builtin operator code ("BUILTIN_200" past the names we carry). */
export function builtinOpName(code: number): string {
  return OP_NAMES[code] ?? `BUILTIN_${code}`;
}

export const PADDINGS = ["SAME", "VALID"] as const;
export const ACTIVATIONS = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"] as const;
export type Padding = (typeof PADDINGS)[number];
export type Activation = (typeof ACTIVATIONS)[number];

export interface Quantization {
  scale: number[];
  zeroPoint: number[];
  /** The axis the per-channel scales run along, as TFLM uses it (0 for rank-1 tensors). */
  quantizedDimension: number;
  /** quantized_dimension as stored (person_detect's rank-1 biases store 3). */
  storedQuantizedDimension: number;
}

export interface TensorInfo {
  index: number;
  name: string;
  type: string;
  typeCode: number;
  shape: number[];
  /** Its buffer (index > 0) holds data: a weight or other constant. */
  isConstant: boolean;
  /** Elements times the element size (packed INT4 rounds up). */
  byteSize: number;
  buffer: number;
  /** Where the buffer's data lies in the file (constants are used in place), or null. */
  data: { offset: number; length: number } | null;
  quantization: Quantization | null;
}

export interface ConvOptions {
  kind: "conv";
  padding: Padding;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  activation: Activation;
}
export interface DepthwiseOptions extends Omit<ConvOptions, "kind"> {
  kind: "depthwise";
  depthMultiplier: number;
}
export interface FullyConnectedOptions {
  kind: "fully-connected";
  activation: Activation;
  weightsFormat: number;
  keepNumDims: boolean;
}
export interface PoolOptions {
  kind: "pool";
  padding: Padding;
  strideW: number;
  strideH: number;
  filterW: number;
  filterH: number;
  activation: Activation;
}
export interface SoftmaxOptions {
  kind: "softmax";
  beta: number;
}
export interface ReshapeOptions {
  kind: "reshape";
  newShape: number[] | null;
}
export interface ConcatenationOptions {
  kind: "concatenation";
  axis: number;
  activation: Activation;
}
export interface MeanOptions {
  kind: "mean";
  keepDims: boolean;
}
export interface ActivationOptions {
  kind: "activation";
  activation: Activation;
}
export type BuiltinOptions =
  | ConvOptions
  | DepthwiseOptions
  | FullyConnectedOptions
  | PoolOptions
  | SoftmaxOptions
  | ReshapeOptions
  | ConcatenationOptions
  | MeanOptions
  | ActivationOptions;

export interface OperatorInfo {
  index: number;
  /** Builtin code: max(deprecated_builtin_code, builtin_code), as TFLite resolves it. */
  code: number;
  opName: string;
  /** The custom op's name when opName is CUSTOM. */
  customCode: string | null;
  /** Tensor indices; -1 marks an absent optional input. */
  inputs: number[];
  outputs: number[];
  /** Parsed builtin options for the ops we read them for, else null. */
  options: BuiltinOptions | null;
}

export interface TfliteModel {
  name: string;
  fileBytes: number;
  version: number;
  description: string;
  /** Subgraphs in the file; only subgraph 0 (the main graph) is read. */
  subgraphCount: number;
  tensors: TensorInfo[];
  operators: OperatorInfo[];
  inputs: number[];
  outputs: number[];
}
