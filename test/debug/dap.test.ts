// tinyboard's debug adapter driven by a real DAP client (@vscode/debugadapter-testsupport's
// DebugClient, over the adapter's stdin/stdout): launch person-model, set a source breakpoint
// and a layer breakpoint, hit both, read the stack and the variables, step, continue to exit.
import test, { type ExecutionContext } from "ava";
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ROOT, lineOf } from "../faults/helpers.ts";
import { functionBreakpoint } from "../../emulator/debug/dap.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { loadTarget } from "../../emulator/board.ts";

const MAIN = path.join(ROOT, "test/fixtures/apps/person-model/main.ts");

async function variables(dc: DebugClient, ref: number): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
}

test("function breakpoint names: layers, ops, fault, cycles; a bad one is refused", (t) => {
  t.deepEqual(functionBreakpoint("5"), { kind: "layer", index: 5 });
  t.deepEqual(functionBreakpoint("layer 12"), { kind: "layer", index: 12 });
  t.deepEqual(functionBreakpoint("CONV_2D"), { kind: "op", op: "CONV_2D" });
  t.deepEqual(functionBreakpoint("op softmax"), { kind: "op", op: "SOFTMAX" });
  t.deepEqual(functionBreakpoint("fault"), { kind: "fault" });
  t.deepEqual(functionBreakpoint("cycles 1000"), { kind: "cycles", at: 1000 });
  t.throws(() => functionBreakpoint("NOT_AN_OP"), { message: /unknown operator/ });
  t.throws(() => functionBreakpoint("main"), { message: /unknown kind 'main'/ });
});

// The app is built before the session (into the build cache the adapter's launch then reads),
// so the protocol waits below wait for the debugger, not for a compile on a loaded machine.
test.before(async () => {
  await buildApp(path.join(ROOT, "test/fixtures/apps/person-model"), loadTarget("rt1060"), {
    debugLines: true,
  });
});

// Every wait is for an event; the ceilings are only there so a broken adapter ends the test.
const WAIT_MS = 600_000;

/** A started adapter (stopped at the test's end) and the debuggee's output so far. */
async function startSession(t: ExecutionContext) {
  const dc = new DebugClient(
    process.execPath,
    path.join(ROOT, "bin/tinyboard-dap.js"),
    "tinyboard",
    { cwd: ROOT },
  );
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  t.teardown(() => dc.stop().catch(() => undefined));
  const log = { text: "" };
  dc.on("output", (e: DebugProtocol.OutputEvent) => {
    log.text += e.body.output;
  });
  return { dc, output: () => log.text };
}

