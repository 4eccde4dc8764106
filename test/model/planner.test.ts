// The host arena planner: hand-made graphs pin the lifetime and placement rules; on every
// fixture model the plan is sound (no two tensors alive together overlap, checked pair by
// pair) and no smaller than the live-tensor lower bound; and it equals the firmware's plan.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { readModel, type TensorInfo, type TfliteModel } from "../../emulator/model/tflite-model.ts";
import { planArena, tensorLifetimes } from "../../emulator/model/planner.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { loadTarget } from "../../emulator/board.ts";

const FIXTURES = path.resolve("../shared/fixtures");
const load = (rel: string) => {
  const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, rel)));
  return { bytes, model: readModel(bytes, path.basename(rel)) };
};

/** A model made of plain objects: tensor byte sizes, constants and ops as (inputs, outputs). */
function graph(
  sizes: number[],
  ops: [number[], number[]][],
  inputs: number[],
  outputs: number[],
  constants: number[] = [],
): TfliteModel {
  const tensors: TensorInfo[] = sizes.map((byteSize, index) => ({
    index,
    name: `t${index}`,
    type: "int8",
    typeCode: 9,
    shape: [byteSize],
    isConstant: constants.includes(index),
    byteSize,
    buffer: constants.includes(index) ? 1 : 0,
    data: constants.includes(index) ? { offset: 0, length: byteSize } : null,
    quantization: null,
  }));
  const operators = ops.map(([ins, outs], index) => ({
    index,
    code: 0,
    opName: "ADD",
    customCode: null,
    inputs: ins,
    outputs: outs,
    options: null,
  }));
  return {
    name: "g",
    fileBytes: 0,
    version: 3,
    description: "",
    subgraphCount: 1,
    tensors,
    operators,
    inputs,
    outputs,
  };
}

test("lifetimes: producer to last consumer; inputs from 0, outputs to the end; constants and absent inputs skipped", (t) => {
  // t0 (input) -> op0 -> t1 -> op1 -> t2 (output); op0 also makes t3, never consumed; op1 reads t0 again.
  // t4 is a constant; t5 is only an output, produced by op0; -1 is an absent optional input.
  const g = graph(
    [8, 8, 8, 8, 8, 8],
    [
      [
        [0, 4, -1],
        [1, 3, 5],
      ],
      [[1, 0], [2]],
      [[2], [2]],
    ],
    [0],
    [2, 5],
    [4],
  );
  t.deepEqual(tensorLifetimes(g), [
    { first: 0, last: 1 },
    { first: 0, last: 1 },
    { first: 1, last: 2 },
    { first: 0, last: 0 },
    null,
    { first: 0, last: 2 },
  ]);
});

test("placement: largest first, at the lowest offset clear of every tensor alive at the same time", (t) => {
  // op0 makes t0 (64 B, read by op1) and t1 (32 B, read by op2); op1 makes t3 (16 B, read by op2);
  // op2 makes t2 (32 B, the output). t1 clashes with t0: 64. t2 clashes only with t1, so it takes
  // t0's old place: 0. t3 clashes with all three and jumps past each: 96.
  const g = graph(
    [64, 32, 32, 16],
    [
      [[], [0, 1]],
      [[0], [3]],
      [[1, 3], [2]],
    ],
    [],
    [2],
  );
  const p = planArena(g);
  t.deepEqual(p.offsets, [0, 64, 0, 96]);
  t.is(p.tensorBytes, 112);
  t.is(p.lowerBound, 112);
});

test("placement: equal sizes keep tensor order; sizes round up to 16; scratch adds the largest need", (t) => {
  // Three 5-byte tensors alive together take 16 B each, in index order.
  const g = graph([5, 5, 5], [[[], [0, 1, 2]]], [], [0, 1, 2]);
  const p = planArena(g, [10, 0, 100]);
  t.deepEqual(p.offsets, [0, 16, 32]);
  t.deepEqual(p.sizes, [16, 16, 16]);
  t.is(p.tensorBytes, 48);
  t.is(p.scratchBytes, 112);
  t.is(p.arenaBytes, 160);
});

