// SQUARED_DIFFERENCE with broadcasting, int8 and float32. int8 is TFLM's: each input's
// zero-point-corrected value shifted left by 7 and rescaled by scale / (2 * max scale), the
// difference squared and rescaled by (2 * max scale)^2 / (2^14 * output scale). The rescaled
// inputs depend only on their bytes: prepare tabulates them.
import { Tensor } from "../tensor";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../quant";
import { BroadcastBinary } from "./binary";
import { positiveScales } from "./common/prepare";
import { scaledInputTable } from "./common/input-table";
import { clampI8 } from "./activations";

const LEFT_SHIFT: i32 = 7;

export class SquaredDifference extends BroadcastBinary {
  private tableA: StaticArray<i32> = new StaticArray<i32>(0);
  private tableB: StaticArray<i32> = new StaticArray<i32>(0);
  private multiplier: i32 = 0;
  private shift: i32 = 0;

  prepareOp(a: Tensor, b: Tensor, out: Tensor): string {
    if (this.isFloat) return "";
    if (!positiveScales(a, b, out)) return "int8 tensors need positive scales";
    const twiceMax = 2.0 * <f64>max(a.scale, b.scale);
    this.tableA = scaledInputTable(a.zeroPoint, <f64>a.scale / twiceMax, LEFT_SHIFT);
    this.tableB = scaledInputTable(b.zeroPoint, <f64>b.scale / twiceMax, LEFT_SHIFT);
    const real = twiceMax * twiceMax / (<f64>(1 << (2 * LEFT_SHIFT)) * <f64>out.scale);
    this.multiplier = quantizedMultiplier(real);
    this.shift = quantizedShift(real);
    return "";
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a).data;
    const b = changetype<Tensor>(this.b).data;
    const out = changetype<Tensor>(this.out);
    const o = out.data;
    if (this.isFloat) {
      for (let i = 0; i < n; i++) {
        const d = load<f32>(a + (<usize>(ia + i * stepA) << 2)) - load<f32>(b + (<usize>(ib + i * stepB) << 2));
        store<f32>(o + (<usize>(io + i) << 2), d * d);
      }
      return;
    }
    const ta = this.tableA;
    const tb = this.tableB;
    const zp = out.zeroPoint;
    for (let i = 0; i < n; i++) {
      const d = unchecked(ta[load<u8>(a + <usize>(ia + i * stepA))]) - unchecked(tb[load<u8>(b + <usize>(ib + i * stepB))]);
      store<i8>(o + <usize>(io + i), <i8>clampI8(multiplyByQuantizedMultiplier(d * d, this.multiplier, this.shift) + zp));
    }
  }
}
