// Real models that use the non-convolution kernels, end to end on rt1060: person_detect
// (AVERAGE_POOL_2D, RESHAPE, SOFTMAX) against TFLite's scores and, layer by layer, its tail, magic_wand (float MAX_POOL_2D,
// SOFTMAX, RESHAPE) against its expected gestures and the TFLite reference, the MLPerf Tiny
// KWS and VWW models (AVERAGE_POOL_2D, RESHAPE, SOFTMAX) against the reference within 1,
// and hello_world_int8 against the reference.
import test from "ava";
import { readFileSync } from "node:fs";
import { runModelSets } from "../helpers/engine.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { ByteBuffer } from "flatbuffers";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(p, FIX)));
const i8 = (b: Uint8Array) => Array.from(new Int8Array(b.buffer, b.byteOffset, b.byteLength));
const f32 = (b: Uint8Array) =>
  Array.from(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4));
const argmax = (v: number[]) => v.indexOf(Math.max(...v));

/** Which operators a run's layers used. */
const opsOf = (layers: { op: number }[]) => new Set(layers.map((l) => l.op));

/** A copy of a model whose (single) output is tensor `tensor` instead: exposes an
 *  intermediate activation to both our engine and the reference. */
function withOutput(model: Uint8Array, tensor: number): Uint8Array {
  const bb = new ByteBuffer(model);
  const field = (table: number, id: number) => {
    const vt = table - bb.readInt32(table);
    const slot = 4 + 2 * id;
    return slot + 2 <= bb.readUint16(vt) && bb.readUint16(vt + slot)
      ? table + bb.readUint16(vt + slot)
      : 0;
  };
  const deref = (at: number) => at + bb.readUint32(at);
  const subgraph = deref(deref(field(deref(0), 2)) + 4); // Model.subgraphs[0]
  const outputs = deref(field(subgraph, 2)); // SubGraph.outputs
  const m = model.slice();
  new DataView(m.buffer).setInt32(outputs + 4, tensor, true);
  return m;
}

test("person_detect: TFLite's person scores, and its pooling/softmax tail exact on our own activations", async (t) => {
  const model = fixture("tflite-micro/person_detect.tflite");
  const person = fixture("tflite-micro/person_image_data.i8.bin");
  const noPerson = fixture("tflite-micro/no_person_image_data.i8.bin");
  const run = await runModelSets(model, [person, noPerson], "rt1060");
  t.deepEqual(i8(run.inferences[0].outputs[0]), [-113, 113]);
  const [none, yes] = i8(run.inferences[1].outputs[0]);
  t.true(none > yes, `no-person scores ${none}, ${yes}`);
  const info = readModel(model);
  const ops = info.operators;
  const pool = ops.findIndex((o) => o.opName === "AVERAGE_POOL_2D");
  const softmax = ops.findIndex((o) => o.opName === "SOFTMAX");
  t.true(pool > 0 && softmax > pool && ops.some((o) => o.opName === "RESHAPE"));
  // Intermediate activations of our engine on the no-person image (where the convolutions'
  // rounding differs from TFLite's XNNPACK by a few steps, so the final scores do too).
  const at = async (k: number) =>
    i8(
      (await runModelSets(withOutput(model, ops[k].outputs[0]), [noPerson], "rt1060")).inferences[0]
        .outputs[0],
    );
  // AVERAGE_POOL_2D 3x3 VALID over [1,3,3,256]: TFLM's rounding division of the 9-tap sums.
  const before = await at(pool - 1);
  const pooled = await at(pool);
  const depth = pooled.length;
  const want = Array.from({ length: depth }, (_, c) => {
    let s = 0;
    for (let p = 0; p < 9; p++) s += before[p * depth + c];
    return s > 0 ? Math.trunc((s + 4) / 9) : Math.trunc((s - 4) / 9);
  });
  t.deepEqual(pooled, want);
  // SOFTMAX of our logits equals TFLite's SOFTMAX of the same logits.
  const logits = await at(softmax - 1);
  const tail = writeTflite({
    tensors: [
      {
        name: "logits",
        type: "int8",
        shape: [1, logits.length],
        quant: info.tensors[ops[softmax].inputs[0]].quantization!,
      },
      {
        name: "scores",
        type: "int8",
        shape: [1, logits.length],
        quant: { scale: [1 / 256], zeroPoint: [-128] },
      },
    ],
    ops: [{ op: "SOFTMAX", inputs: [0], outputs: [1], options: { beta: 1 } }],
    inputs: [0],
    outputs: [1],
  });
  const ref = await loadReference(tail);
  t.deepEqual(
    [none, yes],
    Array.from(ref.run([new Uint8Array(logits.map((v) => v & 0xff))])[0] as Int8Array),
  );
  ref.dispose();
});

