// Source-level debugging with a debug-lines build (statement hooks, build/line-hooks.ts):
// breakpoints on plain arithmetic lines, unverified non-statements, next/step/finish by line,
// conditions over locals, logpoints, hit counts, backtrace after the end; and the build's
// promise: every bundled app charges exactly the release build's cycles, and the release
// image has no hooks.
import test, { type ExecutionContext } from "ava";
import { readdirSync, existsSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { loadApp, resolveInput } from "../../emulator/toolchain/app.ts";
import { Machine } from "../../emulator/machine.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import { Commands } from "../../emulator/debug/commands.ts";
import { parseBreakpoint } from "../../emulator/debug/breakpoints.ts";
import { Expression } from "../../emulator/debug/condition.ts";
import { ROOT, lineOf, newCard, tmpDir } from "../faults/helpers.ts";

const target = loadTarget("rt1060");
const HELLO = path.join(ROOT, "apps/hello-model");

test("break FILE:LINE if COND parses; a bad condition is one line", (t) => {
  t.deepEqual(parseBreakpoint("main.ts:42 if count > 10"), {
    kind: "line",
    file: "main.ts",
    line: 42,
    condition: "count > 10",
  });
  t.deepEqual(parseBreakpoint("line apps/x/main.ts:7"), {
    kind: "line",
    file: "apps/x/main.ts",
    line: 7,
  });
  t.throws(() => parseBreakpoint("main.ts:42 if count >"), {
    message: /condition: 'count >' ends too early/,
  });
  t.is(
    Expression.parse("a * 2 + 1 > 10 && !(b == 3)").evaluate(
      new Map([
        ["a", 5],
        ["b", 4],
      ]),
    ),
    1,
  );
  t.is(Expression.parse("a << 2 | 1").evaluate(new Map([["a", 3]])), 13);
  t.throws(() => Expression.parse("nope > 1").evaluate(new Map([["v", 1]])), {
    message: /no local 'nope' here \(v\)/,
  });
});

/** A debugger on hello-model's debug-lines build, with the REPL's commands. */
async function helloSession(t: ExecutionContext) {
  const { image } = await buildApp(HELLO, target, { debugLines: true });
  const engine = await DebugEngine.launch({ image, target, seconds: 2 });
  t.teardown(() => engine.close());
  const c = new Commands(engine);
  return { engine, run: (cmd: string) => c.execute(cmd) };
}

test("hello-model: any-line breakpoints, next/step/finish by line, conditions, locals, logpoints, hits, backtrace after exit", async (t) => {
  t.timeout(600_000);
  const { engine, run } = await helloSession(t);
  const logs: string[] = [];
  engine.on("logpoint", (text: string) => logs.push(text));

  // Line 42 is a store (no call, no loop head): a sync-point debugger could not stop there.
  t.is(
    await run("break apps/hello-model/main.ts:42"),
    "breakpoint 1: line apps/hello-model/main.ts:42",
  );
  // Line 1 is a comment with no statement in the 10 lines below it: left unverified.
  t.regex(
    await run("break apps/hello-model/main.ts:1"),
    /not verified: apps\/hello-model\/main.ts:1 is not a statement of this build/,
  );
  const first = await run("continue");
  t.regex(first, /^stopped: breakpoint 1: apps\/hello-model\/main.ts:42, cycle \d+/);
  t.regex(
    await run("backtrace"),
    /^#0 {2}main \(apps\/hello-model\/main\) at apps\/hello-model\/main.ts:42$/,
  );
  // main's own locals by name and source type, in the first iteration of its loop.
  const mainLocals = await run("info locals");
  t.regex(mainLocals, /^apps\/hello-model\/main\/main:\n/);
  t.regex(mainLocals, /\n {2}engine +Interpreter +0x[0-9a-f]+\n/);
  t.regex(mainLocals, /\n {2}i +i32 +0 \(0x0\)/);
  t.regex(mainLocals, /\n {2}next +u64 +\d+/);
  t.regex(await run("next"), /at apps\/hello-model\/main.ts:43$/);
  const at44 = await run("next");
  t.regex(at44, /at apps\/hello-model\/main.ts:44$/);
  // Over engine.invoke() (inlined into main): the whole inference runs, the next line stops.
  const at45 = await run("next");
  t.regex(at45, /at apps\/hello-model\/main.ts:45$/);
  const cyc = (s: string) => Number(/cycle (\d+)/.exec(s)![1]);
  t.true(cyc(at45) - cyc(at44) > 1000, "the inference ran in between");
  t.regex(await run("next"), /at apps\/hello-model\/main.ts:47$/);
  t.regex(await run("next"), /at apps\/hello-model\/main.ts:49$/);
  // Into TextBuffer#str, into byte(), and back out to str.
  t.regex(await run("step"), /at firmware\/text.ts:28$/);
  t.regex(await run("step"), /at firmware\/text.ts:29$/);
  t.regex(await run("step"), /at firmware\/text.ts:21$/);
  t.regex(await run("finish"), /at firmware\/text.ts:29$/);
  t.regex(
    await run("info breakpoints"),
    /1 {2}line apps\/hello-model\/main.ts:42 +hit 1 time\n +2 {2}line apps\/hello-model\/main.ts:1 +hit 0 times/,
  );
  await run("delete");

  // A condition over an argument: stops only when it holds, with the locals by name.
  t.is(
    await run("break firmware/text.ts:44 if v > 1000"),
    "breakpoint 3: line firmware/text.ts:44 if v > 1000",
  );
  t.regex(await run("continue"), /breakpoint 3: firmware\/text.ts:44/);
  const locals = await run("info locals");
  t.regex(locals, /^firmware\/text\/TextBuffer#uint:\n {2}this +TextBuffer +0x[0-9a-f]+/);
  const v = Number(/\n {2}v +u64 +(\d+)/.exec(locals)![1]);
  t.true(v > 1000, `v = ${v}`);
  t.regex(locals, /\n {2}width +u32 +\d+/);
  t.regex(locals, /\n {2}digits +u32 +\d+/, "a local, not only the arguments");
  await run("delete");

  // A logpoint prints and goes on; its hits count.
  engine.breakpoints.length = 0;
  await engine.addBreakpoint({
    kind: "line",
    file: "firmware/text.ts",
    line: 43,
    logMessage: "uint v={v} width={width}",
  });
  const end = await run("continue");
  t.regex(end, /^firmware ended: exit\(0\)/);
  t.true(logs.length >= 10, `${logs.length} log lines`);
  t.regex(logs[0], /^uint v=\d+ width=\d+$/);
  t.regex(await run("info breakpoints"), new RegExp(`hit ${logs.length} times`));
  // After the end: where the firmware was when it called exit().
  t.regex(
    await run("backtrace"),
    /^the firmware has ended \(exit\(0\)\); its stack then:\n#0 {2}main \(apps\/hello-model\/main\) at apps\/hello-model\/main.ts:55/,
  );
});

test("a breakpoint on a line without a statement moves to the next statement and stops there", async (t) => {
  t.timeout(600_000);
  const { run } = await helloSession(t);
  // Line 40 is a comment inside the loop, 41 a declaration the compiler folds into 42.
  t.is(
    await run("break apps/hello-model/main.ts:40"),
    "breakpoint 1: line apps/hello-model/main.ts:42 (moved from line 40, which has no statement in this build)",
  );
  t.regex(
    await run("continue"),
    /^stopped: breakpoint 1: apps\/hello-model\/main.ts:42, cycle \d+/,
  );
  t.regex(await run("info breakpoints"), /1 {2}line apps\/hello-model\/main.ts:42 +hit 1 time/);
  t.regex(await run("print i"), /^i = 0 /, "the first pass of the loop");
});

/** The fixture's fault, from its release and its debug-lines build. */
async function faultBothWays(fixture: string) {
  const dir = path.join(ROOT, "test/fixtures/apps", fixture);
  const runOnce = async (debugLines: boolean) =>
    new Machine({
      target,
      image: (await buildApp(dir, target, { debugLines })).image,
      sdcard: null,
    }).run({ seconds: 1 });
  return { release: await runOnce(false), hooked: await runOnce(true) };
}

test("a fault in a debug-lines build names its statement, at the release build's cycle", async (t) => {
  const { release, hooked } = await faultBothWays("trap-div");
  t.is(hooked.reason, "fault");
  t.is(hooked.cycles, release.cycles);
  t.like(hooked.fault!.backtrace[0], {
    file: "test/fixtures/apps/trap-div/main.ts",
    line: lineOf("trap-div", "DIVIDE"),
  });
});

test("a fault in a function inlined from another file names it as a frame of its own in a debug-lines build", async (t) => {
  const { release, hooked } = await faultBothWays("inline-fault");
  const ratio = "test/fixtures/apps/inline-fault/ratio.ts";
  const main = "test/fixtures/apps/inline-fault/main.ts";
  t.like(hooked.fault!.backtrace[0], {
    function: "ratio (test/fixtures/apps/inline-fault/ratio) [inlined]",
    file: ratio,
    line: lineOf("inline-fault", "DIVIDE", "ratio.ts"),
  });
  t.like(hooked.fault!.backtrace[1], {
    function: "main (test/fixtures/apps/inline-fault/main)",
    file: main,
  });
  t.is(hooked.fault!.where!.file, ratio, "the fault line points at the division");
  // A release build has no declaration lines: its first frame is main's.
  t.like(release.fault!.backtrace[0], { function: "main (test/fixtures/apps/inline-fault/main)" });
  t.is(hooked.cycles, release.cycles);
});

// The hooks must not change the emulated cycle count: every bundled app, built both ways, runs
// the same emulated time to the same cycle. The release image carries no hook at all.
const SECONDS = 0.5;
const apps = readdirSync(path.join(ROOT, "apps")).filter((a) =>
  existsSync(path.join(ROOT, "apps", a, "app.json")),
);
// On rt1060, but for an app whose debug-lines build another test needs on another board: the
// build cache then serves it (voice-control's from test/debug/voice-control-dap.test.ts), not a
// second model-app compile for this file alone (docs/test-time.md).
const BOARD_OF: Record<string, string> = { "voice-control": "rt1170" };
for (const name of apps) {
  const board = BOARD_OF[name] ?? "rt1060";
  test(`${name}: the debug-lines build charges the release build's cycles on ${board} (${SECONDS} s)`, async (t) => {
    t.timeout(900_000);
    const dir = tmpDir(t);
    const target = loadTarget(board);
    const app = loadApp(path.join(ROOT, "apps", name));
    const inputs = Object.fromEntries(
      Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
    );
    const runOnce = async (debugLines: boolean) => {
      const { image } = await buildApp(app.dir, target, { debugLines });
      const machine = new Machine({
        target,
        image,
        inputs,
        sdcard: newCard(dir, `${debugLines}.img`),
        micArray: image.manifest.defaults.micArray,
      });
      let out = "";
      machine.events.on("console", (s) => {
        out += s;
      });
      return { image, summary: await machine.run({ seconds: SECONDS }), out };
    };
    const release = await runOnce(false);
    const hooked = await runOnce(true);
    t.false(
      Buffer.from(release.image.wasm).includes("tinyboard:debug"),
      "no hooks in the release image",
    );
    t.true(Buffer.from(hooked.image.wasm).includes("tinyboard:debug"));
    t.is(hooked.summary.cycles, release.summary.cycles);
    t.is(hooked.summary.busyCycles, release.summary.busyCycles);
    t.is(hooked.summary.reason, release.summary.reason);
    t.is(hooked.out, release.out);
    t.true(release.summary.busyCycles > 1000, "the app ran");
  });
}
