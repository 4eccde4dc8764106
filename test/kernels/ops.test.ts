// The non-convolution kernels against TFLite (tfjs-tflite's wasm runtime) on the single-op
// models of op-models, int8 and float32, on rt1060: int8 within 1 (TFLite's XNNPACK and
// lookup-table kernels may round differently from TFLM's integer reference), float32 within
// 1e-5 relative (absolute below 1). Exact-match rates per op are logged.
import test from "ava";
import { opModels, type OpModel } from "../helpers/op-models.ts";
import { loadReference, type ReferenceOutput } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";

const CONV_OPS = new Set(["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]);
const MODELS = opModels().filter((m) => !CONV_OPS.has(m.op));

/** A set's bytes split into the model's inputs. */
function split(m: OpModel, set: Uint8Array): Uint8Array[] {
  let at = 0;
  return m.inputBytes.map((n) => set.subarray(at, (at += n)));
}

interface Tally {
  exact: number;
  offByOne: number;
  total: number;
  worstRel: number;
}
const tallies = new Map<string, Tally>();

function tally(key: string): Tally {
  let t = tallies.get(key);
  if (!t) tallies.set(key, (t = { exact: 0, offByOne: 0, total: 0, worstRel: 0 }));
  return t;
}

/** Float error relative to the value, absolute below 1: the inputs are of order 1, so a mean
 *  or average near 0 is a cancellation whose last-bit differences (XNNPACK sums in another
 *  order and multiplies by 1/count) are of order 1e-8 absolute, not relative. */
const relErr = (got: number, want: number) => Math.abs(got - want) / Math.max(Math.abs(want), 1);

for (const m of MODELS) {
  test(`${m.name} matches the TFLite reference`, async (t) => {
    const ref = await loadReference(m.bytes);
    const run = await runModelSets(m.bytes, m.inputs, "rt1060");
    const outType = m.model.tensors[m.model.outputs[0]].type;
    const key = `${outType === "float32" ? "float32" : "int8"} ${m.op}`;
    const acc = tally(key);
    try {
      for (let s = 0; s < m.inputs.length; s++) {
        const want: ReferenceOutput = ref.run(split(m, m.inputs[s]))[0];
        const got = run.inferences[s].outputs[0];
        t.is(got.byteLength, want.byteLength, `set ${s}: output bytes`);
        if (outType === "float32") {
          const g = new Float32Array(got.buffer, got.byteOffset, got.byteLength / 4);
          let worst = 0;
          for (let k = 0; k < g.length; k++)
            worst = Math.max(worst, relErr(g[k], want[k] as number));
          acc.worstRel = Math.max(acc.worstRel, worst);
          for (let k = 0; k < g.length; k++) {
            acc.total++;
            if (g[k] === want[k]) acc.exact++;
          }
          t.true(worst <= 1e-5, `set ${s}: worst relative error ${worst}`);
        } else {
          const g = new Int8Array(got.buffer, got.byteOffset, got.byteLength);
          let bad = 0;
          for (let k = 0; k < g.length; k++) {
            const d = Math.abs(g[k] - (want[k] as number));
            acc.total++;
            if (d === 0) acc.exact++;
            else if (d === 1) acc.offByOne++;
            else bad++;
          }
          t.is(bad, 0, `set ${s}: ${bad} outputs differ by more than 1`);
        }
      }
    } finally {
      ref.dispose();
    }
  });
}

test.after.always("exact-match rates per op", () => {
  for (const [key, v] of [...tallies].sort()) {
    const rate = v.total ? ((100 * v.exact) / v.total).toFixed(1) : "-";
    const extra = key.startsWith("float32")
      ? `worst relative error ${v.worstRel.toExponential(2)}`
      : `${v.offByOne} off by one`;
    console.log(`  ${key}: ${v.exact}/${v.total} exact (${rate}%), ${extra}`);
  }
});
