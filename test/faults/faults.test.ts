// Faults: firmware that misbehaves is stopped with a report (what, where, when) and the host
// never throws. Each fixture app in test/fixtures/apps/ commits one kind of fault; with a card
// in the slot it first writes /BEFORE.TXT, which must survive the fault intact.
import test from "ava";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { UserError } from "../../emulator/errors.ts";
import type { FaultKind } from "../../emulator/faults.ts";
import {
  FIXTURES,
  assertFault,
  build,
  cardFile,
  cli,
  fixture,
  fn,
  lineOf,
  newCard,
  readBlock,
  runFixture,
  tmpDir,
  tool,
  TOOLS_MISSING,
} from "./helpers.ts";

const inRange = (us: number, lo: number, hi: number) => us >= lo && us <= hi;

// ---- watchdog ---------------------------------------------------------------------------

test("an unfed watchdog (clock.watchdogStart(100)) stops a spin loop at 100 ms", async (t) => {
  const r = await runFixture("wd-spin", { seconds: 1 });
  const f = assertFault(t, r, "watchdog");
  t.regex(f.message, /watchdog expired/);
  t.regex(f.message, /100 ms/);
  t.true(inRange(f.timeUs, 100_000, 110_000), `fault at ${f.timeUs} us`);
  t.is(f.where?.function, fn("wd-spin", "main"));
});

test("the watchdog armed from reset (Machine watchdogMs) stops a loop that never calls the HAL", async (t) => {
  const r = await runFixture("spin", { seconds: 1, watchdogMs: 100 });
  const f = assertFault(t, r, "watchdog");
  t.regex(f.message, /100 ms/);
  t.true(inRange(f.timeUs, 100_000, 110_000), `fault at ${f.timeUs} us`);
  t.is(f.where?.function, fn("spin", "main"));
});

test("without a watchdog a spin loop runs to the time limit and hands control back", async (t) => {
  const { summary } = await runFixture("spin", { seconds: 0.05 });
  t.is(summary.reason, "time-limit");
  t.is(summary.fault, null);
  t.is(summary.cycles, 30_000_000, "0.05 s at 600 MHz");
  t.true(summary.cpuLoad > 0.99, `a spin loop is busy all the time (load ${summary.cpuLoad})`);
});

test("a loop that calls a (non-inlined) function each iteration is caught by the watchdog", async (t) => {
  const r = await runFixture("wd-call", { seconds: 1 });
  // The calls really are calls: both functions survive optimisation.
  const wasm = Buffer.from(r.build.image.wasm);
  t.true(
    wasm.includes("test/fixtures/apps/wd-call/main/stepA") &&
      wasm.includes("test/fixtures/apps/wd-call/main/stepB"),
    "stepA and stepB are functions of the image (not inlined)",
  );
  const f = assertFault(t, r, "watchdog");
  t.true(inRange(f.timeUs, 100_000, 110_000), `fault at ${f.timeUs} us`);
});

test("the watchdog fires on time on every board's clock", async (t) => {
  for (const board of ["rt1170", "mcxn947"]) {
    const r = await runFixture("wd-spin", { board, seconds: 1 });
    const f = assertFault(t, r, "watchdog");
    t.true(inRange(f.timeUs, 100_000, 110_000), `${board}: fault at ${f.timeUs} us`);
    t.is(r.summary.board, board);
  }
});

test("waitEvent with no deadline (u64.MAX_VALUE) sleeps to the end of the run", async (t) => {
  const { summary, console } = await runFixture("wait-forever", { seconds: 0.5 });
  t.is(summary.reason, "time-limit", console);
  t.false(console.includes("returned"), console);
  t.true(summary.cpuLoad < 0.001, `asleep, load ${summary.cpuLoad}`);
});

test("the watchdog fires on time while the firmware sleeps", async (t) => {
  const r = await runFixture("wait-forever", { seconds: 1, watchdogMs: 100 });
  const f = assertFault(t, r, "watchdog");
  t.true(inRange(f.timeUs, 100_000, 110_000), `fault at ${f.timeUs} us`);
  t.is(f.where?.line, lineOf("wait-forever", "WAIT"));
});

