// Host-side reader of .tflite files (TFLite flatbuffer schema v3) for `tinyboard model
// inspect` and the host mirrors of the firmware's planner. Every offset, length and index is
// checked before use: a corrupt or truncated file is a one-line UserError naming the file
// and, where there is one, the layer and op; never another exception, never a hang (every
// loop runs over a vector already checked to lie inside the file).
import { ByteBuffer } from "flatbuffers";
import { UserError } from "../errors.ts";

// TensorType: name and bytes per element (0: not held as plain elements; INT4 packs two).
const TYPES: [string, number][] = [
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

const PADDINGS = ["SAME", "VALID"] as const;
const ACTIVATIONS = ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"] as const;
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

const TFL3 = 0x334c4654; // "TFL3", little-endian
const MAX_TENSOR_BYTES = 2 ** 31 - 1;

// BuiltinOptions union members and the ops whose options we parse.
const OPTION_TYPES: Record<string, number> = {
  CONV_2D: 1,
  DEPTHWISE_CONV_2D: 2,
  AVERAGE_POOL_2D: 5,
  MAX_POOL_2D: 5,
  L2_POOL_2D: 5,
  FULLY_CONNECTED: 8,
  SOFTMAX: 9,
  CONCATENATION: 10,
  ADD: 11,
  RESHAPE: 17,
  MUL: 21,
  MEAN: 27,
};
const OPTION_TYPE_NAMES: Record<number, string> = {
  1: "Conv2DOptions",
  2: "DepthwiseConv2DOptions",
  5: "Pool2DOptions",
  8: "FullyConnectedOptions",
  9: "SoftmaxOptions",
  10: "ConcatenationOptions",
  11: "AddOptions",
  17: "ReshapeOptions",
  21: "MulOptions",
  27: "ReducerOptions",
};

interface Table {
  pos: number;
  vt: number;
  vtSize: number;
}
interface Vec {
  pos: number;
  len: number;
}

/** Bounds-checked flatbuffer access over flatbuffers' ByteBuffer; failures name `where`. */
class Reader {
  readonly bb: ByteBuffer;
  readonly size: number;
  where = "";
  // Reads allowed: a sound file reads each part about once, while corrupt offsets could make
  // many tables share one long vector and turn a small file into a long walk.
  private budget: number;

  constructor(
    bytes: Uint8Array,
    private readonly file: string,
  ) {
    [this.bb, this.size, this.budget] = [
      new ByteBuffer(bytes),
      bytes.length,
      16 * bytes.length + 100_000,
    ];
  }

  fail(what: string): never {
    throw new UserError(`${this.file}: ${this.where ? `${this.where}: ` : ""}${what}`);
  }

  check(off: number, len: number, what: string): void {
    if (--this.budget < 0) this.fail("corrupt: offsets lead to far more reads than the file holds");
    if (!(off >= 0 && len >= 0 && off + len <= this.size))
      this.fail(
        `corrupt or truncated: ${what} at offset ${off} lies outside the file (${this.size} bytes)`,
      );
  }

  u8(off: number): number {
    this.check(off, 1, "byte");
    return this.bb.readUint8(off);
  }
  i8(off: number): number {
    this.check(off, 1, "byte");
    return this.bb.readInt8(off);
  }
  u16(off: number): number {
    this.check(off, 2, "u16");
    return this.bb.readUint16(off);
  }
  i32(off: number): number {
    this.check(off, 4, "int");
    return this.bb.readInt32(off);
  }
  u32(off: number): number {
    this.check(off, 4, "uint");
    return this.bb.readUint32(off);
  }
  f32(off: number): number {
    this.check(off, 4, "float");
    return this.bb.readFloat32(off);
  }
  i64(off: number): bigint {
    this.check(off, 8, "long");
    return this.bb.readInt64(off);
  }

  /** The table a uoffset at `off` points to, with its vtable checked. */
  table(off: number): Table {
    const pos = off + this.u32(off);
    this.check(pos, 4, "table");
    const vt = pos - this.i32(pos);
    this.check(vt, 4, `vtable of the table at ${pos}`);
    const vtSize = this.u16(vt);
    if (vtSize < 4 || vtSize % 2 !== 0)
      this.fail(`vtable at offset ${vt} has a bad size ${vtSize}`);
    this.check(vt, vtSize, `vtable of the table at ${pos}`);
    this.check(pos, this.u16(vt + 2), `table body`);
    return { pos, vt, vtSize };
  }

  /** Offset of field `id` in table `t`, or 0 when absent. */
  field(t: Table | null, id: number): number {
    if (!t) return 0;
    const slot = 4 + 2 * id;
    if (slot + 2 > t.vtSize) return 0;
    const rel = this.u16(t.vt + slot);
    return rel === 0 ? 0 : t.pos + rel;
  }

  fieldU8(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.u8(at) : def;
  }
  fieldI8(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.i8(at) : def;
  }
  fieldI32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.i32(at) : def;
  }
  fieldU32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.u32(at) : def;
  }
  fieldF32(t: Table | null, id: number, def: number): number {
    const at = this.field(t, id);
    return at ? this.f32(at) : def;
  }
  fieldTable(t: Table | null, id: number): Table | null {
    const at = this.field(t, id);
    return at ? this.table(at) : null;
  }

  /** A vector field (absent: null), checked to hold `len` elements of `elem` bytes. */
  fieldVec(t: Table | null, id: number, elem: number, what: string): Vec | null {
    const at = this.field(t, id);
    if (!at) return null;
    const start = at + this.u32(at);
    const len = this.u32(start);
    this.check(start + 4, len * elem, `${what} (${len} elements)`);
    return { pos: start + 4, len };
  }

  fieldString(t: Table | null, id: number, what: string): string {
    const v = this.fieldVec(t, id, 1, what);
    if (!v) return "";
    return new TextDecoder().decode(this.bb.bytes().subarray(v.pos, v.pos + v.len));
  }

  tableAt(v: Vec, i: number): Table {
    return this.table(v.pos + 4 * i);
  }

  ints(v: Vec | null): number[] {
    const out: number[] = [];
    if (v) for (let i = 0; i < v.len; i++) out.push(this.i32(v.pos + 4 * i));
    return out;
  }
}