test("magic_wand recognises its ring and slope gestures and matches the reference", async (t) => {
  const model = fixture("tflite-micro/magic_wand/magic_wand.tflite");
  const inputs = [
    fixture("tflite-micro/magic_wand/ring_micro_features_data.f32.bin"),
    fixture("tflite-micro/magic_wand/slope_micro_features_data.f32.bin"),
  ];
  const run = await runModelSets(model, inputs, "rt1060");
  const ring = f32(run.inferences[0].outputs[0]);
  const slope = f32(run.inferences[1].outputs[0]);
  t.is(argmax(ring), 1);
  t.true(Math.abs(ring[1] - 0.8) < 0.02, `ring score ${ring[1]}`);
  t.is(argmax(slope), 2);
  t.true(Math.abs(slope[2] - 0.95) < 0.02, `slope score ${slope[2]}`);
  const ref = await loadReference(model);
  [ring, slope].forEach((got, s) => {
    const want = Array.from(ref.run([inputs[s]])[0] as Float32Array);
    got.forEach((v, k) =>
      t.true(Math.abs(v - want[k]) < 1e-5, `set ${s} output ${k}: ${v} vs ${want[k]}`),
    );
  });
  ref.dispose();
  const ops = opsOf(run.inferences[0].layers);
  t.true(ops.has(17) && ops.has(25), "uses MAX_POOL_2D and SOFTMAX");
});

for (const [name, file] of [
  ["KWS DS-CNN", "mlcommons-tiny/kws_ref_model.tflite"],
  ["VWW MobileNet", "mlcommons-tiny/vww_96_int8.tflite"],
]) {
  test(`MLPerf Tiny ${name} matches the reference within 1`, async (t) => {
    const model = fixture(file);
    const ref = await loadReference(model);
    const bytes = ref.inputs[0].shape.reduce((a, b) => a * b, 1);
    let s = 12345;
    const sets = [0, 1].map(() =>
      Uint8Array.from(
        { length: bytes },
        () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24,
      ),
    );
    const run = await runModelSets(model, sets, "rt1060");
    sets.forEach((set, k) => {
      const want = Array.from(ref.run([set])[0] as Int8Array);
      const got = i8(run.inferences[k].outputs[0]);
      t.is(got.length, want.length);
      got.forEach((v, j) =>
        t.true(Math.abs(v - want[j]) <= 1, `set ${k} output ${j}: ${v} vs ${want[j]}`),
      );
    });
    ref.dispose();
    const ops = opsOf(run.inferences[0].layers);
    for (const code of [1, 22, 25]) t.true(ops.has(code), `uses op ${code}`);
  });
}

test("hello_world_int8 gives the reference's outputs", async (t) => {
  const model = fixture("tflite-micro/hello_world_int8.tflite");
  const sets = [-96, -63, -34, 0].map((v) => new Uint8Array([v & 0xff])); // x = 0.77, 1.57, 2.3, 3.14
  const run = await runModelSets(model, sets, "rt1060");
  const ref = await loadReference(model);
  run.inferences.forEach((inf, k) =>
    t.is(i8(inf.outputs[0])[0], (ref.run([sets[k]])[0] as Int8Array)[0], `set ${k}`),
  );
  ref.dispose();
});
