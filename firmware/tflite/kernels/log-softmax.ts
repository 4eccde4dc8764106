// LOG_SOFTMAX over the innermost dimension, float32: x - max - log(sum(exp(x - max))), as
// TFLite's reference. int8 (TFLM's fixed-point exp and log) is not here yet and is refused
// with that reason.
import { Tensor } from "../tensor";
import { TYPE_FLOAT32 } from "../schema";
import { ExtensionOp } from "./extension";

export class LogSoftmax extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private rows: i32 = 0;
  private depth: i32 = 0;

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 1 || !o.hasInput(0) || o.outputCount < 1) return "needs one input and one output";
    const input = o.input(0);
    const output = o.output(0);
    if (input.type != TYPE_FLOAT32) return "only float32 is supported (the int8 kernel is not implemented yet)";
    if (output.type != TYPE_FLOAT32) return "output must be float32";
    if (!input.sameShape(output) || input.rank < 1) return "output shape must equal the input shape";
    this.input = input;
    this.output = output;
    this.depth = input.dim(-1);
    this.rows = this.depth > 0 ? input.elements / this.depth : 0;
    return "";
  }

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    const dst = changetype<Tensor>(this.output).data;
    const depth = this.depth;
    for (let r = 0; r < this.rows; r++) {
      const row = src + (<usize>(r * depth) << 2);
      const out = dst + (<usize>(r * depth) << 2);
      let mx = load<f32>(row);
      for (let c = 1; c < depth; c++) mx = max<f32>(mx, load<f32>(row + (<usize>c << 2)));
      let sum: f32 = 0;
      for (let c = 0; c < depth; c++) sum += Mathf.exp(load<f32>(row + (<usize>c << 2)) - mx);
      const logSum = Mathf.log(sum);
      for (let c = 0; c < depth; c++) store<f32>(out + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) - mx - logSum);
    }
  }
}
