// A conv layer's weights and bias as TFLite's converter quantises them (int8 filter symmetric
// per output channel, int32 bias at input x filter scale), added to a WriterModel's tensors:
// shared by the active-speaker model's, the face detector's and the refiner's quantisation.
import type { WriterTensor } from "../../../emulator/model/tflite-writer.ts";

/** An int array's bytes, as a WriterTensor holds its data. */
export const bytes = (a: Int8Array | Int32Array): Uint8Array =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * A conv's (depthwise when `depthwise`) weights from tfjs kernel [fh, fw, in, out|1] and bias to
 * TFLite tensors, as TFLite's converter quantises them: filter int8 symmetric per output channel
 * (layout conv [out, fh, fw, in], depthwise [1, fh, fw, in] with multiplier 1), bias int32 at
 * input scale x filter scale. Adds both with `add`; returns their indices.
 */
export function addConvWeights(
  add: (t: WriterTensor) => number,
  name: string,
  w: Float32Array,
  b: Float32Array,
  kernelShape: number[],
  depthwise: boolean,
  inScale: number,
): { filter: number; bias: number } {
  const [fh, fw, cin, last] = kernelShape;
  const cout = depthwise ? cin : last;
  // TFLite layouts: conv [out, fh, fw, in]; depthwise [1, fh, fw, in] (multiplier 1).
  const filter = new Float32Array(w.length);
  for (let y = 0; y < fh; y++)
    for (let x = 0; x < fw; x++)
      for (let c = 0; c < cin; c++)
        for (let o = 0; o < last; o++) {
          const src = ((y * fw + x) * cin + c) * last + o;
          filter[depthwise ? (y * fw + x) * cin + c : ((o * fh + y) * fw + x) * cin + c] = w[src];
        }
  const per = (o: number) =>
    depthwise
      ? Array.from({ length: fh * fw }, (_, j) => filter[j * cin + o])
      : Array.from(filter.subarray(o * fh * fw * cin, (o + 1) * fh * fw * cin));
  const scales = Array.from({ length: cout }, (_, o) =>
    Math.max(1e-12, per(o).reduce((m, v) => Math.max(m, Math.abs(v)), 0) / 127),
  );
  const qf = new Int8Array(filter.length);
  for (let i = 0; i < filter.length; i++) {
    const o = depthwise ? i % cin : Math.floor(i / (fh * fw * cin));
    qf[i] = Math.max(-127, Math.min(127, Math.round(filter[i] / scales[o])));
  }
  const qb = Int32Array.from({ length: cout }, (_, o) => Math.round(b[o] / (inScale * scales[o])));
  const f = add({
    name: `${name}/filter`,
    type: "int8",
    shape: depthwise ? [1, fh, fw, cin] : [cout, fh, fw, cin],
    data: bytes(qf),
    quant: {
      scale: scales,
      zeroPoint: scales.map(() => 0),
      quantizedDimension: depthwise ? 3 : 0,
    },
  });
  const bias = add({
    name: `${name}/bias`,
    type: "int32",
    shape: [cout],
    data: bytes(qb),
    quant: {
      scale: scales.map((s) => s * inScale),
      zeroPoint: scales.map(() => 0),
      quantizedDimension: 0,
    },
  });
  return { filter: f, bias };
}
