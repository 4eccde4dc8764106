// What every kernel is: prepared once at init (checks, quantisation parameters, scratch
// needs), then evaluated once per inference with no allocation.
import { Operator } from "./operator";
import { ChannelQuant } from "./kernels/common/channel-quant";

const ON_NPU: u8 = 1;
const EXPANDS_RECORDS: u8 = 2;

export abstract class Kernel {
  op!: Operator;
  /** Per-channel requantisation, when the kernel has one: the interpreter expands its records
   *  into the arena's record area just before eval. */
  quant: ChannelQuant | null = null;
  /** This layer's scratch area in the arena's head, its requantisation records right after the
   *  scratch (set by the interpreter from the plan; the area is shared with activations that
   *  are not alive while the layer runs). */
  scratch: usize = 0;
  /** Two flags in one byte, where subclasses' own small fields pack beside it (a byte more
   *  moves some kernels into another 16-byte heap block): ON_NPU, EXPANDS_RECORDS. */
  private flags: u8 = 0;

  /** The NPU runs this layer. */
  get onNpu(): bool {
    return (this.flags & ON_NPU) != 0;
  }

  set onNpu(v: bool) {
    this.flags = v ? this.flags | ON_NPU : this.flags & ~ON_NPU;
  }

  /** readsRecords(), asked once when the interpreter plans the arena: each inference reads
   *  this bit, not two virtual calls per layer. */
  get expandsRecords(): bool {
    return (this.flags & EXPANDS_RECORDS) != 0;
  }

  set expandsRecords(v: bool) {
    this.flags = v ? this.flags | EXPANDS_RECORDS : this.flags & ~EXPANDS_RECORDS;
  }

  /** Checks the operator's tensors and options and precomputes what eval needs.
   *  Returns "" when ready, else a one-line reason ("filter must be int8"). */
  abstract prepare(): string;

  /** Eval reads `quant`'s records, expanded into the arena just before it (the vectorised
   *  paths); kernels with paths that derive them from the kept data say when. */
  readsRecords(): bool {
    return this.quant !== null;
  }

  /** Scratch bytes eval needs in the arena (shared by all layers, 16-byte aligned). */
  scratchBytes(): i32 {
    return 0;
  }

  /** The kernel has a lean path (same outputs, a little slower) that keeps nothing in the
   *  arena's head: no scratch and no records. The interpreter takes it (useLeanPath) for a
   *  layer whose scratch area alone would make the head longer. */
  hasLeanPath(): bool {
    return false;
  }

  useLeanPath(): void {}

  /** Multiply-accumulates of one evaluation (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED). */
  macs(): u64 {
    return 0;
  }

  abstract eval(scratch: usize): void;
}
