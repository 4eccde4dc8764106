// int8 LOG_SOFTMAX against TFLite's reference (tfjs-tflite), single-op models from our writer
// over three input sets: output scale 16/256 and zero point 127 (TFLM's rule), exactly; and
// the refusal of any other output quantisation, naming the op and the reason.
import test from "ava";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";
import { buildCase, compareCase, data, q, type OpCase } from "../helpers/op-compare.ts";
import { runModelSets } from "../helpers/engine.ts";

const I = "int8" as const;
const logSoftmax = (
  shape: number[],
  scale: number,
  zp: number,
  out = q(16 / 256, 127),
): OpCase => ({
  name: `int8 LOG_SOFTMAX ${shape.join("x")}, input scale ${scale}, zero point ${zp}`,
  op: "LOG_SOFTMAX",
  inputs: [{ type: I, shape, quant: q(scale, zp) }],
  outputs: [{ type: I, shape, quant: out }],
});

for (const c of [
  logSoftmax([1, 10], 0.1, 0),
  logSoftmax([4, 33], 0.05, -7),
  logSoftmax([2, 3, 64], 0.2, 12),
  logSoftmax([3, 5], 0.02, -128),
]) {
  test(`${c.name} equals TFLite`, async (t) => {
    const r = await compareCase(c);
    t.log(`${r.exact}/${r.total} exact, worst difference ${r.worst}`);
    // TFLM's arithmetic is all integer and the reference computes it the same way: exact.
    t.is(r.worst, 0, `worst difference ${r.worst}`);
  });
}

test("refuses int8 LOG_SOFTMAX whose output is not scale 16/256, zero point 127, naming the op", async (t) => {
  const c = logSoftmax([1, 8], 0.1, 0, q(1 / 256, -128));
  const err = await t.throwsAsync(
    runModelSets(writeTflite(buildCase(c)), [data(I, [1, 8], 1)], "rt1060"),
    { instanceOf: ModelRunError },
  );
  t.regex(err!.message, /\(LOG_SOFTMAX\): int8 output must have scale 16\/256 and zero point 127/);
  t.false(err!.message.includes("\n"));
});
