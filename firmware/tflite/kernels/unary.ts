// Elementwise one-input ops beyond the activations: LEAKY_RELU, HARD_SWISH, ABS,
// RELU_N1_TO_1, RELU_0_TO_1 (int8 and float32) and NEG (float32: TFLM has no int8 NEG). The int8 kernels are TFLM's integer
// arithmetic, which depends only on the input byte: each is a 256-entry table (TableOp).
import { Tensor } from "../tensor";
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift, roundAway, roundingDivideByPOT } from "../quant";
import { TableOp } from "./extension";

const OPT_ALPHA: u32 = 0; // LeakyReluOptions.alpha

/** LEAKY_RELU: x for x >= 0, alpha * x below; int8 rescales each side by its own multiplier. */
export class LeakyRelu extends TableOp {
  private alpha: f32 = 0;
  private mIdentity: i32 = 0;
  private sIdentity: i32 = 0;
  private mAlpha: i32 = 0;
  private sAlpha: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    this.alpha = this.op.optF32(OPT_ALPHA, 0);
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    // TFLM forms both ratios in float32 before widening them.
    const alphaReal = <f64>(input.scale * this.alpha / output.scale);
    const identity = <f64>(input.scale / output.scale);
    this.mAlpha = quantizedMultiplier(alphaReal);
    this.sAlpha = quantizedShift(alphaReal);
    this.mIdentity = quantizedMultiplier(identity);
    this.sIdentity = quantizedShift(identity);
    return "";
  }

  mapInt8(q: i32): i32 {
    const x = q - changetype<Tensor>(this.input).zeroPoint;
    const v = x >= 0 ? multiplyByQuantizedMultiplier(x, this.mIdentity, this.sIdentity) : multiplyByQuantizedMultiplier(x, this.mAlpha, this.sAlpha);
    return changetype<Tensor>(this.output).zeroPoint + v;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    const alpha = this.alpha;
    for (let i = 0; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      store<f32>(dst + (<usize>i << 2), x > 0 ? x : x * alpha);
    }
  }
}

// ---- int16 fixed point as TFLite's HardSwish uses it ----

function sat16(x: i32): i32 {
  return x < -32768 ? -32768 : x > 32767 ? 32767 : x;
}

/** gemmlowp SaturatingRoundingDoublingHighMul on int16. */
function srdhm16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  const ab = a * b;
  const nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (ab + nudge) / (1 << 15); // truncating division, as in gemmlowp
}

/** SaturatingDoublingHighMul on int16 (no rounding). */
function sdhm16(a: i32, b: i32): i32 {
  if (a == b && a == -32768) return 32767;
  return (a * b) / (1 << 15);
}

function saturatingLeftShift16(x: i32, shift: i32): i32 {
  return sat16(x << shift);
}

/** TFLite's DownScaleInt32ToInt16Multiplier. */
function downscale16(m: i32): i32 {
  if (m >= 0x7fffffff - (1 << 15)) return 32767;
  return (m + (1 << 15)) >> 16;
}

/** HARD_SWISH: x * relu6(x + 3) / 6. int8 is TFLite's int16 fixed-point reference. */
export class HardSwish extends TableOp {
  private outM: i32 = 0;
  private outE: i32 = 0;
  private reluM: i32 = 0;
  private reluE: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    const hires: f32 = (<f32>1 / <f32>128) * input.scale;
    const reluishScale: f32 = <f32>3 / <f32>32768;
    const outReal = <f64>(hires / output.scale);
    this.outM = downscale16(quantizedMultiplier(outReal));
    this.outE = quantizedShift(outReal);
    if (this.outE > 0) return "int8 output scale must be at least input scale / 128";
    const reluReal = <f64>(hires / reluishScale);
    this.reluM = downscale16(quantizedMultiplier(reluReal));
    this.reluE = quantizedShift(reluReal);
    return "";
  }

  mapInt8(q: i32): i32 {
    const x = q - changetype<Tensor>(this.input).zeroPoint;
    const hires = x * 128;
    const preshift = srdhm16(hires, this.outM);
    let reluish = hires;
    if (this.reluE > 0) reluish = saturatingLeftShift16(reluish, this.reluE - 1);
    reluish = srdhm16(reluish, this.reluM);
    if (this.reluE > 0) reluish = saturatingLeftShift16(reluish, 1);
    if (this.reluE < 0) reluish = roundingDivideByPOT(reluish, -this.reluE);
    reluish = (reluish + (1 << 15)) >> 1;
    const out = roundingDivideByPOT(sdhm16(reluish, preshift), -this.outE);
    return out + changetype<Tensor>(this.output).zeroPoint;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      const r = min<f32>(<f32>6, max<f32>(<f32>0, x + <f32>3));
      store<f32>(dst + (<usize>i << 2), x * r / <f32>6);
    }
  }
}

