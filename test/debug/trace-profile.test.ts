// `run --trace` and `run --profile`: the timeline is Chrome trace event JSON whose layer spans
// add up to the inference latency; profiling and tracing leave cycles and outputs unchanged.
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { TraceRecorder, type TraceFile, type TraceEvent } from "../../emulator/debug/trace.ts";
import { Profiler, formatProfile } from "../../emulator/debug/profile.ts";
import { build, cli, tmpDir } from "../faults/helpers.ts";

async function run(board: string, o: { trace?: boolean; profile?: boolean } = {}) {
  const built = await build("person-model", board);
  const profiler = o.profile ? new Profiler(built.image.sourceMap, built.image.wasm) : undefined;
  const machine = new Machine({
    target: loadTarget(board),
    image: built.image,
    sdcard: null,
    onSync: profiler?.onSync,
  });
  profiler?.attach(machine);
  const recorder = o.trace ? new TraceRecorder(machine) : null;
  let out = "";
  machine.events.on("console", (s) => {
    out += s;
  });
  const summary = await machine.run({ seconds: 2 });
  return {
    summary,
    console: out,
    trace: recorder?.trace(summary),
    profile: profiler ? await profiler.profile() : undefined,
  };
}

/** What the Chrome trace event format requires of each event we write. */
function assertChromeTrace(t: import("ava").ExecutionContext, file: TraceFile): void {
  t.true(Array.isArray(file.traceEvents));
  t.true(["ms", "ns"].includes(file.displayTimeUnit));
  for (const e of file.traceEvents as TraceEvent[]) {
    t.is(typeof e.name, "string");
    t.true(["X", "i", "M", "C"].includes(e.ph), `phase ${e.ph}`);
    t.true(Number.isInteger(e.pid) && Number.isInteger(e.tid));
    if (e.ph === "M") {
      t.truthy(e.args);
      continue;
    }
    t.true(typeof e.ts === "number" && Number.isFinite(e.ts) && e.ts >= 0, `${e.name}: ts ${e.ts}`);
    if (e.ph === "X") t.true(typeof e.dur === "number" && e.dur >= 0, `${e.name}: dur ${e.dur}`);
    if (e.ph === "i") t.true(["t", "p", "g"].includes(e.s!));
  }
  // JSON round trip: what is written is what is read.
  t.deepEqual(JSON.parse(JSON.stringify(file)), file);
}

test("the trace of person_detect is Chrome trace JSON; its layer spans add up to the inference latency", async (t) => {
  const [plain, traced] = [await run("rt1060"), await run("rt1060", { trace: true })];
  t.is(traced.summary.cycles, plain.summary.cycles, "tracing changes no cycle");
  t.is(traced.console, plain.console);
  t.regex(plain.console, /scores no-person=-113 person=113/);
  const file = traced.trace!;
  assertChromeTrace(t, file);
  const layers = file.traceEvents.filter((e) => e.cat === "layer");
  const inference = file.traceEvents.filter((e) => e.cat === "inference");
  t.is(layers.length, 31);
  t.is(inference.length, 1);
  // The latency the firmware itself measures around invoke() (clock.cycles before and after)
  // holds the inference span plus the call into invoke and one HAL call.
  const measured = Number(/invoke took (\d+) cycles/.exec(plain.console)![1]);
  const latency = inference[0].args!.cycles as number;
  t.true(
    measured - latency >= 20 && measured - latency < 200,
    `firmware ${measured} vs trace ${latency}`,
  );
  const layerCycles = layers.reduce((s, e) => s + (e.args!.cycles as number), 0);
  const dispatch = latency - layerCycles;
  t.true(dispatch >= 0 && dispatch < 100 * layers.length, `between layers: ${dispatch} cycles`);
  const layerUs = layers.reduce((s, e) => s + e.dur!, 0);
  t.true(
    Math.abs(layerUs + (dispatch * 1e6) / 600e6 - inference[0].dur!) < 1e-6,
    "spans + dispatch = the inference span",
  );
  // Layers tile the inference in order, inside it.
  for (let i = 1; i < layers.length; i++)
    t.true(layers[i].ts! >= layers[i - 1].ts! + layers[i - 1].dur! - 1e-9);
  // The CPU track covers the run: busy + idle = emulated time.
  const cpu = file.traceEvents.filter((e) => e.cat === "cpu");
  t.true(
    Math.abs(cpu.reduce((s, e) => s + e.dur!, 0) - plain.summary.emulatedSeconds * 1e6) < 1e-3,
  );
});

