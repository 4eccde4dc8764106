// QUANTIZE (float32 -> int8, and int8 -> int8 requantisation) and DEQUANTIZE (int8 ->
// float32), as TFLM's reference: q = clamp(round(x / scale) + zp) with the division in
// float32 and round half away from zero; requantisation rescales q - zp_in by
// s_in / s_out (TFLite's multiplier and shift) and adds zp_out; dequantisation is
// (float)(scale * (q - zp)) in double. The int8 paths depend only on the byte: tables.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../quant";
import { lookup } from "./activations";

function checkOne(k: Kernel): string {
  const op = k.op;
  if (op.inputCount < 1 || !op.hasInput(0)) return "missing input";
  if (op.outputCount < 1) return "missing output";
  if (op.input(0).elements != op.output(0).elements) return "input and output element counts differ";
  return "";
}

export class Quantize extends Kernel {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  private fromFloat: bool = false;
  private table: StaticArray<u8> = new StaticArray<u8>(0);

  prepare(): string {
    const why = checkOne(this);
    if (why.length > 0) return why;
    const input = this.op.input(0);
    const output = this.op.output(0);
    if (output.type != TYPE_INT8) return "output must be int8";
    if (!(output.scale > 0)) return "output needs a positive scale";
    if (input.type == TYPE_FLOAT32) {
      this.fromFloat = true;
    } else if (input.type == TYPE_INT8) {
      if (!(input.scale > 0)) return "input needs a positive scale";
      const real = <f64>input.scale / <f64>output.scale;
      const m = quantizedMultiplier(real);
      const s = quantizedShift(real);
      this.table = new StaticArray<u8>(256);
      for (let u = 0; u < 256; u++) {
        const q = <i32><i8>u;
        const v = multiplyByQuantizedMultiplier(q - input.zeroPoint, m, s) + output.zeroPoint;
        this.table[u] = <u8>(v < -128 ? -128 : v > 127 ? 127 : v);
      }
    } else {
      return "input must be float32 or int8";
    }
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const input = changetype<Tensor>(this.input);
    const output = changetype<Tensor>(this.output);
    const n = output.elements;
    const src = input.data;
    const dst = output.data;
    if (!this.fromFloat) {
      lookup(changetype<usize>(this.table), src, dst, n);
      return;
    }
    const scale = output.scale;
    const zp = output.zeroPoint;
    for (let i = 0; i < n; i++) {
      const y = load<f32>(src + (<usize>i << 2)) / scale;
      // std::round: nearest, with exact halves (only they differ from ties-to-even) away from 0.
      let r = nearest<f32>(y);
      if (Mathf.abs(y - r) == <f32>0.5) r = y + copysign<f32>(0.5, y);
      r = r < -512 ? -512 : r > 512 ? 512 : r; // clamped before the integer cast
      const v = <i32>r + zp;
      store<i8>(dst + <usize>i, <i8>(v < -128 ? -128 : v > 127 ? 127 : v));
    }
  }
}

export class Dequantize extends Kernel {
  private input: Tensor | null = null;
  private output: Tensor | null = null;
  /** The float value of each byte, indexed by the unsigned byte. */
  private table: StaticArray<f32> = new StaticArray<f32>(0);

  prepare(): string {
    const why = checkOne(this);
    if (why.length > 0) return why;
    const input = this.op.input(0);
    const output = this.op.output(0);
    if (input.type != TYPE_INT8) return "input must be int8";
    if (output.type != TYPE_FLOAT32) return "output must be float32";
    this.table = new StaticArray<f32>(256);
    for (let u = 0; u < 256; u++) {
      const q = <i32><i8>u;
      this.table[u] = <f32>(<f64>input.scale * <f64>(q - input.zeroPoint));
    }
    this.input = input;
    this.output = output;
    return "";
  }

  eval(scratch: usize): void {
    const src = changetype<Tensor>(this.input).data;
    const dst = changetype<Tensor>(this.output).data;
    const n = changetype<Tensor>(this.output).elements;
    const table = changetype<usize>(this.table);
    for (let i = 0; i < n; i++) {
      store<f32>(dst + (<usize>i << 2), load<f32>(table + (<usize>load<u8>(src + <usize>i) << 2)));
    }
  }
}
