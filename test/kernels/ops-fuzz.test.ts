// Odd single-op models for the non-convolution kernels: the op-models descriptions (and the
// issue-18 operators' cases) with
// shapes, options, quantisation and types perturbed (zero, negative and huge values,
// mismatched ranks, missing inputs), written as valid flatbuffers. Each must be refused by a
// kernel's prepare with a one-line reason, or run; a firmware fault (trap) fails the test.
import test from "ava";
import { loadTarget } from "../../emulator/board.ts";
import { runModel, ModelRunError } from "../../emulator/model/runner.ts";
import {
  writeTflite,
  TENSOR_TYPES,
  type WriterModel,
  type WriterTensor,
} from "../../emulator/model/tflite-writer.ts";
import { opModels } from "../helpers/op-models.ts";
import { buildCase } from "../helpers/op-compare.ts";
import { tflmOpCases } from "../helpers/tflm-op-cases.ts";
import { int8SvdfModel, svdfModel, type Int8Svdf } from "../helpers/svdf-models.ts";
import { SvdfReference } from "../helpers/svdf-reference.ts";
import { data } from "../helpers/op-compare.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { runModelSets } from "../helpers/engine.ts";

const COUNT = Number(process.env.OPS_FUZZ_COUNT ?? 12);
// The issue-18 cases are many (about 150): fewer variants each by default.
const COUNT_TFLM = Number(process.env.OPS_FUZZ_COUNT_TFLM ?? 2);
/** Random SVDF configurations compared with TFLite, of each type. */
const COUNT_SVDF = Number(process.env.OPS_FUZZ_COUNT_SVDF ?? 6);
const CONV_OPS = new Set(["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 2 ** 32;
  };
}

/** A float32 and an int8 SVDF to perturb (SVDF is not among the op-models descriptions). */
function svdfBases(): { name: string; model: WriterModel }[] {
  const shape = { batches: 2, inputSize: 6, units: 3, rank: 2, memory: 4, bias: true };
  return [
    { name: "SVDF float32", model: svdfModel({ ...shape, act: "RELU" }) },
    {
      name: "SVDF int8",
      model: int8SvdfModel({
        ...shape,
        act: "RELU",
        inputZero: 3,
        outputZero: -5,
        stateScale: 0.004,
        outputScale: 0.1,
      }),
    },
  ];
}

const ODD = [0, 1, 2, 3, -1, -7, 255, 1 << 20, -(1 << 30), 0x7fffffff];
const ODD_F = [0, -1, 1e-30, 1e30, 1 / 256, 0.5, 7, Number.NaN];

/** One random change to a copy of the model description. */
function mutate(model: WriterModel, rand: () => number): WriterModel {
  const m: WriterModel = structuredClone(model);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const op = m.ops[0];
  const t: WriterTensor = pick(m.tensors);
  switch (Math.floor(rand() * 7)) {
    case 0: {
      // a dimension changed
      if (t.shape.length && !t.data)
        t.shape[Math.floor(rand() * t.shape.length)] = pick([0, 1, 2, 3, 5, 64]);
      break;
    }
    case 1: // rank changed
      if (!t.data) t.shape = rand() < 0.5 ? t.shape.slice(1) : [1, ...t.shape];
      break;
    case 2: {
      // an option changed
      const keys = Object.keys(op.options ?? {});
      const names = [
        ...keys,
        "axis",
        "stride_w",
        "filter_height",
        "keep_dims",
        "beta",
        "fused_activation_function",
      ];
      op.options = {
        ...(op.options ?? {}),
        [pick(names)]: pick([...ODD, ...ODD_F, "RELU6", "TANH"]),
      };
      break;
    }
    case 3: // quantisation changed
      if (t.type !== "float32")
        t.quant = { scale: [pick(ODD_F)], zeroPoint: [pick([-128, 127, 300, -1000, 0])] };
      break;
    case 4: // element type changed
      if (!t.data) t.type = pick(["int8", "float32", "int32", "int16", "uint8"]);
      break;
    case 5: // a constant's values changed (axes, paddings)
      if (t.data && t.type === "int32") {
        const v = new Int32Array(
          t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength),
        );
        v[Math.floor(rand() * v.length)] = pick(ODD);
        t.data = new Uint8Array(v.buffer);
      }
      break;
    default: // an input dropped or marked absent
      if (op.inputs.length > 1 && rand() < 0.5) op.inputs = op.inputs.slice(0, -1);
      else op.inputs[Math.floor(rand() * op.inputs.length)] = -1;
  }
  m.inputs = m.inputs.filter((i) => op.inputs.includes(i));
  return m;
}

