// The memory-hierarchy timing model: region costs from the board files, the per-layer stall
// model, and the run-time charge (a placed run costs its stalls on top of today's cycles).
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTarget, type RegionTiming } from "../../emulator/board.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { runModel } from "../../emulator/model/runner.ts";
import {
  bufferReadCycles,
  modelCopyCycles,
  modelStalls,
  streamCycles,
} from "../../emulator/memory-hierarchy/stall-model.ts";
import { RECORD_BYTES, modelStreams } from "../../emulator/memory-hierarchy/layer-traffic.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

const VWW = readModel(
  readFileSync(path.join(PROJECT_ROOT, "apps/person-detector/model/vww_96_int8.tflite")),
);
const total = (stalls: { cycles: number }[]) => stalls.reduce((n, l) => n + l.cycles, 0);
/** The RT1170's M7-to-SEMC path latency per SDRAM transaction, in core cycles: fitted to NXP's
 *  OCRAM/SDRAM ratio (docs/cost-model.md; shufflenet-ratio.test.ts checks the fit). */
const RT1170_SDRAM_PATH_CYCLES = 91;

test("every board gives every memory region a line cost with a source; TCM and MCX N SRAM are zero-wait", (t) => {
  for (const id of ["rt1060", "rt1170", "mcxn947"]) {
    const { board } = loadTarget(id);
    const timing = board.memoryTiming!;
    t.truthy(timing, id);
    for (const r of board.memory) {
      const c = timing.regions[r.name];
      t.truthy(c, `${id} ${r.name} has a cost`);
      t.true(c.source.length > 20, `${id} ${r.name} cites a source`);
      t.true(
        c.firstLineCycles >= c.lineCycles,
        `${id} ${r.name}: a stream's first line costs at least a next line`,
      );
    }
  }
  for (const [id, zero] of [
    ["rt1060", ["SRAM_ITC", "SRAM_DTC"]],
    ["rt1170", ["SRAM_ITC", "SRAM_DTC"]],
    ["mcxn947", ["SRAMX", "SRAM"]],
  ] as const)
    for (const r of zero)
      t.is(loadTarget(id).board.memoryTiming!.regions[r].lineCycles, 0, `${id} ${r}`);
  // The Cortex-M7's L1 D-cache (AN12042): 32 KB, 4-way, 32-byte lines; the M33 has none.
  t.deepEqual(
    (({ bytes, lineBytes, ways }) => ({ bytes, lineBytes, ways }))(
      loadTarget("rt1060").board.memoryTiming!.dataCache!,
    ),
    { bytes: 32768, lineBytes: 32, ways: 4 },
  );
  t.is(loadTarget("mcxn947").board.memoryTiming!.dataCache, null);
});

test("line costs follow the derivations in docs/cost-model.md (SDRAM from SEMC clocks, OCRAM from AXI beats)", (t) => {
  const rt1060 = loadTarget("rt1060").board.memoryTiming!.regions;
  const rt1170 = loadTarget("rt1170").board.memoryTiming!.regions;
  // RT1060 EVK: 16-bit SDRAM at 166 MHz, 26 SEMC clocks per line fill, core at 600 MHz.
  t.is(rt1060.BOARD_SDRAM.lineCycles, Math.round((26 / 166e6) * 600e6));
  // RT1170 EVK: 32-bit SDRAM at 198 MHz (594 MHz PFD / 3), 14 SEMC clocks per fill and 13 per
  // write-back, core at 996 MHz, plus the M7-to-SEMC path latency fitted to NXP's ratio.
  t.is(rt1170.BOARD_SDRAM.lineCycles, Math.round((14 / 198e6) * 996e6) + RT1170_SDRAM_PATH_CYCLES);
  t.is(
    rt1170.BOARD_SDRAM.writeLineCycles,
    Math.round((13 / 198e6) * 996e6) + RT1170_SDRAM_PATH_CYCLES,
  );
  // QSPI at 120 MHz (RT1060) / 133 MHz (RT1170): 64 clocks per 32 bytes in quad SDR.
  t.is(rt1060.BOARD_FLASH.lineCycles, Math.round((64 / 120e6) * 600e6));
  t.is(rt1170.BOARD_FLASH.lineCycles, Math.round((64 / 133e6) * 996e6));
  // Order: TCM < OCRAM < SDRAM < XIP flash on both EVKs.
  for (const [r, oc] of [
    [rt1060, "SRAM_OC"],
    [rt1170, "SRAM_OC1"],
  ] as const) {
    t.true(r.SRAM_DTC.lineCycles < r[oc].lineCycles);
    t.true(r[oc].lineCycles < r.BOARD_SDRAM.lineCycles);
    t.true(r.BOARD_SDRAM.lineCycles < r.BOARD_FLASH.lineCycles);
  }
});

