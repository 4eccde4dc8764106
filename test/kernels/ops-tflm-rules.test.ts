// TFLM's acceptance rules where they are looser or different from ours used to be: LOGISTIC
// takes any int8 output scale with zero point -128 and computes at 1/256; an op without a
// kernel is named in the error, as is the reason an op refuses its input; `model ops` lists
// the kernels; `model inspect` says where each layer of a model runs on the MCX N947 and why.
import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { inspectModel } from "../../emulator/model/inspect.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";
import { SUPPORTED_OPS } from "../../emulator/model/supported-ops.ts";
import { buildCase, data, q, type OpCase } from "../helpers/op-compare.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const logistic = (outScale: number): OpCase => ({
  name: "logistic",
  op: "LOGISTIC",
  inputs: [{ type: "int8", shape: [1, 64], quant: q(0.06, 3) }],
  outputs: [{ type: "int8", shape: [1, 64], quant: q(outScale, -128) }],
});

test("int8 LOGISTIC with an output scale other than 1/256 runs, computed at 1/256 as TFLM", async (t) => {
  const input = data("int8", [1, 64], 7);
  const odd = await runModelSets(writeTflite(buildCase(logistic(0.01))), [input], "rt1060");
  const usual = await runModelSets(writeTflite(buildCase(logistic(1 / 256))), [input], "rt1060");
  t.deepEqual(odd.inferences[0].outputs[0], usual.inferences[0].outputs[0]);
  const ref = await loadReference(writeTflite(buildCase(logistic(1 / 256))));
  const want = ref.run([input])[0] as Int8Array;
  ref.dispose();
  const got = new Int8Array(odd.inferences[0].outputs[0].buffer);
  t.true(got.every((v, i) => Math.abs(v - want[i]) <= 1));
});

const refusals: [string, OpCase, RegExp][] = [
  [
    "an op without a kernel, by name",
    {
      name: "",
      op: "L2_POOL_2D",
      inputs: [{ type: "float32", shape: [1, 4, 4, 2] }],
      outputs: [{ type: "float32", shape: [1, 2, 2, 2] }],
      options: { filter_width: 2, filter_height: 2, stride_w: 2, stride_h: 2 },
    },
    /layer 0 \(L2_POOL_2D\): operator not supported/,
  ],
  [
    "int8 NEG (TFLM has none)",
    {
      name: "",
      op: "NEG",
      inputs: [{ type: "int8", shape: [4], quant: q(0.1, 0) }],
      outputs: [{ type: "int8", shape: [4], quant: q(0.1, 0) }],
    },
    /NEG\): int8 is not supported/,
  ],
  [
    "int8 PADV2 whose value has another quantisation",
    {
      name: "",
      op: "PADV2",
      inputs: [{ type: "int8", shape: [2, 2], quant: q(0.1, 0) }],
      consts: [
        {
          type: "int32",
          shape: [2, 2],
          data: new Uint8Array(Int32Array.from([1, 1, 1, 1]).buffer),
        },
        { type: "int8", shape: [], data: new Uint8Array([3]), quant: q(0.2, 0) },
      ],
      outputs: [{ type: "int8", shape: [4, 4], quant: q(0.1, 0) }],
    },
    /PADV2\): int8 constant_values must have the output's scale/,
  ],
  [
    "STRIDED_SLICE with an ellipsis mask",
    {
      name: "",
      op: "STRIDED_SLICE",
      inputs: [{ type: "float32", shape: [2, 3] }],
      consts: [0, 1, 2].map(() => ({
        type: "int32" as const,
        shape: [2],
        data: new Uint8Array(Int32Array.from([0, 1]).buffer),
      })),
      outputs: [{ type: "float32", shape: [2, 3] }],
      options: { ellipsis_mask: 1 },
    },
    /STRIDED_SLICE\): ellipsis_mask is not supported/,
  ],
  [
    "TRANSPOSE whose permutation repeats an axis",
    {
      name: "",
      op: "TRANSPOSE",
      inputs: [{ type: "float32", shape: [2, 3] }],
      consts: [{ type: "int32", shape: [2], data: new Uint8Array(Int32Array.from([0, 0]).buffer) }],
      outputs: [{ type: "float32", shape: [2, 3] }],
    },
    /TRANSPOSE\): permutation is not a permutation/,
  ],
  [
    "GATHER with an index past the axis",
    {
      name: "",
      op: "GATHER",
      inputs: [{ type: "float32", shape: [3, 2] }],
      consts: [{ type: "int32", shape: [1], data: new Uint8Array(Int32Array.from([3]).buffer) }],
      outputs: [{ type: "float32", shape: [1, 2] }],
    },
    /GATHER\): index 3 out of range/,
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

test("`model ops` lists every supported op with its types and the MCX N947's NPU ops", (t) => {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin/tinyboard.js"), "model", "ops", "--json"],
    { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
  );
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { ops: { op: string; int8: boolean; npu: string[] }[] };
  t.is(out.ops.length, SUPPORTED_OPS.length);
  t.deepEqual(out.ops.find((o) => o.op === "CONV_2D")?.npu, ["mcxn947"]);
  t.deepEqual(out.ops.find((o) => o.op === "PADV2")?.npu, []);
});

test("`model inspect` on the MCX N947 says which layers stay on the CPU and why", (t) => {
  const c: OpCase = {
    name: "",
    op: "SUB",
    inputs: [
      { type: "int8", shape: [1, 8], quant: q(0.1, 0) },
      { type: "int8", shape: [1, 8], quant: q(0.1, 0) },
    ],
    outputs: [{ type: "int8", shape: [1, 8], quant: q(0.1, 0) }],
  };
  const sub = inspectModel(readModel(writeTflite(buildCase(c)), "sub.tflite"), {
    board: "mcxn947",
  });
  t.regex(sub.layers[0].placement, /^cpu: SUB is not in the .*op list/);
  const addModel = inspectModel(
    readModel(writeTflite(buildCase({ ...c, op: "ADD" })), "add.tflite"),
    { board: "mcxn947" },
  );
  t.is(addModel.layers[0].placement, "npu");
  const svdfLike = inspectModel(
    readModel(
      writeTflite(
        buildCase({
          ...c,
          op: "L2_POOL_2D",
          inputs: [{ type: "float32", shape: [1, 2, 2, 1] }],
          outputs: [{ type: "float32", shape: [1, 1, 1, 1] }],
          options: { filter_width: 2, filter_height: 2 },
        }),
      ),
      "l2.tflite",
    ),
  );
  t.regex(svdfLike.layers[0].placement, /unsupported: the engine has no L2_POOL_2D kernel/);
});
