// The MCX N947's NPU: which layers it takes, how long its jobs last, and that its results
// are the CPU path's bit for bit. Also: profiling hooks do not change what they observe.
import test from "ava";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { describeLayers, type LayerInfo } from "../../emulator/model/layers.ts";
import { layerWork, npuCyclesToCpu, npuPlacement } from "../../emulator/model/npu-timing.ts";
import { npuLayerCycles, npuOpMask } from "../../emulator/peripherals/npu.ts";

const FIX = new URL("../../../shared/fixtures/", import.meta.url);
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(p, FIX)));
const PERSON = "tflite-micro/person_detect.tflite";

test("on mcxn947 the NPU takes exactly the int8 layers of its operator list; the CPU runs the rest", async (t) => {
  const bytes = fixture(PERSON);
  const facts = describeLayers(readModel(bytes));
  const target = loadTarget("mcxn947");
  const run = await runModel(bytes, [fixture("tflite-micro/person_image_data.i8.bin")], target);
  const units = run.inferences[0].layers.map((l) => l.unit);
  t.deepEqual(
    units,
    npuPlacement(target.board.npu, facts.layers).map((on) => (on ? "npu" : "cpu")),
  );
  t.is(units[29], "npu"); // RESHAPE after a CONV_2D joins its job
  t.true(units.includes("npu") && units.includes("cpu"));
  t.is(units[facts.layers.findIndex((l) => l.op === "DEPTHWISE_CONV_2D")], "npu"); // VWW's published speed-up needs it there
  t.is(units[facts.layers.findIndex((l) => l.op === "SOFTMAX")], "cpu"); // not in the N1-16's list
});

test("a run of NPU layers that is only RESHAPEs stays on the CPU; a RESHAPE beside NPU work joins its job", (t) => {
  const npu = loadTarget("mcxn947").board.npu!;
  const layer = (op: string): LayerInfo => ({
    index: 0,
    op,
    inputShapes: [[1, 8]],
    outputShapes: [[1, 8]],
    outputType: "int8",
    macs: 0,
    weightBytes: 0,
    inputBytes: 8,
    outputBytes: 8,
  });
  t.deepEqual(npuPlacement(npu, ["RESHAPE", "SOFTMAX", "RESHAPE", "RESHAPE", "MUL"].map(layer)), [
    false,
    false,
    false,
    false,
    false,
  ]);
  t.deepEqual(npuPlacement(npu, ["RESHAPE", "FULLY_CONNECTED", "SOFTMAX"].map(layer)), [
    true,
    true,
    false,
  ]);
});

test("the board's op list is the one table: the firmware's capability mask and the host's placement both come from it", (t) => {
  const npu = loadTarget("mcxn947").board.npu!;
  // ADD 0, AVERAGE_POOL_2D 1, CONV_2D 3, DEPTHWISE_CONV_2D 4, FULLY_CONNECTED 9, RESHAPE 22 (schema.fbs)
  t.is(npuOpMask(npu), (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 9) | (1 << 22));
  const layer = (op: string, outputType = "int8"): LayerInfo => ({
    index: 0,
    op,
    inputShapes: [[1, 8]],
    outputShapes: [[1, 8]],
    outputType,
    macs: 0,
    weightBytes: 0,
    inputBytes: 8,
    outputBytes: 8,
  });
  // MEAN is code 40: past the mask's 32 bits the firmware cannot be told, so the host does not place it either.
  const wider = { ...npu, ops: [...npu.ops, "MEAN", "SOFTMAX"] };
  t.deepEqual(npuPlacement(wider, [layer("MEAN"), layer("SOFTMAX"), layer("CONV_2D", "float32")]), [
    false,
    true,
    false,
  ]);
});