/** Reads and validates a .tflite file; `name` is the file name used in messages. */
export function readModel(bytes: Uint8Array, name = "model"): TfliteModel {
  try {
    return read(new Reader(bytes, name), bytes.length, name);
  } catch (e) {
    if (e instanceof UserError) throw e;
    // A reader bug must still reach the user as one line (the fuzz test looks for this text).
    throw new UserError(
      `${name}: unreadable model (internal reader error: ${(e as Error)?.message ?? e})`,
    );
  }
}

function read(r: Reader, size: number, name: string): TfliteModel {
  if (size < 8 || r.u32(4) !== TFL3)
    throw new UserError(`${name}: not a TFLite model (no TFL3 identifier)`);
  r.where = "model";
  const root = r.table(0);
  const version = r.fieldU32(root, 0, 0);
  if (version !== 3) r.fail(`unsupported schema version ${version} (expected 3)`);
  const description = r.fieldString(root, 3, "description");
  const codeVec = r.fieldVec(root, 1, 4, "operator codes");
  const codes: { code: number; custom: string | null }[] = [];
  for (let i = 0; codeVec && i < codeVec.len; i++) {
    r.where = `operator code ${i}`;
    const t = r.tableAt(codeVec, i);
    // Codes past 127 live only in builtin_code; old files fill only the deprecated byte.
    const code = Math.max(r.fieldI8(t, 0, 0), r.fieldI32(t, 3, 0));
    codes.push({ code, custom: code === 32 ? r.fieldString(t, 1, "custom code") : null });
  }
  r.where = "model";
  const subgraphs = r.fieldVec(root, 2, 4, "subgraphs");
  if (!subgraphs || subgraphs.len === 0) r.fail("model has no subgraph");
  const buffers = r.fieldVec(root, 4, 4, "buffers");
  const sg = r.tableAt(subgraphs, 0);
  const tensors = readTensors(r, sg, buffers, size);
  r.where = "subgraph 0";
  const inputs = indexList(r, r.fieldVec(sg, 1, 4, "inputs"), tensors.length, false, "input");
  const outputs = indexList(r, r.fieldVec(sg, 2, 4, "outputs"), tensors.length, false, "output");
  for (const i of inputs) if (tensors[i]?.isConstant) r.fail(`input tensor ${i} has constant data`);
  const operators = readOperators(r, sg, codes, tensors);
  const variables = new Set<number>();
  const tvec = r.fieldVec(sg, 0, 4, "tensors");
  for (let i = 0; tvec && i < tvec.len; i++)
    if (r.fieldU8(r.tableAt(tvec, i), 5, 0)) variables.add(i);
  checkGraph(r, tensors, operators, inputs, outputs, variables);
  return {
    name,
    fileBytes: size,
    version,
    description,
    subgraphCount: subgraphs.len,
    tensors,
    operators,
    inputs,
    outputs,
  };
}

