// TFLM's integer SVDF (tensorflow/lite/micro/kernels/svdf_common.cc, EvalIntegerSvdfReference)
// written again in TypeScript from its arithmetic, as the reference for what TFLite's runtime
// cannot run: int8 time weights and state, and a state zero point (TFLite's integer SVDF takes
// only int16 ones at zero point 0). Its own agreement with TFLite on the int16 models is
// tested (test/kernels/ops-svdf.test.ts), so it stands on the same ground as tfjs-tflite.
// Exact: TFLite's fixed-point multiplier arithmetic in BigInt.
import type { WriterModel } from "../../emulator/model/tflite-writer.ts";

const I32_MIN = -(2 ** 31);

/** TFLite's QuantizeMultiplier: real = q * 2^shift / 2^31, q in [2^30, 2^31). */
export function quantizeMultiplier(real: number): [number, number] {
  if (real === 0) return [0, 0];
  let shift = Math.floor(Math.log2(Math.abs(real))) + 1; // frexp's exponent
  while (Math.abs(real) / 2 ** shift >= 1) shift++;
  while (Math.abs(real) / 2 ** shift < 0.5) shift--;
  const frac = real / 2 ** shift;
  let q = Math.sign(frac) * Math.round(Math.abs(frac) * 2 ** 31); // TfLiteRound: half away
  if (q === 2 ** 31) {
    q /= 2;
    shift++;
  }
  if (shift < -31) return [0, 0];
  if (shift > 30) return [2 ** 31 - 1, 30];
  return [q, shift];
}

/** SaturatingRoundingDoublingHighMul of two int32. */
function srdhm(a: number, b: number): number {
  if (a === I32_MIN && b === I32_MIN) return 2 ** 31 - 1;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates, as C's
}

function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier (double rounding). */
export function multiplyByQuantizedMultiplier(x: number, q: number, shift: number): number {
  const left = Math.max(shift, 0);
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return roundingDivideByPOT(srdhm(shifted, q), Math.max(-shift, 0));
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** The data of a constant tensor as numbers. */
function values(t: WriterModel["tensors"][number]): number[] {
  const b = t.data!;
  const view = { int8: Int8Array, int16: Int16Array, int32: Int32Array }[
    t.type as "int8" | "int16" | "int32"
  ];
  return Array.from(new view(new Uint8Array(b).buffer));
}

/** A single-SVDF int8 model's interpreter: invoke() once per input set, state carried. */
export class SvdfReference {
  /** State values clamped at the state type's limits so far. */
  stateClamps = 0;
  private readonly state: number[];

  constructor(private readonly model: WriterModel) {
    const [, , , , s] = model.ops[0].inputs.map((i) => (i < 0 ? null : model.tensors[i]));
    // TFLM resets an int8 variable tensor to its zero point, an int16 one to 0
    const start = s!.type === "int8" ? s!.quant!.zeroPoint[0] : 0;
    this.state = new Array(s!.shape.reduce((a, b) => a * b, 1)).fill(start);
  }

  invoke(input: Int8Array): Int8Array {
    const m = this.model;
    const op = m.ops[0];
    const [x, wf, wt, bias, st] = op.inputs.map((i) => (i < 0 ? null : m.tensors[i]));
    const out = m.tensors[op.outputs[0]];
    const rank = op.options!.rank as number;
    const [batches, n] = x!.shape;
    const [filters, memory] = wt!.shape;
    const units = filters / rank;
    const f32 = Math.fround;
    const sc = (t: typeof x) => t!.quant!.scale[0];
    // both scales formed in float32, then widened (TFLM's static_cast<double> of a float product)
    const [m1, s1] = quantizeMultiplier(f32(f32(sc(x) * sc(wf)) / sc(st)));
    const [m2, s2] = quantizeMultiplier(f32(f32(sc(st) * sc(wt)) / sc(out)));
    const zin = x!.quant!.zeroPoint[0],
      zst = st!.quant!.zeroPoint[0],
      zout = out.quant!.zeroPoint[0];
    const [lo, hi] = st!.type === "int8" ? [-128, 127] : [-32768, 32767];
    const W = values(wf!),
      T = values(wt!),
      B = bias ? values(bias) : null;
    const state = this.state;
    state.copyWithin(0, 1); // shift left by one; the newest slots are written next
    for (let b = 0; b < batches; b++) {
      for (let f = 0; f < filters; f++) {
        let dot = 0;
        for (let c = 0; c < n; c++) dot += W[f * n + c] * (input[b * n + c] - zin);
        const v = multiplyByQuantizedMultiplier(dot, m1, s1) + zst;
        if (v < lo || v > hi) this.stateClamps++;
        state[(b * filters + f) * memory + memory - 1] = clamp(v, lo, hi);
      }
    }
    const y = new Int8Array(batches * units);
    for (let b = 0; b < batches; b++) {
      for (let u = 0; u < units; u++) {
        let acc = B ? B[u] : 0;
        for (let r = 0; r < rank; r++) {
          const f = u * rank + r;
          for (let j = 0; j < memory; j++)
            acc += T[f * memory + j] * (state[(b * filters + f) * memory + j] - zst);
        }
        y[b * units + u] = clamp(multiplyByQuantizedMultiplier(acc, m2, s2) + zout, -128, 127);
      }
    }
    return y;
  }
}
