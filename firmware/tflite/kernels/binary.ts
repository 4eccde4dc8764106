// The base of the newer two-input elementwise kernels (MAXIMUM, MINIMUM, SQUARED_DIFFERENCE,
// PRELU, the comparisons): numpy broadcasting up to rank 4, as TFLM's 4-D "slow" broadcast,
// with the inputs and the output addressed by element index so that each op picks its own
// element types (a comparison reads float32 and writes bool). ADD and MUL keep their own
// tuned loop in elementwise.ts.
import { ExtensionOp } from "./extension";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { MAX_RANK, planBroadcast } from "./common/broadcast";

export abstract class BroadcastBinary extends ExtensionOp {
  protected a: Tensor | null = null;
  protected b: Tensor | null = null;
  protected out: Tensor | null = null;
  protected isFloat: bool = false;
  private dims: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);
  private strideA: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);
  private strideB: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);
  private same: bool = false;

  /** Op-specific checks and precomputation once the shapes broadcast; "" when fine. */
  abstract prepareOp(a: Tensor, b: Tensor, out: Tensor): string;
  /** n outputs from element ia (+ stepA each) and ib (+ stepB each) into element io onwards. */
  abstract run(ia: i32, stepA: i32, ib: i32, stepB: i32, io: i32, n: i32): void;

  /** The output type this op writes for its input type (the input's, by default). */
  outputType(inputType: i32): i32 {
    return inputType;
  }

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1)) return "needs two inputs";
    if (op.outputCount < 1) return "missing output";
    const a = op.input(0);
    const b = op.input(1);
    const out = op.output(0);
    if (a.type != b.type) return "input types differ";
    if (a.type != TYPE_INT8 && a.type != TYPE_FLOAT32) return "inputs must be int8 or float32";
    if (out.type != this.outputType(a.type)) return "output type must be " + typeLabel(this.outputType(a.type));
    const why = this.plan(a, b, out);
    if (why.length > 0) return why;
    this.isFloat = a.type == TYPE_FLOAT32;
    this.a = a;
    this.b = b;
    this.out = out;
    return this.prepareOp(a, b, out);
  }

  private plan(a: Tensor, b: Tensor, out: Tensor): string {
    if (a.sameShape(b) && a.sameShape(out)) { this.same = true; return ""; }
    return planBroadcast(a, b, out, this.dims, this.strideA, this.strideB);
  }

  eval(scratch: usize): void {
    const n = changetype<Tensor>(this.out).elements;
    if (this.same) { this.run(0, 1, 0, 1, 0, n); return; }
    const dims = this.dims;
    const sa = this.strideA;
    const sb = this.strideB;
    const inner = unchecked(dims[3]);
    let io = 0;
    for (let i0 = 0; i0 < unchecked(dims[0]); i0++) {
      for (let i1 = 0; i1 < unchecked(dims[1]); i1++) {
        for (let i2 = 0; i2 < unchecked(dims[2]); i2++) {
          const ea = i0 * unchecked(sa[0]) + i1 * unchecked(sa[1]) + i2 * unchecked(sa[2]);
          const eb = i0 * unchecked(sb[0]) + i1 * unchecked(sb[1]) + i2 * unchecked(sb[2]);
          this.run(ea, unchecked(sa[3]), eb, unchecked(sb[3]), io, inner);
          io += inner;
        }
      }
    }
  }
}

export function typeLabel(type: i32): string {
  if (type == TYPE_FLOAT32) return "float32";
  if (type == TYPE_INT8) return "int8";
  if (type == 6) return "bool";
  return "type " + type.toString();
}
