// The float reference (tfjs-core over dequantized weights) against known answers: hello_world's
// int8 model in float estimates sin(x); person_detect in float finds the person; the engine's
// int8 outputs sit close to their float counterparts.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { FloatReference, FloatReferenceError } from "../../emulator/debug/float-reference.ts";
import { runModel } from "../helpers/engine.ts";
import { ROOT } from "../faults/helpers.ts";

const FIX = path.join(ROOT, "../shared/fixtures/tflite-micro");
const read = (f: string) => new Uint8Array(readFileSync(path.join(FIX, f)));

test("hello_world_int8 in float: sin(x) within 0.06 at TFLM's test points", async (t) => {
  const bytes = read("hello_world_int8.tflite");
  const model = readModel(bytes);
  const inQ = model.tensors[model.inputs[0]].quantization!;
  for (const x of [0.77, 1.57, 2.3, 3.14]) {
    const q = Math.round(x / inQ.scale[0]) + inQ.zeroPoint[0];
    const ref = await FloatReference.run(model, bytes, [Int8Array.of(q) as unknown as Uint8Array]);
    const y = ref.value(model.outputs[0])![0];
    t.true(Math.abs(y - Math.sin(x)) < 0.06, `x=${x}: ${y} vs ${Math.sin(x)}`);
  }
});

test("person_detect in float finds the person; the engine's int8 output is within 40 dB of it", async (t) => {
  const bytes = read("person_detect.tflite");
  const model = readModel(bytes);
  const image = read("person_image_data.i8.bin");
  const ref = await FloatReference.run(model, bytes, [image]);
  const [noPerson, person] = ref.value(model.outputs[0])!;
  t.true(person > 0.8 && noPerson < 0.2, `float scores ${noPerson}, ${person}`);
  // Every activation the graph computes has a value; constants do not.
  for (const op of model.operators) t.truthy(ref.value(op.outputs[0]), `layer ${op.index}`);
  const engine = await runModel(bytes, [image]);
  const d = ref.diff(model.tensors[model.outputs[0]], engine.outputs[0]);
  t.true(d.snrDb > 40, `output SNR ${d.snrDb} dB`);
  t.throws(() => ref.diff(model.tensors[0], new Uint8Array(72)), {
    instanceOf: FloatReferenceError,
    message: /constant/,
  });
});
