// TFLM's integer UNIDIRECTIONAL_SEQUENCE_LSTM (tflite-micro's unidirectional_sequence_lstm.cc,
// lstm_eval.h/.cc: 8-bit activations and weights, int16 cell state and gates) written again in
// TypeScript from its arithmetic, gate by gate and step by step as TFLM runs it, as the
// reference the firmware kernel is held to over many invocations and random configurations.
// It is itself held to TFLM's own golden output of the DTLN example
// (test/kernels/ops-lstm.test.ts). TFLite's runtime is no such reference: its integer LSTM
// subtracts the hidden state's zero point where TFLM adds it, and requantises the cell
// products with one rounding where TFLM uses two.
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import type { TensorInfo, TfliteModel } from "../../emulator/model/tflite-model.ts";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "./svdf-reference.ts";

/** TFLite's sigmoid_table_uint16, read from the firmware's copy (checked in ops-lstm.test.ts). */
export function sigmoidTable(): number[] {
  const src = readFileSync(
    path.join(PROJECT_ROOT, "firmware/tflite/kernels/common/int16-activations.ts"),
    "utf8",
  );
  const body = /SIGMOID_TABLE_U16[^=]*=\s*\[([^\]]*)\]/.exec(src)![1];
  return body.split(",").flatMap((v) => (v.trim() ? [Number(v)] : []));
}