const inputBytes = (m: WriterModel) =>
  m.inputs.reduce((a, i) => {
    const t = m.tensors[i];
    return a + t.shape.reduce((x, y) => x * y, 1) * TENSOR_TYPES[t.type].bytes;
  }, 0);

test(`${COUNT} odd variants of each non-convolution op model (${COUNT_TFLM} of each issue-18 case) are refused or run, never trap`, async (t) => {
  const target = loadTarget("rt1060");
  const models: { name: string; model: WriterModel; count: number }[] = [
    ...opModels()
      .filter((m) => !CONV_OPS.has(m.op))
      .map((m) => ({ ...m, count: COUNT })),
    ...tflmOpCases().map((c) => ({ name: c.name, model: buildCase(c), count: COUNT_TFLM })),
    ...svdfBases().map((b) => ({ ...b, count: COUNT })),
  ];
  const rand = rng(20240601);
  const tally = { ran: 0, refused: 0, unwritable: 0 };
  const reasons = new Map<string, number>();
  for (const base of models) {
    for (let i = 0; i < base.count; i++) {
      const variant = mutate(base.model, rand);
      let bytes: Uint8Array;
      try {
        bytes = writeTflite(variant);
      } catch {
        tally.unwritable++;
        continue;
      }
      const n = inputBytes(variant);
      const input = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      try {
        await runModel(bytes, [input], target, {
          maxBusyCycles: 50_000_000,
          name: `${base.name} variant ${i}`,
        });
        tally.ran++;
      } catch (e) {
        if (!(e instanceof ModelRunError)) throw e;
        if (e.fault) {
          t.fail(e.message);
          continue;
        }
        tally.refused++;
        t.false(e.message.includes("\n"), e.message);
        const reason = e.message
          .replace(/^.*variant \d+: /, "")
          .replace(/\d+/g, "N")
          .slice(0, 70);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
  }
  t.log(
    `${JSON.stringify(tally)}; top refusals: ${[...reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([r, k]) => `${k}x ${r}`)
      .join(" | ")}`,
  );
  t.true(tally.ran > 0 && tally.refused > 0);
});

/**
 * A random SVDF: batches, input size, units, rank, memory, bias, activation and (int8) zero
 * points; the int8 state and output scales follow the expected spread of the feature and time
 * dot products (input bytes uniform: spread ~74 steps x 0.05; feature weights ~73 x 0.01;
 * time weights ~1155 x 0.0005), times a random factor of 1/3 to 3, so some clamp and most
 * do not.
 */
function randomSvdf(rand: () => number, seed: number): Int8Svdf {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const s = {
    batches: int(1, 3),
    inputSize: int(1, 48),
    units: int(1, 20),
    rank: int(1, 3),
    memory: int(1, 12),
    bias: rand() < 0.7,
    act: ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"][int(0, 3)],
    seed,
  };
  const factor = () => Math.exp((rand() * 2 - 1) * Math.log(3));
  const feature = 74 * 0.05 * 73 * 0.01 * Math.sqrt(s.inputSize);
  const output = feature * 1155 * 0.0005 * Math.sqrt(s.memory * s.rank);
  return {
    ...s,
    inputZero: int(-128, 127),
    outputZero: int(-100, 100),
    stateScale: Math.fround(((4 * feature) / 32767) * factor()),
    outputScale: Math.fround(((3 * output) / 127) * factor()),
  };
}

test(`${COUNT_SVDF} random float32 and ${COUNT_SVDF} random int8 SVDF configurations match TFLite over 5 invocations`, async (t) => {
  const rand = rng(20261204);
  const summary: string[] = [];
  for (let k = 0; k < 2 * COUNT_SVDF; k++) {
    const float = k < COUNT_SVDF;
    // TFLite's integer SVDF insists on a fused RELU (and, like TFLM's, does not apply it)
    const s = { ...randomSvdf(rand, 100 + k), ...(float ? {} : { act: "RELU" }) };
    const model = float ? svdfModel(s) : int8SvdfModel(s);
    const bytes = writeTflite(model);
    const type = float ? "float32" : "int8";
    const sets = [1, 2, 3, 4, 5].map((i) => data(type, [s.batches, s.inputSize], k * 10 + i, 2));
    const name = `${type} batch ${s.batches}, input ${s.inputSize}, ${s.units} units, rank ${s.rank}, memory ${s.memory}${s.bias ? ", bias" : ""}, ${s.act}`;
    const run = await runModelSets(bytes, sets, "rt1060");
    const ref = await loadReference(bytes);
    let worst = 0,
      clamped = 0,
      total = 0;
    try {
      sets.forEach((set, i) => {
        const want = ref.run([set])[0];
        const out = run.inferences[i].outputs[0];
        const got = float
          ? new Float32Array(out.buffer, out.byteOffset, out.byteLength / 4)
          : new Int8Array(out.buffer, out.byteOffset, out.byteLength);
        t.is(got.length, want.length, name);
        for (let j = 0; j < got.length; j++) {
          const d = Math.abs(got[j] - want[j]);
          worst = Math.max(worst, float ? d / Math.max(Math.abs(want[j]), 1) : d);
          total++;
          if (!float && (want[j] === 127 || want[j] === -128)) clamped++;
        }
      });
    } finally {
      ref.dispose();
    }
    summary.push(
      `${name}: worst ${float ? worst.toExponential(1) : worst}${float ? "" : `, ${clamped}/${total} clamped`}`,
    );
    // int8: TFLM's integer arithmetic, which TFLite's shares: exact
    t.true(worst <= (float ? 1e-5 : 0), `${name}: worst difference ${worst}`);
    if (!float) t.true(clamped < total, `${name}: every output clamped`);
  }
  t.log(summary.join("\n"));
});

test(`${COUNT_SVDF} random int8 SVDF configurations with int8 time weights and state and a state zero point follow TFLM's arithmetic over 5 invocations`, async (t) => {
  // TFLite's runtime has no such SVDF: TFLM's integer SVDF written again in TypeScript is the reference
  const rand = rng(20261205);
  const summary: string[] = [];
  for (let k = 0; k < COUNT_SVDF; k++) {
    const base = randomSvdf(rand, 200 + k);
    // the int8 state holds 1/258 of the int16 one's range: its scale grows to match; int8
    // time weights (to 127 at 0.008) have the int16 ones' real spread, so the output scale stays
    const s = {
      ...base,
      stateType: "int8" as const,
      stateZero: Math.floor(rand() * 161) - 80,
      stateScale: Math.fround((base.stateScale * 32767) / 127),
    };
    const model = int8SvdfModel(s);
    const sets = [1, 2, 3, 4, 5].map((i) => data("int8", [s.batches, s.inputSize], k * 10 + i));
    const run = await runModelSets(writeTflite(model), sets, "rt1060");
    const ref = new SvdfReference(model);
    let differ = 0;
    const seen = new Set<number>();
    sets.forEach((set, i) => {
      const out = run.inferences[i].outputs[0];
      const got = new Int8Array(out.buffer, out.byteOffset, out.byteLength);
      const want = ref.invoke(new Int8Array(set.buffer, set.byteOffset, set.byteLength));
      for (let j = 0; j < want.length; j++) {
        if (got[j] !== want[j]) differ++;
        seen.add(want[j]);
      }
    });
    const name = `batch ${s.batches}, input ${s.inputSize}, ${s.units} units, rank ${s.rank}, memory ${s.memory}${s.bias ? ", bias" : ""}, state zero point ${s.stateZero}`;
    summary.push(
      `${name}: ${differ} outputs differ, ${seen.size} distinct values, ${ref.stateClamps} state values clamped`,
    );
    t.is(differ, 0, name);
  }
  t.log(summary.join("\n"));
});
