// Why the firmware engine and TFLite's runtime (@tensorflow/tfjs-tflite) do not agree byte for
// byte on the active-speaker model: the two requantise int32 accumulators to int8 differently.
// The firmware does what TFLite Micro's reference kernels do (a Q31 multiplier and shift per
// channel, SaturatingRoundingDoublingHighMul then RoundingDivideByPOT: ties away from zero);
// tfjs-tflite's build hands these layers to its XNNPACK delegate, which requantises in float32
// (accumulator x float scale, rounded to nearest, ties to even). Neither runtime's options turn
// XNNPACK off (TFLiteWebModelRunnerOptions: threads and profiling only).
//
// Both formulas are written out here (TFLM's in BigInt, test/helpers/svdf-reference.ts) and each
// engine is held to its own on every value: a one-layer model whose ties tell the two apart, and
// every weighted layer of the committed model run alone on the inputs TFLite gave it.
import test from "ava";
import { readFileSync } from "node:fs";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";
import { readModel, type TfliteModel } from "../../emulator/model/tflite-model.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";
import { ByteBuffer } from "flatbuffers";
import { prefix } from "../helpers/model-surgery.ts";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../helpers/svdf-reference.ts";

const MODEL = new URL("../../apps/active-speaker/model/asd_int8.tflite", import.meta.url);
const i8 = (b: ArrayBufferView) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);
const u8 = (b: ArrayBufferView) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const f32 = Math.fround;

/** TFLM: the real multiplier in double from the float scales, then Q31 fixed point. */
function tflmRequant(acc: number, inScale: number, wScale: number, outScale: number): number {
  const [q, shift] = quantizeMultiplier((inScale * wScale) / outScale);
  return multiplyByQuantizedMultiplier(acc, q, shift);
}
/** XNNPACK's fp32 requantisation: float32 scale and product, nearest with ties to even. */
function xnnpackRequant(acc: number, inScale: number, wScale: number, outScale: number): number {
  const x = f32(f32(acc) * f32(f32(f32(inScale) * f32(wScale)) / f32(outScale)));
  const r = Math.round(x);
  return (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r) + 0; // + 0: no -0
}

test("one FULLY_CONNECTED layer at output scale 2: the firmware rounds ties away from zero, tfjs-tflite to even", async (t) => {
  const q = (scale: number) => ({ scale: [scale], zeroPoint: [0] });
  const model: WriterModel = {
    tensors: [
      { name: "x", type: "int8", shape: [256, 1], quant: q(1) },
      { name: "w", type: "int8", shape: [1, 1], data: Uint8Array.of(1), quant: q(1) },
      { name: "b", type: "int32", shape: [1], data: new Uint8Array(4), quant: q(1) },
      { name: "y", type: "int8", shape: [256, 1], quant: q(2) },
    ],
    ops: [{ op: "FULLY_CONNECTED", inputs: [0, 1, 2], outputs: [3] }],
    inputs: [0],
    outputs: [3],
  };
  const bytes = writeTflite(model);
  const x = Int8Array.from({ length: 256 }, (_, i) => i - 128);
  const ref = await loadReference(bytes);
  const theirs = i8(ref.run([x])[0]);
  ref.dispose();
  const ours = i8((await runModelSets(bytes, [u8(x)])).inferences[0].outputs[0]);
  let differ = 0;
  x.forEach((v, i) => {
    const clamp = (n: number) => Math.min(127, Math.max(-128, n));
    t.is(ours[i], clamp(tflmRequant(v, 1, 1, 2)), `firmware at ${v}`);
    t.is(theirs[i], clamp(xnnpackRequant(v, 1, 1, 2)), `tfjs-tflite at ${v}`);
    if (ours[i] !== theirs[i]) differ++;
  });
  // x / 2 = k + 0.5 with k even (0.5, 2.5, -0.5, ...): 64 of the 256 inputs.
  t.is(differ, 64);
});

