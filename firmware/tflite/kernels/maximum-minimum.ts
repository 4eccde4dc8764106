// MAXIMUM and MINIMUM with broadcasting, int8 and float32, as TFLM's maximum_minimum: the
// larger (smaller) raw element, no requantisation (the converter gives inputs and output one
// quantisation), so int8 is exact.
import { Tensor } from "../tensor";
import { BroadcastBinary } from "./binary";

abstract class MinMax extends BroadcastBinary {
  abstract pick(x: f32, y: f32): bool;

  prepareOp(a: Tensor, b: Tensor, out: Tensor): string {
    return "";
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a).data;
    const b = changetype<Tensor>(this.b).data;
    const o = changetype<Tensor>(this.out).data;
    if (this.isFloat) {
      for (let i = 0; i < n; i++) {
        const x = load<f32>(a + (<usize>(ia + i * stepA) << 2));
        const y = load<f32>(b + (<usize>(ib + i * stepB) << 2));
        store<f32>(o + (<usize>(io + i) << 2), this.pick(x, y) ? x : y);
      }
      return;
    }
    for (let i = 0; i < n; i++) {
      const x = load<i8>(a + <usize>(ia + i * stepA));
      const y = load<i8>(b + <usize>(ib + i * stepB));
      store<i8>(o + <usize>(io + i), this.pick(<f32>x, <f32>y) ? x : y);
    }
  }
}

export class Maximum extends MinMax {
  pick(x: f32, y: f32): bool {
    return x > y;
  }
}

export class Minimum extends MinMax {
  pick(x: f32, y: f32): bool {
    return x < y;
  }
}
