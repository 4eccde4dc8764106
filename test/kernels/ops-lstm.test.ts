// int8 UNIDIRECTIONAL_SEQUENCE_LSTM: TFLM's DTLN noise-suppression example bit for bit against
// TFLM's golden output, the kernel against TFLM's integer LSTM written again in TypeScript
// (test/helpers/lstm-reference.ts) over sequences of frames with the state carried (DTLN's two
// layers and random single-layer models), and against TFLite's own runtime (tfjs-tflite)
// where that runtime follows the same arithmetic: a hidden state with zero point 0 and gate
// inputs that stay inside int16, within 1 step (see docs/ops.md for why not exactly).
import test from "ava";
import { readFileSync } from "node:fs";
import { runModelSets } from "../helpers/engine.ts";
import { prefix } from "../helpers/model-surgery.ts";
import { LstmReference, sigmoidTable } from "../helpers/lstm-reference.ts";
import { lstmModel, type LstmShape } from "../helpers/lstm-models.ts";
import { loadReference } from "../helpers/tflite-reference.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { writeTflite, type WriterModel } from "../../emulator/model/tflite-writer.ts";
import { ModelRunError } from "../../emulator/model/runner.ts";

const FIX = new URL("../../../shared/fixtures/tflite-micro/dtln/", import.meta.url);
const DTLN = new Uint8Array(readFileSync(new URL("dtln_noise_suppression.tflite", FIX)));
const FEATURES = new Int8Array(readFileSync(new URL("dtln_feature_data.i8.bin", FIX)));
const i8 = (b: Uint8Array) => new Int8Array(b.buffer, b.byteOffset, b.byteLength);
const bytes = (v: Int8Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

// TFLM's golden output for dtln_feature_data (tflite-micro's examples/dtln/dtln_inout_data.cc,
// golden_ref): what its dtln_test requires, element for element.
const GOLDEN = [
  119, 82, 72, 116, -5, 10, -2, 0, -2, 36, 116, 125, 123, 124, 126, 124, 115, 116, 124, 126, 121,
  124, 121, 104, 104, 113, 113, 110, 115, 101, 96, 119, 120, 117, 118, 114, 104, 110, 118, 119, 111,
  114, 119, 117, 114, 110, 117, 112, 115, 120, 119, 118, 119, 116, 117, 120, 121, 121, 121, 119,
  117, 120, 121, 120, 118, 115, 114, 114, 117, 119, 113, 108, 108, 111, 112, 114, 114, 116, 115,
  112, 110, 113, 113, 110, 107, 98, 102, 101, 101, 103, 92, 98, 101, 102, 102, 101, 104, 102, 101,
  101, 100, 102, 98, 104, 100, 99, 92, 96, 87, 97, 96, 96, 96, 95, 92, 98, 95, 90, 85, 82, 87, 82,
  82, 89, 90, 83, 86, 85, 80, 86, 87, 91, 89, 87, 87, 85, 82, 74, 80, 80, 72, 79, 74, 79, 82, 83,
  77, 85, 71, 76, 72, 76, 76, 77, 56, 74, 74, 69, 69, 69, 65, 56, 60, 67, 71, 69, 74, 67, 71, 65,
  77, 76, 79, 67, 72, 61, 60, 67, 69, 71, 77, 63, 63, 60, 63, 71, 80, 80, 74, 76, 67, 74, 63, 67,
  69, 72, 77, 71, 72, 82, 65, 49, 67, 58, 71, 65, 63, 69, 61, 77, 63, 65, 65, 69, 69, 65, 72, 77,
  80, 60, 79, 77, 71, 67, 79, 69, 67, 65, 74, 69, 71, 67, 76, 77, 77, 77, 83, 67, 65, 79, 77, 60,
  71, 86, 86, 63, 74, 63, 63, 63, 69, 79, 63, 52, 85, 87, 86,
];

/** A sequence of DTLN input frames: the feature frame twice (equal input, different state),
 *  then the spectrum moved along by a few bins per frame. */
function dtlnFrames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, k) => {
    const shift = k < 2 ? 0 : 5 * (k - 1);
    return bytes(Int8Array.from({ length: 257 }, (_, i) => FEATURES[(i + shift) % 257]));
  });
}

