// The reference interpreter (TFLite's wasm build from @tensorflow/tfjs-tflite, run in Node)
// against the fixtures' published results, so differential tests can trust it.
import test from "ava";
import { readFileSync } from "node:fs";
import {
  loadReference,
  timeReference,
  fixQuantizedDimensions,
} from "../helpers/tflite-reference.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(p, FIX)));

test("person_detect: person and no-person images give TFLite's scores (within 1)", async (t) => {
  const ref = await loadReference(fixture("tflite-micro/person_detect.tflite"));
  t.deepEqual(ref.inputs, [{ name: "input", shape: [1, 96, 96, 1], dtype: "int8" }]);
  t.deepEqual(
    ref.outputs.map((o) => [o.shape, o.dtype]),
    [[[1, 2], "int8"]],
  );
  const person = ref.run([fixture("tflite-micro/person_image_data.i8.bin")])[0] as Int8Array;
  const noPerson = ref.run([fixture("tflite-micro/no_person_image_data.i8.bin")])[0] as Int8Array;
  t.log(`person [${person}], no person [${noPerson}]`);
  t.true(person[1] > person[0]);
  t.true(noPerson[0] > noPerson[1]);
  [-113, 113].forEach((v, i) => t.true(Math.abs(person[i] - v) <= 1));
  [60, -60].forEach((v, i) => t.true(Math.abs(noPerson[i] - v) <= 1));
  ref.dispose();
});

test("person_detect's rank-1 biases with quantized_dimension 3 are patched only in a copy", (t) => {
  const original = fixture("tflite-micro/person_detect.tflite");
  const before = original.slice();
  const fixed = fixQuantizedDimensions(original);
  t.not(fixed, original);
  t.deepEqual(original, before);
  const m = readModel(fixed);
  t.true(
    m.tensors.every(
      (x) =>
        !x.quantization || x.quantization.storedQuantizedDimension < Math.max(x.shape.length, 1),
    ),
  );
  // A well-formed model comes back as the same array.
  const vww = fixture("mlcommons-tiny/vww_96_int8.tflite");
  t.is(fixQuantizedDimensions(vww), vww);
});

test("hello_world_int8: dequantized outputs are within 0.05 of sin(x)", async (t) => {
  const bytes = fixture("tflite-micro/hello_world_int8.tflite");
  const info = readModel(bytes);
  const q = info.tensors[info.outputs[0]].quantization!;
  const ref = await loadReference(bytes);
  const cases: [number, number][] = [
    [-96, 0.77],
    [-63, 1.57],
    [-34, 2.3],
    [0, 3.14],
  ];
  for (const [input, x] of cases) {
    const out = (ref.run([new Int8Array([input])])[0] as Int8Array)[0];
    const y = (out - q.zeroPoint[0]) * q.scale[0];
    t.log(`in ${input} -> ${out} = ${y.toFixed(3)}, sin(${x}) = ${Math.sin(x).toFixed(3)}`);
    t.true(Math.abs(y - Math.sin(x)) < 0.05);
  }
  ref.dispose();
});

test("magic_wand (float32): ring -> 1, slope -> 2", async (t) => {
  const ref = await loadReference(fixture("tflite-micro/magic_wand/magic_wand.tflite"));
  t.is(ref.inputs[0].dtype, "float32");
  const argmax = (a: ArrayLike<number>) =>
    Array.from(a).reduce((b, v, i, all) => (v > all[b] ? i : b), 0);
  const ring = ref.run([
    fixture("tflite-micro/magic_wand/ring_micro_features_data.f32.bin"),
  ])[0] as Float32Array;
  const slope = ref.run([
    fixture("tflite-micro/magic_wand/slope_micro_features_data.f32.bin"),
  ])[0] as Float32Array;
  t.true(ring instanceof Float32Array);
  t.is(argmax(ring), 1);
  t.is(argmax(slope), 2);
  t.true(Math.abs(ring[1] - 0.8) < 0.02 && Math.abs(slope[2] - 0.95) < 0.02);
  ref.dispose();
});

test("network_tester: within 1 of TFLM's expected output (XNNPACK rounds differently)", async (t) => {
  const ref = await loadReference(fixture("tflite-micro/network_tester/network_model.tflite"));
  const out = ref.run([fixture("tflite-micro/network_tester/input_data.bin")])[0] as Int8Array;
  const want = new Int8Array(
    fixture("tflite-micro/network_tester/expected_output_data.bin").buffer,
  );
  t.is(out.length, want.length);
  let differ = 0;
  for (let i = 0; i < want.length; i++) {
    t.true(Math.abs(out[i] - want[i]) <= 1);
    if (out[i] !== want[i]) differ++;
  }
  t.log(`${differ} of ${want.length} bytes differ by 1`);
  ref.dispose();
});

test("MLPerf Tiny models load and run; runs are deterministic", async (t) => {
  for (const [file, inShape, outShape] of [
    ["vww_96_int8", [1, 96, 96, 3], [1, 2]],
    ["kws_ref_model", [1, 49, 10, 1], [1, 12]],
    ["ad01_int8", [1, 640], [1, 640]],
  ] as [string, number[], number[]][]) {
    const bytes = fixture(`mlcommons-tiny/${file}.tflite`);
    const ref = await loadReference(bytes);
    t.deepEqual(
      ref.inputs.map((i) => [i.shape, i.dtype]),
      [[inShape, "int8"]],
      file,
    );
    t.deepEqual(
      ref.outputs.map((o) => [o.shape, o.dtype]),
      [[outShape, "int8"]],
      file,
    );
    const input = new Int8Array(inShape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < input.length; i++) input[i] = ((i * 37) % 256) - 128;
    const a = ref.run([input])[0];
    const b = ref.run([input])[0];
    t.true(a instanceof Int8Array, file);
    t.deepEqual(a, b, file);
    t.is(
      a.length,
      outShape.reduce((x, y) => x * y, 1),
      file,
    );
    ref.dispose();
    if (file === "vww_96_int8")
      t.log(`vww_96_int8: ${(await timeReference(bytes, input, 20)).toFixed(2)} ms per inference`);
  }
});

test("wrong input sizes and counts are refused", async (t) => {
  const ref = await loadReference(fixture("tflite-micro/hello_world_int8.tflite"));
  t.throws(() => ref.run([new Int8Array(2)]), { message: /takes 1 bytes, got 2/ });
  t.throws(() => ref.run([]), { message: /takes 1 inputs/ });
  ref.dispose();
  t.throws(() => ref.run([new Int8Array(1)]), { message: /disposed/ });
  await t.throwsAsync(loadReference(new Uint8Array(64)), { message: /tflite-reference/ });
});

test("a truncated model is an error from loadReference, not a crash", async (t) => {
  const bytes = fixture("tflite-micro/hello_world_int8.tflite").subarray(0, 300);
  await t.throwsAsync(loadReference(bytes), { message: /tflite-reference/ });
});
