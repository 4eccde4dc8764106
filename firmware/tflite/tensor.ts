// A tensor as the interpreter holds it: where its data lives (in place in flash for
// constants, in the arena for activations), its shape and its quantisation.
import { typeBytes } from "./schema";

/** A shape with no dimensions (a scalar, or a tensor whose shape field is absent): a length
 *  word of 0, for `dims` to point just past. */
const NO_DIMS: usize = memory.data(8, 4) + 4;

export class Tensor {
  // 28 bytes of fields: with the allocator's header, a 48-byte block per tensor (the small
  // fields first, packed together).
  type: u8 = 0;
  isConstant: bool = false;
  /** The axis of the per-channel scales. */
  quantizedDimension: u8 = 0;
  /** The shape, read in place (as TFLM's TfLiteEvalTensor does): the first of the flatbuffer
   *  vector's int32 dimensions, its length in the word before. */
  dims: usize = NO_DIMS;
  /** Address of the data: in the flash window (constants) or the arena (activations). */
  data: usize = 0;
  /** Bytes of data: elements times the element size. */
  bytes: i32 = 0;
  /** Per-tensor quantisation (the first entry when per-channel). */
  scale: f32 = 0;
  zeroPoint: i32 = 0;
  /** Per-channel scales: address of the f32 values in flash, read in place, their count in the
   *  word before (0 when per-tensor). */
  channelScales: usize = 0;

  /** Number of per-channel scales (0 when per-tensor). */
  get channels(): i32 {
    return this.channelScales != 0 ? load<i32>(this.channelScales - 4) : 0;
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
    return this.channelScales != 0 ? load<f32>(this.channelScales + (<usize>c << 2)) : this.scale;
  }

  isPerChannel(): bool {
    return this.channelScales != 0 && this.channels > 1;
  }

  sameShape(other: Tensor): bool {
    const rank = this.rank;
    if (other.rank != rank) return false;
    for (let i = 0; i < rank; i++) if (other.dim(i) != this.dim(i)) return false;
    return true;
  }
}
