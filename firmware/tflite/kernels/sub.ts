// SUB with broadcasting, int8 and float32, and a fused activation. int8 is TFLM's: ADD's
// arithmetic (inputs shifted left by 20 and rescaled by scale / (2 * max scale), the result
// by 2 * max scale / (2^20 * output scale)) on the difference of the rescaled inputs. The
// rescale is odd, so the second input's table is ADD's negated. Shares ADD's helpers.
import { Tensor } from "../tensor";
import {
  activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation, quantizedMultiplier, quantizedShift,
} from "../quant";
import { BroadcastBinary } from "./binary";
import { Rescale } from "./elementwise";
import { inputTable } from "./common/input-table";
import { positiveScales } from "./common/prepare";
import { rescaleMerged } from "./activations";

const OPT_ACTIVATION: u32 = 0; // SubOptions.fused_activation_function
const LEFT_SHIFT: i32 = 20;

export class Sub extends BroadcastBinary {
  private tableA: StaticArray<i32> = new StaticArray<i32>(0);
  private tableB: StaticArray<i32> = new StaticArray<i32>(0);
  private rescale: Rescale = new Rescale(0, 0);
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
    const twiceMax = 2.0 * <f64>max(a.scale, b.scale);
    const realA = <f64>a.scale / twiceMax;
    const realB = <f64>b.scale / twiceMax;
    const realOut = twiceMax / (<f64>(1 << LEFT_SHIFT) * <f64>out.scale);
    this.rescale = new Rescale(quantizedMultiplier(realOut), quantizedShift(realOut));
    this.tableA = inputTable(a.zeroPoint, quantizedMultiplier(realA), quantizedShift(realA), LEFT_SHIFT);
    this.tableB = inputTable(b.zeroPoint, quantizedMultiplier(realB), quantizedShift(realB), LEFT_SHIFT);
    for (let u = 0; u < 256; u++) this.tableB[u] = -this.tableB[u];
    return "";
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a).data;
    const b = changetype<Tensor>(this.b).data;
    const out = changetype<Tensor>(this.out);
    const o = out.data;
    if (this.isFloat) {
      const lo = this.loF;
      const hi = this.hiF;
      for (let i = 0; i < n; i++) {
        let v = load<f32>(a + (<usize>(ia + i * stepA) << 2)) - load<f32>(b + (<usize>(ib + i * stepB) << 2));
        v = v < lo ? lo : v;
        store<f32>(o + (<usize>(io + i) << 2), hi < v ? hi : v);
      }
      return;
    }
    const ta = this.tableA;
    const tb = this.tableB;
    const r = this.rescale;
    const zp = out.zeroPoint;
    for (let i = 0; i < n; i++) {
      const sum = unchecked(ta[load<u8>(a + <usize>(ia + i * stepA))]) + unchecked(tb[load<u8>(b + <usize>(ib + i * stepB))]);
      const v = rescaleMerged(sum, r.m, r.left, r.rshift, r.biasPos, r.biasNeg) + zp;
      store<i8>(o + <usize>(io + i), <i8>min(max(v, this.lo), this.hi));
    }
  }
}