// TFLite runs layers in their stored order. A layer that reads a tensor no earlier layer
// wrote (a cycle, or a wrong order) or a model output no layer writes would compute from
// whatever the arena held: such a model is refused, naming the layer, as are quantisation
// scales that are not positive finite numbers (they turn every value into zero or garbage).
function checkGraph(
  r: Reader,
  tensors: TensorInfo[],
  ops: OperatorInfo[],
  inputs: number[],
  outputs: number[],
  variables: Set<number>,
): void {
  const written = new Set<number>(inputs);
  const label = (i: number) =>
    `tensor ${i}${tensors[i]?.name ? ` '${tensors[i].name.slice(0, 60)}'` : ""}`;
  for (const op of ops) {
    r.where = `layer ${op.index} (${op.opName})`;
    for (const i of op.inputs) {
      if (i < 0 || tensors[i].isConstant || variables.has(i) || written.has(i)) continue;
      const later = ops.find((o) => o.index >= op.index && o.outputs.includes(i));
      r.fail(
        later
          ? `reads ${label(i)} before layer ${later.index} (${later.opName}) writes it (the graph has a cycle or is out of order)`
          : `reads ${label(i)}, which no earlier layer writes and is not a model input`,
      );
    }
    for (const i of [...op.inputs, ...op.outputs]) if (i >= 0) checkScales(r, tensors[i], label(i));
    for (const o of op.outputs) written.add(o);
  }
  r.where = "subgraph 0";
  for (const o of outputs)
    if (!written.has(o) && !tensors[o].isConstant)
      r.fail(`model output ${label(o)} is written by no layer`);
}

function checkScales(r: Reader, t: TensorInfo, label: string): void {
  const q = t.quantization;
  if (!q) return;
  // int32 biases and int64 tensors may carry a zero scale the kernels never read; NaN or a negative scale is never valid.
  const mustBePositive = t.type === "int8" || t.type === "uint8" || t.type === "int16";
  for (const s of q.scale) {
    if (Number.isNaN(s) || s < 0 || !Number.isFinite(s) || (mustBePositive && s === 0)) {
      r.fail(
        `${label} has quantisation scale ${s} (a ${t.type} tensor needs a positive finite scale)`,
      );
    }
  }
}

function indexList(
  r: Reader,
  v: Vec | null,
  nTensors: number,
  optional: boolean,
  what: string,
): number[] {
  const list = r.ints(v);
  for (const t of list) {
    if (t >= nTensors || t < (optional ? -1 : 0))
      r.fail(`${what} tensor ${t} out of range (${nTensors} tensors)`);
  }
  return list;
}

