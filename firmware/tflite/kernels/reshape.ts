// RESHAPE: the output tensor's shape is authoritative (the optional shape input and the
// new_shape option only have to agree on the element count, which the output already
// records); the data is copied unless the planner gave input and output the same memory.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";

export class Reshape extends Kernel {
  private input: Tensor | null = null;
  private output: Tensor | null = null;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 1 || !op.hasInput(0)) return "missing input";
    if (op.outputCount < 1) return "missing output";
    const input = op.input(0);
    const output = op.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.elementBytes == 0) return "unsupported type";
    if (input.elements != output.elements) return "input has " + input.elements.toString() + " elements, output " + output.elements.toString();
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    const output = changetype<Tensor>(this.output);
    if (output.data != src) memory.copy(output.data, src, <usize>output.bytes);
  }
}