/** ABS: |x|; int8 is |q - zp_in| rescaled by s_in / s_out (when the scales differ) + zp_out. */
export class Abs extends TableOp {
  private rescale: bool = false;
  private m: i32 = 0;
  private s: i32 = 0;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    this.rescale = input.scale != output.scale;
    const real = <f64>input.scale / <f64>output.scale;
    this.m = quantizedMultiplier(real);
    this.s = quantizedShift(real);
    return "";
  }

  mapInt8(q: i32): i32 {
    const v = abs(q - changetype<Tensor>(this.input).zeroPoint);
    return (this.rescale ? multiplyByQuantizedMultiplier(v, this.m, this.s) : v) + changetype<Tensor>(this.output).zeroPoint;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), Mathf.abs(load<f32>(src + (<usize>i << 2))));
  }
}

/** NEG: -x, float32 only (TFLM's NEG has no int8 kernel). */
export class Neg extends TableOp {
  prepareTyped(input: Tensor, output: Tensor): string {
    return this.isFloat ? "" : "int8 is not supported (TFLM's NEG is float32 only)";
  }

  mapInt8(q: i32): i32 {
    return q;
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), -load<f32>(src + (<usize>i << 2)));
  }
}

/** RELU_N1_TO_1 and RELU_0_TO_1: TFLite's quantised ReluX, RELU's rescale (s_in / s_out)
 *  clamped at the quantised bounds zp + round(bound / s_out); float32 clamps. */
abstract class ReluBounded extends TableOp {
  private m: i32 = 0;
  private s: i32 = 0;
  private lo: i32 = -128;
  private hi: i32 = 127;

  abstract lower(): f32;

  prepareTyped(input: Tensor, output: Tensor): string {
    if (this.isFloat) return "";
    if (!(input.scale > 0) || !(output.scale > 0)) return "int8 tensors need positive scales";
    const real = <f64>input.scale / <f64>output.scale;
    this.m = quantizedMultiplier(real);
    this.s = quantizedShift(real);
    this.lo = max(-128, output.zeroPoint + <i32>roundAway(<f64>(this.lower() / output.scale)));
    this.hi = min(127, output.zeroPoint + <i32>roundAway(<f64>(<f32>1 / output.scale)));
    return "";
  }

  mapInt8(q: i32): i32 {
    const v = changetype<Tensor>(this.output).zeroPoint + multiplyByQuantizedMultiplier(q - changetype<Tensor>(this.input).zeroPoint, this.m, this.s);
    return min(max(v, this.lo), this.hi);
  }

  evalFloat(src: usize, dst: usize, n: i32): void {
    const lo = this.lower();
    for (let i = 0; i < n; i++) {
      const x = load<f32>(src + (<usize>i << 2));
      const y = x < lo ? lo : x;
      store<f32>(dst + (<usize>i << 2), <f32>1 < y ? <f32>1 : y);
    }
  }
}

export class ReluN1To1 extends ReluBounded {
  lower(): f32 {
    return -1;
  }
}

export class Relu0To1 extends ReluBounded {
  lower(): f32 {
    return 0;
  }
}
