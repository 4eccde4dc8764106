// CONCATENATION along any axis (negative counts from the end), any element type the engine
// holds. Inputs are copied block by block. An int8 input whose scale or zero point differs
// from the output's is requantised as TFLite's ConcatenationWithScaling does
// (round(q * s_in/s_out - zp_in * s_in/s_out) + zp_out in float32, clamped); TFLM itself
// only copies, which is the same result whenever the quantisations agree. The requantisation
// depends only on the byte, so prepare tabulates it per such input.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { ACT_NONE, TYPE_INT8 } from "../schema";
import { roundAway } from "../quant";
import { lookup } from "./activations";

const OPT_AXIS: u32 = 0;
const OPT_ACTIVATION: u32 = 1;

export class Concatenation extends Kernel {
  private inputs: StaticArray<Tensor> = new StaticArray<Tensor>(0);
  /** Per input: its requantisation table (empty when it is copied as is). */
  private tables: StaticArray<StaticArray<u8>> = new StaticArray<StaticArray<u8>>(0);
  /** Per input: bytes of one block (its axis extent times the inner size). */
  private blockBytes: StaticArray<i32> = new StaticArray<i32>(0);
  private outer: i32 = 0;
  /** Bytes of one output block (the sum of the inputs' blocks). */
  private outBlock: i32 = 0;
  private output: Tensor | null = null;

  prepare(): string {
    const op = this.op;
    const n = op.inputCount;
    if (n < 1) return "needs at least one input";
    if (op.outputCount < 1) return "missing output";
    const output = op.output(0);
    const rank = output.rank;
    const elem = output.elementBytes;
    if (elem == 0) return "unsupported output type";
    const act = <i32>op.optU8(OPT_ACTIVATION, 0);
    if (act != ACT_NONE) return "fused activation is not supported";
    let axis = op.optI32(OPT_AXIS, 0);
    if (axis < 0) axis += rank;
    if (axis < 0 || axis >= rank) return "axis out of range";
    let inner = 1;
    for (let d = axis + 1; d < rank; d++) inner *= output.dim(d);
    let outer = 1;
    for (let d = 0; d < axis; d++) outer *= output.dim(d);
    this.inputs = new StaticArray<Tensor>(n);
    this.tables = new StaticArray<StaticArray<u8>>(n);
    this.blockBytes = new StaticArray<i32>(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!op.hasInput(i)) return "missing input " + i.toString();
      const t = op.input(i);
      if (t.type != output.type) return "input " + i.toString() + " type differs from the output's";
      if (t.rank != rank) return "input " + i.toString() + " rank differs from the output's";
      for (let d = 0; d < rank; d++) {
        if (d != axis && t.dim(d) != output.dim(d)) return "input " + i.toString() + " shape does not match the output's";
      }
      total += t.dim(axis);
      this.inputs[i] = t;
      this.blockBytes[i] = t.dim(axis) * inner * elem;
      this.tables[i] = new StaticArray<u8>(0);
      if (t.type == TYPE_INT8 && (t.scale != output.scale || t.zeroPoint != output.zeroPoint)) {
        if (!(output.scale > 0)) return "int8 output needs a positive scale";
        this.tables[i] = requantTable(t.scale, t.zeroPoint, output.scale, output.zeroPoint);
      }
    }
    if (total != output.dim(axis)) return "input extents along the axis do not add up to the output's";
    this.outer = outer;
    this.outBlock = total * inner * elem;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const inputs = this.inputs;
    const n = inputs.length;
    const outer = this.outer;
    const outBlock = <usize>this.outBlock;
    let base = changetype<Tensor>(this.output).data;
    // Input by input: each one's blocks land every outBlock bytes, from its column offset.
    for (let i = 0; i < n; i++) {
      const bytes = unchecked(this.blockBytes[i]);
      let src = unchecked(inputs[i]).data;
      let dst = base;
      const table = unchecked(this.tables[i]);
      if (table.length == 0) {
        for (let o = 0; o < outer; o++) { copyBytes(dst, src, bytes); src += <usize>bytes; dst += outBlock; }
      } else {
        for (let o = 0; o < outer; o++) { lookup(changetype<usize>(table), src, dst, bytes); src += <usize>bytes; dst += outBlock; }
      }
      base += <usize>bytes;
    }
  }
}

/** TFLite's ConcatenationWithScaling for one int8 input, as a table over its bytes. */
function requantTable(inScale: f32, inZero: i32, outScale: f32, outZero: i32): StaticArray<u8> {
  const t = new StaticArray<u8>(256);
  const inverse: f32 = <f32>1 / outScale;
  const scale: f32 = inScale * inverse;
  const bias: f32 = <f32>(-inZero) * scale;
  for (let u = 0; u < 256; u++) {
    const q = <i32><i8>u;
    const v = <i32>roundAway(<f64>(<f32>q * scale + bias)) + outZero;
    t[u] = <u8>(v < -128 ? -128 : v > 127 ? 127 : v);
  }
  return t;
}

/** memory.copy, with short blocks (channel slices, rows) moved 16 bytes at a time instead:
 *  a bulk copy has a fixed start-up cost that dominates below about 64 bytes. */
// @ts-ignore: decorator
@inline
export function copyBytes(dst: usize, src: usize, n: i32): void {
  if (n >= 64) { memory.copy(dst, src, <usize>n); return; }
  let i = 0;
  for (; i + 16 <= n; i += 16) store<v128>(dst + <usize>i, load<v128>(src + <usize>i));
  for (; i + 4 <= n; i += 4) store<u32>(dst + <usize>i, load<u32>(src + <usize>i));
  for (; i < n; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>i));
}
