// The first app end to end: its card must read cleanly with mtools and pass fsck.fat, a
// board keeps its card between runs, and a run cut off mid-write loses nothing closed.
import test from "ava";
import path from "node:path";
import { readFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { ensureCard } from "../../emulator/state.ts";
import { built, tempDir, hasTool, sh } from "../helpers/tools.ts";

const APP = "apps/sensor-logger";
const tools = hasTool("mdir") && hasTool("mcopy") && hasTool("fsck.fat");

async function runLogger(
  board: string,
  card: string,
  seconds: number,
  inputs: Record<string, string> = {},
) {
  const { image } = await built(APP, board);
  const machine = new Machine({ target: loadTarget(board), image, sdcard: card, inputs });
  let text = "";
  machine.events.on("console", (t) => {
    text += t;
  });
  const summary = await machine.run({ seconds });
  return { summary, text };
}

for (const board of ["rt1060", "rt1170", "mcxn947"]) {
  test(`sensor-logger runs on ${board}, logs 200 Hz rows and leaves a clean FAT32 card`, async (t) => {
    const dir = tempDir();
    const card = path.join(dir, "card.img");
    ensureCard(card);
    const { summary, text } = await runLogger(board, card, 6.01);
    t.is(summary.fault, null);
    t.is(summary.reason, "time-limit");
    t.regex(text, /logging to \/LOGS\/LOG0001\.CSV/);
    t.regex(text, /\[5\.\d{3} s\] samples \d+/);
    t.is(summary.peripherals.accel.accelOverruns, 0);
    t.true(summary.peripherals.accel.accelSamples >= 6 * 200);
    t.true(summary.peripherals.gpio.ledToggles >= 5, "an LED toggle per flushed block");
    t.true(summary.cpuLoad > 0 && summary.cpuLoad < 0.1, `mostly idle (load ${summary.cpuLoad})`);
    if (!tools) return t.log("mtools/dosfstools missing: card checks skipped");
    const fsck = sh("fsck.fat", ["-n", card]);
    t.is(fsck.status, 0, fsck.stdout + fsck.stderr);
    const listing = sh("mdir", ["-i", card, "::/LOGS"]);
    t.regex(listing.stdout, /LOG0001\s+CSV/);
    const out = path.join(dir, "log.csv");
    t.is(sh("mcopy", ["-i", card, "::/LOGS/LOG0001.CSV", out]).status, 0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    t.is(rows[0], "t_ms,x,y,z");
    // Flushed blocks only: whole rows, consecutive 5 ms time stamps, gravity on z.
    rows.slice(1).forEach((r, i) => {
      const [tm, , , z] = r.split(",").map(Number);
      if (tm !== i * 5) t.fail(`row ${i + 1}: t_ms ${tm}, expected ${i * 5}`);
      if (Math.abs(z - 1) > 0.02) t.fail(`row ${i + 1}: z = ${z}`);
    });
    t.true(rows.length > 800);
  });
}

test("a board keeps its card: the next boot logs to a new file and the old one is intact", async (t) => {
  const dir = tempDir();
  const card = path.join(dir, "card.img");
  ensureCard(card);
  await runLogger("rt1060", card, 3.5);
  if (!tools) return t.pass();
  const first = path.join(dir, "first.csv");
  sh("mcopy", ["-i", card, "::/LOGS/LOG0001.CSV", first]);
  const before = readFileSync(first);
  // The second run is cut off by the time limit in the middle of its writes.
  const { text } = await runLogger("rt1060", card, 2.37);
  t.regex(text, /logging to \/LOGS\/LOG0002\.CSV/);
  const again = path.join(dir, "again.csv");
  sh("mcopy", ["-i", card, "::/LOGS/LOG0001.CSV", again]);
  t.deepEqual(readFileSync(again), before, "LOG0001.CSV unchanged by the later, interrupted run");
  t.is(sh("fsck.fat", ["-n", card]).status, 0);
});

test("the card's log replays as an accelerometer input", async (t) => {
  if (!tools) return t.pass();
  const dir = tempDir();
  const card = path.join(dir, "card.img");
  ensureCard(card);
  await runLogger("mcxn947", card, 3, { accel: "gen:sine,freq=7,amp=0.5,axis=x,noise=0" });
  const log = path.join(dir, "log.csv");
  sh("mcopy", ["-i", card, "::/LOGS/LOG0001.CSV", log]);
  const card2 = path.join(dir, "card2.img");
  ensureCard(card2);
  const { summary } = await runLogger("mcxn947", card2, 2, { accel: log });
  t.is(summary.fault, null);
  const log2 = path.join(dir, "log2.csv");
  sh("mcopy", ["-i", card2, "::/LOGS/LOG0001.CSV", log2]);
  const a = readFileSync(log, "utf8").split("\n").slice(1, 200);
  const b = readFileSync(log2, "utf8").split("\n").slice(1, 200);
  // Same instants, same values to within one count of quantisation.
  for (let i = 0; i < b.length; i++) {
    const [ta, xa] = a[i].split(",").map(Number);
    const [tb, xb] = b[i].split(",").map(Number);
    if (ta !== tb || Math.abs(xa - xb) > 0.0002) t.fail(`row ${i}: ${a[i]} vs ${b[i]}`);
  }
  t.true(existsSync(log2));
});

// The stub allocator never frees: the search for a free log name once built a string per
// number tried (~250 B each), so 300 earlier logs took ~75 KB of an 8 KB heap at boot.
test("a card holding 300 earlier logs: the first free number is taken, and the heap is what an empty card's boot uses", async (t) => {
  if (!tools) return t.pass("mtools missing");
  const dir = tempDir();
  const empty = path.join(dir, "empty.img");
  ensureCard(empty);
  const fresh = await runLogger("rt1060", empty, 0.5);
  t.is(fresh.summary.fault, null);
  const card = path.join(dir, "card.img");
  ensureCard(card);
  const logs = path.join(dir, "logs");
  mkdirSync(logs);
  const names: string[] = [];
  for (let n = 1; n <= 300; n++) {
    if (n === 150) continue; // a log the user deleted: its number is free again
    const name = `LOG${String(n).padStart(4, "0")}.CSV`;
    writeFileSync(path.join(logs, name), "t_ms,x,y,z\n");
    names.push(path.join(logs, name));
  }
  t.is(sh("mmd", ["-i", card, "::/LOGS"]).status, 0);
  t.is(sh("mcopy", ["-i", card, ...names, "::/LOGS/"]).status, 0);
  const gap = await runLogger("rt1060", card, 0.5);
  t.is(gap.summary.fault, null);
  t.regex(gap.text, /logging to \/LOGS\/LOG0150\.CSV/);
  const next = await runLogger("rt1060", card, 5);
  t.regex(next.text, /logging to \/LOGS\/LOG0301\.CSV/);
  t.is(next.summary.fault, null);
  t.is(
    next.summary.heapUsedBytes,
    fresh.summary.heapUsedBytes,
    "the name search allocates nothing per file on the card",
  );
});