test("the records stream uses the firmware's record size", (t) => {
  const src = readFileSync(
    path.join(PROJECT_ROOT, "firmware/tflite/kernels/common/requant.ts"),
    "utf8",
  );
  t.is(Number(/export const Q_BYTES: i32 = (\d+)/.exec(src)?.[1]), RECORD_BYTES);
});

test("one stream: lines x line cost, a stream's first line extra, repeats only when evicted", (t) => {
  const cost: RegionTiming = {
    lineCycles: 10,
    firstLineCycles: 30,
    writeLineCycles: 4,
    cacheBytes: 32768,
    source: "test",
  };
  const input = { role: "input" as const, tensor: 0, bytes: 3200, passes: 3, reuseBytes: 1000 };
  t.is(streamCycles(input, cost, 32, 0, 0), 100 * 10 + 20, "first sweep only");
  t.is(streamCycles(input, cost, 32, 0, 1), 300 * 10 + 20 + 2 * 20, "every sweep misses");
  t.is(streamCycles(input, cost, 32, 1, 0), 0, "left in the cache by the previous layer");
  const out = { role: "output" as const, tensor: 1, bytes: 3200, passes: 1, reuseBytes: 0 };
  t.is(streamCycles(out, cost, 32, 0, 0), 100 * (10 + 4) + 20, "write-allocate fill + write-back");
  const uncached = { ...cost, cacheBytes: 0 };
  t.is(
    streamCycles(input, uncached, 32, 0, 0),
    3 * (100 * 10 + 20),
    "no cache: every sweep streams",
  );
  t.is(streamCycles(out, uncached, 32, 0, 0), 100 * 4, "no cache: stores through the write buffer");
});

test("VWW: no stall in TCM, OCRAM < SDRAM, flash weights add the most; the same figures every time", (t) => {
  for (const [id, oc] of [
    ["rt1060", "SRAM_OC"],
    ["rt1170", "SRAM_OC1"],
  ] as const) {
    const target = loadTarget(id);
    const tcm = total(
      modelStalls(VWW, { arena: { region: "SRAM_DTC" }, model: { region: "SRAM_ITC" } }, target),
    );
    const ocram = total(modelStalls(VWW, { arena: { region: oc } }, target));
    const sdram = total(modelStalls(VWW, { arena: { region: "BOARD_SDRAM" } }, target));
    const flash = total(
      modelStalls(VWW, { arena: { region: oc }, model: { region: "BOARD_FLASH" } }, target),
    );
    t.is(tcm, 0, id);
    t.true(ocram > 0 && ocram < sdram, `${id}: ${ocram} < ${sdram}`);
    t.true(flash > ocram, `${id}: weights in flash cost more`);
    t.is(
      total(modelStalls(VWW, { arena: { region: "BOARD_SDRAM" } }, target)),
      sdram,
      "deterministic",
    );
  }
});

test("weights that outgrow the cache are fetched again every sweep; weights that fit, once", (t) => {
  const target = loadTarget("rt1060");
  const streams = modelStreams(VWW);
  const stalls = modelStalls(VWW, { model: { region: "BOARD_FLASH" } }, target);
  const flash = target.board.memoryTiming!.regions.BOARD_FLASH;
  let big = 0;
  let small = 0;
  VWW.operators.forEach((op, i) => {
    if (op.opName !== "CONV_2D") return;
    const w = streams[i].find((s) => s.role === "weights")!;
    const once =
      Math.ceil(w.bytes / 32) * flash.lineCycles + (flash.firstLineCycles - flash.lineCycles);
    if (w.bytes <= 16384 && w.passes > 1) {
      t.is(stalls[i].cycles, Math.round(once), `layer ${i}: ${w.bytes} B of weights fit`);
      small++;
    } else if (w.bytes > 32768 && w.passes > 1) {
      // Random replacement keeps 3 of the 4 ways' worth (24 KB) of what each sweep reuses.
      const miss = 1 - 24576 / w.bytes;
      const lines = Math.ceil(w.bytes / 32);
      const startup = flash.firstLineCycles - flash.lineCycles;
      const expected =
        lines * (1 + (w.passes - 1) * miss) * flash.lineCycles +
        (1 + Math.ceil(w.passes - 1)) * startup;
      t.is(stalls[i].cycles, Math.round(expected), `layer ${i}: ${w.bytes} B of weights refetched`);
      t.true(stalls[i].cycles > once);
      big++;
    }
  });
  t.true(big > 0 && small > 0);
});

