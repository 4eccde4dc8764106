// int8 DIV, which TFLite's reference (tfjs-tflite) refuses ("Div only supports FLOAT32, INT32
// and quantized UINT8"), against the exact quotient of the dequantised inputs: TFLM's integer
// reciprocal arithmetic lands within one step of it. And the refusals of the math ops: int8
// EXP, LOG and SQRT (TFLM's kernels are float-only), L2_NORMALIZATION's fixed output scale,
// BATCH_MATMUL's inner dimensions, each naming the op and the reason in one line.
import test from "ava";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";
import { buildCase, data, int8, q, type OpCase } from "../helpers/op-compare.ts";
import { runModelSets } from "../helpers/engine.ts";

const I = "int8" as const,
  F = "float32" as const;

function divCase(act: string, zo: number): OpCase {
  // Divisor values avoid the zero point (a zero divisor is undefined in TFLM).
  const divisor = [-128, -77, -30, -9, -1, 1, 2, 5, 13, 40, 90, 127];
  return {
    name: "",
    op: "DIV",
    inputs: [{ type: I, shape: [3, 5, 12], quant: q(0.05, 4) }],
    consts: [int8([12], divisor, q(0.02, 0))],
    outputs: [{ type: I, shape: [3, 5, 12], quant: q(0.08, zo) }],
    options: { fused_activation_function: act },
  };
}

for (const [act, zo] of [
  ["NONE", -3],
  ["RELU", -128],
] as const) {
  test(`int8 DIV (${act}) is within 1 of the exact quotient`, async (t) => {
    const c = divCase(act, zo);
    const sets = [1, 2, 3].map((k) => data(I, c.inputs[0].shape, k * 31));
    const run = await runModelSets(writeTflite(buildCase(c)), sets, "rt1060");
    const divisor = new Int8Array(c.consts![0].data.buffer);
    let worst = 0,
      exact = 0,
      total = 0;
    sets.forEach((set, s) => {
      const a = new Int8Array(set.buffer, set.byteOffset, set.length);
      const got = new Int8Array(run.inferences[s].outputs[0].buffer);
      for (let i = 0; i < a.length; i++) {
        const real = ((a[i] - 4) * Math.fround(0.05)) / (divisor[i % 12] * Math.fround(0.02));
        let want = Math.round(real / Math.fround(0.08)) + zo;
        want = Math.max(act === "RELU" ? zo : -128, Math.min(127, want));
        worst = Math.max(worst, Math.abs(got[i] - want));
        total++;
        if (got[i] === want) exact++;
      }
    });
    t.log(`${exact}/${total} exact, worst difference ${worst}`);
    t.true(worst <= 1, `worst difference ${worst}`);
  });
}

const unary = (op: string, type: typeof I | typeof F, outQuant = q(0.1, 0)): OpCase => ({
  name: "",
  op,
  inputs: [{ type, shape: [1, 8], quant: type === I ? q(0.1, 0) : undefined }],
  outputs: [{ type, shape: [1, 8], quant: type === I ? outQuant : undefined }],
});

const refusals: [string, OpCase, RegExp][] = [
  ["int8 EXP", unary("EXP", I), /\(EXP\): int8 is not supported \(TFLM's EXP is float32 only\)/],
  ["int8 LOG", unary("LOG", I), /\(LOG\): int8 is not supported/],
  ["int8 SQRT", unary("SQRT", I), /\(SQRT\): int8 is not supported/],
  [
    "int8 L2_NORMALIZATION with an output scale other than 1/128",
    unary("L2_NORMALIZATION", I, q(0.01, 0)),
    /\(L2_NORMALIZATION\): int8 output must have scale 1\/128 and zero point 0/,
  ],
  [
    "BATCH_MATMUL whose inner dimensions differ",
    {
      name: "",
      op: "BATCH_MATMUL",
      inputs: [
        { type: F, shape: [2, 3] },
        { type: F, shape: [4, 5] },
      ],
      outputs: [{ type: F, shape: [2, 5] }],
    },
    /\(BATCH_MATMUL\): inner dimensions differ \(3 and 4\)/,
  ],
];

for (const [what, c, why] of refusals) {
  test(`refuses ${what} with a one-line reason naming the op`, async (t) => {
    const bytes = writeTflite(buildCase(c));
    const err = await t.throwsAsync(
      runModelSets(
        bytes,
        [Buffer.concat(c.inputs.map((x, i) => data(x.type, x.shape, i)))],
        "rt1060",
      ),
      { instanceOf: ModelRunError },
    );
    t.regex(err!.message, why);
    t.false(err!.message.includes("\n"));
  });
}
