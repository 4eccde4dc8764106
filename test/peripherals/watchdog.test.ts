// The watchdog and the clock HAL that controls it, on a fake board: it bites exactly at its
// timeout unless fed, an idle core wakes for it, a feed before start does nothing; wait-event
// wakes on a peripheral's line or its deadline.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { ClockHal } from "../../emulator/peripherals/clock.ts";
import { Fault } from "../../emulator/faults.ts";
import { LINE } from "../../emulator/peripherals/peripheral.ts";

function clockBoard(id = "rt1170") {
  const board = new FakeBoard(id);
  return { board, hal: new ClockHal(board, board).imports() };
}

const bites = (t: any, fn: () => void): string => {
  const e = t.throws(fn, { instanceOf: Fault }) as Fault;
  t.is(e.kind, "watchdog");
  return e.message;
};

test("started, it bites at its timeout exactly; each feed restarts the count", (t) => {
  const { board, hal } = clockBoard();
  hal["watchdog-start"](100);
  const timeout = board.cycles(100);
  board.runCode(timeout - 1);
  board.sync();
  hal["watchdog-feed"]();
  const fedAt = board.clock.now;
  board.runCode(timeout - 1);
  board.sync(); // one cycle short of the fed deadline: alive
  board.runCode(1);
  t.is(
    bites(t, () => board.sync()),
    "watchdog expired (not fed for 100 ms)",
  );
  t.is(board.watchdog.deadline, fedAt + timeout);
});

test("an idle core is woken at the deadline, not after the sleep it asked for", (t) => {
  const { board, hal } = clockBoard("mcxn947");
  hal["watchdog-start"](50);
  bites(t, () => hal["sleep-until-us"](1_000_000n));
  t.is(board.clock.now, board.cycles(50));
});

test("a feed before start does nothing; stopped, it never bites", (t) => {
  const { board, hal } = clockBoard();
  hal["watchdog-feed"]();
  t.is(board.watchdog.deadline, Infinity);
  board.idleUntilMs(10_000);
  t.is(board.clock.now, board.cycles(10_000));
});

test("wait-event returns the line a peripheral raised, clears it, and returns 0 at its deadline", (t) => {
  const { board, hal } = clockBoard();
  // A stand-in peripheral: an alarm that raises the accelerometer's line 3 ms in.
  const at = board.cycles(3);
  board.clock.setAlarm({}, at, () => board.raise(LINE.accel));
  t.is(hal["wait-event"](LINE.accel | LINE.mic, 10_000n), LINE.accel);
  t.is(board.clock.now, at);
  t.is(board.pending, 0);
  t.is(hal["wait-event"](LINE.accel, 10_000n), 0);
  t.is(board.clock.now, board.cycles(10));
  t.is(hal["now-us"](), 10_000n);
  t.is(hal["core-hz"](), board.target.core.clockHz);
  // A line outside the mask stays pending for a later wait.
  board.raise(LINE.camera);
  t.is(hal["wait-event"](LINE.accel, 12_000n), 0);
  t.is(board.pending, LINE.camera);
});
