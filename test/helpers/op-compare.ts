// Single-op models described in a few lines (activation inputs, constant inputs, outputs,
// options), written with our tflite-writer, run on our engine and on the TFLite reference
// (tfjs-tflite) with three deterministic input sets; reports the worst difference per
// output: int8 in steps, float32 relative (absolute below 1), other types exact.
import {
  writeTflite,
  type WriterModel,
  type WriterTensor,
  type WriterType,
} from "../../emulator/model/tflite-writer.ts";
import { loadReference } from "./tflite-reference.ts";
import { runModelSets } from "./engine.ts";

export type Quant = WriterTensor["quant"];
export const q = (scale: number, zeroPoint: number): Quant => ({
  scale: [Math.fround(scale)],
  zeroPoint: [zeroPoint],
});
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export interface TensorSpec {
  type: WriterType;
  shape: number[];
  quant?: Quant;
}
export interface ConstSpec extends TensorSpec {
  data: Uint8Array;
}

export interface OpCase {
  name: string;
  op: string;
  inputs: TensorSpec[];
  /** Constant inputs; `at` places each among the op's inputs (default: after the activations). */
  consts?: (ConstSpec & { at?: number })[];
  outputs: TensorSpec[];
  options?: WriterModel["ops"][number]["options"];
  /** Input values: floats in [-lim, lim] (default 3); int8 bytes are uniform. */
  lim?: number;
}

export const int32 = (shape: number[], values: number[]): ConstSpec => ({
  type: "int32",
  shape,
  data: new Uint8Array(Int32Array.from(values).buffer),
});
export const float32 = (shape: number[], values: number[]): ConstSpec => ({
  type: "float32",
  shape,
  data: new Uint8Array(Float32Array.from(values).buffer),
});
export const int8 = (shape: number[], values: number[], quant: Quant): ConstSpec => ({
  type: "int8",
  shape,
  quant,
  data: new Uint8Array(Int8Array.from(values).buffer),
});

/** Deterministic bytes for a tensor: int8 uniform, float32 in [-lim, lim], bool 0/1. */
export function data(type: WriterType, shape: number[], seed: number, lim = 3): Uint8Array {
  let s = (seed * 2654435761) >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const n = size(shape);
  if (type === "float32")
    return new Uint8Array(
      Float32Array.from({ length: n }, () => Math.fround((next() * 2 - 1) * lim)).buffer,
    );
  if (type === "bool") return Uint8Array.from({ length: n }, () => (next() < 0.5 ? 1 : 0));
  if (type === "int32")
    return new Uint8Array(
      Int32Array.from({ length: n }, () => Math.floor(next() * 200) - 100).buffer,
    );
  return Uint8Array.from({ length: n }, () => Math.floor(next() * 256));
}

export function buildCase(c: OpCase): WriterModel {
  const tensors: WriterTensor[] = [];
  const inputs = c.inputs.map(
    (t, i) => tensors.push({ name: `in${i}`, type: t.type, shape: t.shape, quant: t.quant }) - 1,
  );
  const opInputs = [...inputs];
  for (const [i, k] of (c.consts ?? []).entries()) {
    const index =
      tensors.push({
        name: `const${i}`,
        type: k.type,
        shape: k.shape,
        data: k.data,
        quant: k.quant,
      }) - 1;
    opInputs.splice(k.at ?? opInputs.length, 0, index);
  }
  const outs = c.outputs.map(
    (t, i) => tensors.push({ name: `out${i}`, type: t.type, shape: t.shape, quant: t.quant }) - 1,
  );
  return {
    tensors,
    ops: [{ op: c.op, inputs: opInputs, outputs: outs, options: c.options }],
    inputs,
    outputs: outs,
  };
}

export interface CaseResult {
  worst: number;
  exact: number;
  total: number;
}

/** Runs a case on our engine (rt1060) and the reference; the worst difference over outputs and sets. */
export async function compareCase(c: OpCase): Promise<CaseResult> {
  const bytes = writeTflite(buildCase(c));
  const sets = [1, 2, 3].map((k) =>
    c.inputs.map((t, i) => data(t.type, t.shape, k * 31 + i, c.lim)),
  );
  const run = await runModelSets(
    bytes,
    sets.map((parts) => Buffer.concat(parts)),
    "rt1060",
  );
  const ref = await loadReference(bytes);
  let worst = 0,
    exact = 0,
    total = 0;
  try {
    sets.forEach((parts, s) => {
      const wants = ref.run(parts);
      c.outputs.forEach((o, k) => {
        const got = run.inferences[s].outputs[k];
        const want = wants[k];
        const g =
          o.type === "float32"
            ? new Float32Array(got.buffer, got.byteOffset, got.byteLength / 4)
            : o.type === "int32"
              ? new Int32Array(got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength))
              : o.type === "int8"
                ? new Int8Array(got.buffer, got.byteOffset, got.byteLength)
                : got;
        if (g.length !== want.length)
          throw new Error(
            `${c.name}: output ${k} has ${g.length} elements, reference ${want.length}`,
          );
        for (let i = 0; i < g.length; i++) {
          const w = want[i] as number;
          // NaN against NaN and an infinity against the same infinity agree (LOG, RSQRT of x <= 0).
          const d =
            Object.is(g[i], w) || g[i] === w
              ? 0
              : o.type === "float32"
                ? Math.abs(g[i] - w) / Math.max(Math.abs(w), 1)
                : Math.abs(g[i] - w);
          worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
          total++;
          if (d === 0 && (g[i] === w || Object.is(g[i], w))) exact++;
        }
      });
    });
  } finally {
    ref.dispose();
  }
  return { worst, exact, total };
}
