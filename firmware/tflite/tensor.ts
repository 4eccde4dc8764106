// A tensor as the interpreter holds it: where its data lives (in place in flash for
// constants, in the arena for activations), its shape and its quantisation. A fixed 16-byte
// record in one block for the whole model (TensorList), as TFLM's TfLiteEvalTensor array, not
// one heap object each (an object's header and 16-byte block would more than double it).
import { typeBytes } from "./schema";

/** A shape with no dimensions (a scalar, or a tensor whose shape field is absent): a length
 *  word of 0, for `dims` to point just past. */
export const NO_DIMS: usize = memory.data(8, 4) + 4;

/** Bytes of one tensor record (the fields below, in order). */
export const TENSOR_BYTES: i32 = 16;

// The first word packs what is small: the type (bits 0-7), constant data (bit 8), the axis of
// the per-channel scales (bits 9-11; rank <= 6) and the zero point (bits 12-31, signed: TFLite's
// zero points lie in -32768..65535).
const CONSTANT_BIT: i32 = 1 << 8;
const AXIS_SHIFT: i32 = 9;
const ZERO_POINT_SHIFT: i32 = 12;

@unmanaged
export class Tensor {
  private meta: i32;
  /** The shape, read in place (as TFLM's TfLiteEvalTensor does): the first of the flatbuffer
   *  vector's int32 dimensions, its length in the word before. */
  dims: usize;
  /** Address of the data: in the flash window (constants) or the arena (activations). */
  data: usize;
  /** The f32 scales, read in place from the flatbuffer (their count in the word before; one
   *  for per-tensor quantisation); 0 when the tensor has none. */
  scales: usize;

  get type(): u8 {
    return <u8>this.meta;
  }

  set type(v: u8) {
    this.meta = (this.meta & ~0xff) | <i32>v;
  }

  get isConstant(): bool {
    return (this.meta & CONSTANT_BIT) != 0;
  }

  set isConstant(v: bool) {
    this.meta = v ? this.meta | CONSTANT_BIT : this.meta & ~CONSTANT_BIT;
  }

  /** The axis of the per-channel scales. */
  get quantizedDimension(): u8 {
    return <u8>((this.meta >> AXIS_SHIFT) & 7);
  }

  set quantizedDimension(v: u8) {
    this.meta = (this.meta & ~(7 << AXIS_SHIFT)) | ((<i32>v & 7) << AXIS_SHIFT);
  }

  get zeroPoint(): i32 {
    return this.meta >> ZERO_POINT_SHIFT;
  }

  set zeroPoint(v: i32) {
    this.meta = (this.meta & ((1 << ZERO_POINT_SHIFT) - 1)) | (v << ZERO_POINT_SHIFT);
  }

  /** Per-tensor quantisation (the first entry when per-channel; 0 without quantisation). */
  get scale(): f32 {
    return this.scales != 0 ? load<f32>(this.scales) : 0;
  }

  /** Bytes of data: elements times the element size. */
  get bytes(): i32 {
    return this.elements * typeBytes(this.type);
  }

  /** Number of per-channel scales (0 when per-tensor). */
  get channels(): i32 {
    const n = this.scales != 0 ? load<i32>(this.scales - 4) : 0;
    return n > 1 ? n : 0;
  }

  get rank(): i32 {
    return load<i32>(this.dims - 4);
  }

  /** Dimension `i`; negative counts from the end (-1 = innermost). */
  dim(i: i32): i32 {
    return load<i32>(this.dims + (<usize>(i < 0 ? this.rank + i : i) << 2));
  }

  get elements(): i32 {
    let n = 1;
    const rank = this.rank;
    for (let i = 0; i < rank; i++) n *= load<i32>(this.dims + (<usize>i << 2));
    return n;
  }

  get elementBytes(): i32 {
    return typeBytes(this.type);
  }

  /** Scale of channel `c` (the per-tensor scale when not per-channel). */
  channelScale(c: i32): f32 {
    return this.channels != 0 ? load<f32>(this.scales + (<usize>c << 2)) : this.scale;
  }

  isPerChannel(): bool {
    return this.channels > 1;
  }

  sameShape(other: Tensor): bool {
    const rank = this.rank;
    if (other.rank != rank) return false;
    for (let i = 0; i < rank; i++) if (other.dim(i) != this.dim(i)) return false;
    return true;
  }
}

/** The model's tensors: one block, the count in the word before the first record (so a list
 *  is its own address, indexed like an array). */
@unmanaged
export class TensorList {
  static create(n: i32): TensorList {
    if (offsetof<Tensor>() != <usize>TENSOR_BYTES) unreachable(); // folded away: the record size is TENSOR_BYTES
    const block = heap.alloc(<usize>(4 + n * TENSOR_BYTES)) + 4;
    store<i32>(block - 4, n);
    memory.fill(block, 0, <usize>(n * TENSOR_BYTES));
    for (let i = 0; i < n; i++) store<usize>(block + <usize>(i * TENSOR_BYTES), NO_DIMS, offsetof<Tensor>("dims"));
    return changetype<TensorList>(block);
  }

  get length(): i32 {
    return load<i32>(changetype<usize>(this) - 4);
  }

  // @ts-ignore: decorator
  @operator("[]") @inline at(i: i32): Tensor {
    return changetype<Tensor>(changetype<usize>(this) + <usize>(i * TENSOR_BYTES));
  }
}
