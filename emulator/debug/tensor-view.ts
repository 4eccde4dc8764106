// A tensor as the debugger shows it: shape, type, quantisation, raw values and dequantized
// values (summarised for big tensors: min/max/mean and a histogram).
import type { TensorInfo } from "../model/tflite-model.ts";
import type { TensorData } from "./inspector.ts";

const READERS: Record<string, (v: DataView, i: number) => number> = {
  int8: (v, i) => v.getInt8(i),
  uint8: (v, i) => v.getUint8(i),
  int16: (v, i) => v.getInt16(i * 2, true),
  int32: (v, i) => v.getInt32(i * 4, true),
  float32: (v, i) => v.getFloat32(i * 4, true),
  bool: (v, i) => v.getUint8(i),
  uint16: (v, i) => v.getUint16(i * 2, true),
  uint32: (v, i) => v.getUint32(i * 4, true),
};

export const elementCount = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

/** The stored values of a tensor's bytes. */
export function rawValues(info: TensorInfo, bytes: Uint8Array): Float64Array {
  const read = READERS[info.type];
  if (!read)
    throw new Error(`tensor ${info.index} is ${info.type}: values of this type are not shown`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size =
    info.type === "float32" || info.type.endsWith("32") ? 4 : info.type.endsWith("16") ? 2 : 1;
  const n = Math.min(elementCount(info.shape), Math.floor(bytes.byteLength / size));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = read(view, i);
  return out;
}

/** Real values: (q - zero point) * scale, per channel along the quantized dimension when there are several scales. */
export function dequantize(info: TensorInfo, raw: Float64Array): Float64Array {
  const q = info.quantization;
  if (info.type === "float32" || !q || q.scale.length === 0) return Float64Array.from(raw);
  const out = new Float64Array(raw.length);
  if (q.scale.length === 1) {
    const [s, z] = [q.scale[0], q.zeroPoint[0] ?? 0];
    for (let i = 0; i < raw.length; i++) out[i] = (raw[i] - z) * s;
    return out;
  }
  const axis = q.quantizedDimension;
  const inner = info.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  const channels = info.shape[axis] ?? q.scale.length;
  for (let i = 0; i < raw.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (raw[i] - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0)) * (q.scale[c] ?? q.scale[0]);
  }
  return out;
}

export interface Stats {
  min: number;
  max: number;
  mean: number;
}

export function stats(v: Float64Array): Stats {
  let min = Infinity,
    max = -Infinity,
    sum = 0;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, max, mean: v.length ? sum / v.length : 0 };
}

/** Signal-to-noise ratio of `test` against `reference`, in dB (Infinity when identical). */
export function snrDb(reference: ArrayLike<number>, test: ArrayLike<number>): number {
  let signal = 0,
    noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i] * reference[i];
    const d = reference[i] - test[i];
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  if (signal === 0) return -Infinity;
  return 10 * Math.log10(signal / noise);
}

const num = (x: number) =>
  Number.isInteger(x)
    ? String(x)
    : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0)
      ? x.toExponential(3)
      : x.toFixed(4);

function histogram(v: Float64Array, lo: number, hi: number, bins = 8): string[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  for (const x of v) counts[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))]++;
  const peak = Math.max(...counts, 1);
  return counts.map(
    (c, i) =>
      `  [${num(lo + i * width).padStart(8)}, ${num(lo + (i + 1) * width).padStart(8)}) ${String(c).padStart(7)} ${"#".repeat(Math.round((30 * c) / peak))}`,
  );
}

export function describeQuantization(info: TensorInfo): string {
  const q = info.quantization;
  if (!q || q.scale.length === 0) return "not quantized";
  if (q.scale.length === 1) return `scale ${num(q.scale[0])}, zero point ${q.zeroPoint[0] ?? 0}`;
  const s = stats(Float64Array.from(q.scale));
  return `per-channel along axis ${q.quantizedDimension}: ${q.scale.length} scales ${num(s.min)}..${num(s.max)}, zero points ${[...new Set(q.zeroPoint)].slice(0, 3).join(", ")}`;
}

/** The text of `print tensor`. Small tensors are listed in full; big ones summarised. */
export function formatTensor(t: TensorData, hex: (n: number) => string): string {
  const { info } = t;
  const lines = [
    `tensor ${info.index} '${shortTensorName(info.name)}': ${info.type} [${info.shape.join(", ")}] (${info.byteSize} bytes)`,
    `  quantisation: ${describeQuantization(info)}`,
    `  at ${hex(t.address)} in ${t.where === "flash" ? "flash" : "the arena"}: ${t.note}`,
  ];
  if (!t.valid) {
    lines.push("  values: not shown (the bytes there are not this tensor's now)");
    return lines.join("\n");
  }
  const raw = rawValues(info, t.bytes);
  const real = dequantize(info, raw);
  const quantized = info.type !== "float32" && !!info.quantization?.scale.length;
  if (raw.length <= 32) {
    lines.push(`  values:      ${Array.from(raw, num).join(" ")}`);
    if (quantized) lines.push(`  dequantized: ${Array.from(real, num).join(" ")}`);
    return lines.join("\n");
  }
  const rs = stats(raw);
  lines.push(
    `  values:      min ${num(rs.min)}  max ${num(rs.max)}  mean ${num(rs.mean)}  (${raw.length} elements; first 16: ${Array.from(raw.subarray(0, 16), num).join(" ")})`,
  );
  if (quantized) {
    const ds = stats(real);
    lines.push(`  dequantized: min ${num(ds.min)}  max ${num(ds.max)}  mean ${num(ds.mean)}`);
  }
  const lo = info.type === "int8" ? -128 : info.type === "uint8" ? 0 : rs.min;
  const hi = info.type === "int8" ? 128 : info.type === "uint8" ? 256 : rs.max;
  lines.push(`  histogram of values:`, ...histogram(raw, lo, hi));
  return lines.join("\n");
}

/** Converters name tensors after every op fused into them (hundreds of characters, joined by
 *  ';'): the first name, cut to `max` characters at its end, which says the most.
 *  `info tensor N` prints the full name. */
export function shortTensorName(name: string, max = 64): string {
  const first = name.split(";")[0];
  const cut = first.length > max ? `…${first.slice(first.length - max + 1)}` : first;
  return cut.length < name.length ? `${cut} [+${name.length - cut.length} chars]` : cut;
}