function readTensors(r: Reader, sg: Table, buffers: Vec | null, size: number): TensorInfo[] {
  r.where = "subgraph 0";
  const vec = r.fieldVec(sg, 0, 4, "tensors");
  const nBuffers = buffers?.len ?? 0;
  const tensors: TensorInfo[] = [];
  for (let index = 0; vec && index < vec.len; index++) {
    r.where = `tensor ${index}`;
    const t = r.tableAt(vec, index);
    const shape = r.ints(r.fieldVec(t, 0, 4, "shape"));
    let elements = 1;
    for (const d of shape) {
      if (d < 0) r.fail(`negative dimension ${d} in shape [${shape}]`);
      elements *= d;
    }
    const typeCode = r.fieldI8(t, 1, 0);
    const type = TYPES[typeCode];
    if (!type) r.fail(`unknown tensor type ${typeCode}`);
    const byteSize = Math.ceil(elements * type[1]);
    if (byteSize > MAX_TENSOR_BYTES)
      r.fail(`shape [${shape}] of ${type[0]} needs ${elements * type[1]} bytes (more than 2 GB)`);
    const buffer = r.fieldU32(t, 2, 0);
    if (buffer >= nBuffers && buffer !== 0)
      r.fail(`buffer ${buffer} out of range (${nBuffers} buffers)`);
    const data = buffer > 0 ? bufferData(r, r.tableAt(buffers!, buffer), buffer, size) : null;
    // Buffer 0 is the schema's empty sentinel: a tensor pointing at it is never a constant.
    if (data && type[1] > 0 && data.length < byteSize) {
      r.fail(
        `constant data has ${data.length} bytes, shape [${shape}] of ${type[0]} needs ${byteSize}`,
      );
    }
    tensors.push({
      index,
      name: r.fieldString(t, 3, "name"),
      type: type[0],
      typeCode,
      shape,
      isConstant: data !== null,
      byteSize,
      buffer,
      data,
      quantization: readQuantization(r, r.fieldTable(t, 4), shape),
    });
  }
  return tensors;
}

/** A buffer's data in the file, or null when it has none. */
function bufferData(
  r: Reader,
  b: Table,
  index: number,
  size: number,
): { offset: number; length: number } | null {
  const data = r.fieldVec(b, 0, 1, `buffer ${index} data`);
  if (data && data.len > 0) return { offset: data.pos, length: data.len };
  // Large models keep data outside the flatbuffer: offset (from the file's start) > 1.
  const offAt = r.field(b, 1);
  const offset = offAt ? Number(r.i64(offAt)) : 0;
  if (offset <= 1) return null;
  const sizeAt = r.field(b, 2);
  const length = sizeAt ? Number(r.i64(sizeAt)) : 0;
  if (length < 0 || offset + length > size)
    r.fail(
      `buffer ${index}: ${length} bytes at offset ${offset} run past the end of the file (${size} bytes)`,
    );
  return length > 0 ? { offset, length } : null;
}

function readQuantization(r: Reader, q: Table | null, shape: number[]): Quantization | null {
  if (!q) return null;
  const sv = r.fieldVec(q, 2, 4, "quantization scales");
  const zv = r.fieldVec(q, 3, 8, "quantization zero points");
  const scale: number[] = [];
  for (let i = 0; sv && i < sv.len; i++) scale.push(r.f32(sv.pos + 4 * i));
  const zeroPoint: number[] = [];
  for (let i = 0; zv && i < zv.len; i++) {
    const z = r.i64(zv.pos + 8 * i);
    if (z < -(2n ** 31n) || z >= 2n ** 31n) r.fail(`zero point ${z} out of range`);
    zeroPoint.push(Number(z));
  }
  if (scale.length === 0 && zeroPoint.length === 0) return null;
  const stored = r.fieldI32(q, 6, 0);
  let axis = stored;
  if (scale.length > 1) {
    // Converters leave quantized_dimension 3 on some rank-1 biases; TFLM reads them along axis 0.
    if (shape.length === 1) axis = 0;
    if (axis < 0 || axis >= shape.length || shape[axis] !== scale.length) {
      r.fail(`${scale.length} channel scales do not match dimension ${stored} of shape [${shape}]`);
    }
  }
  if (zeroPoint.length > 1 && zeroPoint.length !== scale.length)
    r.fail(`${zeroPoint.length} zero points for ${scale.length} scales`);
  return { scale, zeroPoint, quantizedDimension: axis, storedQuantizedDimension: stored };
}