// The meter's loop-head tick and its flash-store guard carry no debug location of their own;
// the report falls back to the nearest mapped statement of the function.
test("faults raised by metering code (watchdog tick, flash-store guard) name the source line", async (t) => {
  const wd = (await runFixture("wd-spin")).summary.fault!;
  t.is(wd.where?.file, "test/fixtures/apps/wd-spin/main.ts");
  const spin = lineOf("wd-spin", "SPIN");
  t.true(wd.where?.line === spin || wd.where?.line === spin - 1, `line ${wd.where?.line}`);
  const st = (await runFixture("flash-store")).summary.fault!;
  t.is(st.where?.file, "test/fixtures/apps/flash-store/main.ts");
  t.is(st.where?.line, lineOf("flash-store", "STORE INTO FLASH"));
});

// ---- SRAM -------------------------------------------------------------------------------

test("allocating 2 MB at run time on rt1060 (1 MB of SRAM) faults with sram-exhausted", async (t) => {
  const r = await runFixture("sram-runtime");
  const f = assertFault(t, r, "sram-exhausted");
  const needs = /needs (\d+) KB/.exec(f.message);
  t.truthy(needs, f.message);
  t.true(Number(needs?.[1]) >= 2048, `needs ${needs?.[1]} KB for a 2 MB array`);
  t.regex(f.message, /rt1060 has 1024 KB/);
  t.false(r.console.includes("allocated"), "main did not go on after the failed allocation");
  t.true(
    f.backtrace.some((l) => l.function === fn("sram-runtime", "main")),
    "the backtrace reaches main",
  );
});

// The build counts app.json's heapBytes in the board's SRAM; the run holds the firmware to it.
test("allocating past app.json heapBytes faults with heap-budget, with the figures", async (t) => {
  const r = await runFixture("heap-budget");
  const f = assertFault(t, r, "heap-budget");
  t.regex(f.message, /app\.json heapBytes 65,536 B/);
  const used = Number(/allocated ([\d,]+) B/.exec(f.message)?.[1].replace(/,/g, ""));
  t.true(used > 65536 && used <= 65536 + 10 * 1024 + 64, `${used} B in use when caught`);
  const blocks = (r.console.match(/^block \d+$/gm) ?? []).length;
  t.true(blocks >= 6 && blocks <= 7, `${blocks} blocks of 10 KB reported in a 64 KB heap`);
  t.is(r.summary.heapBudgetBytes, 65536);
  t.true(
    f.backtrace.some((l) => l.function === fn("heap-budget", "main")),
    "the backtrace reaches main",
  );
});

/** Blocks of 100 KB the sram-heap fixture reported before it stopped. */
const blocksAllocated = (console: string) => (console.match(/^block \d+$/gm) ?? []).length;

test("heap.alloc until SRAM runs out: sram-exhausted, never more blocks than fit", async (t) => {
  const r = await runFixture("sram-heap");
  const f = assertFault(t, r, "sram-exhausted");
  t.regex(f.message, /has 1024 KB/);
  const n = blocksAllocated(r.console);
  t.true(n >= 1 && n <= 10, `${n} blocks of 100 KB in 1024 KB`);
});

// AssemblyScript's stub allocator asks memory.grow for double the memory first and falls
// back to what it needs; the board must refuse the first request, not fault on it.
test("every heap allocation that fits in SRAM succeeds (the allocator's doubling must not fault early)", async (t) => {
  const r = await runFixture("sram-heap");
  t.is(blocksAllocated(r.console), 10, "10 x 100 KB (plus a little static data) fit in 1024 KB");
  const needs = Number(/needs (\d+) KB/.exec(r.summary.fault?.message ?? "")?.[1]);
  // About 1100 KB, rounded up to whole 64 KB pages.
  t.true(
    needs > 1024 && needs <= 1100 + 64,
    `the 11th block needs about 1100 KB, reported ${needs} KB`,
  );
});

test("static data larger than SRAM (memory.data(2 MB)) never yields an image that fits", async (t) => {
  const result = await build("sram-static").then(
    (b) => b,
    (e: Error) => e,
  );
  if (result instanceof Error)
    t.true(result instanceof UserError, `a user error, not ${result.stack}`);
  else t.false(result.report.fits);
});

// asc rejects such a module (AS106); the build retries with room so the report can say why.
test("static data larger than SRAM: buildApp reports an SRAM overflow (report.fits false)", async (t) => {
  const { report } = await build("sram-static");
  t.false(report.fits);
  t.true(
    report.problems.some((p) => /SRAM overflowed/.test(p) && /has 1024 KB/.test(p)),
    report.problems.join("; "),
  );
});