const TABLE = sigmoidTable();
const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** reference_integer_ops::Logistic on int16 with input multiplier 3 (TFLM's Sigmoid). */
export function sigmoid16(x: number): number {
  const v = x * 3;
  const a = Math.abs(v);
  const hi = a >>> 9;
  const r = hi >= 255 ? 0x7fff * 1024 : TABLE[hi] * 512 + (a & 0x1ff) * (TABLE[hi + 1] - TABLE[hi]);
  const out = v >= 0 ? r + 512 : 2 ** 25 - r + 511;
  return ((out >>> 10) << 16) >> 16;
}

/** reference_integer_ops::Tanh on int16 after TFLM's Tanh(cell_state_scale_power). */
export function tanh16(x: number, scalePower: number): number {
  let shift = 15 + scalePower - 3;
  let mult = 0;
  if (shift < 0) {
    shift = -shift;
    mult = 3;
  }
  if (mult === 0) {
    mult = 3 << shift;
    shift = 0;
  }
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  const v = (x * mult + round) >> shift;
  const a = Math.abs(v);
  const hi = a >>> 8;
  const r = hi >= 255 ? 0xffff * 256 : TABLE[hi] * 256 + (a & 0xff) * (TABLE[hi + 1] - TABLE[hi]);
  const out = v >= 0 ? r - 2 ** 23 + 128 : -r + 2 ** 23 + 127;
  return ((out >> 8) << 16) >> 16;
}

function values(bytes: Uint8Array, t: TensorInfo): number[] {
  const { offset, length } = t.data!;
  const b = bytes.slice(offset, offset + length).buffer;
  return Array.from(t.type === "int32" ? new Int32Array(b) : new Int8Array(b));
}

const scale = (t: TensorInfo) => t.quantization!.scale[0];
const zero = (t: TensorInfo) => t.quantization!.zeroPoint[0];

interface Gate {
  wx: number[];
  wh: number[];
  bias: number[];
  mx: [number, number];
  mh: [number, number];
}

/** One int8 LSTM layer of a model: invoke() once per input set, state carried. */
export class LstmReference {
  /** Gate pre-activations (int16) that saturated so far, summed and per product. */
  saturations = 0;
  private readonly hidden: number[];
  private readonly cell: number[];
  private readonly gates: Gate[];
  private readonly B: number;
  private readonly T: number;
  private readonly I: number;
  private readonly S: number;
  private readonly timeMajor: boolean;
  private readonly forget: [number, number];
  private readonly update: [number, number];
  private readonly out: [number, number];
  private readonly hiddenZero: number;
  private readonly cellClip: number;
  private readonly cellPower: number;

  constructor(
    bytes: Uint8Array,
    model: TfliteModel,
    layer: number,
    opts: { cellClip: number; timeMajor: boolean },
  ) {
    const op = model.operators[layer];
    const t = (k: number) => model.tensors[op.inputs[k]];
    const input = t(0),
      hidden = t(18),
      cell = t(19);
    this.timeMajor = opts.timeMajor;
    [this.T, this.B] = opts.timeMajor ? input.shape : [input.shape[1], input.shape[0]];
    this.I = input.shape[2];
    this.S = t(1).shape[0];
    const f32 = Math.fround;
    const gateIn = 2 ** -12,
      gateOut = 2 ** -15;
    this.gates = [0, 1, 2, 3].map((g) => ({
      // the weights' offset is 0; the input offsets go inside the dot products below
      wx: values(bytes, t(1 + g)),
      wh: values(bytes, t(5 + g)),
      bias: values(bytes, t(12 + g)),
      mx: quantizeMultiplier(f32(scale(input) * scale(t(1 + g))) / gateIn),
      mh: quantizeMultiplier(f32(scale(hidden) * scale(t(5 + g))) / gateIn),
    }));
    this.forget = quantizeMultiplier((gateOut * scale(cell)) / scale(cell));
    this.update = quantizeMultiplier((gateOut * gateOut) / scale(cell));
    this.out = quantizeMultiplier((gateOut * gateOut) / scale(hidden));
    this.hiddenZero = zero(hidden);
    this.cellClip =
      opts.cellClip > 0 ? Math.trunc(clamp(opts.cellClip / scale(cell), -32768, 32767)) : 0;
    this.cellPower = Math.round(Math.log2(scale(cell)));
    this.hidden = new Array(this.B * this.S).fill(zero(hidden));
    this.cell = new Array(this.B * this.S).fill(0);
    this.inputZero = zero(input);
  }

  private readonly inputZero: number;

  /** TFLM's FullyConnected into int16 (no activation): one row of products. */
  private fc(
    x: number[],
    xZero: number,
    w: number[],
    bias: number[] | null,
    m: [number, number],
  ): number[] {
    const n = x.length;
    return Array.from({ length: this.S }, (_, u) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += w[u * n + k] * (x[k] - xZero);
      if (bias) acc += bias[u];
      return clamp(multiplyByQuantizedMultiplier(acc, m[0], m[1]), -32768, 32767);
    });
  }

  private gate(g: number, x: number[], h: number[], tanh: boolean): number[] {
    const p = this.gates[g];
    const a = this.fc(x, this.inputZero, p.wx, p.bias, p.mx);
    const b = this.fc(h, this.hiddenZero, p.wh, null, p.mh);
    return a.map((v, u) => {
      const s = v + b[u];
      if (s > 32767 || s < -32768) this.saturations++;
      const c = clamp(s, -32768, 32767);
      return tanh ? tanh16(c, -12) : sigmoid16(c);
    });
  }

  invoke(input: Int8Array): Int8Array {
    const { B, T, I, S } = this;
    const y = new Int8Array(B * T * S);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const row = this.timeMajor ? t * B + b : b * T + t;
        const x = Array.from(input.subarray(row * I, row * I + I));
        const h = this.hidden.slice(b * S, b * S + S);
        // gate order as TFLM's LstmStep: forget, input, cell; the cell update; output
        const f = this.gate(1, x, h, false);
        const i = this.gate(0, x, h, false);
        const g = this.gate(2, x, h, true);
        for (let u = 0; u < S; u++) {
          const k = b * S + u;
          const kept = clamp(
            multiplyByQuantizedMultiplier(f[u] * this.cell[k], ...this.forget),
            -32768,
            32767,
          );
          const added = clamp(
            multiplyByQuantizedMultiplier(i[u] * g[u], ...this.update),
            -32768,
            32767,
          );
          let c = clamp(kept + added, -32768, 32767);
          if (this.cellClip > 0) c = clamp(c, -this.cellClip, this.cellClip);
          this.cell[k] = c;
        }
        const o = this.gate(3, x, h, false);
        for (let u = 0; u < S; u++) {
          const k = b * S + u;
          const th = tanh16(this.cell[k], this.cellPower);
          const v = multiplyByQuantizedMultiplier(th * o[u], ...this.out) + this.hiddenZero;
          this.hidden[k] = clamp(v, -128, 127);
          y[row * S + u] = this.hidden[k];
        }
      }
    }
    return y;
  }
}