/** Layer k alone, in a copy: its activation inputs (MUL has two) are the model's inputs. */
function layerAlone(model: Uint8Array, info: TfliteModel, k: number): Uint8Array {
  const bytes = new Uint8Array(model);
  const bb = new ByteBuffer(bytes);
  const field = (table: number, id: number) =>
    table + bb.readUint16(table - bb.readInt32(table) + 4 + 2 * id);
  const deref = (at: number) => at + bb.readUint32(at);
  const sg = deref(deref(field(bb.readUint32(0), 2)) + 4);
  const [ins, outs, ops] = [1, 2, 3].map((id) => deref(field(sg, id)));
  const v = new DataView(bytes.buffer);
  const op = info.operators[k];
  // The model has two inputs, so its input vector has room for MUL's two.
  const acts = op.inputs.filter((i) => i >= 0 && !info.tensors[i].isConstant);
  v.setUint32(ins, acts.length, true);
  acts.forEach((a, j) => v.setUint32(ins + 4 + 4 * j, a, true));
  v.setUint32(outs, 1, true);
  v.setUint32(outs + 4, op.outputs[0], true);
  const table = ops + 4 + 4 * k + v.getUint32(ops + 4 + 4 * k, true);
  v.setUint32(ops, 1, true);
  v.setUint32(ops + 4, table - (ops + 4), true);
  return bytes;
}

/** One weighted layer's int32 accumulators (bias included) for one input, output order NHWC. */
function accumulators(info: TfliteModel, model: Uint8Array, k: number, x: Int8Array): number[] {
  const op = info.operators[k];
  const [X, W, B] = op.inputs.map((i) => info.tensors[i]);
  const data = (tn: typeof W) => model.subarray(tn.data!.offset, tn.data!.offset + tn.data!.length);
  const w = W.isConstant ? i8(data(W)) : new Int8Array(0);
  const b = B ? new Int32Array(data(B).slice().buffer) : new Int32Array(0);
  const zx = X.quantization!.zeroPoint[0];
  const out = info.tensors[op.outputs[0]].shape;
  const acc: number[] = [];
  if (op.opName === "MUL") {
    // TFLM's MUL: (x1 - z1) * (x2 - z2), requantised by s1 * s2 / sy; x holds both inputs.
    const n = x.length / 2;
    const z2 = W.quantization!.zeroPoint[0];
    for (let i = 0; i < n; i++) acc.push((x[i] - zx) * (x[n + i] - z2));
    return acc;
  }
  if (op.opName === "FULLY_CONNECTED") {
    const depth = W.shape[1];
    for (let p = 0; p < x.length / depth; p++)
      for (let c = 0; c < W.shape[0]; c++) {
        let a = b[c];
        for (let d = 0; d < depth; d++) a += (x[p * depth + d] - zx) * w[c * depth + d];
        acc.push(a);
      }
    return acc;
  }
  const o = op.options as { padding: string; strideH: number; strideW: number };
  const [, h, wd, cin] = X.shape;
  const [, oh, ow, cout] = out;
  const depthwise = op.opName === "DEPTHWISE_CONV_2D";
  const [kh, kw] = [W.shape[1], W.shape[2]];
  const pad = (n: number, on: number, kn: number, s: number) =>
    o.padding === "SAME" ? Math.floor(Math.max((on - 1) * s + kn - n, 0) / 2) : 0;
  const [ph, pw] = [pad(h, oh, kh, o.strideH), pad(wd, ow, kw, o.strideW)];
  for (let oy = 0; oy < oh; oy++)
    for (let ox = 0; ox < ow; ox++)
      for (let c = 0; c < cout; c++) {
        let a = b[c];
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const [iy, ix] = [oy * o.strideH - ph + ky, ox * o.strideW - pw + kx];
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            const at = (iy * wd + ix) * cin;
            if (depthwise)
              a += (x[at + Math.floor(c / (cout / cin))] - zx) * w[(ky * kw + kx) * cout + c];
            else
              for (let d = 0; d < cin; d++)
                a += (x[at + d] - zx) * w[((c * kh + ky) * kw + kx) * cin + d];
          }
        acc.push(a);
      }
  return acc;
}