// Its code has no loop (the optimiser drops the tick import), so the verifier refuses it as not
// metered; no loop was charged per entry, so a compile with every loop checked would be the same
// bytes: it is compiled once (the AS106 retry aside), with no countedRefused recompile.
test.serial(
  "static data larger than SRAM: compiled once, not again for a refusal no loop caused",
  async (t) => {
    const log = path.join(tmpDir(t), "builds.jsonl");
    const before = process.env.TINYBOARD_BUILD_LOG;
    process.env.TINYBOARD_BUILD_LOG = log;
    try {
      await buildApp(fixture("sram-static"), loadTarget("rt1060"), { cache: false });
    } finally {
      if (before === undefined) delete process.env.TINYBOARD_BUILD_LOG;
      else process.env.TINYBOARD_BUILD_LOG = before;
    }
    const events = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .filter((e) => String(e.entry ?? e.app).includes("sram-static"));
    t.deepEqual(
      events.filter((e) => e.event === "countedRefused"),
      [],
    );
    t.is(events.filter((e) => e.event === "compile" && e.phases.optimize !== undefined).length, 1);
  },
);

test("tinyboard build of an app whose static data exceeds SRAM: one-line error, no stack, exit != 0", (t) => {
  const out = path.join(tmpDir(t), "x.tbi");
  const r = cli(["build", fixture("sram-static"), "--board", "rt1060", "-o", out]);
  t.not(r.status, 0);
  t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/);
  t.false(r.stderr.includes("    at "), r.stderr);
});

// The end of static data comes from __heap_base, which asc emits only when something refers
// to it (hal/system.ts does, for every build).
test("static data is counted in the SRAM report even when the firmware never uses the heap", async (t) => {
  const { report } = await build("static-arena");
  t.true(report.sram.static >= 600 * 1024, `static ${report.sram.static} B for a 600 KB arena`);
});

// ---- flash partitions ---------------------------------------------------------------------

/** A temporary copy of the big-partition fixture with a `mb` MB model partition. */
function bigPartitionApp(dir: string, mb: number, source?: string): string {
  const app = path.join(dir, "big-partition");
  mkdirSync(app);
  copyFileSync(path.join(FIXTURES, "big-partition/app.json"), path.join(app, "app.json"));
  if (source !== undefined) writeFileSync(path.join(app, "main.ts"), source);
  else copyFileSync(path.join(FIXTURES, "big-partition/main.ts"), path.join(app, "main.ts"));
  writeFileSync(path.join(app, "big.bin"), Buffer.alloc(mb * 1024 * 1024, 0x5a));
  return app;
}

test("a partition larger than mcxn947's 2 MB flash is rejected before compiling", async (t) => {
  // main.ts does not compile: the error must come from the flash check, which runs first.
  const app = bigPartitionApp(tmpDir(t), 3, "this is not AssemblyScript {\n");
  const e = await t.throwsAsync(buildApp(app, loadTarget("mcxn947")), { instanceOf: UserError });
  t.regex(e?.message ?? "", /partitions need 3\d{3} KB of flash/);
  t.regex(e?.message ?? "", /mcxn947 has 2048 KB/);
  t.notRegex(e?.message ?? "", /compile/);
});

test("the same 3 MB partition fits rt1060's 8 MB flash", async (t) => {
  // (A temporary folder is outside the project: no HAL imports from there.)
  const app = bigPartitionApp(tmpDir(t), 3, "export function main(): void {}\n");
  const { report, image } = await buildApp(app, loadTarget("rt1060"));
  t.true(report.fits, report.problems.join("; "));
  t.true(report.flash.used > 3 * 1024 * 1024);
  t.deepEqual(
    image.manifest.partitions.map((p) => [p.name, p.size]),
    [["model", 3 * 1024 * 1024]],
  );
});

test("a partition file that does not exist is a user error", async (t) => {
  await t.throwsAsync(buildApp(path.join(FIXTURES, "big-partition"), loadTarget("mcxn947")), {
    instanceOf: UserError,
    message: /partition 'model': cannot read .*big\.bin/,
  });
});

// ---- bad HAL pointers -------------------------------------------------------------------

test("console.write from 0xFFFFFF00 (raw import) faults with bad-hal-pointer", async (t) => {
  const r = await runFixture("bad-ptr-console");
  const f = assertFault(t, r, "bad-hal-pointer");
  t.regex(f.message, /console\.write/);
  t.regex(f.message, /0xffffff00\+16/);
  t.is(f.where?.function, fn("bad-ptr-console", "main"));
  t.is(f.where?.file, "test/fixtures/apps/bad-ptr-console/main.ts");
  t.is(f.where?.line, lineOf("bad-ptr-console", "BAD POINTER"));
});

