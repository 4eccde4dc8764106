// RELU and RELU6. int8 follows TFLite's quantized ReLU: rescale from the input's to the
// output's quantisation (multiplier = input scale / output scale), add the output zero point
// and clamp at the quantised 0 (and 6). With equal quantisation this is TFLM's plain clamp
// of RELU6. The result depends only on the input byte: prepare fills a 256-entry table.
import { Tensor } from "../tensor";
import { TableKernel } from "./activations";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift, roundAway } from "../quant";

abstract class ReluBase extends TableKernel {
  private inZero: i32 = 0;
  private outZero: i32 = 0;
  private multiplier: i32 = 0;
  private shift: i32 = 0;
  private lo: i32 = -128;
  private hi: i32 = 127;

  /** Upper clamp of the real output (Infinity for RELU). */
  abstract upper(): f32;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    const real = <f64>input.scale / <f64>output.scale;
    this.multiplier = quantizedMultiplier(real);
    this.shift = quantizedShift(real);
    this.inZero = input.zeroPoint;
    this.outZero = output.zeroPoint;
    // Quantised 0 and 6 as TFLite computes them: round(x / scale) in float32.
    this.lo = max(-128, output.zeroPoint);
    const up = this.upper();
    this.hi = up == Infinity ? 127 : min(127, output.zeroPoint + <i32>roundAway(<f64>(up / output.scale)));
    return "";
  }

  mapInt8(q: i32): i32 {
    const v = this.outZero + multiplyByQuantizedMultiplier(q - this.inZero, this.multiplier, this.shift);
    return min(max(v, this.lo), this.hi);
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    const up = this.upper();
    const zero = f32x4.splat(0);
    const top = f32x4.splat(up);
    let i = 0;
    // pmax(x, 0) is x < 0 ? 0 : x, pmin(y, 6) is 6 < y ? 6 : y: TFLite's max/min order.
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      store<v128>(dst + at, f32x4.pmin(f32x4.pmax(load<v128>(src + at), zero), top));
    }
    for (; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      const y = x < 0 ? <f32>0 : x;
      store<f32>(dst + (<usize>i << 2), up < y ? up : y);
    }
  }
}

export class Relu extends ReluBase {
  upper(): f32 {
    return Infinity;
  }
}

export class Relu6 extends ReluBase {
  upper(): f32 {
    return 6;
  }
}
