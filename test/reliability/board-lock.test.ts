// Issue 12.1: two runs on one state folder wrote one card through two FAT drivers (FATs
// differ, lost clusters). A board is one device: the second run is refused while the first
// holds the board; a killed run's lock is stale and the next run takes it over.
import test from "ava";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeImage } from "../../emulator/toolchain/image.ts";
import { acquireLock } from "../../emulator/board-lock.ts";
import { built, cli, startCli, tempDir, until } from "./helpers.ts";

test("a second run on a board in use is refused naming the pid; a killed run's lock is taken over", async (t) => {
  const dir = tempDir();
  const image = path.join(dir, "spin.tbi");
  writeImage(image, (await built("test/fixtures/apps/spin")).image);
  const state = path.join(dir, "board");
  const card = path.join(dir, "card.img");
  // The first run spins for an emulated hour: it holds the board until killed.
  const first = startCli(
    [
      "run",
      image,
      "--board",
      "rt1060",
      "--state",
      state,
      "--sdcard",
      card,
      "--seconds",
      "3600",
      "-q",
    ],
    { timeoutMs: 900_000 },
  ); // killed below; the bound only stops a stray process
  // A bound only (the CLI loads binaryen through tsx: tens of seconds on a loaded machine).
  t.true(
    await until(() => existsSync(path.join(state, ".lock")) && existsSync(card + ".lock"), 600_000),
    "the first run takes the locks",
  );

  const second = await cli([
    "run",
    "--board",
    "rt1060",
    "--state",
    state,
    "--seconds",
    "0.01",
    "-q",
  ]);
  t.is(second.status, 1);
  t.is(
    second.stderr,
    `tinyboard: error: board state ${state} is in use by pid ${first.child.pid}\n`,
  );
  const flash = await cli(["flash", image, "--board", "rt1060", "--state", state]);
  t.is(flash.status, 1);
  t.regex(flash.stderr, /is in use by pid/);
  // Another board, the same card: the card is one device too.
  const other = await cli([
    "run",
    image,
    "--board",
    "rt1060",
    "--state",
    path.join(dir, "other"),
    "--sdcard",
    card,
    "--seconds",
    "0.01",
    "-q",
  ]);
  t.is(other.status, 1);
  t.is(
    other.stderr,
    `tinyboard: error: SD card image ${card} is in use by pid ${first.child.pid}\n`,
  );

  first.child.kill("SIGKILL"); // no exit handler runs: the locks stay behind, stale
  await first.done;
  t.true(existsSync(path.join(state, ".lock")));
  const third = await cli([
    "run",
    "--board",
    "rt1060",
    "--state",
    state,
    "--sdcard",
    card,
    "--seconds",
    "0.01",
    "-q",
    "--json",
  ]);
  t.is(third.status, 0, third.stderr);
  t.is(JSON.parse(third.stdout).reason, "time-limit");
  t.false(existsSync(path.join(state, ".lock")), "released at exit");
  t.false(existsSync(card + ".lock"));
});

test("a lock naming a live process that started later (a reused pid) or garbage is stale", (t) => {
  const dir = tempDir();
  const file = path.join(dir, ".lock");
  writeFileSync(file, JSON.stringify({ pid: process.pid, start: "1" }) + "\n"); // our pid, another start time
  const a = acquireLock(file, "board state X");
  t.is(JSON.parse(readFileSync(file, "utf8")).pid, process.pid);
  t.throws(() => acquireLock(file, "board state X"), {
    message: `board state X is in use by pid ${process.pid}`,
  });
  a.release();
  t.false(existsSync(file));
  writeFileSync(file, "{half");
  acquireLock(file, "board state X").release();
  t.false(existsSync(file));
});
