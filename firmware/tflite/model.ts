// The model read in place: tensors (constants point into the flatbuffer in flash) and
// operators. Every count, index and size is checked before use; the first problem becomes
// `error`, naming the layer and op where there is one.
import { FlatBuffer } from "./flatbuffer";
import { Tensor, TensorList } from "./tensor";
import { IndexList, NO_INDICES, Operator, OperatorList } from "./operator";
import * as s from "./schema";

const MAX_RANK = 6;
const MAX_ELEMENTS: i64 = 1 << 28;
const MAX_TENSORS: u32 = 1 << 16;
const MAX_OPS: u32 = 1 << 16;
// Until the model is read: lists of none (a count word of 0, as NO_INDICES).
const EMPTY_TENSORS = changetype<TensorList>(NO_INDICES);
const EMPTY_OPERATORS = changetype<OperatorList>(NO_INDICES);

export class Model {
  readonly fb: FlatBuffer;
  error: string = "";
  tensors: TensorList = EMPTY_TENSORS;
  operators: OperatorList = EMPTY_OPERATORS;
  /** The subgraph's input and output tensor indices, read in place (count in the word before). */
  inputs: IndexList = changetype<IndexList>(NO_INDICES);
  outputs: IndexList = changetype<IndexList>(NO_INDICES);

  constructor(base: usize, size: u32) {
    this.fb = new FlatBuffer(base, size);
    this.read();
    if (this.error.length == 0 && this.fb.error.length > 0) this.error = this.fb.error;
  }

  private fail(why: string): bool {
    if (this.error.length == 0) this.error = why;
    return false;
  }

  /** Stops at the first reader error, naming where it happened. */
  private ok(where: string): bool {
    if (this.fb.error.length == 0) return true;
    return this.fail(where.length > 0 ? where + ": " + this.fb.error : this.fb.error);
  }

  /** ok() for tensor `index`, naming it only when there is an error. */
  private okAt(index: i32): bool {
    return this.fb.error.length == 0 ? true : this.ok(tensorName(index));
  }

  private read(): bool {
    const fb = this.fb;
    if (fb.size < 8) return this.fail("not a TFLite model: " + fb.size.toString() + " bytes");
    if (fb.u32(4) != 0x334c4654) return this.fail("not a TFLite model (no TFL3 identifier)");
    const root = fb.deref(0);
    if (!this.ok("")) return false;
    const version = fb.fieldI32(root, s.MODEL_VERSION, 0);
    if (version != 3) return this.fail("unsupported schema version " + version.toString() + " (expected 3)");
    const codes = this.fb.fieldRef(root, s.MODEL_OPERATOR_CODES);
    if (!this.readCodes(codes)) return false;
    const subgraphs = fb.fieldRef(root, s.MODEL_SUBGRAPHS);
    if (fb.vectorLength(subgraphs, 4) == 0) return this.fail("model has no subgraph");
    const sg = fb.tableAt(subgraphs, 0);
    const buffers = fb.fieldRef(root, s.MODEL_BUFFERS);
    const nBuffers = fb.vectorLength(buffers, 4);
    if (!this.ok("")) return false;
    if (!this.readTensors(sg, buffers, nBuffers)) return false;
    this.inputs = changetype<IndexList>(this.indexList(fb.fieldRef(sg, s.SUBGRAPH_INPUTS), false, -1, "subgraph inputs"));
    this.outputs = changetype<IndexList>(this.indexList(fb.fieldRef(sg, s.SUBGRAPH_OUTPUTS), false, -1, "subgraph outputs"));
    if (this.error.length > 0) return false;
    if (this.inputs.length == 0 || this.outputs.length == 0) return this.fail("model has no inputs or no outputs");
    for (let k = 0; k < this.inputs.length; k++) {
      const t = this.inputs[k]; // the app writes its input there: it cannot be in flash
      if (this.tensors[t].isConstant) return this.fail("input tensor " + t.toString() + " has constant data");
    }
    return this.readOperators(sg, codes);
  }

  /** Checks the operator codes; each operator reads its own (codeAt) when it is read. */
  private readCodes(vec: u32): bool {
    const n = this.fb.vectorLength(vec, 4);
    if (n > MAX_OPS) return this.fail("too many operator codes");
    for (let i: u32 = 0; i < n; i++) {
      this.codeAt(vec, i);
      if (this.fb.error.length > 0 && !this.ok("operator code " + i.toString())) return false;
    }
    return true;
  }

