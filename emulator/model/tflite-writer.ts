// Writer of .tflite files (TFLite flatbuffer schema version 3, file identifier "TFL3") from a
// plain description of tensors and ops, built with the flatbuffers package's Builder. Tests
// use it to make small models of exactly the shape they need; field ids, enum values and
// union indices follow tensorflow/lite/schema/schema.fbs.
import { Builder } from "flatbuffers";
import { TENSOR_TYPE_TABLE, builtinOpCode } from "./tflite-schema.ts";
import { BUILTIN_OPS, ENUMS, type FieldKind } from "./tflite-op-options.ts";

export { BUILTIN_OPS };

export type WriterType = "int8" | "uint8" | "int16" | "int32" | "float32" | "int64" | "bool";

export interface WriterTensor {
  name: string;
  type: WriterType;
  shape: number[];
  /** Constant data, little-endian, exactly elements x element size bytes; absent = activation. */
  data?: Uint8Array;
  quant?: { scale: number[]; zeroPoint: number[]; quantizedDimension?: number };
  /** A variable tensor (is_variable): state a runtime keeps between invocations, e.g. SVDF's. */
  variable?: boolean;
}

export interface WriterOp {
  /** Builtin operator name as in the schema, e.g. "CONV_2D". */
  op: string;
  /** Tensor indices; -1 marks an absent optional input. */
  inputs: number[];
  outputs: number[];
  /** Operator.intermediates: tensors a quantized LSTM names for its internal scales. */
  intermediates?: number[];
  /**
   * Builtin options by schema field name (snake_case; camelCase is accepted too). Enums take
   * their schema names or numbers: padding "SAME"/"VALID", fused_activation_function
   * "NONE"/"RELU"/"RELU_N1_TO_1"/"RELU6"/"TANH". Writer defaults where the schema's default
   * is unusable: strides 1, depth_multiplier 1, softmax beta 1.
   */
  options?: Record<string, number | boolean | string | number[]>;
  /** OperatorCode.version (default 1; runtimes pick kernels by op and types, not this). */
  version?: number;
}

export interface WriterModel {
  tensors: WriterTensor[];
  ops: WriterOp[];
  inputs: number[];
  outputs: number[];
  description?: string;
}

/** TensorType enum values and element sizes. */
// Codes and element sizes from schema.fbs's TensorType table (tflite-schema.ts).
export const TENSOR_TYPES = Object.fromEntries(
  (["float32", "int32", "uint8", "int64", "bool", "int16", "int8"] as const).map((name) => {
    const code = TENSOR_TYPE_TABLE.findIndex(([n]) => n === name);
    return [name, { code, bytes: TENSOR_TYPE_TABLE[code][1] }];
  }),
) as Record<WriterType, { code: number; bytes: number }>;

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

class WriteError extends Error {}
const fail = (msg: string): never => {
  throw new WriteError(`tflite-writer: ${msg}`);
};

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function validate(m: WriterModel): void {
  const n = m.tensors.length;
  const checkIndex = (i: number, what: string, optional: boolean) => {
    if (!Number.isInteger(i) || i >= n || i < (optional ? -1 : 0))
      fail(`${what}: tensor index ${i} out of range (${n} tensors)`);
  };
  m.tensors.forEach((t, i) => {
    const what = `tensor ${i} '${t.name}'`;
    if (!TENSOR_TYPES[t.type]) fail(`${what}: unknown type ${t.type}`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0))
      fail(`${what}: bad shape [${t.shape}]`);
    if (t.data) {
      const want = elementCount(t.shape) * TENSOR_TYPES[t.type].bytes;
      if (t.data.length !== want)
        fail(
          `${what}: data has ${t.data.length} bytes, shape [${t.shape}] of ${t.type} needs ${want}`,
        );
    }
    if (t.quant) {
      const { scale, zeroPoint, quantizedDimension = 0 } = t.quant;
      if (scale.length !== zeroPoint.length)
        fail(`${what}: ${scale.length} scales but ${zeroPoint.length} zero points`);
      if (scale.length > 1 && t.shape[quantizedDimension] !== scale.length) {
        fail(
          `${what}: ${scale.length} scales along dimension ${quantizedDimension} of [${t.shape}]`,
        );
      }
    }
  });
  m.inputs.forEach((i) => checkIndex(i, "model input", false));
  m.outputs.forEach((i) => checkIndex(i, "model output", false));
  m.ops.forEach((op, k) => {
    if (!BUILTIN_OPS[op.op]) fail(`op ${k}: unknown builtin operator ${op.op}`);
    op.inputs.forEach((i) => checkIndex(i, `op ${k} ${op.op} input`, true));
    op.outputs.forEach((i) => checkIndex(i, `op ${k} ${op.op} output`, false));
    op.intermediates?.forEach((i) => checkIndex(i, `op ${k} ${op.op} intermediate`, false));
  });
}

