// How the kernels added after the first twenty (issue 18) plug into the interpreter: each is
// an ExtensionOp, and one Kernel subclass, Extension, forwards to it. The interpreter calls
// every layer through Kernel's virtual eval, a dispatch over class ids into which the
// optimiser inlines the kernels: 40 more Kernel subclasses there cost every existing layer
// about 127 cycles. Behind this single subclass the existing kernels stay within 2 cycles
// per layer of what they were (the optimiser lays out the shared dispatch function a little
// differently; measured on the op-models set).
import { Kernel } from "../kernel";
import { Operator } from "../operator";
import { TYPE_FLOAT32 } from "../schema";
import { Tensor } from "../tensor";
import { clampI8, lookup } from "./activations";
import { checkUnary } from "./common/prepare";

export abstract class ExtensionOp {
  op!: Operator;

  /** As Kernel.prepare: "" when ready, else a one-line reason. */
  abstract prepare(): string;

  scratchBytes(): i32 {
    return 0;
  }

  abstract eval(scratch: usize): void;
}

export class Extension extends Kernel {
  constructor(readonly impl: ExtensionOp) {
    super();
  }

  prepare(): string {
    this.impl.op = this.op;
    return this.impl.prepare();
  }

  scratchBytes(): i32 {
    return this.impl.scratchBytes();
  }

  eval(scratch: usize): void {
    this.impl.eval(scratch);
  }
}

/** An int8 -> int8 elementwise op as a 256-entry table over the input byte (TableKernel's
 *  scheme for the extension kernels), with a float32 loop beside it. */
export abstract class TableOp extends ExtensionOp {
  protected table: StaticArray<u8> = new StaticArray<u8>(0);
  protected isFloat: bool = false;
  protected input: Tensor | null = null;
  protected output: Tensor | null = null;

  abstract mapInt8(q: i32): i32;
  abstract evalFloat(src: usize, dst: usize, n: i32): void;
  abstract prepareTyped(input: Tensor, output: Tensor): string;

  prepare(): string {
    const why = checkUnary(this.op);
    if (why.length > 0) return why;
    const input = this.op.input(0);
    const output = this.op.output(0);
    this.input = input;
    this.output = output;
    this.isFloat = input.type == TYPE_FLOAT32;
    const typed = this.prepareTyped(input, output);
    if (typed.length > 0) return typed;
    if (!this.isFloat) {
      this.table = new StaticArray<u8>(256);
      for (let q = -128; q < 128; q++) unchecked(this.table[q & 0xff] = <u8>clampI8(this.mapInt8(q)));
    }
    return "";
  }

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    const dst = changetype<Tensor>(this.output).data;
    const n = changetype<Tensor>(this.output).elements;
    if (this.isFloat) { this.evalFloat(src, dst, n); return; }
    lookup(changetype<usize>(this.table), src, dst, n);
  }
}
