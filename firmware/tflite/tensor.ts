// A tensor as the interpreter holds it: where its data lives (in place in flash for
// constants, in the arena for activations), its shape and its quantisation.
import { typeBytes } from "./schema";

export class Tensor {
  index: i32 = 0;
  type: i32 = 0;
  dims: StaticArray<i32> = new StaticArray<i32>(0);
  /** Address of the data: in the flash window (constants) or the arena (activations). */
  data: usize = 0;
  /** Bytes of data: elements times the element size. */
  bytes: i32 = 0;
  isConstant: bool = false;
  /** Per-tensor quantisation (the first entry when per-channel). */
  scale: f32 = 0;
  zeroPoint: i32 = 0;
  /** Per-channel scales: address of `channels` f32 values in flash (0 when per-tensor). */
  channelScales: usize = 0;
  channels: i32 = 0;
  quantizedDimension: i32 = 0;
  /** Arena offset planned for an activation, -1 for constants and unused tensors. */
  arenaOffset: i32 = -1;

  get rank(): i32 {
    return this.dims.length;
  }

  /** Dimension `i`; negative counts from the end (-1 = innermost). */
  dim(i: i32): i32 {
    return unchecked(this.dims[i < 0 ? this.dims.length + i : i]);
  }

  get elements(): i32 {
    let n = 1;
    for (let i = 0; i < this.dims.length; i++) n *= unchecked(this.dims[i]);
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
    if (other.dims.length != this.dims.length) return false;
    for (let i = 0; i < this.dims.length; i++) if (unchecked(other.dims[i]) != unchecked(this.dims[i])) return false;
    return true;
  }
}
