// ADD and MUL with broadcasting (shapes up to rank 4, numpy rules), int8 and float32.
// int8 ADD is TFLite's: both inputs shifted left by 20 and rescaled by their own multipliers
// (scale / (2 * max input scale)), summed, rescaled by 2 * max scale / (2^20 * output scale)
// and clamped. Each input's rescaled value depends only on its byte, so prepare tabulates
// them. int8 MUL rescales the product of the zero-point-corrected inputs by s1 * s2 / s_out.
import { Kernel } from "../kernel";
import { Tensor } from "../tensor";
import { TYPE_FLOAT32, TYPE_INT8 } from "../schema";
import {
  activationMax, activationMaxF, activationMin, activationMinF, isSupportedActivation,
  quantizedMultiplier, quantizedShift,
} from "../quant";
import { mergedBias, rescaleMerged } from "./activations";
import { MAX_RANK, planBroadcast } from "./common/broadcast";
import { inputTable } from "./common/input-table";

const OPT_ACTIVATION: u32 = 0; // AddOptions / MulOptions.fused_activation_function

// How the two inputs line up with the output.
const SAME: i32 = 0; // same element count: one run
const SCALAR_B: i32 = 1; // input 2 is one element
const SCALAR_A: i32 = 2; // input 1 is one element
const BROADCAST: i32 = 3; // general 4-D broadcast, innermost dimension per run

/** An output rescale (multiplier, shift) prepared for rescaleMerged. */
export class Rescale {
  m: i64 = 0;
  left: i32 = 0;
  rshift: i64 = 31;
  biasPos: i64 = 0;
  biasNeg: i64 = 0;

  constructor(multiplier: i32, shift: i32) {
    this.m = multiplier;
    this.left = shift > 0 ? shift : 0;
    const r = shift > 0 ? 0 : -shift;
    this.rshift = 31 + r;
    this.biasPos = mergedBias(r, false);
    this.biasNeg = mergedBias(r, true);
  }
}

abstract class Binary extends Kernel {
  protected a: Tensor | null = null;
  protected b: Tensor | null = null;
  protected out: Tensor | null = null;
  protected isFloat: bool = false;
  protected mode: i32 = SAME;
  protected lo: i32 = -128;
  protected hi: i32 = 127;
  protected loF: f32 = -Infinity;
  protected hiF: f32 = Infinity;
  // Extended 4-D output shape and element strides of each input (0 along broadcast dims).
  private dims: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);
  private strideA: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);
  private strideB: StaticArray<i32> = new StaticArray<i32>(MAX_RANK);

  /** Op-specific int8 preparation (quantisation parameters); "" when fine. */
  abstract prepareInt8(a: Tensor, b: Tensor, out: Tensor): string;
  /** n outputs from a[i * stepA] and b[i * stepB] (steps 0 or 1 element). */
  abstract run(a: usize, stepA: i32, b: usize, stepB: i32, dst: usize, n: i32): void;

  prepare(): string {
    const op = this.op;
    if (op.inputCount < 2 || !op.hasInput(0) || !op.hasInput(1)) return "needs two inputs";
    if (op.outputCount < 1) return "missing output";
    const a = op.input(0);
    const b = op.input(1);
    const out = op.output(0);
    if (a.type != b.type || a.type != out.type) return "input and output types differ";
    if (a.type != TYPE_INT8 && a.type != TYPE_FLOAT32) return "inputs must be int8 or float32";
    const act = <i32>op.optU8(OPT_ACTIVATION, 0);
    if (!isSupportedActivation(act)) return "unsupported fused activation " + act.toString();
    const why = this.planBroadcast(a, b, out);
    if (why.length > 0) return why;
    this.isFloat = a.type == TYPE_FLOAT32;
    this.a = a;
    this.b = b;
    this.out = out;
    if (this.isFloat) {
      this.loF = activationMinF(act);
      this.hiF = activationMaxF(act);
      return "";
    }
    this.lo = activationMin(act, out.scale, out.zeroPoint);
    this.hi = activationMax(act, out.scale, out.zeroPoint);
    return this.prepareInt8(a, b, out);
  }

  private planBroadcast(a: Tensor, b: Tensor, out: Tensor): string {
    const n = out.elements;
    if (a.sameShape(b) && a.sameShape(out)) { this.mode = SAME; return ""; }
    const why = planBroadcast(a, b, out, this.dims, this.strideA, this.strideB);
    if (why.length > 0) return why;
    if (b.elements == 1 && a.elements == n) this.mode = SCALAR_B;
    else if (a.elements == 1 && b.elements == n) this.mode = SCALAR_A;
    else this.mode = BROADCAST;
    return "";
  }

  eval(scratch: usize): void {
    const pa = changetype<Tensor>(this.a).data;
    const pb = changetype<Tensor>(this.b).data;
    const out = changetype<Tensor>(this.out);
    const dst = out.data;
    const mode = this.mode;
    if (mode == SAME) { this.run(pa, 1, pb, 1, dst, out.elements); return; }
    if (mode == SCALAR_B) { this.run(pa, 1, pb, 0, dst, out.elements); return; }
    if (mode == SCALAR_A) { this.run(pa, 0, pb, 1, dst, out.elements); return; }
    const shift: usize = this.isFloat ? 2 : 0;
    const dims = this.dims;
    const sa = this.strideA;
    const sb = this.strideB;
    const inner = unchecked(dims[3]);
    let o = dst;
    for (let i0 = 0; i0 < unchecked(dims[0]); i0++) {
      for (let i1 = 0; i1 < unchecked(dims[1]); i1++) {
        for (let i2 = 0; i2 < unchecked(dims[2]); i2++) {
          const ea = i0 * unchecked(sa[0]) + i1 * unchecked(sa[1]) + i2 * unchecked(sa[2]);
          const eb = i0 * unchecked(sb[0]) + i1 * unchecked(sb[1]) + i2 * unchecked(sb[2]);
          this.run(pa + (<usize>ea << shift), unchecked(sa[3]), pb + (<usize>eb << shift), unchecked(sb[3]), o, inner);
          o += <usize>inner << shift;
        }
      }
    }
  }
}