test("DAP session: source and layer breakpoints, stack, variables, step, continue to exit", async (t) => {
  t.timeout(WAIT_MS * 2, "the whole session on a loaded machine");
  const { dc, output } = await startSession(t);
  const scoresLine = lineOf("person-model", "print-scores");

  const configured = dc.waitForEvent("initialized").then(async () => {
    const src = await dc.setBreakpointsRequest({
      source: { path: MAIN },
      breakpoints: [{ line: scoresLine }, { line: 1 }],
    });
    const fn = await dc.setFunctionBreakpointsRequest({
      breakpoints: [{ name: "layer 5" }, { name: "NOT_AN_OP" }],
    });
    await dc.configurationDoneRequest();
    return { src: src.body.breakpoints, fn: fn.body.breakpoints };
  });
  const firstStop = dc.waitForEvent("stopped");
  // A workspace of its own: the session takes that workspace's rt1060 card, as `run` and `debug` do.
  const workspace = mkdtempSync(path.join(os.tmpdir(), "tb-dap-"));
  await dc.launch({
    program: path.join(ROOT, "test/fixtures/apps/person-model"),
    board: "rt1060",
    cwd: workspace,
  });
  t.true(
    existsSync(path.join(workspace, ".tinyboard/rt1060/sdcard.img")),
    "the board's card by default",
  );
  t.true(existsSync(path.join(workspace, ".tinyboard/rt1060/.lock")), "held for the session");
  const { src, fn } = await configured;
  t.true(src[0].verified, "a line with code");
  t.false(src[1].verified, "line 1 has no code");
  t.true(fn[0].verified);
  t.false(fn[1].verified);
  t.regex(fn[1].message ?? "", /unknown operator 'NOT_AN_OP'/);

  // 1. The layer breakpoint.
  const stop1 = (await firstStop) as DebugProtocol.StoppedEvent;
  t.is(stop1.body.reason, "breakpoint");
  t.deepEqual(stop1.body.hitBreakpointIds, [fn[0].id]);
  const stack1 = (await dc.stackTraceRequest({ threadId: stop1.body.threadId! })).body.stackFrames;
  t.regex(stack1[0].name, /^before layer 5 DEPTHWISE_CONV_2D \(CPU, cycle \d+\)$/);
  // The engine's invoke runs inlined into main: its own frame, marked, then main at the call.
  t.regex(stack1[1].name, /^Interpreter#invoke \(firmware\/tflite\/interpreter\) \[inlined\]$/);
  t.regex(stack1[2].name, /^main \(test\/fixtures\/apps\/person-model\/main\)$/);
  t.is(stack1[2].source?.path, MAIN);
  t.is(stack1[2].line, lineOf("person-model", "invoke"));
  const scopes = (await dc.scopesRequest({ frameId: stack1[0].id })).body.scopes;
  t.deepEqual(
    scopes.map((s) => s.name),
    ["Layer tensors", "Activation tensors", "Peripherals"],
  );
  const layerVars = await variables(dc, scopes[0].variablesReference);
  t.deepEqual(
    layerVars.map((v) => v.name.split(":")[0]),
    ["input 0", "input 1", "input 2", "output 0"],
  );
  t.regex(
    layerVars[0].value,
    /^int8 \[1,24,24,32\] min 0\.0000 max [\d.]+ mean [\d.]+$/,
    "the layer's input, computed",
  );
  t.regex(
    layerVars[1].value,
    /^int8 \[1,3,3,32\] min -[\d.]+ max [\d.]+/,
    "its weights, from flash",
  );
  t.regex(layerVars[3].value, /not computed yet \(layer 5 produces it\)/);
  const details = await variables(dc, layerVars[0].variablesReference);
  t.deepEqual(
    details.map((v) => v.name),
    ["index", "type", "shape", "quantisation", "address", "state", "values", "dequantized"],
  );
  t.is(details.find((v) => v.name === "shape")!.value, "[1, 24, 24, 32]");
  const periph = await variables(dc, scopes[2].variablesReference);
  const cycles1 = Number(/^(\d+)/.exec(periph.find((v) => v.name === "cycles")!.value)![1]);
  t.regex(
    stack1[0].name,
    new RegExp(`cycle ${cycles1}\\)`),
    "the clock did not move while stopped",
  );
  t.true(periph.some((v) => v.name === "accel"));
  const mem = await dc.customRequest("readMemory", { memoryReference: String(0), count: 4 });
  t.is(Buffer.from(mem.body.data, "base64").toString("latin1"), "TBPT");

  // 2. Step Into = the next layer.
  const stop2 = dc.waitForEvent("stopped");
  await dc.stepInRequest({ threadId: 1 });
  t.is(((await stop2) as DebugProtocol.StoppedEvent).body.reason, "step");
  const stack2 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.regex(stack2[0].name, /^before layer 6 CONV_2D/);
  const cycles2 = Number(/cycle (\d+)/.exec(stack2[0].name)![1]);
  t.true(cycles2 > cycles1, "the clock advanced by layer 5's cost");
  const info = await dc.evaluateRequest({ expression: "info layers", context: "repl" });
  t.regex(info.body.result, /^\s+5\s+DEPTHWISE_CONV_2D\s+cpu\s+\d+/m);
  const bad = await dc.evaluateRequest({ expression: "print tensor 4242", context: "repl" });
  t.regex(bad.body.result, /^error: no tensor 4242/);

  // 3. Continue to the source breakpoint.
  const stop3 = dc.waitForEvent("stopped");
  await dc.continueRequest({ threadId: 1 });
  const s3 = (await stop3) as DebugProtocol.StoppedEvent;
  t.is(s3.body.reason, "breakpoint");
  t.deepEqual(s3.body.hitBreakpointIds, [src[0].id]);
  const stack3 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  const inMain = stack3.find((f) => f.source?.path === MAIN)!;
  t.is(inMain.line, scoresLine);

  // 4. Step Over = the next source line; then continue to the end.
  const stop4 = dc.waitForEvent("stopped");
  await dc.nextRequest({ threadId: 1 });
  t.is(((await stop4) as DebugProtocol.StoppedEvent).body.reason, "step");
  const stack4 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.true(stack4.find((f) => f.source?.path === MAIN)!.line > scoresLine);
  const exited = dc.waitForEvent("exited");
  const terminated = dc.waitForEvent("terminated");
  await dc.continueRequest({ threadId: 1 });
  t.is(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  await terminated;
  t.regex(output(), /scores no-person=-113 person=113/);
  t.regex(output(), /firmware ended: exit\(0\)/);
});

// A debug-lines session on hello-model: a conditional breakpoint and a logpoint, a comment line's
// breakpoint moved to the next statement (and hit there), locals in `variables`, step in and out
// by line.
test("DAP debug-lines: conditional breakpoint, logpoint, a comment line moved to its statement, locals, step in/out by line", async (t) => {
  t.timeout(WAIT_MS * 2, "the whole session on a loaded machine");
  const hello = path.join(ROOT, "apps/hello-model");
  const text = path.join(ROOT, "firmware/text.ts");
  await buildApp(hello, loadTarget("rt1060"), { debugLines: true });
  const { dc, output } = await startSession(t);
  const configured = dc.waitForEvent("initialized").then(async () => {
    const main = await dc.setBreakpointsRequest({
      source: { path: path.join(hello, "main.ts") },
      breakpoints: [{ line: 40 }, { line: 42, condition: "nope >" }],
    });
    const src = await dc.setBreakpointsRequest({
      source: { path: text },
      breakpoints: [
        { line: 44, condition: "v > 1000" },
        { line: 43, logMessage: "uint v={v}" },
      ],
    });
    await dc.configurationDoneRequest();
    return [...main.body.breakpoints, ...src.body.breakpoints];
  });
  const firstStop = dc.waitForEvent("stopped");
  const workspace = mkdtempSync(path.join(os.tmpdir(), "tb-dap-lines-"));
  await dc.launch({ program: hello, board: "rt1060", cwd: workspace, sdcard: false });
  const bps = await configured;
  t.true(bps[0].verified, "a comment line moves to the next statement");
  t.is(bps[0].line, 42);
  t.regex(bps[0].message ?? "", /moved from line 40, which has no statement in this build/);
  t.false(bps[1].verified);
  t.regex(bps[1].message ?? "", /condition: 'nope >' ends too early/);
  t.true(bps[2].verified);
  t.true(bps[3].verified);

  const stop = (await firstStop) as DebugProtocol.StoppedEvent;
  t.is(stop.body.reason, "breakpoint");
  t.deepEqual(stop.body.hitBreakpointIds, [bps[2].id]);
  t.regex(output(), /uint v=\d+/, "the logpoint printed before the condition held");
  const stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.is(stack[0].source?.path, text);
  t.is(stack[0].line, 44);
  const scopes = (await dc.scopesRequest({ frameId: stack[0].id })).body.scopes;
  t.is(scopes[0].name, "Locals");
  const locals = await variables(dc, scopes[0].variablesReference);
  t.deepEqual(
    locals.slice(0, 3).map((v) => v.name),
    ["this", "v", "width"],
  );
  t.true(Number(locals[1].value) > 1000);

  // Breakpoints first stop a step too: cleared, so the steps below end where they step to.
  await dc.setBreakpointsRequest({ source: { path: text }, breakpoints: [] });
  const out = dc.waitForEvent("stopped");
  await dc.stepOutRequest({ threadId: 1 });
  t.is(((await out) as DebugProtocol.StoppedEvent).body.reason, "step");
  const caller = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
  t.not(caller.name, stack[0].name, "back in the caller");
  const into = dc.waitForEvent("stopped");
  await dc.stepInRequest({ threadId: 1 });
  t.is(((await into) as DebugProtocol.StoppedEvent).body.reason, "step");
  const next = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
  t.true(next.line !== caller.line || next.name !== caller.name, "moved to another line");

  // main.ts:42 (where line 40's breakpoint went) is reached next, in the loop.
  const atMoved = dc.waitForEvent("stopped");
  await dc.continueRequest({ threadId: 1 });
  t.deepEqual(((await atMoved) as DebugProtocol.StoppedEvent).body.hitBreakpointIds, [bps[0].id]);
  t.is((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line, 42);
  await dc.setBreakpointsRequest({
    source: { path: path.join(hello, "main.ts") },
    breakpoints: [],
  });
  const exited = dc.waitForEvent("exited");
  await dc.continueRequest({ threadId: 1 });
  t.is(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
});

test("DAP debug-lines: a loop's locals by name and source type at the iteration a condition picks", async (t) => {
  t.timeout(WAIT_MS * 2, "the whole session on a loaded machine");
  const app = path.join(ROOT, "test/fixtures/apps/locals-loop");
  await buildApp(app, loadTarget("rt1060"), { debugLines: true });
  const { dc } = await startSession(t);
  const configured = dc.waitForEvent("initialized").then(async () => {
    await dc.setBreakpointsRequest({
      source: { path: path.join(app, "main.ts") },
      breakpoints: [{ line: lineOf("locals-loop", "LOW BYTE"), condition: "i == 3" }],
    });
    await dc.configurationDoneRequest();
  });
  const stopped = dc.waitForEvent("stopped");
  const workspace = mkdtempSync(path.join(os.tmpdir(), "tb-dap-locals-"));
  await dc.launch({ program: app, board: "rt1060", cwd: workspace, sdcard: false });
  await configured;
  t.is(((await stopped) as DebugProtocol.StoppedEvent).body.reason, "breakpoint");
  const frame = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
  const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
  const locals = await variables(dc, scopes[0].variablesReference);
  const byName = Object.fromEntries(locals.map((v) => [v.name, `${v.value} ${v.type}`]));
  // total = Σ (k² + 6) for k = 0..3; low = total * 7 as a u8.
  t.like(
    byName,
    { i: "3 i32", total: "38 i32", low: "10 u8", base: "6 i32" },
    JSON.stringify(byName),
  );
  const exited = dc.waitForEvent("exited");
  await dc.continueRequest({ threadId: 1 });
  await exited;
});
