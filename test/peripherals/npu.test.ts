// The NPU on a fake board: job timing (set-up, per-layer overhead, the MAC rate and what lowers
// it, bus and flash bytes), queued jobs, waits, the compute window's meter pause, and the boards
// without one. Jobs are descriptors the test writes into memory, as the firmware would.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { npuPeripheral, JOB_WORDS } from "../../emulator/peripherals/npu.ts";
import type { BoardSetup } from "../../emulator/peripherals/peripheral.ts";
import { micLayout } from "../../emulator/peripherals/mic/array.ts";
import { builtinOpCode } from "../../emulator/model/tflite-model.ts";
import { Fault } from "../../emulator/faults.ts";

const CONV = builtinOpCode("CONV_2D");
const DEPTHWISE = builtinOpCode("DEPTHWISE_CONV_2D");
const DESC = 0x1000;

interface Layer {
  op: number;
  macs: number;
  bytes?: number;
  weightBytes?: number;
  channels?: number;
}

function npuBoard(id: string, noNpu = false) {
  const board = new FakeBoard(id);
  const setup: BoardSetup = {
    target: board.target,
    inputs: {},
    sources: {},
    mics: micLayout(board.target.board, null),
    sdcard: null,
    noNpu,
  };
  const npu = npuPeripheral.create(board, setup);
  const hal = npu.imports();
  /** Writes a job descriptor (count, then JOB_WORDS words a layer) and submits it. */
  const submit = (layers: Layer[]): number => {
    const view = new DataView(board.bytes.buffer);
    view.setUint32(DESC, layers.length, true);
    layers.forEach((l, i) => {
      const words = [i, l.op, l.macs, l.bytes ?? 0, l.weightBytes ?? 0, l.channels ?? 64];
      words.forEach((w, k) => view.setUint32(DESC + 4 + (i * JOB_WORDS + k) * 4, w, true));
    });
    return hal.submit(DESC);
  };
  return { board, npu, hal, submit };
}

/** CPU cycles a job of these layers takes on a fresh board. */
function jobCycles(layers: Layer[]): number {
  const { board, hal, submit } = npuBoard("mcxn947");
  const id = submit(layers);
  const from = board.clock.now;
  if (hal.wait(id) !== 0) throw new Error("npu.wait did not find the job");
  return board.clock.now - from;
}

test("MCX N947's Neutron: 16 MACs a cycle at 150 MHz (4.8 GOPS), a quarter of it for 8 of 32 channels, half for depthwise", (t) => {
  const { hal } = npuBoard("mcxn947");
  t.is(hal["macs-per-cycle"](), 16);
  const base = jobCycles([{ op: CONV, macs: 0 }]);
  // The core and the NPU both run at 150 MHz on this board: NPU cycles are CPU cycles.
  t.is(jobCycles([{ op: CONV, macs: 160_000 }]) - base, 10_000);
  t.is(jobCycles([{ op: CONV, macs: 160_000, channels: 8 }]) - base, 40_000);
  t.is(jobCycles([{ op: DEPTHWISE, macs: 160_000 }]) - base, 20_000);
  // Activations at 2 bytes a cycle, weights from flash at half a byte a cycle.
  t.is(jobCycles([{ op: CONV, macs: 0, bytes: 1000 }]) - base, 500);
  t.is(jobCycles([{ op: CONV, macs: 0, weightBytes: 1000 }]) - base, 2000);
  // One job set-up, then each layer's own overhead.
  const two = jobCycles([
    { op: CONV, macs: 0 },
    { op: CONV, macs: 0 },
  ]);
  const spec = npuBoard("mcxn947").board.target.board.npu!;
  t.is(base, spec.setupCycles + spec.layerCycles);
  t.is(two - base, spec.layerCycles);
});

test("a job submitted while one runs queues behind it; wait idles to its end; stats add up", (t) => {
  const { board, npu, hal, submit } = npuBoard("mcxn947");
  const layer = { op: CONV, macs: 1_600_000 };
  const one = jobCycles([layer]);
  const first = submit([layer]);
  board.runCode(1000); // the CPU does other work meanwhile
  const second = submit([layer]);
  t.is(hal.wait(first + 7), -1); // no such job
  const idle0 = board.clock.idleCycles;
  t.is(hal.wait(second), 0);
  t.is(board.clock.now, 2 * one);
  t.is(board.clock.idleCycles - idle0, 2 * one - 1000);
  t.deepEqual(
    board.traced("npu", /job/).map((e) => [e.what, e.start, e.end]),
    [
      ["job 1: 1 layer", 0, one],
      ["job 2: 1 layer", one, 2 * one],
    ],
  );
  t.deepEqual(npu.stats!(), { jobs: 2, layers: 2, macs: 3_200_000, npuCycles: 2 * one });
});

test("the results' compute window pauses the CPU meter; out of order it faults", (t) => {
  const { board, hal, submit } = npuBoard("mcxn947");
  const id = submit([{ op: CONV, macs: 16_000 }]);
  t.is(t.throws(() => hal["compute-begin"](id), { instanceOf: Fault })!.kind, "bad-hal-argument");
  hal.wait(id);
  hal["compute-begin"](id);
  hal["compute-end"](id);
  t.deepEqual(board.meterCalls, ["pause", "resume"]);
  t.throws(() => hal["compute-begin"](id), { instanceOf: Fault }); // once per job
  t.throws(() => hal["compute-end"](id), { instanceOf: Fault });
  const empty = new DataView(board.bytes.buffer);
  empty.setUint32(DESC, 0, true);
  t.regex(t.throws(() => hal.submit(DESC), { instanceOf: Fault })!.message, /job of 0 layers/);
});

test("capabilities: the board file's op list as a mask; boards without an NPU (or --no-npu) answer 0", (t) => {
  const mask = npuBoard("mcxn947").hal.capabilities();
  const ops = [
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "FULLY_CONNECTED",
    "AVERAGE_POOL_2D",
    "RESHAPE",
    "ADD",
  ];
  t.is(
    mask,
    ops.reduce((m, name) => m | (1 << builtinOpCode(name)), 0),
  );
  for (const [id, noNpu] of [
    ["rt1060", false],
    ["rt1170", false],
    ["mcxn947", true],
  ] as const) {
    const { hal, submit } = npuBoard(id, noNpu);
    t.is(hal.capabilities(), 0, id);
    t.is(hal["macs-per-cycle"](), 0, id);
    t.is(
      t.throws(() => submit([{ op: CONV, macs: 1 }]), { instanceOf: Fault })!.kind,
      "not-implemented",
    );
  }
});