/** An enum option given by name or number. */
function enumValue(kind: FieldKind, v: unknown, where: string): number {
  if (typeof v === "number") return v;
  if (kind === "tensor_type" && typeof v === "string" && v in TENSOR_TYPES)
    return TENSOR_TYPES[v as WriterType].code;
  const i = typeof v === "string" ? (ENUMS[kind] ?? []).indexOf(v.toUpperCase()) : -1;
  return i >= 0 ? i : fail(`${where}: bad value ${JSON.stringify(v)}`);
}

function int32Vector(b: Builder, values: number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]);
  return b.endVector();
}

function offsetVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}

/** A [ubyte] vector whose first element sits on a 16-byte boundary of the file, as schema.fbs
 *  asks of Buffer.data (force_align: 16), so readers can use weights in place. */
function alignedBytes(b: Builder, data: Uint8Array): number {
  b.startVector(1, data.length, 16);
  for (let i = data.length - 1; i >= 0; i--) b.writeInt8(data[i]);
  return b.endVector();
}

function writeOptions(b: Builder, op: WriterOp, k: number): { type: number; table: number } {
  const spec = BUILTIN_OPS[op.op].options;
  const given = new Map(Object.entries(op.options ?? {}).map(([key, v]) => [snake(key), v]));
  if (!spec) {
    if (given.size) fail(`op ${k} ${op.op}: takes no options, got ${[...given.keys()].join(", ")}`);
    return { type: 0, table: 0 };
  }
  for (const key of given.keys()) {
    if (!spec.fields.some((f) => f[0] === key)) fail(`op ${k} ${op.op}: unknown option ${key}`);
  }
  // Vectors must be built before the table that holds them.
  const vectors = new Map<string, number>();
  for (const [name, , kind] of spec.fields) {
    const v = given.get(name);
    if (kind === "ints" && v !== undefined) {
      if (!Array.isArray(v)) fail(`op ${k} ${op.op}: option ${name} must be a list of ints`);
      vectors.set(name, int32Vector(b, v as number[]));
    }
  }
  b.startObject(spec.fields.length);
  for (const [name, id, kind, schemaDefault, writerDefault] of spec.fields) {
    const v = given.get(name);
    const where = `op ${k} ${op.op} option ${name}`;
    switch (kind) {
      case "ints":
        if (vectors.has(name)) b.addFieldOffset(id, vectors.get(name)!, 0);
        break;
      case "float":
        b.addFieldFloat32(
          id,
          typeof v === "number" ? v : (writerDefault ?? schemaDefault),
          schemaDefault,
        );
        break;
      case "bool":
        b.addFieldInt8(id, v === undefined ? schemaDefault : Number(Boolean(v)), schemaDefault);
        break;
      case "int":
        if (v !== undefined && !Number.isInteger(v)) fail(`${where}: must be an integer`);
        b.addFieldInt32(
          id,
          v === undefined ? (writerDefault ?? schemaDefault) : (v as number),
          schemaDefault,
        );
        break;
      default: // byte-sized enums
        b.addFieldInt8(
          id,
          v === undefined ? schemaDefault : enumValue(kind, v, where),
          schemaDefault,
        );
    }
  }
  return { type: spec.union, table: b.endObject() };
}

function writeQuant(b: Builder, q: NonNullable<WriterTensor["quant"]>): number {
  b.startVector(4, q.scale.length, 4);
  for (let i = q.scale.length - 1; i >= 0; i--) b.addFloat32(q.scale[i]);
  const scale = b.endVector();
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]));
  const zeroPoint = b.endVector();
  b.startObject(7);
  b.addFieldOffset(2, scale, 0); // scale
  b.addFieldOffset(3, zeroPoint, 0); // zero_point
  b.addFieldInt32(6, q.quantizedDimension ?? 0, 0); // quantized_dimension
  return b.endObject();
}