  private codeAt(codes: u32, i: u32): i32 {
    const fb = this.fb;
    const t = fb.tableAt(codes, i);
    // Codes above 127 live in builtin_code; older files only fill the deprecated byte.
    const deprecated = <i32>(<i8>fb.fieldU8(t, s.OPCODE_DEPRECATED_BUILTIN, 0));
    return max(deprecated, fb.fieldI32(t, s.OPCODE_BUILTIN, 0));
  }

  private readTensors(sg: u32, buffers: u32, nBuffers: u32): bool {
    const fb = this.fb;
    const vec = fb.fieldRef(sg, s.SUBGRAPH_TENSORS);
    const n = fb.vectorLength(vec, 4);
    if (n > MAX_TENSORS) return this.fail("too many tensors");
    this.tensors = TensorList.create(<i32>n);
    for (let i: u32 = 0; i < n; i++) {
      const t = this.tensors[<i32>i];
      if (!this.readTensor(t, <i32>i, fb.tableAt(vec, i), buffers, nBuffers)) return false;
    }
    return this.ok("tensors");
  }

  private readTensor(t: Tensor, where: i32, table: u32, buffers: u32, nBuffers: u32): bool {
    const fb = this.fb; // `where` (the index) is named only in a message: strings made here would stay in the heap
    const shape = fb.fieldRef(table, s.TENSOR_SHAPE);
    const rank = fb.vectorLength(shape, 4);
    if (rank > <u32>MAX_RANK) return this.fail(tensorName(where) + ": rank " + rank.toString() + " is more than " + MAX_RANK.toString());
    if (!this.okAt(where)) return false;
    // In place: the vector is 4-aligned in a 4-aligned model, its length word just before.
    if (rank > 0) t.dims = fb.base + fb.element(shape, 0, 4);
    let elements: i64 = 1;
    for (let d: u32 = 0; d < rank; d++) {
      const v = <i32>fb.u32(fb.element(shape, d, 4));
      if (v < 0) return this.fail(tensorName(where) + ": negative dimension " + v.toString());
      elements *= v;
      if (elements > MAX_ELEMENTS) return this.fail(tensorName(where) + ": too many elements");
    }
    t.type = <u8>fb.fieldU8(table, s.TENSOR_TYPE, 0);
    if (!this.okAt(where)) return false;
    const bytes = <i32>elements * s.typeBytes(t.type);
    const buffer = <u32>fb.fieldI32(table, s.TENSOR_BUFFER, 0);
    if (buffer >= nBuffers && !(buffer == 0 && nBuffers == 0)) return this.fail(tensorName(where) + ": buffer " + buffer.toString() + " out of range (" + nBuffers.toString() + " buffers)");
    if (buffer > 0) {
      const b = fb.tableAt(buffers, buffer);
      if (fb.field(b, s.BUFFER_OFFSET) != 0) return this.fail(tensorName(where) + ": data outside the flatbuffer (large-model buffers) is not supported");
      const data = fb.fieldRef(b, s.BUFFER_DATA);
      const len = fb.vectorLength(data, 1);
      if (!this.okAt(where)) return false;
      if (len > 0) {
        if (s.typeBytes(t.type) == 0) return this.fail(tensorName(where) + ": constant of unsupported type " + s.typeName(t.type));
        if (<i64>len < <i64>bytes) return this.fail(tensorName(where) + ": constant data has " + len.toString() + " bytes, shape needs " + bytes.toString());
        t.isConstant = true;
        t.data = fb.base + fb.element(data, 0, 1);
      }
    }
    return this.readQuantization(t, fb.fieldRef(table, s.TENSOR_QUANTIZATION), where);
  }

