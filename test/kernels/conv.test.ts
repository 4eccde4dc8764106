// The convolution kernels against TFLite (tfjs-tflite's wasm runtime) on single-op models,
// and against TFLite Micro's own expected output for its network_tester fixture.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runProbe } from "./probe.ts";
import { CASES, buildCase, randomInput } from "./conv-models.ts";
import { opModels } from "../helpers/op-models.ts";
import { runModelSets } from "../helpers/engine.ts";

const FIXTURES = path.join(PROJECT_ROOT, "..", "shared", "fixtures");

test("TFLM network_tester: int8 DEPTHWISE_CONV_2D output is exact", async (t) => {
  const dir = path.join(FIXTURES, "tflite-micro", "network_tester");
  const model = new Uint8Array(readFileSync(path.join(dir, "network_model.tflite")));
  const run = await runProbe(model, [
    new Uint8Array(readFileSync(path.join(dir, "input_data.bin"))),
  ]);
  t.deepEqual(
    Buffer.from(run.outputs[0][0]),
    readFileSync(path.join(dir, "expected_output_data.bin")),
  );
});

test("single-op models match the TFLite reference (int8 within 1, float within 1e-4 relative)", async (t) => {
  let exact = 0,
    offByOne = 0,
    total = 0;
  for (const [i, c] of CASES.entries()) {
    const model = buildCase(c, 100 + i);
    const sets = [randomInput(c, i), randomInput(c, i + 1000)];
    const ref = await loadReference(buildCase(c, 100 + i, true));
    const run = await runProbe(model, sets);
    for (let s = 0; s < sets.length; s++) {
      const want = ref.run([sets[s]])[0];
      const got = run.outputs[s][0];
      if (c.float) {
        const g = new Float32Array(got.buffer, got.byteOffset, got.byteLength / 4);
        let worst = 0;
        for (let k = 0; k < g.length; k++)
          worst = Math.max(
            worst,
            Math.abs(g[k] - (want[k] as number)) / Math.max(1, Math.abs(want[k] as number)),
          );
        t.true(worst <= 1e-4, `${c.name}: float error ${worst}`);
      } else {
        const g = new Int8Array(got.buffer, got.byteOffset, got.byteLength);
        let bad = 0;
        for (let k = 0; k < g.length; k++) {
          const d = Math.abs(g[k] - (want[k] as number));
          total++;
          if (d === 0) exact++;
          else if (d === 1) offByOne++;
          else bad++;
        }
        t.is(bad, 0, `${c.name}: ${bad} outputs differ by more than 1`);
        if (process.env.KERNEL_TEST_VERBOSE && bad + offByOne > 0)
          t.log(c.name, "running off-by-one count", offByOne);
        t.is(g.length, want.length);
      }
    }
    ref.dispose();
  }
  t.log(`int8: ${exact}/${total} exact, ${offByOne} off by one`);
});

test("engine on rt1060: every CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED op model matches the reference", async (t) => {
  const models = opModels().filter(
    (m) => m.op === "CONV_2D" || m.op === "DEPTHWISE_CONV_2D" || m.op === "FULLY_CONNECTED",
  );
  t.true(models.length >= 20);
  let exact = 0,
    offByOne = 0,
    total = 0;
  for (const m of models) {
    const ref = await loadReference(m.bytes);
    const run = await runModelSets(m.bytes, m.inputs, "rt1060");
    m.inputs.forEach((set, s) => {
      const want = ref.run([set])[0];
      const got = run.inferences[s].outputs[0];
      if (want instanceof Float32Array) {
        const g = new Float32Array(
          got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength),
        );
        let worst = 0;
        for (let k = 0; k < g.length; k++)
          worst = Math.max(worst, Math.abs(g[k] - want[k]) / Math.max(1, Math.abs(want[k])));
        t.true(worst <= 1e-4, `${m.name}: float error ${worst}`);
      } else {
        const g = new Int8Array(got.buffer, got.byteOffset, got.byteLength);
        t.is(g.length, want.length, m.name);
        let bad = 0;
        for (let k = 0; k < g.length; k++) {
          const d = Math.abs(g[k] - (want[k] as number));
          total++;
          if (d === 0) exact++;
          else if (d === 1) offByOne++;
          else bad++;
        }
        t.is(bad, 0, `${m.name}: ${bad} outputs differ by more than 1`);
      }
    });
    ref.dispose();
  }
  t.log(`op models, int8: ${exact}/${total} exact, ${offByOne} off by one`);
});