/** Serialises `model` as a .tflite flatbuffer. Throws on indices, sizes or options that don't fit. */
export function writeTflite(model: WriterModel): Uint8Array {
  validate(model);
  const b = new Builder(1024 + model.tensors.reduce((s, t) => s + (t.data?.length ?? 0) + 64, 0));

  // Buffers: 0 is the empty sentinel every activation points at; each constant gets its own.
  const bufferOffsets: number[] = [];
  const tensorBuffer: number[] = [];
  b.startObject(3);
  bufferOffsets.push(b.endObject());
  for (const t of model.tensors) {
    if (!t.data) {
      tensorBuffer.push(0);
      continue;
    }
    const data = alignedBytes(b, t.data);
    b.startObject(3);
    b.addFieldOffset(0, data, 0);
    tensorBuffer.push(bufferOffsets.length);
    bufferOffsets.push(b.endObject());
  }

  const tensorOffsets = model.tensors.map((t, i) => {
    const name = b.createString(t.name);
    const shape = int32Vector(b, t.shape);
    const quant = t.quant ? writeQuant(b, t.quant) : 0;
    b.startObject(10);
    b.addFieldOffset(0, shape, 0); // shape
    b.addFieldInt8(1, TENSOR_TYPES[t.type].code, 0); // type
    b.addFieldInt32(2, tensorBuffer[i], 0); // buffer
    b.addFieldOffset(3, name, 0); // name
    if (quant) b.addFieldOffset(4, quant, 0); // quantization
    if (t.variable) b.addFieldInt8(5, 1, 0); // is_variable
    return b.endObject();
  });

  // Operator codes, one per (op, version) in first-use order.
  const codeKeys: string[] = [];
  const opcodeIndex = model.ops.map((op) => {
    const key = `${op.op}/${op.version ?? 1}`;
    if (!codeKeys.includes(key)) codeKeys.push(key);
    return codeKeys.indexOf(key);
  });
  const codeOffsets = codeKeys.map((key) => {
    const [name, version] = key.split("/");
    const code = builtinOpCode(name);
    b.startObject(4);
    b.addFieldInt8(0, Math.min(code, 127), 0); // deprecated_builtin_code
    b.addFieldInt32(2, Number(version), 1); // version
    b.addFieldInt32(3, code, 0); // builtin_code
    return b.endObject();
  });

  const opOffsets = model.ops.map((op, k) => {
    const inputs = int32Vector(b, op.inputs);
    const outputs = int32Vector(b, op.outputs);
    const options = writeOptions(b, op, k);
    const intermediates = op.intermediates ? int32Vector(b, op.intermediates) : 0;
    b.startObject(9);
    b.addFieldInt32(0, opcodeIndex[k], 0); // opcode_index
    b.addFieldOffset(1, inputs, 0);
    b.addFieldOffset(2, outputs, 0);
    b.addFieldInt8(3, options.type, 0); // builtin_options_type
    if (options.table) b.addFieldOffset(4, options.table, 0); // builtin_options
    if (intermediates) b.addFieldOffset(8, intermediates, 0); // intermediates
    return b.endObject();
  });

  const tensors = offsetVector(b, tensorOffsets);
  const sgInputs = int32Vector(b, model.inputs);
  const sgOutputs = int32Vector(b, model.outputs);
  const operators = offsetVector(b, opOffsets);
  const sgName = b.createString("main");
  b.startObject(5);
  b.addFieldOffset(0, tensors, 0);
  b.addFieldOffset(1, sgInputs, 0);
  b.addFieldOffset(2, sgOutputs, 0);
  b.addFieldOffset(3, operators, 0);
  b.addFieldOffset(4, sgName, 0);
  const subgraph = b.endObject();

  const codes = offsetVector(b, codeOffsets);
  const subgraphs = offsetVector(b, [subgraph]);
  const description = b.createString(model.description ?? "tinyboard tflite-writer");
  const buffers = offsetVector(b, bufferOffsets);
  b.startObject(8);
  b.addFieldInt32(0, 3, 0); // version
  b.addFieldOffset(1, codes, 0);
  b.addFieldOffset(2, subgraphs, 0);
  b.addFieldOffset(3, description, 0);
  b.addFieldOffset(4, buffers, 0);
  b.finish(b.endObject(), "TFL3");
  return b.asUint8Array().slice();
}
