// A small builder over our tflite-writer for whole test models: inputs, constants, seeded
// random weights (deterministic: the same model bytes on every run) and ops. Every op's
// output also becomes a model output, so a test can compare each layer against TFLite;
// deployable() keeps only the model's real outputs, for latency and memory figures.
import type { WriterModel, WriterTensor, WriterType } from "../../emulator/model/tflite-writer.ts";

export type Quant = WriterTensor["quant"];
export const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** The standard deviation of bytes uniform in [-127, 127]. */
const UNIFORM_INT8_STD = 127 / Math.sqrt(3);

export class Net {
  readonly model: WriterModel = { tensors: [], ops: [], inputs: [], outputs: [] };
  private seed = 1;
  private next(): number {
    this.seed = (Math.imul(this.seed, 1664525) + 1013904223) >>> 0;
    return this.seed / 2 ** 32;
  }

  input(type: WriterType, shape: number[], quant?: Quant): number {
    const i =
      this.model.tensors.push({ name: `in${this.model.inputs.length}`, type, shape, quant }) - 1;
    this.model.inputs.push(i);
    return i;
  }

  private push(t: Omit<WriterTensor, "name">, prefix: string): number {
    return this.model.tensors.push({ ...t, name: `${prefix}${this.model.tensors.length}` }) - 1;
  }

  /** Constant int8 weights (random bytes in [-127, 127]) or float32 in [-lim, lim]. */
  weights(type: WriterType, shape: number[], quant?: Quant, lim = 1): number {
    const n = size(shape);
    const bytes =
      type === "int8"
        ? Uint8Array.from({ length: n }, () => (Math.floor(this.next() * 255) - 127) & 0xff)
        : new Uint8Array(
            Float32Array.from({ length: n }, () => (this.next() * 2 - 1) * lim).buffer,
          );
    return this.push({ type, shape, quant, data: bytes }, "w");
  }

  /**
   * int8 weights quantised per channel along `axis` (scales a little apart; null: one scale
   * for the tensor), scaled so a dot product over `fanIn` inputs keeps its input's spread
   * times `gain`: real weights of standard deviation gain / sqrt(fanIn). Returns the tensor
   * and the scale of each output channel.
   */
  scaledWeights(
    shape: number[],
    axis: number | null,
    fanIn: number,
    gain = 1,
  ): { tensor: number; scales: number[] } {
    const base = gain / (UNIFORM_INT8_STD * Math.sqrt(fanIn));
    if (axis === null) {
      const scale = Math.fround(base);
      const tensor = this.weights("int8", shape, { scale: [scale], zeroPoint: [0] });
      return { tensor, scales: Array(shape[0]).fill(scale) };
    }
    const channels = shape[axis];
    const scales = Array.from({ length: channels }, (_, i) =>
      Math.fround(base * (0.8 + (0.4 * i) / channels)),
    );
    const quant = { scale: scales, zeroPoint: Array(channels).fill(0), quantizedDimension: axis };
    return { tensor: this.weights("int8", shape, quant), scales };
  }

  /** int32 bias at scale inputScale x each weight scale, real values in [-lim, lim]. */
  bias(inputScale: number, weightScales: number[], lim = 0.2): number {
    const scales = weightScales.map((s) => Math.fround(inputScale * s));
    const values = scales.map((s) => Math.round(((this.next() * 2 - 1) * lim) / s));
    const perTensor = scales.every((s) => s === scales[0]);
    return this.constant("int32", [scales.length], values, {
      scale: perTensor ? [scales[0]] : scales,
      zeroPoint: Array(perTensor ? 1 : scales.length).fill(0),
    });
  }

  constant(type: WriterType, shape: number[], values: number[], quant?: Quant): number {
    const bytes =
      type === "int32"
        ? new Uint8Array(Int32Array.from(values).buffer)
        : type === "int16"
          ? new Uint8Array(Int16Array.from(values).buffer)
          : type === "float32"
            ? new Uint8Array(Float32Array.from(values).buffer)
            : Uint8Array.from(values.map((v) => v & 0xff));
    return this.push({ type, shape, quant, data: bytes }, "c");
  }

  /** A variable tensor (state a runtime keeps between invocations, e.g. SVDF's). */
  variable(type: WriterType, shape: number[], quant?: Quant): number {
    return this.push({ type, shape, quant, variable: true }, "state");
  }

  /** Seeded random integers in [-lim, lim] (e.g. int16 SVDF time weights). */
  randomInts(n: number, lim: number): number[] {
    return Array.from({ length: n }, () => Math.round((this.next() * 2 - 1) * lim));
  }

  op(
    op: string,
    inputs: number[],
    type: WriterType,
    shape: number[],
    quant?: Quant,
    options?: WriterModel["ops"][number]["options"],
  ): number {
    const out =
      this.model.tensors.push({
        name: `${op.toLowerCase()}${this.model.ops.length}`,
        type,
        shape,
        quant,
      }) - 1;
    this.model.ops.push({ op, inputs, outputs: [out], options });
    this.model.outputs.push(out);
    return out;
  }

  /** The model as a user would deploy it: only the last op's output is a model output. */
  deployable(description: string): WriterModel {
    return { ...this.model, outputs: [this.model.outputs.at(-1)!], description };
  }
}
