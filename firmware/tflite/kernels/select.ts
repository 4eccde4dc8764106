// SELECT_V2: condition ? x : y elementwise, the three inputs broadcast (numpy rules, rank up
// to 4) to the output; any element type for x and y, raw copies (TFLM's select: int8 x, y
// and output share one quantisation in converted models). Exact.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_BOOL } from "../schema";
import { checkSameKind } from "./transpose";

const RANK: i32 = 4;

/** Element strides of t against a rank-4 output (0 along broadcast dimensions); "" ok. */
function broadcastStrides(t: Tensor, out: Tensor, s: StaticArray<i32>): string {
  if (t.rank > out.rank) return "input rank above the output's";
  let k = 1;
  for (let d = RANK - 1; d >= 0; d--) {
    const ti = d - (RANK - t.rank);
    const oi = d - (RANK - out.rank);
    const n = ti >= 0 ? t.dim(ti) : 1;
    const m = oi >= 0 ? out.dim(oi) : 1;
    if (n != m && n != 1) return "input shapes do not broadcast to the output shape";
    s[d] = n == 1 ? 0 : k;
    k *= n;
  }
  return "";
}

export class SelectV2 extends ExtensionOp {
  private cond: Tensor | null = null;
  private x: Tensor | null = null;
  private y: Tensor | null = null;
  private output: Tensor | null = null;
  private sc: StaticArray<i32> = new StaticArray<i32>(RANK);
  private sx: StaticArray<i32> = new StaticArray<i32>(RANK);
  private sy: StaticArray<i32> = new StaticArray<i32>(RANK);
  private dims: StaticArray<i32> = new StaticArray<i32>(RANK);

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 3 || !op.hasInput(0) || !op.hasInput(1) || !op.hasInput(2) || op.outputCount < 1) return "needs condition, x and y inputs";
    const cond = op.input(0);
    const x = op.input(1);
    const y = op.input(2);
    const out = op.output(0);
    if (cond.type != TYPE_BOOL) return "condition must be bool";
    if (x.type != y.type) return "x and y types differ";
    const same = checkSameKind(x, out);
    if (same.length > 0) return same;
    if (out.rank > RANK) return "broadcasting supports rank 4 at most";
    let why = broadcastStrides(cond, out, this.sc);
    if (why.length == 0) why = broadcastStrides(x, out, this.sx);
    if (why.length == 0) why = broadcastStrides(y, out, this.sy);
    if (why.length > 0) return why;
    for (let d = 0; d < RANK; d++) {
      const oi = d - (RANK - out.rank);
      this.dims[d] = oi >= 0 ? out.dim(oi) : 1;
    }
    this.cond = cond;
    this.x = x;
    this.y = y;
    this.output = out;
    return "";
  }

  eval(scratch: usize): void {
    const c = changetype<Tensor>(this.cond).data;
    const x = changetype<Tensor>(this.x).data;
    const y = changetype<Tensor>(this.y).data;
    const out = changetype<Tensor>(this.output);
    const elem = <usize>out.elementBytes;
    const dims = this.dims, sc = this.sc, sx = this.sx, sy = this.sy;
    let dst = out.data;
    for (let i0 = 0; i0 < dims[0]; i0++) {
      for (let i1 = 0; i1 < dims[1]; i1++) {
        for (let i2 = 0; i2 < dims[2]; i2++) {
          for (let i3 = 0; i3 < dims[3]; i3++) {
            const ic = i0 * sc[0] + i1 * sc[1] + i2 * sc[2] + i3 * sc[3];
            const from = load<u8>(c + <usize>ic) != 0
              ? x + <usize>(i0 * sx[0] + i1 * sx[1] + i2 * sx[2] + i3 * sx[3]) * elem
              : y + <usize>(i0 * sy[0] + i1 * sy[1] + i2 * sy[2] + i3 * sy[3]) * elem;
            memory.copy(dst, from, elem);
            dst += elem;
          }
        }
      }
    }
  }
}