test("the sigmoid table is TFLite's sigmoid_table_uint16", (t) => {
  const table = sigmoidTable();
  t.is(table.length, 256);
  t.is(table[0], 32768);
  t.is(table[255], 65535);
  for (let i = 0; i < 256; i++) {
    t.true(Math.abs(table[i] - 65536 / (1 + Math.exp(-i / 24))) < 1.5, `entry ${i}`);
    if (i > 0) t.true(table[i] >= table[i - 1], `entry ${i} is monotonic`);
  }
  // the sum of TFLite's table: catches a changed entry the tolerance above lets through
  t.is(
    table.reduce((a, b) => a + b, 0),
    15670629,
  );
});

test("TFLM's DTLN example: its feature frame gives TFLM's golden output bit for bit", async (t) => {
  const run = await runModelSets(DTLN, [bytes(FEATURES)], "rt1060");
  const out = Array.from(i8(run.inferences[0].outputs[0]));
  const wrong = out.flatMap((v, i) =>
    v === GOLDEN[i] ? [] : [`${i}: ${v} (golden ${GOLDEN[i]})`],
  );
  t.deepEqual(wrong, [], "every output element equals TFLM's golden_ref");
  t.is(out.length, 257);
});

test("DTLN over 8 frames: both LSTM layers equal TFLM's integer arithmetic, state carried", async (t) => {
  const frames = dtlnFrames(8);
  const info = readModel(DTLN);
  const layer0 = new LstmReference(DTLN, info, 0, { cellClip: 10, timeMajor: false });
  const layer1 = new LstmReference(DTLN, info, 1, { cellClip: 10, timeMajor: false });
  // the model cut after the second LSTM: its output depends on both layers' state
  const runs = await Promise.all([1, 2].map(() => runModelSets(prefix(DTLN, 1), frames, "rt1060")));
  frames.forEach((frame, k) => {
    const want = layer1.invoke(layer0.invoke(i8(frame)));
    t.deepEqual(Array.from(i8(runs[0].inferences[k].outputs[0])), Array.from(want), `frame ${k}`);
  });
  t.false(
    Buffer.from(runs[0].inferences[0].outputs[0]).equals(
      Buffer.from(runs[0].inferences[1].outputs[0]),
    ),
    "the same frame again, with the state the first left, gives another output",
  );
  t.log(
    `gate inputs saturated at int16: ${layer0.saturations} (layer 0), ${layer1.saturations} (layer 1)`,
  );
  t.true(layer0.saturations > 0, "the frames drive some gate inputs to the int16 limits");
  // a fresh boot starts from the reset state: the same outputs and cycles again
  t.deepEqual(
    runs[1].inferences.map((i) => [Buffer.from(i.outputs[0]).toString("hex"), i.cycles]),
    runs[0].inferences.map((i) => [Buffer.from(i.outputs[0]).toString("hex"), i.cycles]),
  );
});

test("DTLN's first LSTM (hidden zero point 0) against TFLite's runtime: within 1 step on the feature frame", async (t) => {
  const model = prefix(DTLN, 0);
  const run = await runModelSets(model, [bytes(FEATURES)], "rt1060");
  const ref = await loadReference(model);
  try {
    const want = ref.run([bytes(FEATURES)])[0] as Int8Array;
    const got = i8(run.inferences[0].outputs[0]);
    let worst = 0,
      differ = 0;
    got.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - want[i]));
      if (v !== want[i]) differ++;
    });
    t.log(`${differ} of ${got.length} hidden values differ from TFLite's, by at most ${worst}`);
    t.true(worst <= 1);
  } finally {
    ref.dispose();
  }
});

const SHAPES: LstmShape[] = [
  { batches: 1, steps: 1, inputSize: 20, units: 12, seed: 1 },
  { batches: 2, steps: 3, inputSize: 17, units: 9, inputZero: 5, seed: 2 },
  { batches: 3, steps: 2, inputSize: 8, units: 16, timeMajor: true, inputZero: -7, seed: 3 },
  { batches: 1, steps: 4, inputSize: 33, units: 7, hiddenZero: -4, cellPower: -12, seed: 4 },
  {
    batches: 2,
    steps: 2,
    inputSize: 12,
    units: 10,
    hiddenZero: 9,
    cellPower: -10,
    cellClip: 1.5,
    seed: 5,
  },
  { batches: 1, steps: 3, inputSize: 24, units: 24, cellPower: -15, seed: 6 },
];

