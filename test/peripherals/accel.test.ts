// The accelerometer on a fake board: when samples land in the FIFO and what instant each one
// measured, the watermark line, overruns (the sensor keeps the oldest samples), the I2C read's
// timing, status codes and DMA checks. No firmware is built.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { Accelerometer, FIFO_DEPTH } from "../../emulator/peripherals/accel.ts";
import { LINE } from "../../emulator/peripherals/peripheral.ts";
import { ACCEL_ERR } from "../../emulator/hal-constants.ts";
import type { AccelSource } from "../../emulator/inputs/accel-source.ts";
import { Fault } from "../../emulator/faults.ts";

// x reads the measuring instant in seconds (in g), so a sample's value is its timestamp.
const clockSource: AccelSource = {
  description: "x = t",
  durationSeconds: Infinity,
  sampleAt: (t, out) => {
    out[0] = t;
    out[1] = -1;
    out[2] = 0.5;
  },
};

function accelBoard(flashWindow = 0) {
  const board = new FakeBoard("rt1060", { flashWindow });
  const accel = new Accelerometer(board, clockSource);
  return { board, accel, hal: accel.imports() };
}

/** The FIFO's samples as read into memory at `ptr`: [x, y, z] int16 each. */
function samplesAt(board: FakeBoard, ptr: number, n: number): number[][] {
  const view = new DataView(board.bytes.buffer, ptr, n * 6);
  return Array.from({ length: n }, (_, i) =>
    [0, 1, 2].map((a) => view.getInt16(i * 6 + a * 2, true)),
  );
}

test("sample n measures n / rate after start and lands one period later; the watermark raises the line", (t) => {
  const { board, hal } = accelBoard();
  const driver = board.target.board.timing.accelDriverCycles.value;
  t.is(hal.configure(100, 2, 4), 0);
  hal.start();
  t.is(board.clock.halCycles, 2 * driver);
  const start = board.clock.now;
  const period = board.clock.hz / 100;
  board.idleUntil(start + 3 * period - 1);
  t.is(hal["fifo-level"](), 2);
  board.idleUntil(start + 3 * period);
  t.is(hal["fifo-level"](), 3);
  t.is(board.pending & LINE.accel, 0);
  // The 4th sample (the watermark) arrives on an alarm while the core idles: no HAL call needed.
  board.idleUntil(start + 4 * period);
  t.is(board.pending & LINE.accel, LINE.accel);
  t.is(hal["read-fifo"](0x100, 32), 4);
  // 2 g range: 16384 counts per g; x is the instant each sample measured (0, 10, 20, 30 ms).
  t.deepEqual(samplesAt(board, 0x100, 4), [
    [0, -16384, 8192],
    [164, -16384, 8192],
    [328, -16384, 8192],
    [492, -16384, 8192],
  ]);
  t.is(board.pending & LINE.accel, 0);
  t.deepEqual(
    board.trace.filter((e) => /overrun/.test(e.what)),
    [],
  );
});

test("read-fifo: the driver's set-up, then the core idles for the I2C transfer (9 clocks a byte)", (t) => {
  const { board, hal } = accelBoard();
  const { accelDriverCycles, i2cHz } = board.target.board.timing;
  hal.configure(200, 4, 8);
  hal.start();
  board.idleUntilMs(100); // 20 samples at 200 Hz: more than the watermark, fewer than the depth
  const hal0 = board.clock.halCycles,
    idle0 = board.clock.idleCycles;
  t.is(hal["read-fifo"](0x200, 5), 5);
  t.is(board.clock.halCycles - hal0, accelDriverCycles.value);
  // 2 address/register bytes + 6 a sample, 9 clocks each at 400 kHz: 288 clocks = 720 us.
  const transfer = Math.round(((2 + 6 * 5) * 9 * board.clock.hz) / i2cHz.value);
  t.is(board.clock.idleCycles - idle0, transfer);
  t.is(transfer, board.cycles(0.72));
  const [span] = board.traced("accel", /I2C read 5 samples/);
  t.is(span.end - span.start, transfer);
  t.is(hal["fifo-level"](), 15);
});

test("a full FIFO drops new samples and counts each as an overrun; the oldest stay", (t) => {
  const { board, accel, hal } = accelBoard();
  hal.configure(100, 2, FIFO_DEPTH);
  hal.start();
  const start = board.clock.now;
  const period = board.clock.hz / 100;
  board.idleUntil(start + (FIFO_DEPTH + 8) * period);
  t.is(hal["fifo-level"](), FIFO_DEPTH);
  t.is(hal.overruns(), 8);
  t.deepEqual(accel.stats(), { accelSamples: FIFO_DEPTH + 8, accelOverruns: 8 });
  // Each overrun is traced at the instant its sample would have landed.
  t.deepEqual(
    board.traced("accel", /overrun/).map((e) => e.start - start),
    [33, 34, 35, 36, 37, 38, 39, 40].map((k) => k * period),
  );
  t.is(hal["read-fifo"](0x100, FIFO_DEPTH), FIFO_DEPTH);
  const xs = samplesAt(board, 0x100, FIFO_DEPTH).map(([x]) => x);
  t.deepEqual(xs.slice(0, 2), [0, 164]);
  t.is(xs[FIFO_DEPTH - 1], Math.round(0.31 * 16384)); // sample 31, not one of the dropped
});

test("configure: bad rate, range and watermark are status codes; reconfiguring empties the FIFO", (t) => {
  const { board, hal } = accelBoard();
  t.is(hal.configure(30, 2, 4), ACCEL_ERR.rate);
  t.is(hal.configure(100, 3, 4), ACCEL_ERR.range);
  t.is(hal.configure(100, 2, 0), ACCEL_ERR.watermark);
  t.is(hal.configure(100, 2, FIFO_DEPTH + 1), ACCEL_ERR.watermark);
  t.is(board.clock.halCycles, 0); // refused before the bus is touched
  t.is(hal.configure(100, 2, 4), 0);
  hal.start();
  board.idleUntil(board.clock.now + board.cycles(50));
  t.is(hal["fifo-level"](), 5);
  t.is(hal.configure(50, 2, 4), 0);
  t.is(hal["fifo-level"](), 0);
  const restart = board.clock.now;
  board.idleUntil(restart + board.clock.hz / 50);
  t.is(hal["fifo-level"](), 1); // one period at the new rate
});

test("read-fifo into flash or past memory faults; stop freezes the FIFO", (t) => {
  const { board, hal } = accelBoard(0x1000);
  hal.configure(100, 2, 4);
  hal.start();
  board.idleUntilMs(40);
  t.is(t.throws(() => hal["read-fifo"](0x800, 4), { instanceOf: Fault })!.kind, "flash-write");
  t.is(
    t.throws(() => hal["read-fifo"](board.mem.size - 6, 4), { instanceOf: Fault })!.kind,
    "bad-hal-pointer",
  );
  hal.stop();
  const level = hal["fifo-level"]();
  board.idleUntilMs(400);
  t.is(hal["fifo-level"](), level);
  t.is(board.clock.nextAlarm(), Infinity);
});
