// 3b. Metering on a model's hot path: VWW inference on rt1170 in the model runner
// (firmware/runner), built three ways: metered with counted loops (the build's default: an
// inner loop whose trip count is known is charged once per entry), metered with every loop
// checked per iteration (what model apps had while asc's -O1 broke the counted proofs), and
// unmetered. Per inference: host wall and process CPU time (timed between inferences inside a
// run: compile and start-up left out), the emulated latency, and the real-time factor.
// All three must produce the same outputs; both metered builds the same cycles (asserted).
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { REPORT_KIND } from "../../emulator/hal-constants.ts";
import { Machine } from "../../emulator/machine.ts";
import { RUNNER_APP, withPartitions } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import { buildApp, type BuildOptions } from "../../emulator/toolchain/build.ts";
import { admitUnmeteredBenchmark } from "../../emulator/toolchain/verify-image.ts";
import type { Image } from "../../emulator/toolchain/image.ts";
import { FIXTURES } from "./inference.ts";
import { sig } from "./util.ts";

export const METERING_INFERENCE_BOARD = "rt1170";
const MODEL = "mlcommons-tiny/vww_96_int8.tflite";
/** Input sets of a run: the first and the last inference are not timed. */
const SETS = 100;
const WINDOW = 4 << 20; // the model (~330 KB) and 100 sets of 27 KB

export interface MeteringInferenceBuild {
  build: "counted" | "perIteration" | "unmetered";
  /** Loops charged once per entry / checked per iteration (the manifest's meter stats). */
  countedLoops: number | null;
  checkedLoops: number | null;
  wallMsPerInference: number;
  cpuMsPerInference: number;
  /** Busy cycles per inference (0 for the unmetered build, which counts none). */
  cyclesPerInference: number;
  /** Emulated ms per inference / host wall ms per inference. */
  realTimeFactor: number | null;
}

export interface MeteringInferenceResult {
  board: string;
  model: string;
  rounds: number;
  emulatedMsPerInference: number;
  builds: MeteringInferenceBuild[];
  /** wall(counted) / wall(unmetered), wall(perIteration) / wall(unmetered), min over rounds. */
  countedRatio: number;
  perIterationRatio: number;
  cpuCountedRatio: number;
  cpuPerIterationRatio: number;
}

async function runnerFor(opts: BuildOptions): Promise<Image> {
  const target = loadTarget(METERING_INFERENCE_BOARD);
  const { image } = await buildApp(RUNNER_APP, target, { ...opts, flashWindow: WINDOW });
  if (opts.unmetered) admitUnmeteredBenchmark(image.wasm);
  return image;
}

/**
 * One run of `sets` inferences, timed inside the run: host wall and CPU time and emulated
 * cycles from the first layer of the second inference to the first layer of the last (the
 * firmware's compile, start-up and first inference left out), and the output tensors' bytes.
 */
async function run(image: Image, model: Uint8Array, set: Uint8Array, sets: number) {
  const input = new Uint8Array(set.length * sets);
  for (let s = 0; s < sets; s++) input.set(set, s * set.length);
  const machine = new Machine({
    target: loadTarget(METERING_INFERENCE_BOARD),
    image: withPartitions(image, [
      { name: "model", data: model, source: MODEL },
      { name: "input", data: input },
    ]),
    sdcard: null,
  });
  let text = "";
  const outputs: number[] = [];
  const starts: { wall: number; cpu: number; cycles: number }[] = [];
  machine.events.on("console", (t) => (text += t));
  machine.events.on("report", (kind, bytes) => {
    if (kind === REPORT_KIND.output) outputs.push(...bytes);
  });
  machine.events.on("layerBegin", (index, _op, cycles) => {
    if (index !== 0) return;
    const cpu = process.cpuUsage();
    starts.push({ wall: performance.now(), cpu: (cpu.user + cpu.system) / 1e3, cycles });
  });
  const summary = await machine.run({ seconds: 3600 });
  if (summary.fault || summary.exitCode !== 0 || starts.length !== sets)
    throw new Error(`VWW in the runner stopped: ${summary.fault?.message ?? text.trim()}`);
  const [a, b] = [starts[1], starts[sets - 1]];
  const n = sets - 2;
  return {
    wallMs: (b.wall - a.wall) / n,
    cpuMs: (b.cpu - a.cpu) / n,
    cycles: (b.cycles - a.cycles) / n,
    outputs: outputs.join(","),
  };
}

