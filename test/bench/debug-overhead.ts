// Bench section: what the debugger's hooks cost a VWW inference when no debugger is attached,
// and what an attached debugger that never stops costs.
//   hooks: the interpreter calls debug.layer-begin/layer-end around every layer, through the
//   machine's real HAL wrapper. A wasm loop calling that wrapped pair N times, against the same
//   loop without the calls, gives the cost of one pair; times the pairs per inference, over the
//   wall time of one VWW inference (model runner, rt1060), is the overhead.
//   attached: the same VWW runs in the debug engine's worker with no breakpoints, against a
//   plain machine (median wall of the runs).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import binaryen from "../../emulator/toolchain/binaryen.ts";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { runModel, runnerImage, withPartitions } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { DebugEngine } from "../../emulator/debug/engine.ts";
import { FIXTURES } from "./inference.ts";
import { sig } from "./util.ts";

const BOARD = "rt1060";
const LOOP_CALLS = 2_000_000;
const ROUNDS = 5;
const DEBUG = "tinyboard:hal/debug@0.1.0";

export interface DebugOverheadResult {
  board: string;
  model: string;
  layers: number;
  wallPerInferenceMs: number;
  nsPerHookPair: number;
  hookPairsPerInference: number;
  /** Hook cost per inference / wall per inference, in percent (no debugger attached). */
  hookOverheadPercent: number;
  /** Wall of a run in the attached debugger (no breakpoints) / a plain run. */
  attachedRatio: number;
  samples: { hookLoopMs: number[]; bareLoopMs: number[]; plainMs: number[]; attachedMs: number[] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

/** A module looping `n` times with (hooks) and without (bare) a layer-begin/end pair. */
function loopModule(): Uint8Array {
  const m = new binaryen.Module();
  const { i32, none } = binaryen;
  m.addFunctionImport("begin", DEBUG, "layer-begin", binaryen.createType([i32, i32]), none);
  m.addFunctionImport("end", DEBUG, "layer-end", i32, none);
  m.addGlobal("sink", i32, true, m.i32.const(0));
  const loop = (withHooks: boolean) => {
    const i = () => m.local.get(1, i32);
    const body = [
      ...(withHooks ? [m.call("begin", [i(), m.i32.const(3)], none)] : []),
      m.global.set("sink", m.i32.add(m.global.get("sink", i32), i())), // the same work in both loops
      ...(withHooks ? [m.call("end", [i()], none)] : []),
      m.local.set(1, m.i32.add(i(), m.i32.const(1))),
      m.br("L", m.i32.lt_u(i(), m.local.get(0, i32))),
    ];
    return m.block(null, [m.loop("L", m.block(null, body))]);
  };
  m.addFunction("hooks", binaryen.createType([i32]), none, [i32], loop(true));
  m.addFunction("bare", binaryen.createType([i32]), none, [i32], loop(false));
  m.addFunctionExport("hooks", "hooks");
  m.addFunctionExport("bare", "bare");
  if (!m.validate()) throw new Error("hook loop module does not validate");
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

export async function benchDebugOverhead(): Promise<DebugOverheadResult> {
  const target = loadTarget(BOARD);
  const modelFile = path.join(FIXTURES, "mlcommons-tiny/vww_96_int8.tflite");
  const model = new Uint8Array(readFileSync(modelFile));
  const info = readModel(model, modelFile);
  const inputBytes = info.inputs.reduce((n, t) => n + info.tensors[t].byteSize, 0);
  const input = new Uint8Array(inputBytes).fill(17);

  // 1. Wall per inference, no debugger: several sets per boot.
  const sets = 4;
  await runModel(model, [input], target); // warm-up: builds or loads the runner, compiles
  const plainRuns: number[] = [];
  let layers = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const run = await runModel(model, Array(sets).fill(input), target);
    plainRuns.push((run.summary.wallSeconds * 1000) / sets);
    layers = run.inferences[0].layers.length;
  }
  const wallPerInferenceMs = median(plainRuns);

  // 2. Cost of one hook pair through the machine's real wrapped imports (nobody listening).
  const base = await runnerImage(target, 1 << 20);
  const image = withPartitions(base, [
    { name: "model", data: model },
    { name: "input", data: input },
  ]);
  const machine = new Machine({ target, image, sdcard: null });
  const wrapped = (machine as unknown as { imports(): WebAssembly.Imports }).imports();
  const { instance } = (await WebAssembly.instantiate(loopModule() as BufferSource, {
    [DEBUG]: wrapped[DEBUG],
  })) as unknown as WebAssembly.WebAssemblyInstantiatedSource;
  const loops = instance.exports as { hooks(n: number): void; bare(n: number): void };
  loops.hooks(100_000);
  loops.bare(100_000); // warm-up (tier-up)
  const hookLoopMs: number[] = [],
    bareLoopMs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = process.hrtime.bigint();
    loops.hooks(LOOP_CALLS);
    hookLoopMs.push(ms(t0));
    t0 = process.hrtime.bigint();
    loops.bare(LOOP_CALLS);
    bareLoopMs.push(ms(t0));
  }
  const nsPerHookPair = Math.max(0, ((median(hookLoopMs) - median(bareLoopMs)) * 1e6) / LOOP_CALLS);
  const hookOverheadPercent = (100 * layers * nsPerHookPair) / (wallPerInferenceMs * 1e6);

  // 3. Attached debugger, no breakpoints, against a plain machine: the same image, one boot each
  // (16 inferences per boot: the debugger reads the model once per boot, when it is prepared).
  const plainMs: number[] = [],
    attachedMs: number[] = [];
  const sixSets = withPartitions(base, [
    { name: "model", data: model },
    { name: "input", data: new Uint8Array(Buffer.concat(Array(16).fill(Buffer.from(input)))) },
  ]);
  for (let r = 0; r < 3; r++) {
    const plain = new Machine({ target, image: sixSets, sdcard: null });
    const s = await plain.run({ seconds: 60 });
    plainMs.push(s.wallSeconds * 1000);
    const engine = await DebugEngine.launch({ image: sixSets, target, seconds: 60, sdcard: null });
    const end = await engine.resume("continue");
    await engine.close();
    if (!("wallSeconds" in end) || end.cycles !== s.cycles)
      throw new Error("the attached run did not end like the plain run");
    attachedMs.push(end.wallSeconds * 1000);
  }
  return {
    board: BOARD,
    model: "vww_96_int8",
    layers,
    wallPerInferenceMs: sig(wallPerInferenceMs, 4),
    nsPerHookPair: sig(nsPerHookPair, 3),
    hookPairsPerInference: layers,
    hookOverheadPercent: sig(hookOverheadPercent, 3),
    attachedRatio: sig(median(attachedMs) / median(plainMs), 3),
    samples: {
      hookLoopMs: hookLoopMs.map((x) => sig(x)),
      bareLoopMs: bareLoopMs.map((x) => sig(x)),
      plainMs: plainMs.map((x) => sig(x)),
      attachedMs: attachedMs.map((x) => sig(x)),
    },
  };
}

export function debugOverheadLine(r: DebugOverheadResult): string {
  return `Debugger hooks with no debugger attached (${r.model} on ${r.board}): ${r.hookPairsPerInference} layer-begin/end pairs at ${r.nsPerHookPair} ns each = **${r.hookOverheadPercent} %** of an inference's ${r.wallPerInferenceMs} ms wall time; attached with no breakpoints: ${r.attachedRatio}x a plain run's wall time.`;
}

// `npx tsx test/bench/debug-overhead.ts` runs this section alone.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchDebugOverhead();
  console.log(JSON.stringify(r, null, 2));
  console.log(debugOverheadLine(r));
}