test("on the MCX N947 the trace shows NPU layers and the CPU idling while the NPU works", async (t) => {
  const r = await run("mcxn947", { trace: true });
  const file = r.trace!;
  assertChromeTrace(t, file);
  const npu = file.traceEvents.filter((e) => e.cat === "layer" && e.args!.unit === "npu");
  const cpu = file.traceEvents.filter((e) => e.cat === "layer" && e.args!.unit === "cpu");
  t.true(npu.length > 0 && cpu.length > 0);
  t.is(npu.length + cpu.length, 31);
  t.true(
    file.traceEvents.some((e) => e.cat === "cpu" && e.name === "idle"),
    "npu.wait idles the CPU",
  );
  // Each NPU job is a span on the peripherals track covering its layers.
  const jobs = file.traceEvents.filter((e) => e.cat === "npu");
  t.true(jobs.length > 0);
  t.is(
    jobs.reduce((n, j) => n + Number(/: (\d+) layers?/.exec(j.name)![1]), 0),
    npu.length,
  );
  for (const l of npu)
    t.true(
      jobs.some((j) => l.ts! >= j.ts! - 1e-6 && l.ts! + l.dur! <= j.ts! + j.dur! + 1e-6),
      `${l.name} inside a job`,
    );
  const inf = file.traceEvents.find((e) => e.cat === "inference")!;
  const sum = [...npu, ...cpu].reduce((s, e) => s + (e.args!.cycles as number), 0);
  t.true(sum <= (inf.args!.cycles as number));
});

test("--profile: per-layer cycles sum to the inference's, functions are named, and cycles are unchanged", async (t) => {
  const [plain, profiled] = [await run("rt1060"), await run("rt1060", { profile: true })];
  t.is(profiled.summary.cycles, plain.summary.cycles, "sampling changes no cycle");
  const p = profiled.profile!;
  t.is(p.inferences, 1);
  t.is(p.layers.length, 31);
  t.is(
    p.layers.reduce((s, l) => s + l.cycles, 0),
    p.layerCycles,
  );
  t.is(p.layerCycles + p.dispatchCycles, p.inferenceCycles);
  t.is(p.layers[2].op, "CONV_2D");
  t.true(p.functions.length > 0);
  t.is(
    p.sampledCycles,
    p.functions.reduce((s, f) => s + f.cycles, 0),
  );
  t.true(p.sampledCycles <= profiled.summary.busyCycles);
  t.true(
    p.functions.some((f) => /firmware\/tflite\/kernels\//.test(f.file ?? "")),
    "kernel functions carry their source file",
  );
  const text = formatProfile(p);
  t.regex(text, /^\s+30\s+SOFTMAX\s+cpu\s+\d+/m);
});

test("tinyboard run --trace --profile from the command line", (t) => {
  const dir = tmpDir(t);
  const trace = path.join(dir, "out.json");
  const r = cli([
    "run",
    "test/fixtures/apps/person-model",
    "--board",
    "rt1060",
    "--state",
    dir,
    "--trace",
    trace,
    "--profile",
  ]);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /--- layers: 1 inference, \d+ cycles/);
  t.regex(r.stdout, /--- functions/);
  const file = JSON.parse(readFileSync(trace, "utf8")) as TraceFile;
  assertChromeTrace(t, file);
  t.is(file.traceEvents.filter((e) => e.cat === "layer").length, 31);
});