test("placement: a small tensor drops below a larger one it clashes with when the space there is free", (t) => {
  // t0 64 B [0,1] at 0; t1 48 B [1,2] clashes: 64; t2 32 B [0,1] clashes with both: 112;
  // t3 16 B [2,2] clashes only with t1 (64..112) and fits below it: 0.
  const g = graph(
    [64, 48, 32, 16],
    [
      [[], [0, 2]],
      [[0, 2], [1]],
      [[1], [3]],
    ],
    [],
    [3],
  );
  const p = planArena(g);
  t.deepEqual(p.offsets, [0, 64, 112, 0]);
  t.is(p.tensorBytes, 144);
  t.is(p.lowerBound, 144);
});

const FIXTURE_MODELS = [
  "tflite-micro/hello_world_int8.tflite",
  "tflite-micro/hello_world_float.tflite",
  "tflite-micro/person_detect.tflite",
  "tflite-micro/micro_speech_quantized.tflite",
  "tflite-micro/magic_wand/magic_wand.tflite",
  "tflite-micro/network_tester/network_model.tflite",
  "mlcommons-tiny/kws_ref_model.tflite",
  "mlcommons-tiny/vww_96_int8.tflite",
  "mlcommons-tiny/ad01_int8.tflite",
];

// Tensor bytes and lower bound per fixture: a change here changes what the firmware allocates.
const FIGURES: Record<string, [number, number]> = {
  "hello_world_int8.tflite": [32, 32],
  "hello_world_float.tflite": [128, 128],
  "person_detect.tflite": [55296, 55296],
  "micro_speech_quantized.tflite": [5968, 5968],
  "magic_wand.tflite": [13824, 13824],
  "network_model.tflite": [1280, 1280],
  "kws_ref_model.tflite": [16000, 16000],
  "vww_96_int8.tflite": [64512, 55296],
  "ad01_int8.tflite": [768, 768],
};

test("every fixture: sound plan, at least the lower bound, figures as pinned", (t) => {
  for (const rel of FIXTURE_MODELS) {
    const { model } = load(rel);
    const p = planArena(model);
    const live = p.lifetimes.flatMap((l, i) => (l ? [i] : []));
    for (const i of live) {
      t.is(p.offsets[i] % 16, 0);
      t.true(p.offsets[i] + p.sizes[i] <= p.tensorBytes);
    }
    // Brute force: any two tensors alive during a common layer occupy disjoint bytes.
    let clashes = 0;
    for (const a of live) {
      for (const b of live) {
        if (a >= b) continue;
        const la = p.lifetimes[a]!,
          lb = p.lifetimes[b]!;
        const together = la.first <= lb.last && lb.first <= la.last;
        const overlap =
          p.offsets[a] < p.offsets[b] + p.sizes[b] && p.offsets[b] < p.offsets[a] + p.sizes[a];
        if (together && overlap) clashes++;
      }
    }
    t.is(clashes, 0, rel);
    t.true(p.arenaBytes >= p.lowerBound, rel);
    model.tensors.forEach((x, i) => {
      if (x.isConstant) t.is(p.offsets[i], -1);
    });
    t.deepEqual([p.tensorBytes, p.lowerBound], FIGURES[path.basename(rel)], rel);
    t.log(`${path.basename(rel)}: tensorBytes ${p.tensorBytes}, lowerBound ${p.lowerBound}`);
  }
});

// The firmware plans in AssemblyScript on the emulated board and reports its plan: the same offsets.
for (const rel of ["tflite-micro/hello_world_int8.tflite", "mlcommons-tiny/kws_ref_model.tflite"]) {
  test(`the firmware's plan of ${path.basename(rel)} equals the host's`, async (t) => {
    const { bytes, model } = load(rel);
    const inputBytes = model.inputs.reduce((n, i) => n + model.tensors[i].byteSize, 0);
    const run = await runModel(bytes, [new Uint8Array(inputBytes)], loadTarget("rt1060"), {
      name: rel,
    });
    const host = planArena(model);
    t.deepEqual(run.plan, host.offsets);
    t.is(run.arena.tensorBytes, host.tensorBytes);
  });
}
