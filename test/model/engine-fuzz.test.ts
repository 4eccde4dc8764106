// Fuzzing the firmware's model reader and kernels: mutated copies of the fixture models
// (flipped bytes, truncations, overwritten offsets) are flashed and run on an emulated
// board. Each must be refused by the engine with a message or run to a result; a trap,
// a hang or a host exception is a failure. FUZZ_COUNT sets the copies per model.
import test from "ava";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { runModel, ModelRunError } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { writeTflite } from "../../emulator/model/tflite-writer.ts";
import { UserError } from "../../emulator/errors.ts";
import { opModels } from "../helpers/op-models.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const COUNT = Number(process.env.FUZZ_COUNT ?? 300);
const MODELS: [string, number][] = [
  ["tflite-micro/hello_world_int8.tflite", 1],
  ["tflite-micro/network_tester/network_model.tflite", 1024],
  ["tflite-micro/person_detect.tflite", 9216],
  ["mlcommons-tiny/ad01_int8.tflite", 640],
];

/** A small deterministic generator (the same mutations every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(model: Uint8Array, rand: () => number): Uint8Array {
  const m = model.slice();
  const at = (n = m.length) => Math.floor(rand() * n);
  switch (Math.floor(rand() * 5)) {
    case 0:
      for (let k = 1 + at(8); k > 0; k--) m[at()] ^= 1 << at(8);
      return m; // bit flips
    case 1:
      return m.subarray(0, at()); // truncation
    case 2: {
      // an aligned word (most likely an offset or a count) set to a random value
      const view = new DataView(m.buffer);
      view.setUint32(at(m.length >> 2) << 2, (rand() * 2 ** 32) >>> 0, true);
      return m;
    }
    case 3: {
      // a word nudged by a small amount: near-valid offsets and counts
      const view = new DataView(m.buffer);
      const w = at(Math.min(m.length, 4096) >> 2) << 2;
      view.setUint32(w, (view.getUint32(w, true) + Math.floor(rand() * 64) - 32) >>> 0, true);
      return m;
    }
    default: {
      // a run of bytes in the header area zeroed (vtables, roots)
      const start = at(Math.min(m.length, 2048));
      m.fill(0, start, start + 1 + at(32));
      return m;
    }
  }
}

for (const [file, inputBytes] of MODELS) {
  test(`${COUNT} mutated copies of ${file} are refused or run, never trap or hang`, async (t) => {
    const original = new Uint8Array(readFileSync(new URL(file, FIX)));
    const target = loadTarget("rt1060");
    const base = await runModel(original, [new Uint8Array(inputBytes)], target);
    const budget = Math.max(50_000_000, base.summary.busyCycles * 20);
    const rand = rng(file.length * 2654435761);
    const tally = { ran: 0, refused: 0, outOfSram: 0 };
    const reasons = new Map<string, number>();
    for (let i = 0; i < COUNT; i++) {
      const m = mutate(original, rand);
      try {
        await runModel(m, [new Uint8Array(inputBytes)], target, {
          maxBusyCycles: budget,
          name: `mutant ${i}`,
        });
        tally.ran++;
      } catch (e) {
        if (!(e instanceof ModelRunError)) throw e;
        if (e.fault?.kind === "sram-exhausted") {
          tally.outOfSram++;
          continue;
        }
        if (e.fault) {
          t.fail(`mutant ${i}: ${e.message}`);
          continue;
        }
        tally.refused++;
        const reason = e.message
          .replace(/^mutant \d+: /, "")
          .replace(/\d+/g, "N")
          .slice(0, 60);
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    t.log(
      `${file}: ${JSON.stringify(tally)}; top refusals: ${[...reasons]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([r, n]) => `${n}x ${r}`)
        .join(" | ")}`,
    );
    t.is(tally.ran + tally.refused + tally.outOfSram, COUNT);
  });
}

// Found by fuzzing person_detect (one offset nudged so the output tensor's buffer had data):
// the kernel wrote its output into the model in flash. Both readers now refuse such a model.
test("a model whose input or output tensor has constant data is refused, not written in flash", async (t) => {
  const base = opModels().find((m) => m.name.startsWith("int8/FULLY_CONNECTED/"))!;
  for (const which of ["output", "input"] as const) {
    const model = structuredClone(base.model);
    const index = which === "output" ? model.outputs[0] : model.inputs[0];
    const tensor = model.tensors[index];
    tensor.data = new Uint8Array(tensor.shape.reduce((a, b) => a * b, 1));
    const bytes = writeTflite(model);
    const message =
      which === "output"
        ? new RegExp(`layer 0 \\(FULLY_CONNECTED\\): output tensor ${index} has constant data`)
        : new RegExp(`input tensor ${index} has constant data`);
    t.throws(() => readModel(bytes, "m.tflite"), { instanceOf: UserError, message });
    const e = await t.throwsAsync(runModel(bytes, base.inputs, loadTarget("rt1060")), {
      instanceOf: ModelRunError,
      message,
    });
    t.is(e?.fault ?? null, null, "refused by the engine, not a fault");
  }
});
