// Host-side reader of .tflite files (TFLite flatbuffer schema v3) for `tinyboard model
// inspect` and the host mirrors of the firmware's planner. Every offset, length and index is
// checked before use (checked-flatbuffer.ts): a corrupt or truncated file is a one-line
// UserError naming the file and, where there is one, the layer and op; never another
// exception, never a hang (every loop runs over a vector already checked to lie inside the file).
import { UserError } from "../errors.ts";
import { CheckedReader, type Table, type Vec } from "./checked-flatbuffer.ts";
import { readOptions } from "./tflite-options-reader.ts";
import {
  TENSOR_TYPE_TABLE,
  builtinOpName,
  type OperatorInfo,
  type Quantization,
  type TensorInfo,
  type TfliteModel,
} from "./tflite-schema.ts";

export * from "./tflite-schema.ts";

const TFL3 = 0x334c4654; // "TFL3", little-endian
const MAX_TENSOR_BYTES = 2 ** 31 - 1;

/** Reads and validates a .tflite file; `name` is the file name used in messages. */
export function readModel(bytes: Uint8Array, name = "model"): TfliteModel {
  try {
    return read(new CheckedReader(bytes, name), bytes.length, name);
  } catch (e) {
    if (e instanceof UserError) throw e;
    // A reader bug must still reach the user as one line (the fuzz test looks for this text).
    throw new UserError(
      `${name}: unreadable model (internal reader error: ${(e as Error)?.message ?? e})`,
    );
  }
}

function read(r: CheckedReader, size: number, name: string): TfliteModel {
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
  r: CheckedReader,
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

function checkScales(r: CheckedReader, t: TensorInfo, label: string): void {
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
  r: CheckedReader,
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

function readTensors(r: CheckedReader, sg: Table, buffers: Vec | null, size: number): TensorInfo[] {
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
    const type = TENSOR_TYPE_TABLE[typeCode];
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
  r: CheckedReader,
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

function readQuantization(r: CheckedReader, q: Table | null, shape: number[]): Quantization | null {
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
  r: CheckedReader,
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
