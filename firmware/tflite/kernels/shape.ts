// Ops that make tensors from shapes and values: SHAPE (the input's dimensions as int32 or
// int64), FILL (a one-element value repeated over the output's shape) and ZEROS_LIKE
// (raw zeros, float32/int32/int64 as TFLM). Output shapes are the model's (no dynamic shapes).
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT32, TYPE_INT64 } from "../schema";

export class Shape extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0) || op.outputCount < 1) return "needs an input and an output";
    const input = op.input(0);
    const output = op.output(0);
    if (output.type != TYPE_INT32 && output.type != TYPE_INT64) return "output must be int32 or int64";
    if (output.elements != input.rank) return "output must have one element per input dimension (" + input.rank.toString() + ")";
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const wide = output.type == TYPE_INT64;
    for (let d = 0; d < input.rank; d++) {
      if (wide) store<i64>(output.data + (<usize>d << 3), <i64>input.dim(d));
      else store<i32>(output.data + (<usize>d << 2), input.dim(d));
    }
  }
}

export class Fill extends ExtensionOp {
  private value: Tensor | null = null;
  private output: Tensor | null = null;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1) || op.outputCount < 1) return "needs dims and value inputs and an output";
    const dims = op.input(0);
    const value = op.input(1);
    const output = op.output(0);
    if (dims.type != TYPE_INT32 && dims.type != TYPE_INT64) return "dims must be int32 or int64";
    if (value.elements != 1) return "value must have one element";
    if (value.type != output.type) return "value and output types differ";
    if (output.elementBytes == 0) return "unsupported output type";
    if (dims.isConstant && dims.elements == output.rank) {
      for (let d = 0; d < output.rank; d++) {
        const v = dims.type == TYPE_INT64 ? <i32>load<i64>(dims.data + (<usize>d << 3)) : load<i32>(dims.data + (<usize>d << 2));
        if (v != output.dim(d)) return "dims do not match the output shape";
      }
    } else if (dims.isConstant) {
      return "dims do not match the output rank";
    }
    this.value = value;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const value = changetype<Tensor>(this.value);
    const output = changetype<Tensor>(this.output);
    const elem = <usize>output.elementBytes;
    const end = output.data + <usize>output.bytes;
    if (elem == 1) { memory.fill(output.data, load<u8>(value.data), <usize>output.bytes); return; }
    for (let at = output.data; at < end; at += elem) memory.copy(at, value.data, elem);
  }
}

export class ZerosLike extends ExtensionOp {
  private output: Tensor | null = null;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0) || op.outputCount < 1) return "needs an input and an output";
    const input = op.input(0);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_FLOAT32 && input.type != TYPE_INT32 && input.type != TYPE_INT64) return "input must be float32, int32 or int64 (as TFLM)";
    if (input.elements != output.elements) return "input and output element counts differ";
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const output = changetype<Tensor>(this.output);
    memory.fill(output.data, 0, <usize>output.bytes);
  }
}
