// LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL with broadcasting: int8 or
// float32 inputs, a bool output (one byte, 0 or 1). int8 is TFLM's: both inputs'
// zero-point-corrected values shifted left by 8 and rescaled by their own scales (which must
// be below 1), then compared, so inputs of different quantisations compare by real value.
import { Tensor } from "../tensor";
import { TYPE_BOOL } from "../schema";
import { BroadcastBinary } from "./binary";
import { scaledInputTable } from "./common/input-table";

const LEFT_SHIFT: i32 = 8;

// What the comparison is, by the sign of a - b.
const LT: i32 = 0;
const LE: i32 = 1;
const GT: i32 = 2;
const GE: i32 = 3;
const EQ: i32 = 4;
const NE: i32 = 5;

// @ts-ignore: decorator
@inline
function holds(kind: i32, less: bool, equal: bool): bool {
  switch (kind) {
    case LT: return less;
    case LE: return less || equal;
    case GT: return !less && !equal;
    case GE: return !less;
    case EQ: return equal;
    default: return !equal;
  }
}

export class Comparison extends BroadcastBinary {
  private tableA: StaticArray<i32> = new StaticArray<i32>(0);
  private tableB: StaticArray<i32> = new StaticArray<i32>(0);

  constructor(private kind: i32) {
    super();
  }

  outputType(inputType: i32): i32 {
    return TYPE_BOOL;
  }

  prepareOp(a: Tensor, b: Tensor, out: Tensor): string {
    if (this.isFloat) return "";
    if (!(a.scale > 0 && a.scale < 1) || !(b.scale > 0 && b.scale < 1)) return "int8 input scales must lie in (0, 1)";
    this.tableA = scaledInputTable(a.zeroPoint, <f64>a.scale, LEFT_SHIFT);
    this.tableB = scaledInputTable(b.zeroPoint, <f64>b.scale, LEFT_SHIFT);
    return "";
  }

  run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void {
    const a = changetype<Tensor>(this.a).data;
    const b = changetype<Tensor>(this.b).data;
    const o = changetype<Tensor>(this.out).data;
    const kind = this.kind;
    if (this.isFloat) {
      for (let i = 0; i < n; i++) {
        const x = load<f32>(a + (<usize>(ia + i * stepA) << 2));
        const y = load<f32>(b + (<usize>(ib + i * stepB) << 2));
        store<u8>(o + <usize>(io + i), holds(kind, x < y, x == y) ? 1 : 0);
      }
      return;
    }
    const ta = this.tableA;
    const tb = this.tableB;
    for (let i = 0; i < n; i++) {
      const x = unchecked(ta[load<u8>(a + <usize>(ia + i * stepA))]);
      const y = unchecked(tb[load<u8>(b + <usize>(ib + i * stepB))]);
      store<u8>(o + <usize>(io + i), holds(kind, x < y, x == y) ? 1 : 0);
    }
  }
}

export const COMPARE_LESS = LT;
export const COMPARE_LESS_EQUAL = LE;
export const COMPARE_GREATER = GT;
export const COMPARE_GREATER_EQUAL = GE;
export const COMPARE_EQUAL = EQ;
export const COMPARE_NOT_EQUAL = NE;