function readOperators(
  r: Reader,
  sg: Table,
  codes: { code: number; custom: string | null }[],
  tensors: TensorInfo[],
): OperatorInfo[] {
  const nTensors = tensors.length;
  r.where = "subgraph 0";
  const vec = r.fieldVec(sg, 3, 4, "operators");
  const ops: OperatorInfo[] = [];
  for (let index = 0; vec && index < vec.len; index++) {
    r.where = `layer ${index}`;
    const t = r.tableAt(vec, index);
    const codeIndex = r.fieldU32(t, 0, 0);
    if (codeIndex >= codes.length)
      r.fail(`operator code ${codeIndex} out of range (${codes.length} codes)`);
    const { code, custom } = codes[codeIndex];
    const opName = builtinOpName(code);
    r.where = `layer ${index} (${opName})`;
    const inputs = indexList(r, r.fieldVec(t, 1, 4, "inputs"), nTensors, true, "input");
    const outputs = indexList(r, r.fieldVec(t, 2, 4, "outputs"), nTensors, false, "output");
    if (outputs.length === 0) r.fail("no outputs");
    // An output with data in the model would be written in flash (the firmware refuses it too).
    for (const o of outputs)
      if (tensors[o]?.isConstant) r.fail(`output tensor ${o} has constant data`);
    ops.push({
      index,
      code,
      opName,
      customCode: custom,
      inputs,
      outputs,
      options: readOptions(r, t, opName),
    });
  }
  return ops;
}

function readOptions(r: Reader, op: Table, opName: string): BuiltinOptions | null {
  const expected = OPTION_TYPES[opName];
  if (expected === undefined) return null;
  const type = r.fieldU8(op, 3, 0);
  const o = r.fieldTable(op, 4);
  if (o && type !== expected)
    r.fail(`builtin options are of union type ${type}, expected ${OPTION_TYPE_NAMES[expected]}`);
  const act = (id: number) => enumValue(r, ACTIVATIONS, r.fieldI8(o, id, 0), "fused activation");
  const pad = () => enumValue(r, PADDINGS, r.fieldI8(o, 0, 0), "padding");
  const positive = (id: number, what: string, def = 0) => {
    const v = r.fieldI32(o, id, def);
    if (v < 1) r.fail(`${what} ${v} (must be at least 1)`);
    return v;
  };
  switch (opName) {
    case "CONV_2D":
      return {
        kind: "conv",
        padding: pad(),
        strideW: positive(1, "stride_w"),
        strideH: positive(2, "stride_h"),
        activation: act(3),
        dilationW: positive(4, "dilation_w_factor", 1),
        dilationH: positive(5, "dilation_h_factor", 1),
      };
    case "DEPTHWISE_CONV_2D":
      return {
        kind: "depthwise",
        padding: pad(),
        strideW: positive(1, "stride_w"),
        strideH: positive(2, "stride_h"),
        depthMultiplier: r.fieldI32(o, 3, 0),
        activation: act(4),
        dilationW: positive(5, "dilation_w_factor", 1),
        dilationH: positive(6, "dilation_h_factor", 1),
      };
    case "AVERAGE_POOL_2D":
    case "MAX_POOL_2D":
    case "L2_POOL_2D":
      return {
        kind: "pool",
        padding: pad(),
        strideW: positive(1, "stride_w"),
        strideH: positive(2, "stride_h"),
        filterW: positive(3, "filter_width"),
        filterH: positive(4, "filter_height"),
        activation: act(5),
      };
    case "FULLY_CONNECTED":
      return {
        kind: "fully-connected",
        activation: act(0),
        weightsFormat: r.fieldI8(o, 1, 0),
        keepNumDims: r.fieldU8(o, 2, 0) !== 0,
      };
    case "SOFTMAX":
      return { kind: "softmax", beta: r.fieldF32(o, 0, 0) };
    case "RESHAPE": {
      const v = r.fieldVec(o, 0, 4, "new_shape");
      return { kind: "reshape", newShape: v ? r.ints(v) : null };
    }
    case "CONCATENATION":
      return { kind: "concatenation", axis: r.fieldI32(o, 0, 0), activation: act(1) };
    case "MEAN":
      return { kind: "mean", keepDims: r.fieldU8(o, 0, 0) !== 0 };
    default: // ADD, MUL
      return { kind: "activation", activation: act(0) };
  }
}

function enumValue<T extends string>(r: Reader, names: readonly T[], v: number, what: string): T {
  const name = names[v];
  if (name === undefined) r.fail(`unknown ${what} ${v}`);
  return name;
}