test("sdcard.read-blocks into an address past memory faults with bad-hal-pointer", async (t) => {
  const r = await runFixture("bad-ptr-sdread", { sdcard: newCard(tmpDir(t)) });
  const f = assertFault(t, r, "bad-hal-pointer");
  t.regex(f.message, /sdcard\.read-blocks: buffer 0x7fff0000\+512 is outside/);
  t.is(f.where?.function, fn("bad-ptr-sdread", "main"));
  t.false(r.console.includes("returned"), "the firmware did not get a status back");
});

test("sdcard.write-blocks from a range running past memory faults and writes nothing", async (t) => {
  const card = newCard(tmpDir(t));
  const before = [0, 1, 2, 6, 7].map((lba) => readBlock(card, lba));
  const r = await runFixture("bad-ptr-sdwrite", { sdcard: card });
  const f = assertFault(t, r, "bad-hal-pointer");
  t.regex(f.message, /sdcard\.write-blocks: buffer 0x[0-9a-f]+\+4096 is outside/);
  // Blocks 0-7 were the target: the boot sector and its backup are as formatted (FSInfo,
  // blocks 1 and 7, legitimately changed when /BEFORE.TXT was written).
  t.deepEqual(readBlock(card, 0), before[0]);
  t.deepEqual(readBlock(card, 6), before[3]);
  t.deepEqual(readBlock(card, 2), before[2]);
});

// ---- writes into flash --------------------------------------------------------------------

test("sdcard.read-blocks (DMA) into address 16, in the flash window, faults with flash-write", async (t) => {
  const r = await runFixture("flash-dma", { sdcard: newCard(tmpDir(t)) });
  const f = assertFault(t, r, "flash-write");
  t.regex(f.message, /sdcard\.read-blocks: DMA write into flash at 0x10\b/);
  t.is(f.where?.function, fn("flash-dma", "main"));
  t.false(r.console.includes("returned"));
});

test("store<u32>(16, 1) into flash faults with flash-write and names the board address", async (t) => {
  const r = await runFixture("flash-store");
  const f = assertFault(t, r, "flash-write");
  t.regex(f.message, /flash at 0x10 \(board address 0x60000010, BOARD_FLASH\)/);
  t.is(f.where?.function, fn("flash-store", "main"));
  t.is(
    f.where?.line,
    lineOf("flash-store", "STORE INTO FLASH"),
    "the store's own line, not the function's last",
  );
  t.false(r.console.includes("stored"), "the store did not complete");
});

// ---- AssemblyScript aborts ------------------------------------------------------------------

test('assert(false, "boom") faults with panic, the message and the source line', async (t) => {
  const r = await runFixture("panic-assert");
  const f = assertFault(t, r, "panic");
  t.regex(f.message, /^boom /);
  t.true(
    f.message.includes(
      `test/fixtures/apps/panic-assert/main.ts:${lineOf("panic-assert", "ASSERT")}:`,
    ),
    f.message,
  );
  t.true(
    [fn("panic-assert", "main"), fn("panic-assert", "check")].includes(f.where?.function ?? ""),
    f.where?.function,
  );
});

test("an app that asks the engine for a partition that does not exist and skips engine.ok faults naming the partitions", async (t) => {
  const r = await runFixture("partition-typo");
  const f = assertFault(t, r, "panic");
  t.regex(
    f.message,
    /^the interpreter is not ready: no partition named 'modle' \(partitions: model\) \(check engine\.ok before using it\)/,
  );
  t.true(
    f.backtrace.some((l) => l.function === fn("partition-typo", "main")),
    `the backtrace reaches the app's main: ${JSON.stringify(f.backtrace)}`,
  );
  t.false(/Index out of range/.test(f.message));
});

test("an array index out of range faults with panic", async (t) => {
  const r = await runFixture("panic-index");
  const f = assertFault(t, r, "panic");
  t.regex(f.message, /Index out of range/);
  t.true(
    f.backtrace.some((l) => l.function === fn("panic-index", "main")),
    "the backtrace reaches main",
  );
  t.false(r.console.includes("table[i]"));
});

// The bounds check is standard-library code inlined into main; the statement that indexes
// has no mapping of its own, so the report names main.ts at that statement or the one before.
test("an index out of range names the firmware's function and source line", async (t) => {
  const f = (await runFixture("panic-index")).summary.fault!;
  const line = lineOf("panic-index", "INDEX");
  t.is(f.where?.file, "test/fixtures/apps/panic-index/main.ts");
  t.is(f.where?.function, fn("panic-index", "main"));
  t.true(
    f.where!.line! >= line - 1 && f.where!.line! <= line,
    `line ${f.where?.line}, indexing at ${line}`,
  );
  t.regex(f.message, /Index out of range/);
});

