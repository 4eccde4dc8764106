// PRELU: x for x >= 0, alpha * x below, alpha broadcast against the input (usually one
// value per channel), int8 and float32. int8 is TFLM's: the non-negative side rescaled by
// s_in / s_out, the negative side's product (x - zp) * (alpha - zp_alpha) by
// s_in * s_alpha / s_out, then the output zero point and the int8 clamp.
import { Tensor } from "../tensor";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../quant";
import { BroadcastBinary } from "./binary";
import { positiveScales } from "./common/prepare";
import { clampI8 } from "./activations";

export class Prelu extends BroadcastBinary {
  private m1: i32 = 0;
  private s1: i32 = 0;
  private m2: i32 = 0;
  private s2: i32 = 0;

  prepareOp(a: Tensor, b: Tensor, out: Tensor): string {
    if (this.isFloat) return "";
    if (!positiveScales(a, b, out)) return "int8 tensors need positive scales";
    const identity = <f64>a.scale / <f64>out.scale;
    const alpha = <f64>a.scale * <f64>b.scale / <f64>out.scale;
    this.m1 = quantizedMultiplier(identity);
    this.s1 = quantizedShift(identity);
    this.m2 = quantizedMultiplier(alpha);
    this.s2 = quantizedShift(alpha);
    return "";
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a).data;
    const b = changetype<Tensor>(this.b).data;
    const out = changetype<Tensor>(this.out);
    const o = out.data;
    if (this.isFloat) {
      for (let i = 0; i < n; i++) {
        const x = load<f32>(a + (<usize>(ia + i * stepA) << 2));
        store<f32>(o + (<usize>(io + i) << 2), x >= 0 ? x : x * load<f32>(b + (<usize>(ib + i * stepB) << 2)));
      }
      return;
    }
    const za = changetype<Tensor>(this.a).zeroPoint;
    const zb = changetype<Tensor>(this.b).zeroPoint;
    const zo = out.zeroPoint;
    for (let i = 0; i < n; i++) {
      const x = <i32>load<i8>(a + <usize>(ia + i * stepA)) - za;
      let v: i32;
      if (x >= 0) v = multiplyByQuantizedMultiplier(x, this.m1, this.s1);
      else v = multiplyByQuantizedMultiplier(x * (<i32>load<i8>(b + <usize>(ib + i * stepB)) - zb), this.m2, this.s2);
      store<i8>(o + <usize>(io + i), <i8>clampI8(v + zo));
    }
  }
}