  private readQuantization(t: Tensor, q: u32, where: i32): bool {
    if (q == 0) return this.okAt(where);
    const fb = this.fb;
    const scales = fb.fieldRef(q, s.QUANT_SCALE);
    const nScales = fb.vectorLength(scales, 4);
    const zeros = fb.fieldRef(q, s.QUANT_ZERO_POINT);
    const nZeros = fb.vectorLength(zeros, 8);
    if (!this.okAt(where)) return false;
    if (nScales == 0) return true;
    // In place, as the shape: the first scale, their count in the word before.
    t.scales = fb.base + fb.element(scales, 0, 4);
    if (nZeros > 0) {
      const zp = <i64>load<u64>(fb.base + fb.element(zeros, 0, 8));
      if (zp < -32768 || zp > 65535) return this.fail(tensorName(where) + ": zero point " + zp.toString() + " out of range");
      t.zeroPoint = <i32>zp;
    }
    if (nScales > 1) {
      let dim = fb.fieldI32(q, s.QUANT_DIMENSION, 0);
      // Some converters leave quantized_dimension 3 on rank-1 biases; TFLM reads them as axis 0.
      if (t.rank == 1) dim = 0;
      if (dim < 0 || dim >= t.rank || t.dim(dim) != <i32>nScales) {
        return this.fail(tensorName(where) + ": " + nScales.toString() + " channel scales do not match dimension " + dim.toString());
      }
      t.quantizedDimension = <u8>dim;
    }
    return this.okAt(where);
  }

  /** Tensor indices from `vec`, checked and read in place (NO_INDICES when absent or wrong);
   *  `layer` (-1 for the subgraph) and `what` name the list in a message. */
  private indexList(vec: u32, allowAbsent: bool, layer: i32, what: string): usize {
    const fb = this.fb;
    const n = fb.vectorLength(vec, 4);
    const lowest: i32 = allowAbsent ? -1 : 0;
    for (let i: u32 = 0; i < n; i++) {
      const v = <i32>fb.u32(fb.element(vec, i, 4));
      if (v < lowest || v >= this.tensors.length) {
        this.fail(this.listName(layer, what) + ": tensor " + v.toString() + " out of range (" + this.tensors.length.toString() + " tensors)");
        return NO_INDICES;
      }
    }
    if (this.fb.error.length > 0) {
      this.ok(this.listName(layer, what));
      return NO_INDICES;
    }
    return n > 0 ? fb.base + fb.element(vec, 0, 4) : NO_INDICES;
  }

  private listName(layer: i32, what: string): string {
    return layer < 0 ? what : layerName(layer, this.operators[layer]) + what;
  }

  private readOperators(sg: u32, codes: u32): bool {
    const fb = this.fb;
    const vec = fb.fieldRef(sg, s.SUBGRAPH_OPERATORS);
    const n = fb.vectorLength(vec, 4);
    if (n > MAX_OPS) return this.fail("too many operators");
    this.operators = OperatorList.create(<i32>n, fb, this.tensors);
    for (let i: u32 = 0; i < n; i++) {
      const table = fb.tableAt(vec, i);
      const op = this.operators[<i32>i];
      const codeIndex = <u32>fb.fieldI32(table, s.OPERATOR_OPCODE_INDEX, 0);
      if (fb.error.length > 0 && !this.ok("layer " + i.toString())) return false; // the name made only for a message
      if (codeIndex >= fb.vectorLength(codes, 4)) return this.fail("layer " + i.toString() + ": operator code " + codeIndex.toString() + " out of range");
      op.code = this.codeAt(codes, codeIndex);
      op.inputIndices = this.indexList(fb.fieldRef(table, s.OPERATOR_INPUTS), true, i, ": inputs");
      op.outputIndices = this.indexList(fb.fieldRef(table, s.OPERATOR_OUTPUTS), false, i, ": outputs");
      op.options = fb.fieldRef(table, s.OPERATOR_OPTIONS);
      if (this.fb.error.length > 0 && !this.ok(layerName(<i32>i, op))) return false;
      if (this.error.length > 0) return false;
      const where = op; // named only in a message
      if (op.outputCount == 0) return this.fail(layerName(<i32>i, where) + ": no outputs");
      // An output with data in the model would be written in flash.
      for (let k = 0; k < op.outputCount; k++) {
        const t = op.outputIndex(k);
        if (this.tensors[t].isConstant) return this.fail(layerName(<i32>i, where) + ": output tensor " + t.toString() + " has constant data");
      }
    }
    return true;
  }
}

function tensorName(index: i32): string {
  return "tensor " + index.toString();
}

function layerName(index: i32, op: Operator): string {
  return "layer " + index.toString() + " (" + op.name + ")";
}
