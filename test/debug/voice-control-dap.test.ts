// The debugger walkthrough of apps/voice-control (its README, "Debugging"), driven by a real DAP
// client (@vscode/debugadapter-testsupport's DebugClient) on rt1170 with the demo scene: break
// in the front end by source line (the superdirective beam's steering, sdSteer), read its locals,
// break in FrontEnd.process (inlined into main: its own frame above main's call), then break
// before the wake-word model's first layer and step through the model layer by layer to its
// softmax. Its input (the 30 x 40 log-mel features) in the layer scope: the second test.
import test from "ava";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { ROOT } from "../faults/helpers.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { loadTarget } from "../../emulator/board.ts";

const APP = path.join(ROOT, "apps/voice-control");
// A front-end function the optimiser keeps as a function (its locals are its own) ...
const BEAMFORMER = path.join(ROOT, "firmware/dsp/superdirective.ts");
// ... and one it inlines into main (FrontEnd.process): a frame of its own, marked inlined.
const FRONT_END = path.join(APP, "frontend.ts");
// The wake-word model (apps/voice-control/model/str_ww_ref_model.tflite), layer by layer.
const WW_LAYERS = [
  ...Array.from({ length: 4 }, () => ["DEPTHWISE_CONV_2D", "CONV_2D"]).flat(),
  "RESHAPE",
  "FULLY_CONNECTED",
  "SOFTMAX",
];
const WAIT_MS = 600_000;

const lineWith = (file: string, text: string) => {
  const i = readFileSync(file, "utf8")
    .split("\n")
    .findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`no '${text}' in ${file}`);
  return i + 1;
};

test.before(async () => {
  await buildApp(APP, loadTarget("rt1170"), { debugLines: true });
});

test("voice-control under the debugger: front-end line breakpoint and locals, the wake-word model's layers stepped one by one", async (t) => {
  t.timeout(WAIT_MS * 2, "the whole session on a loaded machine");
  const delayLine = lineWith(BEAMFORMER, "store<f32>(step + (<usize>m << 3), Mathf.cos(ph));");
  const dc = new DebugClient(
    process.execPath,
    path.join(ROOT, "bin/tinyboard-dap.js"),
    "tinyboard",
    {
      cwd: ROOT,
    },
  );
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  t.teardown(() => dc.stop().catch(() => undefined));
  let output = "";
  dc.on("output", (e: DebugProtocol.OutputEvent) => {
    output += e.body.output;
  });
  const configured = dc.waitForEvent("initialized").then(async () => {
    const src = await dc.setBreakpointsRequest({
      source: { path: BEAMFORMER },
      breakpoints: [{ line: delayLine }],
    });
    await dc.configurationDoneRequest();
    return src.body.breakpoints;
  });
  const firstStop = dc.waitForEvent("stopped");
  const workspace = mkdtempSync(path.join(os.tmpdir(), "tb-dap-voice-"));
  await dc.launch({ program: APP, board: "rt1170", cwd: workspace, sdcard: false });
  const [bp] = await configured;
  t.true(bp.verified, bp.message);

  // 1. The front end, by source line.
  const stop1 = (await firstStop) as DebugProtocol.StoppedEvent;
  t.is(stop1.body.reason, "breakpoint");
  const stack1 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.is(stack1[0].source?.path, BEAMFORMER);
  t.is(stack1[0].line, delayLine);
  t.regex(stack1[0].name, /^sdSteer/);
  const scopes1 = (await dc.scopesRequest({ frameId: stack1[0].id })).body.scopes;
  const locals = (await dc.variablesRequest({ variablesReference: scopes1[0].variablesReference }))
    .body.variables;
  const byName = Object.fromEntries(locals.map((v) => [v.name, v.value]));
  // The first steering (the end of sdInit in FrontEnd's constructor): azimuth 0, the x axis.
  t.like(byName, { ux: "1", uy: "0" }, JSON.stringify(byName));

  // 1b. A line of FrontEnd.process, which the optimiser inlined into main: its own frame
  // (marked inlined) above main at the call.
  await dc.setBreakpointsRequest({ source: { path: BEAMFORMER }, breakpoints: [] });
  const agcLine = lineWith(FRONT_END, "this.gainDb = agcProcess(");
  const set = await dc.setBreakpointsRequest({
    source: { path: FRONT_END },
    breakpoints: [{ line: agcLine }],
  });
  t.true(set.body.breakpoints[0].verified, set.body.breakpoints[0].message);
  const stopIn = dc.waitForEvent("stopped");
  await dc.continueRequest({ threadId: 1 });
  t.is(((await stopIn) as DebugProtocol.StoppedEvent).body.reason, "breakpoint");
  const inlined = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.regex(inlined[0].name, /^FrontEnd#process \(apps\/voice-control\/frontend\) \[inlined\]$/);
  t.is(inlined[0].source?.path, FRONT_END);
  t.is(inlined[0].line, agcLine);
  t.regex(inlined[1].name, /^main \(apps\/voice-control\/main\)$/);
  t.is(inlined[1].source?.path, path.join(APP, "main.ts"));
  t.is(inlined[1].line, lineWith(path.join(APP, "main.ts"), "front.process(idx, f);"));
  await dc.setBreakpointsRequest({ source: { path: FRONT_END }, breakpoints: [] });

  // 2. Before the wake-word model's first layer (the first model the app runs).
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "layer 0" }] });
  const stop2 = dc.waitForEvent("stopped");
  await dc.continueRequest({ threadId: 1 });
  t.is(((await stop2) as DebugProtocol.StoppedEvent).body.reason, "breakpoint");
  const stack2 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.regex(stack2[0].name, /^before layer 0 DEPTHWISE_CONV_2D \(CPU, cycle \d+\)$/);
  // 3. Step Into = the next layer, through the whole model.
  await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
  const seen = [/^before layer 0 (\w+)/.exec(stack2[0].name)![1]];
  for (let k = 1; k < WW_LAYERS.length; k++) {
    const stop = dc.waitForEvent("stopped");
    await dc.stepInRequest({ threadId: 1 });
    t.is(((await stop) as DebugProtocol.StoppedEvent).body.reason, "step");
    const top = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
    const m = /^before layer (\d+) (\w+)/.exec(top.name);
    t.truthy(m, top.name);
    t.is(Number(m![1]), k);
    seen.push(m![2]);
  }
  t.deepEqual(seen, WW_LAYERS);
  t.regex(output, /model ww 74520 B/);
  await dc.disconnectRequest({});
});

