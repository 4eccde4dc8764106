// DIV with broadcasting (rank 4), int8 and float32, and a fused activation. int8 is TFLM's
// (reference_ops::Div): both inputs zero-point corrected, the divisor made positive, its
// reciprocal from gemmlowp's one_over_one_plus_x (GetReciprocal), the dividend scaled up by
// its headroom, and the quotient rescaled by s1 / (s2 * s_out). A zero divisor is undefined
// in TFLM (a debug check); here it saturates to the activation bound of the dividend's sign.
import { Tensor } from "../tensor";
import {
  activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation, multiplyByQuantizedMultiplier,
  quantizedMultiplier, quantizedShift,
} from "../quant";
import { BroadcastBinary } from "./binary";
import { positiveScales } from "./common/prepare";
import { oneOverOnePlusX, srdhm } from "./activations";

const OPT_ACTIVATION: u32 = 0; // DivOptions.fused_activation_function

/** TFLite's CountLeadingSignBits for int32. */
function leadingSignBits(x: i32): i32 {
  if (x >= 0) return <i32>clz<u32>(<u32>x) - 1;
  if (x == i32.MIN_VALUE) return 0;
  return <i32>clz<u32>(<u32>(2 * -x - 1));
}

export class Div extends BroadcastBinary {
  private m: i32 = 0;
  private s: i32 = 0;
  private lo: i32 = -128;
  private hi: i32 = 127;
  private loF: f32 = -Infinity;
  private hiF: f32 = Infinity;

  prepareOp(a: Tensor, b: Tensor, out: Tensor): string {
    const act = <i32>this.op.optU8(OPT_ACTIVATION, 0);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    if (this.isFloat) {
      this.loF = activationMinF(act);
      this.hiF = activationMaxF(act);
      return "";
    }
    if (!positiveScales(a, b, out)) return "int8 tensors need positive scales";
    this.lo = activationMin(act, out.scale, out.zeroPoint);
    this.hi = activationMax(act, out.scale, out.zeroPoint);
    const real = <f64>(a.scale / (b.scale * out.scale)); // float32 as TFLM forms it
    if (!isFinite(real) || !(real > 0)) return "int8 scales give a rescale factor out of range";
    this.m = quantizedMultiplier(real);
    this.s = quantizedShift(real);
    return "";
  }

  /** One int8 quotient before clamping: TFLM's per-element arithmetic. */
  private quotient(x: i32, y: i32): i32 {
    if (y == 0) return x > 0 ? this.hi : x < 0 ? this.lo : changetype<Tensor>(this.out).zeroPoint;
    if (y < 0) { x = -x; y = -y; }
    // GetReciprocal(y, 31): 1 / y as a Q0.31 value over 2^(31 - headroom).
    const headroomPlusOne = <i32>clz<u32>(<u32>y);
    const recipShift = 31 - headroomPlusOne;
    const shiftedMinusOne = <i32>((<u32>y << headroomPlusOne) - (<u32>1 << 31));
    const inv = oneOverOnePlusX(shiftedMinusOne);
    const headroom = leadingSignBits(x);
    const unscaled = srdhm(x << headroom, inv);
    const total = this.s - recipShift - headroom;
    return changetype<Tensor>(this.out).zeroPoint + multiplyByQuantizedMultiplier(unscaled, this.m, total);
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a);
    const b = changetype<Tensor>(this.b);
    const o = changetype<Tensor>(this.out).data;
    if (this.isFloat) {
      const lo = this.loF;
      const hi = this.hiF;
      for (let i = 0; i < n; i++) {
        let v = load<f32>(a.data + (<usize>(ia + i * stepA) << 2)) / load<f32>(b.data + (<usize>(ib + i * stepB) << 2));
        v = v < lo ? lo : v;
        store<f32>(o + (<usize>(io + i) << 2), hi < v ? hi : v);
      }
      return;
    }
    const za = a.zeroPoint;
    const zb = b.zeroPoint;
    for (let i = 0; i < n; i++) {
      const x = <i32>load<i8>(a.data + <usize>(ia + i * stepA)) - za;
      const y = <i32>load<i8>(b.data + <usize>(ib + i * stepB)) - zb;
      const v = this.quotient(x, y);
      store<i8>(o + <usize>(io + i), <i8>min(max(v, this.lo), this.hi));
    }
  }
}
