// L2_NORMALIZATION over the innermost dimension, int8 and float32. int8 is TFLM's: the
// squared sum of the zero-point-corrected row, its inverse square root from gemmlowp's
// Newton-Raphson (math.ts), each element rescaled to the fixed output scale 1/128 (zero point
// 0, which TFLM requires). float32 divides by max(sqrt(sum of squares), 1e-6).
import { Tensor } from "../tensor";
import { ACT_NONE, TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { multiplyByQuantizedMultiplier } from "../quant";
import { ExtensionOp } from "./extension";
import { clampI8 } from "./activations";
import { invSqrt, invSqrtShift } from "./math";

const OPT_ACTIVATION: u32 = 0; // L2NormOptions.fused_activation_function
const OUTPUT_SHIFT: i32 = 7; // the int8 output is in 1/128 steps

export class L2Normalization extends ExtensionOp {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private rows: i32 = 0;
  private depth: i32 = 0;

  prepare(): string {
    const o = this.op;
    if (o.inputCount < 1 || !o.hasInput(0) || o.outputCount < 1) return "needs one input and one output";
    const input = o.input(0);
    const output = o.output(0);
    if (input.type != output.type) return "input and output types differ";
    if (input.type != TYPE_INT8 && input.type != TYPE_FLOAT32) return "input must be int8 or float32";
    if (!input.sameShape(output)) return "output shape must equal the input shape";
    if (input.rank < 1 || input.rank > 4) return "input rank must be 1 to 4";
    if (<i32>o.optU8(OPT_ACTIVATION, 0) != ACT_NONE) return "fused activations are not supported (as TFLM)";
    if (input.type == TYPE_INT8 && (output.scale != <f32>(1.0 / 128.0) || output.zeroPoint != 0)) {
      return "int8 output must have scale 1/128 and zero point 0";
    }
    this.input = input;
    this.output = output;
    this.depth = input.dim(-1);
    this.rows = this.depth > 0 ? input.elements / this.depth : 0;
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const src = input.data;
    const dst = changetype<Tensor>(this.output).data;
    const depth = this.depth;
    if (input.type == TYPE_FLOAT32) {
      for (let r = 0; r < this.rows; r++) {
        const row = src + (<usize>(r * depth) << 2);
        let sum: f32 = 0;
        for (let c = 0; c < depth; c++) { const v = load<f32>(row + (<usize>c << 2)); sum += v * v; }
        const norm = max<f32>(Mathf.sqrt(sum), <f32>1e-6);
        const out = dst + (<usize>(r * depth) << 2);
        for (let c = 0; c < depth; c++) store<f32>(out + (<usize>c << 2), load<f32>(row + (<usize>c << 2)) / norm);
      }
      return;
    }
    const zp = input.zeroPoint;
    for (let r = 0; r < this.rows; r++) {
      const row = src + <usize>(r * depth);
      let acc = 0;
      for (let c = 0; c < depth; c++) { const v = <i32>load<i8>(row + <usize>c) - zp; acc += v * v; }
      const m = invSqrt(acc);
      const s = invSqrtShift + OUTPUT_SHIFT;
      const out = dst + <usize>(r * depth);
      for (let c = 0; c < depth; c++) {
        store<i8>(out + <usize>c, <i8>clampI8(multiplyByQuantizedMultiplier(<i32>load<i8>(row + <usize>c) - zp, m, s)));
      }
    }
  }
}
