// One operator (layer) of the model: its code, its tensors and its builtin options, read in
// place from the flatbuffer.
import { FlatBuffer } from "./flatbuffer";
import { Tensor, TensorList } from "./tensor";
import { opName } from "./schema";

/** An empty index list (a length word of 0), for absent vectors. */
export const NO_INDICES: usize = memory.data(8, 4) + 4;

/** Entry `i` of an index list read in place: int32s with their count in the word before. */
// @ts-ignore: decorator
@inline export function indexAt(list: usize, i: i32): i32 {
  return load<i32>(list + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function indexCount(list: usize): i32 {
  return load<i32>(list - 4);
}

/** Tensor indices read in place (a flatbuffer int32 vector: the count in the word before). */
@unmanaged
export class IndexList {
  get length(): i32 {
    return indexCount(changetype<usize>(this));
  }

  // @ts-ignore: decorator
  @operator("[]") @inline at(i: i32): i32 {
    return indexAt(changetype<usize>(this), i);
  }
}

/** Bytes of one operator record (the fields below, in order). */
export const OPERATOR_BYTES: i32 = 24;

/** A fixed record in one block for the model (OperatorList), as TFLM's TfLiteNode array (24 B
 *  against TFLM's 32-byte node). It keeps no index of its own: whoever holds a record got it by
 *  its position (the interpreter's loops, the reader's messages). */
@unmanaged
export class Operator {
  code: i32;
  /** Tensor indices, read in place from the flatbuffer (as TFLM's TfLiteNode does); -1 marks
   *  an absent optional input. Checked against the tensor count when the model is read. */
  inputIndices: usize;
  outputIndices: usize;
  /** Offset of the builtin options table in the flatbuffer, 0 when absent. */
  options: u32;
  fb: FlatBuffer;
  tensors: TensorList;

  get name(): string {
    return opName(this.code);
  }

  get inputCount(): i32 {
    return indexCount(this.inputIndices);
  }

  get outputCount(): i32 {
    return indexCount(this.outputIndices);
  }

  /** Tensor index of input `i` (-1: absent). */
  inputIndex(i: i32): i32 {
    return indexAt(this.inputIndices, i);
  }

  outputIndex(i: i32): i32 {
    return indexAt(this.outputIndices, i);
  }

  hasInput(i: i32): bool {
    return i < this.inputCount && indexAt(this.inputIndices, i) >= 0;
  }

  /** Input `i`; check `hasInput` first for optional inputs (such as a bias). */
  input(i: i32): Tensor {
    return this.tensors[indexAt(this.inputIndices, i)];
  }

  output(i: i32): Tensor {
    return this.tensors[indexAt(this.outputIndices, i)];
  }

  // Builtin options with the schema's defaults (field ids from schema.fbs).
  optI32(field: u32, def: i32): i32 {
    return this.fb.fieldI32(this.options, field, def);
  }

  optU8(field: u32, def: u32): u32 {
    return this.fb.fieldU8(this.options, field, def);
  }

  optF32(field: u32, def: f32): f32 {
    return this.fb.fieldF32(this.options, field, def);
  }

  optBool(field: u32, def: bool): bool {
    return this.fb.fieldU8(this.options, field, def ? 1 : 0) != 0;
  }

  /** An int vector option (RESHAPE's new_shape); empty when absent. */
  optI32Vector(field: u32): StaticArray<i32> {
    const vec = this.fb.fieldRef(this.options, field);
    const n = this.fb.vectorLength(vec, 4);
    const out = new StaticArray<i32>(n);
    for (let i: u32 = 0; i < n; i++) out[i] = <i32>this.fb.u32(this.fb.element(vec, i, 4));
    return out;
  }
}

/** The model's operators: one block, the count in the word before the first record. */
@unmanaged
export class OperatorList {
  static create(n: i32, fb: FlatBuffer, tensors: TensorList): OperatorList {
    if (offsetof<Operator>() != <usize>OPERATOR_BYTES) unreachable(); // folded away: the record size is OPERATOR_BYTES
    const block = heap.alloc(<usize>(4 + n * OPERATOR_BYTES)) + 4;
    store<i32>(block - 4, n);
    for (let i = 0; i < n; i++) {
      const op = changetype<Operator>(block + <usize>(i * OPERATOR_BYTES));
      op.code = 0;
      op.inputIndices = NO_INDICES;
      op.outputIndices = NO_INDICES;
      op.options = 0;
      op.fb = fb;
      op.tensors = tensors;
    }
    return changetype<OperatorList>(block);
  }

  get length(): i32 {
    return load<i32>(changetype<usize>(this) - 4);
  }

  // @ts-ignore: decorator
  @operator("[]") @inline at(i: i32): Operator {
    return changetype<Operator>(changetype<usize>(this) + <usize>(i * OPERATOR_BYTES));
  }
}