// Found by this walkthrough: with several models in flash, the layer scope and `print tensor` at
// the wake-word model's layer 0 showed the last prepared model's tensors (the command model's
// input, int8 [1,49,10,1]), not the wake word's features (int8 [1,30,1,40]); the inspector now
// follows the running model by the op codes of its layers.
test("at the wake-word model's layer 0 the layer scope shows its feature tensor", async (t) => {
  t.timeout(WAIT_MS * 2, "the whole session on a loaded machine");
  const dc = new DebugClient(
    process.execPath,
    path.join(ROOT, "bin/tinyboard-dap.js"),
    "tinyboard",
    {
      cwd: ROOT,
    },
  );
  dc.defaultTimeout = WAIT_MS;
  await dc.start();
  t.teardown(() => dc.stop().catch(() => undefined));
  const configured = dc.waitForEvent("initialized").then(async () => {
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: "layer 0" }] });
    await dc.configurationDoneRequest();
  });
  const stopped = dc.waitForEvent("stopped");
  const workspace = mkdtempSync(path.join(os.tmpdir(), "tb-dap-voice-ww-"));
  await dc.launch({ program: APP, board: "rt1170", cwd: workspace, sdcard: false });
  await configured;
  await stopped;
  const stack2 = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  t.regex(stack2[0].name, /^before layer 0 DEPTHWISE_CONV_2D/);
  const scopes2 = (await dc.scopesRequest({ frameId: stack2[0].id })).body.scopes;
  const layerVars = (
    await dc.variablesRequest({ variablesReference: scopes2[0].variablesReference })
  ).body.variables;
  t.regex(layerVars[0].value, /^int8 \[1,30,1,40\] min -?[\d.]+ max [\d.]+/, "the features");
  const details = (
    await dc.variablesRequest({ variablesReference: layerVars[0].variablesReference })
  ).body.variables;
  const index = details.find((v) => v.name === "index")!.value;
  const printed = await dc.evaluateRequest({
    expression: `print tensor ${index}`,
    context: "repl",
  });
  t.regex(
    printed.body.result,
    /^tensor \d+ 'serving_default_input_1:0': int8 \[1, 30, 1, 40\] \(1200 bytes\)/,
  );
  t.regex(printed.body.result, /values: +min -?\d+ +max -?\d+ .*\(1200 elements; first 16:/);

  await dc.disconnectRequest({});
});