export class Add extends Binary {
  // Each input byte's value shifted left by 20 and rescaled, indexed by the unsigned byte.
  private tableA: StaticArray<i32> = new StaticArray<i32>(0);
  private tableB: StaticArray<i32> = new StaticArray<i32>(0);
  private rescale: Rescale = new Rescale(0, 0);

  prepareInt8(a: Tensor, b: Tensor, out: Tensor): string {
    if (!(a.scale > 0) || !(b.scale > 0) || !(out.scale > 0)) return "int8 tensors need positive scales";
    const leftShift = 20;
    const twiceMax = 2.0 * <f64>max(a.scale, b.scale);
    const realA = <f64>a.scale / twiceMax;
    const realB = <f64>b.scale / twiceMax;
    const realOut = twiceMax / (<f64>(1 << leftShift) * <f64>out.scale);
    this.rescale = new Rescale(quantizedMultiplier(realOut), quantizedShift(realOut));
    this.tableA = inputTable(a.zeroPoint, quantizedMultiplier(realA), quantizedShift(realA), leftShift);
    this.tableB = inputTable(b.zeroPoint, quantizedMultiplier(realB), quantizedShift(realB), leftShift);
    return "";
  }

  run(a: usize, stepA: i32, b: usize, stepB: i32, dst: usize, n: i32): void {
    if (this.isFloat) {
      const lo = this.loF;
      const hi = this.hiF;
      const sa = <usize>stepA << 2;
      const sb = <usize>stepB << 2;
      for (let i = 0; i < n; i++) {
        let v = load<f32>(a) + load<f32>(b);
        v = v < lo ? lo : v;
        store<f32>(dst + (<usize>i << 2), hi < v ? hi : v);
        a += sa;
        b += sb;
      }
      return;
    }
    const ta = changetype<usize>(this.tableA);
    const tb = changetype<usize>(this.tableB);
    const r = this.rescale;
    const m = r.m, left = r.left, rshift = r.rshift, biasPos = r.biasPos, biasNeg = r.biasNeg;
    const zp = changetype<Tensor>(this.out).zeroPoint;
    const lo = this.lo;
    const hi = this.hi;
    for (let i = 0; i < n; i++) {
      const sum = load<i32>(ta + (<usize>load<u8>(a) << 2)) + load<i32>(tb + (<usize>load<u8>(b) << 2));
      const v = rescaleMerged(sum, m, left, rshift, biasPos, biasNeg) + zp;
      store<i8>(dst + <usize>i, <i8>min(max(v, lo), hi));
      a += <usize>stepA;
      b += <usize>stepB;
    }
  }
}

export class Mul extends Binary {
  private rescale: Rescale = new Rescale(0, 0);

  prepareInt8(a: Tensor, b: Tensor, out: Tensor): string {
    if (!(out.scale > 0)) return "int8 output needs a positive scale";
    const real = <f64>a.scale * <f64>b.scale / <f64>out.scale;
    this.rescale = new Rescale(quantizedMultiplier(real), quantizedShift(real));
    return "";
  }

  run(a: usize, stepA: i32, b: usize, stepB: i32, dst: usize, n: i32): void {
    if (this.isFloat) {
      const lo = this.loF;
      const hi = this.hiF;
      const sa = <usize>stepA << 2;
      const sb = <usize>stepB << 2;
      for (let i = 0; i < n; i++) {
        let v = load<f32>(a) * load<f32>(b);
        v = v < lo ? lo : v;
        store<f32>(dst + (<usize>i << 2), hi < v ? hi : v);
        a += sa;
        b += sb;
      }
      return;
    }
    const za = changetype<Tensor>(this.a).zeroPoint;
    const zb = changetype<Tensor>(this.b).zeroPoint;
    const zp = changetype<Tensor>(this.out).zeroPoint;
    const r = this.rescale;
    const m = r.m, left = r.left, rshift = r.rshift, biasPos = r.biasPos, biasNeg = r.biasNeg;
    const lo = this.lo;
    const hi = this.hi;
    for (let i = 0; i < n; i++) {
      const p = (<i32>load<i8>(a) - za) * (<i32>load<i8>(b) - zb);
      const v = rescaleMerged(p, m, left, rshift, biasPos, biasNeg) + zp;
      store<i8>(dst + <usize>i, <i8>min(max(v, lo), hi));
      a += <usize>stepA;
      b += <usize>stepB;
    }
  }
}