export async function benchMeteringInference(o: {
  rounds: number;
}): Promise<MeteringInferenceResult> {
  const model = new Uint8Array(readFileSync(path.join(FIXTURES, MODEL)));
  const m = readModel(model, "vww");
  const set = new Uint8Array(m.inputs.reduce((n, t) => n + m.tensors[t].byteSize, 0));
  const kinds = [
    ["counted", {}],
    ["perIteration", { countedLoops: false }],
    ["unmetered", { unmetered: true }],
  ] as const;
  const images = [];
  for (const [build, opts] of kinds) images.push({ build, image: await runnerFor(opts) });
  const clockHz = loadTarget(METERING_INFERENCE_BOARD).core.clockHz;
  const samples = images.map(() => ({ wall: [] as number[], cpu: [] as number[], busy: 0 }));
  let output: string | null = null;
  // Warm-up, then rounds that alternate the builds so a burst of host load hits all alike.
  for (let round = -1; round < o.rounds; round++) {
    for (let b = 0; b < images.length; b++) {
      const r = await run(images[b].image, model, set, SETS);
      // Every build must compute the same output tensors.
      if (!r.outputs) throw new Error(`${images[b].build}: no outputs reported`);
      if (output === null) output = r.outputs;
      else if (r.outputs !== output) throw new Error(`${images[b].build}: other outputs`);
      if (round < 0) continue;
      samples[b].wall.push(r.wallMs);
      samples[b].cpu.push(r.cpuMs);
      samples[b].busy = r.cycles;
    }
  }
  if (samples[0].busy !== samples[1].busy)
    throw new Error(`counted and per-iteration builds count other cycles`);
  const emulatedMs = (samples[0].busy / clockHz) * 1e3;
  const min = (xs: number[]) => Math.min(...xs);
  const builds = images.map(({ build, image }, b): MeteringInferenceBuild => {
    const wall = min(samples[b].wall);
    return {
      build,
      countedLoops: image.manifest.meter?.counted ?? null,
      checkedLoops: image.manifest.meter?.loops ?? null,
      wallMsPerInference: sig(wall, 3),
      cpuMsPerInference: sig(min(samples[b].cpu), 3),
      cyclesPerInference: samples[b].busy,
      realTimeFactor: wall > 0 ? sig(emulatedMs / wall, 3) : null,
    };
  });
  const ratio = (b: number, key: "wall" | "cpu") =>
    sig(min(samples[b][key]) / min(samples[2][key]), 3);
  return {
    board: METERING_INFERENCE_BOARD,
    model: path.basename(MODEL),
    rounds: o.rounds,
    emulatedMsPerInference: sig(emulatedMs, 4),
    builds,
    countedRatio: ratio(0, "wall"),
    perIterationRatio: ratio(1, "wall"),
    cpuCountedRatio: ratio(0, "cpu"),
    cpuPerIterationRatio: ratio(1, "cpu"),
  };
}

export function meteringInferenceTable(r: MeteringInferenceResult): string {
  const rows = r.builds.map(
    (b) =>
      `   ${b.build.padEnd(13)} ${b.wallMsPerInference.toFixed(2).padStart(8)} ms wall ${b.cpuMsPerInference.toFixed(2).padStart(8)} ms CPU  ${b.realTimeFactor?.toFixed(1) ?? "-"}x real time  loops counted/checked ${b.countedLoops ?? "-"}/${b.checkedLoops ?? "-"}`,
  );
  return [
    `${r.model} on ${r.board}: ${r.emulatedMsPerInference} ms emulated per inference; min of ${r.rounds} rounds`,
    ...rows,
    `   metered / unmetered: counted ${r.countedRatio}x (CPU ${r.cpuCountedRatio}x), per iteration ${r.perIterationRatio}x (CPU ${r.cpuPerIterationRatio}x)`,
  ].join("\n");
}