// ---- traps --------------------------------------------------------------------------------

test("unreachable() traps, naming the firmware function and its source line", async (t) => {
  const r = await runFixture("trap-unreachable");
  const f = assertFault(t, r, "trap");
  t.regex(f.message, /unreachable/);
  t.is(f.where?.function, fn("trap-unreachable", "explode"));
  t.is(f.where?.file, "test/fixtures/apps/trap-unreachable/main.ts");
  t.is(f.where?.line, lineOf("trap-unreachable", "UNREACHABLE"));
  t.is(f.backtrace[1]?.function, fn("trap-unreachable", "main"), "called from main");
});

test("an integer division by zero traps at its source line", async (t) => {
  const r = await runFixture("trap-div");
  const f = assertFault(t, r, "trap");
  t.regex(f.message, /divide by zero/);
  t.is(f.where?.function, fn("trap-div", "main"));
  t.is(f.where?.file, "test/fixtures/apps/trap-div/main.ts");
  t.is(f.where?.line, lineOf("trap-div", "DIVIDE"));
  t.false(r.console.includes("quotient"));
});

// ---- peripherals that are not emulated -------------------------------------------------------

test("npu.submit on a board without an NPU faults with not-implemented", async (t) => {
  const r = await runFixture("no-npu");
  const f = assertFault(t, r, "not-implemented");
  t.true(f.message.includes("npu not implemented on this board"), f.message);
  t.regex(f.message, /\(rt1060\): npu\.submit/);
  t.is(f.where?.function, fn("no-npu", "main"));
  t.false(r.console.includes("returned"), "submit never returned a status");
});

// ---- what the firmware wrote before a fault stays on the card --------------------------------

const CARD_CASES: { app: string; kind: FaultKind; tag: string; watchdogMs?: number }[] = [
  { app: "spin", kind: "watchdog", tag: "spin", watchdogMs: 100 },
  { app: "wd-spin", kind: "watchdog", tag: "watchdog" },
  { app: "wd-call", kind: "watchdog", tag: "watchdog" },
  { app: "sram-runtime", kind: "sram-exhausted", tag: "sram-exhausted" },
  { app: "bad-ptr-console", kind: "bad-hal-pointer", tag: "bad-hal-pointer" },
  { app: "bad-ptr-sdread", kind: "bad-hal-pointer", tag: "bad-hal-pointer" },
  { app: "bad-ptr-sdwrite", kind: "bad-hal-pointer", tag: "bad-hal-pointer" },
  { app: "flash-dma", kind: "flash-write", tag: "flash-write" },
  { app: "flash-store", kind: "flash-write", tag: "flash-write" },
  { app: "panic-assert", kind: "panic", tag: "panic" },
  { app: "panic-index", kind: "panic", tag: "panic" },
  { app: "trap-unreachable", kind: "trap", tag: "trap" },
  { app: "trap-div", kind: "trap", tag: "trap" },
  { app: "no-npu", kind: "not-implemented", tag: "not-implemented" },
];

const toolsNote = TOOLS_MISSING.length
  ? ` [SKIPPED: ${TOOLS_MISSING.join(", ")} not installed]`
  : "";
for (const c of CARD_CASES) {
  (TOOLS_MISSING.length ? test.skip : test)(
    `after a ${c.kind} fault (${c.app}) the card passes fsck and the file written before it is intact${toolsNote}`,
    async (t) => {
      const card = newCard(tmpDir(t));
      const boot = readBlock(card, 0);
      const r = await runFixture(c.app, { sdcard: card, watchdogMs: c.watchdogMs });
      assertFault(t, r, c.kind);
      t.true(r.console.includes("before-fault: wrote /BEFORE.TXT"), r.console);
      t.deepEqual(readBlock(card, 0), boot, "boot sector unchanged");
      const fsck = tool("fsck.fat", ["-n", card]);
      t.is(fsck.status, 0, fsck.stdout + fsck.stderr);
      const dir = tool("mdir", ["-i", card, "::/"]);
      t.is(dir.status, 0, dir.stderr);
      t.regex(dir.stdout, /^BEFORE\s+TXT\s+\d+ /m);
      t.is(cardFile(card, "/BEFORE.TXT"), `written before the ${c.tag} fault\n`);
    },
  );
}