const describe = (s: LstmShape) =>
  `batch ${s.batches}, ${s.steps} steps${s.timeMajor ? " (time major)" : ""}, input ${s.inputSize}, ${s.units} units, ` +
  `zero points ${s.inputZero ?? 0}/${s.hiddenZero ?? 0}, cell 2^${s.cellPower ?? -11}${s.cellClip ? `, clip ${s.cellClip}` : ""}`;

/** Input sets of a shape: the first repeated as the second. */
function inputSets(s: LstmShape, n: number): Uint8Array[] {
  const size = s.batches * s.steps * s.inputSize;
  return Array.from({ length: n }, (_, k) => {
    const seed = k < 2 ? 1 : k;
    return bytes(
      Int8Array.from(
        { length: size },
        (_, i) => (((i * 37 + seed * 101) * 2654435761) >>> 24) - 128,
      ),
    );
  });
}

for (const s of SHAPES) {
  test(`int8 LSTM over 5 invocations equals TFLM's integer arithmetic (${describe(s)})`, async (t) => {
    const model = writeTflite(lstmModel(s));
    const sets = inputSets(s, 5);
    const run = await runModelSets(model, sets, "rt1060");
    const ref = new LstmReference(model, readModel(model), 0, {
      cellClip: Math.fround(s.cellClip ?? 0),
      timeMajor: s.timeMajor ?? false,
    });
    sets.forEach((set, k) =>
      t.deepEqual(
        Array.from(i8(run.inferences[k].outputs[0])),
        Array.from(ref.invoke(i8(set))),
        `invocation ${k}`,
      ),
    );
    t.false(
      Buffer.from(run.inferences[0].outputs[0]).equals(Buffer.from(run.inferences[1].outputs[0])),
      "the state carried into the second invocation changes its output",
    );
  });
}

test("int8 LSTM with a hidden zero point 0 against TFLite's runtime: within 1 step over 5 invocations", async (t) => {
  let worst = 0,
    differ = 0,
    total = 0;
  for (const s of SHAPES.filter((x) => !x.hiddenZero)) {
    const model = writeTflite(lstmModel(s));
    const sets = inputSets(s, 5);
    const run = await runModelSets(model, sets, "rt1060");
    const ref = await loadReference(model);
    try {
      sets.forEach((set, k) => {
        const want = ref.run([set])[0] as Int8Array;
        i8(run.inferences[k].outputs[0]).forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - want[i]));
          if (v !== want[i]) differ++;
          total++;
        });
      });
    } finally {
      ref.dispose();
    }
  }
  t.log(`${differ} of ${total} outputs differ from TFLite's, by at most ${worst}`);
  t.true(worst <= 1);
});

/** The first shape's model with one thing changed. */
function variant(change: (m: WriterModel) => void): Uint8Array {
  const m = lstmModel(SHAPES[0]);
  change(m);
  return writeTflite(m);
}

test("refuses what TFLM's integer LSTM refuses, in one line naming the op", async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    [
      "an int8 cell state",
      variant((m) => {
        const cell = m.tensors[m.ops[0].inputs[19]];
        cell.type = "int8";
      }),
      /\(UNIDIRECTIONAL_SEQUENCE_LSTM\): int8 needs an int16 cell state/,
    ],
    [
      "peephole weights",
      variant((m) => {
        m.ops[0].inputs[9] = m.ops[0].inputs[12]; // any tensor where the cell-to-input weights go
      }),
      /\(UNIDIRECTIONAL_SEQUENCE_LSTM\): peephole connections are not supported/,
    ],
    [
      "a RELU cell gate",
      variant((m) => {
        m.ops[0].options!.fused_activation_function = "RELU";
      }),
      /\(UNIDIRECTIONAL_SEQUENCE_LSTM\): the cell gate's activation must be TANH/,
    ],
  ];
  for (const [what, model, message] of cases) {
    const err = await t.throwsAsync(runModelSets(model, [new Uint8Array(20)], "rt1060"), {
      instanceOf: ModelRunError,
    });
    t.regex(err!.message, message, what);
    t.false(err!.message.includes("\n"), what);
  }
});
