// Layer by layer against an independent TFLite interpreter (@tensorflow/tfjs-tflite): each
// layer of each fixture model is run alone by both engines on the same input (what our
// engine computed up to that layer), and every output value must agree within 1. End to end
// the two drift further apart, because the reference's XNNPACK requantises in float and
// rounds about 0.2 % of values differently from TFLite Micro's integer arithmetic, which is
// what we implement (the TFLM goldens in engine.test.ts are matched bit for bit); a
// difference of 1 early on grows through a deep network.
import test from "ava";
import { readFileSync } from "node:fs";
import { runModelSets } from "../helpers/engine.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { prefix, singleLayer } from "../helpers/model-surgery.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(p, FIX)));
const i8 = (b: Uint8Array | ArrayBufferView) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);

const MODELS: [string, string][] = [
  ["tflite-micro/person_detect.tflite", "tflite-micro/no_person_image_data.i8.bin"],
  ["mlcommons-tiny/kws_ref_model.tflite", ""],
  ["mlcommons-tiny/vww_96_int8.tflite", ""],
  ["mlcommons-tiny/ad01_int8.tflite", ""],
];

function pseudoRandom(bytes: number, seed: number): Uint8Array {
  const b = new Uint8Array(bytes);
  let s = seed;
  for (let i = 0; i < bytes; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

for (const [file, inputFile] of MODELS) {
  test(`every layer of ${file} agrees with tfjs-tflite within 1 on its own input`, async (t) => {
    const model = fixture(file);
    const info = readModel(model);
    const first = info.tensors[info.inputs[0]];
    let input = inputFile ? fixture(inputFile) : pseudoRandom(first.byteSize, 7);
    const worst: string[] = [];
    for (let k = 0; k < info.operators.length; k++) {
      const layer = singleLayer(model, k);
      const ref = await loadReference(layer);
      const want = i8(ref.run([input])[0]);
      ref.dispose();
      const run = await runModelSets(layer, [input], "rt1060");
      const got = i8(run.inferences[0].outputs[0]);
      let max = 0,
        off = 0;
      for (let i = 0; i < got.length; i++) {
        const d = Math.abs(got[i] - want[i]);
        max = Math.max(max, d);
        if (d) off++;
      }
      t.true(max <= 1, `layer ${k} (${info.operators[k].opName}): max difference ${max}`);
      worst.push(`${k}:${info.operators[k].opName}=${off}/${got.length}`);
      // The next layer's input: what our engine computes up to this layer.
      if (
        k + 1 < info.operators.length &&
        info.operators[k + 1].inputs[0] === info.operators[k].outputs[0]
      )
        input = new Uint8Array(got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength));
      else if (k + 1 < info.operators.length)
        input = (
          await runModelSets(
            prefix(model, k),
            [inputFile ? fixture(inputFile) : pseudoRandom(first.byteSize, 7)],
            "rt1060",
          )
        ).inferences[0].outputs[0];
    }
    t.log(`values off by 1 per layer: ${worst.join(" ")}`);
  });
}