test("micro_speech: everything but the softmax runs on the NPU, its leading RESHAPE in the same job", async (t) => {
  const bytes = fixture("tflite-micro/micro_speech_quantized.tflite");
  const facts = describeLayers(readModel(bytes));
  t.deepEqual(
    facts.layers.map((l) => l.op),
    ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"],
  );
  const run = await runModel(
    bytes,
    [new Uint8Array(facts.layers[0].inputBytes)],
    loadTarget("mcxn947"),
  );
  t.deepEqual(
    run.inferences[0].layers.map((l) => l.unit),
    ["npu", "npu", "npu", "cpu"],
  );
});

test("an NPU job lasts its set-up plus, per layer, its overhead, MACs at the rate its depth allows, activations and flash-read weights, at the NPU clock", async (t) => {
  const bytes = fixture(PERSON);
  const facts = describeLayers(readModel(bytes));
  const target = loadTarget("mcxn947");
  const npu = target.board.npu!;
  const run = await runModel(bytes, [fixture("tflite-micro/person_image_data.i8.bin")], target);
  const layers = run.inferences[0].layers;
  let checked = 0;
  for (let i = 0; i < layers.length; i++) {
    if (layers[i].unit !== "npu") continue;
    const first = i === 0 || layers[i - 1].unit !== "npu"; // a run of NPU layers is one job: set-up once
    const l = facts.layers[i];
    const npuCycles = (first ? npu.setupCycles : 0) + npuLayerCycles(npu, layerWork(l));
    // Each layer's end is rounded up to a CPU cycle; allow that rounding, nothing more.
    t.true(
      Math.abs(layers[i].cycles - npuCyclesToCpu(npuCycles, npu.clockHz, target.core.clockHz)) <= 1,
      `layer ${i} ${l.op}: ${layers[i].cycles}`,
    );
    // A deep conv runs well above the CPU's ~0.3 MACs per cycle even when its weights stream from flash.
    if (l.macs > 100_000 && l.op === "CONV_2D" && l.inputShapes[0].at(-1)! >= npu.channelVector)
      t.true(
        l.macs / layers[i].cycles > 2,
        `layer ${i}: ${(l.macs / layers[i].cycles).toFixed(2)} MACs per CPU cycle`,
      );
    checked++;
  }
  t.true(checked >= 10);
});

test("NPU results equal the CPU path's bit for bit, and the NPU makes the model faster", async (t) => {
  const bytes = fixture(PERSON);
  const target = loadTarget("mcxn947");
  const sets = [
    fixture("tflite-micro/person_image_data.i8.bin"),
    fixture("tflite-micro/no_person_image_data.i8.bin"),
  ];
  const withNpu = await runModel(bytes, sets, target);
  const cpuOnly = await runModel(bytes, sets, target, { cpuOnly: true });
  withNpu.inferences.forEach((inf, k) =>
    t.deepEqual(Buffer.from(inf.outputs[0]), Buffer.from(cpuOnly.inferences[k].outputs[0])),
  );
  t.true(cpuOnly.inferences.every((inf) => inf.layers.every((l) => l.unit === "cpu")));
  const speedup = cpuOnly.inferences[0].cycles / withNpu.inferences[0].cycles;
  t.true(speedup > 1.5, `speed-up ${speedup.toFixed(2)}x`);
  t.log(
    `person_detect on mcxn947: ${cpuOnly.inferences[0].cycles} cycles on the CPU, ${withNpu.inferences[0].cycles} with the NPU (${speedup.toFixed(2)}x)`,
  );
  // NPU time is idle CPU time: busy cycles drop by more than the latency does.
  t.true(withNpu.summary.busyCycles < cpuOnly.summary.busyCycles);
});

test("the same model and input give the same cycles and layer timings on every run", async (t) => {
  const bytes = fixture("mlcommons-tiny/kws_ref_model.tflite");
  for (const board of ["rt1060", "mcxn947"]) {
    const a = await runModel(bytes, [new Uint8Array(490)], loadTarget(board));
    const b = await runModel(bytes, [new Uint8Array(490)], loadTarget(board));
    t.deepEqual(a.inferences[0].layers, b.inferences[0].layers, board);
    t.is(a.summary.cycles, b.summary.cycles, board);
  }
});