test("a model copied to RAM costs its copy once; a DMA buffer read costs its lines", (t) => {
  const target = loadTarget("rt1060");
  const flash = target.board.memoryTiming!.regions.BOARD_FLASH;
  const oc = target.board.memoryTiming!.regions.SRAM_OC;
  t.is(
    modelCopyCycles(32000, { model: { region: "SRAM_OC" } }, target),
    1000 * (flash.lineCycles + oc.writeLineCycles) + flash.firstLineCycles - flash.lineCycles,
  );
  t.is(modelCopyCycles(32000, { model: { region: "BOARD_FLASH" } }, target), 0, "in place");
  const sdram = target.board.memoryTiming!.regions.BOARD_SDRAM;
  t.is(
    bufferReadCycles(96 * 96 * 2, "BOARD_SDRAM", target),
    ((96 * 96 * 2) / 32) * sdram.lineCycles,
  );
  t.is(bufferReadCycles(96 * 96 * 2, "SRAM_DTC", target), 0);
});

test("a placed run costs today's cycles plus the model's stalls, exactly; outputs unchanged; no placement, no change", async (t) => {
  const bytes = new Uint8Array(
    readFileSync(
      path.join(PROJECT_ROOT, "../shared/fixtures/tflite-micro/micro_speech_quantized.tflite"),
    ),
  );
  const model = readModel(bytes);
  const input = new Uint8Array(model.tensors[model.inputs[0]].byteSize).fill(3);
  const target = loadTarget("rt1060");
  const base = await runModel(bytes, [input], target);
  const tcm = await runModel(bytes, [input], target, {
    placement: { arena: { region: "SRAM_DTC" } },
  });
  const placement = { arena: { region: "BOARD_SDRAM" }, model: { region: "BOARD_FLASH" } };
  const sdram = await runModel(bytes, [input], target, { placement });
  const expected = modelStalls(model, placement, target);
  t.is(
    tcm.inferences[0].cycles,
    base.inferences[0].cycles,
    "TCM placement: zero-wait, today's cycles",
  );
  t.true(total(expected) > 0);
  t.is(sdram.inferences[0].cycles, base.inferences[0].cycles + total(expected));
  sdram.inferences[0].layers.forEach((l, i) =>
    t.is(l.cycles, base.inferences[0].layers[i].cycles + expected[l.index].cycles, `layer ${i}`),
  );
  t.deepEqual(sdram.inferences[0].outputs, base.inferences[0].outputs);
  t.is(sdram.summary.peripherals.debug?.memoryStallCycles, total(expected));
  t.false("debug" in base.summary.peripherals, "no placement: no memory figures");
});

test("a layer on a lean path (no records in the arena's head) streams no records; the others do", (t) => {
  // kws's 1x1 convolutions take the lean path (their area would lengthen the head); VWW's do not.
  const kws = readModel(
    readFileSync(
      path.join(PROJECT_ROOT, "..", "shared", "fixtures", "mlcommons-tiny", "kws_ref_model.tflite"),
    ),
  );
  const records = (model: typeof kws, i: number) =>
    modelStreams(model)[i].some((s) => s.role === "records");
  const pointwise = (model: typeof kws) =>
    model.operators
      .map((op, i) => ({ op, i }))
      .filter(({ op }) => op.opName === "CONV_2D" && model.tensors[op.inputs[1]].shape[1] === 1);
  t.true(pointwise(kws).length > 0);
  for (const { i } of pointwise(kws)) t.false(records(kws, i), `kws layer ${i}`);
  t.true(pointwise(VWW).length > 0);
  for (const { i } of pointwise(VWW)) t.true(records(VWW, i), `VWW layer ${i}`);
});

test("a lean 1x1 layer sweeps its input once per 4 output channels; the blocked path once", (t) => {
  // kws's 1x1 layers (64 -> 64 channels) run gemm-direct.ts: 4 output channels at a time, every
  // pixel inside, so the input streams by 16 times; VWW's run conv.ts's blocks of 8 pixels x
  // every channel, one sweep.
  const kws = readModel(
    readFileSync(
      path.join(PROJECT_ROOT, "..", "shared", "fixtures", "mlcommons-tiny", "kws_ref_model.tflite"),
    ),
  );
  const inputSweeps = (model: typeof kws) =>
    model.operators
      .map((op, i) => ({ op, i }))
      .filter(({ op }) => op.opName === "CONV_2D" && model.tensors[op.inputs[1]].shape[1] === 1)
      .map(({ op, i }) => ({
        channels: model.tensors[op.inputs[1]].shape[0],
        depth: model.tensors[op.inputs[1]].shape[3],
        passes: modelStreams(model)[i].find((s) => s.role === "input")!.passes,
      }));
  const lean = inputSweeps(kws);
  t.true(lean.length > 0);
  for (const l of lean) t.deepEqual(l, { channels: 64, depth: 64, passes: 16 });
  const blocked = inputSweeps(VWW);
  t.true(blocked.length > 0);
  for (const b of blocked) t.is(b.passes, 1);
});