test("every weighted layer of the committed model: the firmware follows TFLM's requantisation, tfjs-tflite XNNPACK's", async (t) => {
  const model = new Uint8Array(readFileSync(MODEL));
  const info = readModel(model);
  const ins = info.inputs.map((i) => info.tensors[i]);
  // Varied int8 inputs: each set's video and audio tensors.
  const sets = Array.from({ length: 4 }, (_, s) =>
    ins.map((tn) =>
      Int8Array.from({ length: tn.byteSize }, (_, i) => ((i * (13 + s) + s * 71) % 251) - 125),
    ),
  );
  const lines: string[] = [];
  let differ = 0;
  for (let k = 0; k < info.operators.length; k++) {
    const op = info.operators[k];
    if (!["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MUL"].includes(op.opName)) continue;
    // The layer's activation inputs as TFLite's runtime computed them, per set.
    const acts = op.inputs.filter((i) => i >= 0 && !info.tensors[i].isConstant);
    const perInput: Int8Array[][] = [];
    for (const xi of acts) {
      const from = info.operators.findIndex((p) => p.outputs[0] === xi);
      if (from < 0) perInput.push(sets.map((s) => s[info.inputs.indexOf(xi)]));
      else {
        const upstream = await loadReference(prefix(model, from));
        perInput.push(sets.map((s) => i8(upstream.run(s)[0]).slice()));
        upstream.dispose();
      }
    }
    const alone = layerAlone(model, info, k);
    const ref = await loadReference(alone);
    const theirs = sets.map((_, s) => i8(ref.run(perInput.map((x) => x[s]))[0]).slice());
    ref.dispose();
    const joined = sets.map((_, s) => Int8Array.from(perInput.flatMap((x) => [...x[s]])));
    const ours = (await runModelSets(alone, joined.map(u8))).inferences.map((r) =>
      i8(r.outputs[0]),
    );
    const inputs = joined;
    const [X, W] = op.inputs.map((i) => info.tensors[i]);
    const Y = info.tensors[op.outputs[0]];
    const [sx, sy, zy] = [
      X.quantization!.scale[0],
      Y.quantization!.scale[0],
      Y.quantization!.zeroPoint[0],
    ];
    const act = (op.options as { activation?: string } | null)?.activation ?? "NONE";
    t.true(act === "NONE" || act === "RELU", `layer ${k}: activation ${act}`);
    const lo = act === "RELU" ? Math.max(-128, zy) : -128;
    const clamp = (n: number) => Math.min(127, Math.max(lo, n));
    const cout = Y.shape.at(-1)!;
    const sw = (c: number) => W.quantization!.scale[W.quantization!.scale.length > 1 ? c : 0];
    let wrongOurs = 0,
      wrongTheirs = 0,
      off = 0,
      values = 0;
    inputs.forEach((x, s) =>
      accumulators(info, model, k, x).forEach((a, i) => {
        const c = i % cout;
        values++;
        if (ours[s][i] !== clamp(tflmRequant(a, sx, sw(c), sy) + zy)) wrongOurs++;
        if (theirs[s][i] !== clamp(xnnpackRequant(a, sx, sw(c), sy) + zy)) wrongTheirs++;
        if (ours[s][i] !== theirs[s][i]) off++;
      }),
    );
    t.is(wrongOurs, 0, `layer ${k} ${op.opName}: firmware values off TFLM's formula`);
    t.is(wrongTheirs, 0, `layer ${k} ${op.opName}: tfjs-tflite values off XNNPACK's formula`);
    differ += off;
    lines.push(`${k} ${op.opName} ${off}/${values}`);
  }
  t.log(`values where the two runtimes differ, per layer alone: ${lines.join(", ")}`);
  t.true(differ > 0, "the inputs reach values where the two roundings part");
});
