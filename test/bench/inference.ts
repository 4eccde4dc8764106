// 4. Inference: every fixture model on every board inside the model-runner firmware
// (emulator/model/bench.ts), mcxn947 both with its NPU and CPU only. Emulated latency and
// MACs per cycle beside published silicon figures, and the host's wall time per inference
// against TFLite itself (@tensorflow/tfjs-tflite: XNNPACK in wasm) in the same process.
// Also writes docs/models.md (models-doc.ts). Floors are reported, not asserted.
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { UserError } from "../../emulator/errors.ts";
import { benchModel, type BenchReport } from "../../emulator/model/bench.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { readModel, type TfliteModel } from "../../emulator/model/tflite-model.ts";
import { referenceBuild, timeReference } from "../helpers/tflite-reference.ts";
import { writeModelsDoc } from "./models-doc.ts";
import { BOARDS, ROOT, median, sig } from "./util.ts";

export const FIXTURES = path.resolve(ROOT, "../shared/fixtures");

export interface ModelSpec {
  name: string;
  /** Relative to FIXTURES; for a model built by a test (`about` set), the source that builds it. */
  file: string;
  /** The fixture's own input (raw bytes of the input tensor); zeros when absent. For a built model, what the input is. */
  input?: string;
  /** A model built with our writer (test/kernels/architectures.ts): what it is. */
  about?: string;
}

export const MODELS: ModelSpec[] = [
  { name: "vww_96_int8", file: "mlcommons-tiny/vww_96_int8.tflite" },
  { name: "kws_ref_model", file: "mlcommons-tiny/kws_ref_model.tflite" },
  { name: "ad01_int8", file: "mlcommons-tiny/ad01_int8.tflite" },
  {
    name: "person_detect",
    file: "tflite-micro/person_detect.tflite",
    input: "tflite-micro/person_image_data.i8.bin",
  },
  { name: "hello_world_int8", file: "tflite-micro/hello_world_int8.tflite" },
  { name: "micro_speech_quantized", file: "tflite-micro/micro_speech_quantized.tflite" },
  {
    name: "network_model",
    file: "tflite-micro/network_tester/network_model.tflite",
    input: "tflite-micro/network_tester/input_data.bin",
  },
  {
    name: "magic_wand",
    file: "tflite-micro/magic_wand/magic_wand.tflite",
    input: "tflite-micro/magic_wand/ring_micro_features_data.f32.bin",
  },
];

/**
 * Published silicon figures: docs/references.md, "Sanity anchors for inference
 * latency (published silicon figures)", table rows at lines 43-46 and the paragraph at 48-49.
 * MACs per cycle = MACs / (latency x clock).
 */
export const SILICON = {
  source: 'docs/references.md, "Sanity anchors for inference latency"',
  rows: [
    {
      core: "cm7",
      chip: "RT1060 600 MHz",
      software: "Glow + CMSIS-NN, activations in OCRAM",
      model: "NXP person detector, ShuffleNetV2 192x320",
      macs: 58.42e6,
      latencyMs: 255,
      macsPerCycle: 0.38,
      fixture: null,
      line: 43,
    },
    {
      core: "cm7",
      chip: "RT1170 996 MHz",
      software: "Glow + CMSIS-NN, activations in OCRAM",
      model: "NXP person detector, ShuffleNetV2 192x320",
      macs: 58.42e6,
      latencyMs: 165,
      macsPerCycle: 0.36,
      fixture: null,
      line: 44,
    },
    {
      core: "cm33",
      chip: "Renesas RA6M4 200 MHz",
      software: "TFLM + CMSIS-NN (MLPerf Tiny v0.7)",
      model: "KWS DS-CNN",
      macs: 2.66e6,
      latencyMs: 50.57,
      macsPerCycle: 0.26,
      fixture: "kws_ref_model",
      line: 45,
    },
    {
      core: "cm33",
      chip: "Renesas RA6M4 200 MHz",
      software: "TFLM + CMSIS-NN (MLPerf Tiny v0.7)",
      model: "VWW MobileNetV1 0.25",
      macs: 7.49e6,
      latencyMs: 162.4,
      macsPerCycle: 0.23,
      fixture: "vww_96_int8",
      line: 46,
    },
  ],
  /** Faster commercial stacks, same models (MLPerf Tiny v1.2-v1.3): the bar for excellent kernels. */
  best: { cm7: [0.8, 1.1], cm33: [0.6, 0.8], line: "48-49" },
} as const;

export const FLOORS = { vwwM7MacsPerCycle: 0.35, vwwWallRatio: 5 };
/** Board whose emulated run is timed on the host against tfjs-tflite. */
export const WALL_BOARD = "rt1060";
const WALL_ROUNDS = 3;
/** Host seconds each timed batch should last (more sets for a fast model). */
const BATCH_SECONDS = 0.3;

const log = (msg: string): void => {
  process.stderr.write(`bench: ${msg}\n`);
};

export interface BoardRun {
  board: string;
  npu: boolean;
  latencyMs: number;
  cycles: number;
  cpuCycles: number;
  npuCycles: number;
  macsPerCycle: number;
  arenaBytes: number;
  sramPeakBytes: number;
}

export interface HostWall {
  board: string;
  /** Median ms per inference of the emulator: wall of a (base+extra)-set run minus a base-set run, over extra. */
  oursMs: number;
  /** Median of the mean ms per inference of tfjs-tflite over `tfjsRuns` runs after a warm-up. */
  tfjsMs: number | null;
  ratio: number | null;
  /** Fastest sample / fastest sample: less sensitive to other load on the host. */
  minRatio: number | null;
  /** The samples of either side spread by more than half their median (a shared or busy host). */
  noisy: boolean;
  baseSets: number;
  extraSets: number;
  tfjsRuns: number;
  samples: { ours: number[]; tfjs: number[] };
  tfjsError?: string;
}

export interface ModelResult {
  name: string;
  file: string;
  input: string;
  macs: number;
  layers: number;
  /** Why the engine refused the model (null: it ran). */
  refused: string | null;
  /** rt1060, rt1170, mcxn947 CPU only, mcxn947 with the NPU. */
  runs: BoardRun[];
  /** mcxn947: CPU-only cycles / cycles with the NPU. */
  npuSpeedup: number | null;
  /** The output bytes are the same in every run. */
  sameOutputs: boolean;
  wall: HostWall | null;
}

export interface InferenceResult {
  reference: string;
  floors: typeof FLOORS & { vwwM7MacsPerCycleMet: boolean | null; vwwWallRatioMet: boolean | null };
  silicon: typeof SILICON;
  models: ModelResult[];
}

/** What models-doc.ts needs besides the summary. */
export interface ModelDetail {
  spec: ModelSpec;
  result: ModelResult;
  model: TfliteModel | null;
  reports: BenchReport[];
}

/** The runner's flash windows (windowFor() in emulator/model/runner.ts; model + input sets + 4 KiB). */
const WINDOWS = [1 << 20, 4 << 20, 16 << 20];

/**
 * A timed pair runs `base` and `base + extra` input sets; both must land in the same flash
 * window, as a different window is a different runner image, compiled and tiered up on its
 * own. When the smallest window holds too few sets, both runs move to a larger one.
 */
export function batchSizes(
  modelBytes: number,
  setBytes: number,
  want: number,
  flashBytes = Infinity,
): { base: number; extra: number } {
  let prev = 0;
  let best = { base: 1, extra: 1 };
  // A window past the board's flash is an image the board refuses.
  for (const w of WINDOWS.filter((x) => x <= flashBytes)) {
    const base = Math.max(1, Math.floor((prev - 4096 - modelBytes) / setBytes) + 1);
    const most = Math.floor((w - 4096 - modelBytes) / setBytes);
    prev = w;
    if (most - base < 1) continue;
    best = { base, extra: Math.min(want, most - base) };
    if (best.extra >= want) break;
  }
  return best;
}

/** Bytes of the board's flash region (where the runner's window of model + input sets lives). */
function flashSize(target: ReturnType<typeof loadTarget>): number {
  return target.board.flash.size;
}

async function oursPerInference(
  bytes: Uint8Array,
  input: Uint8Array,
  n: { base: number; extra: number },
  name: string,
): Promise<number> {
  const target = loadTarget(WALL_BOARD);
  const sets = (k: number) => new Array<Uint8Array>(k).fill(input);
  const few = await runModel(bytes, sets(n.base), target, { name });
  const many = await runModel(bytes, sets(n.base + n.extra), target, { name });
  return ((many.summary.wallSeconds - few.summary.wallSeconds) / n.extra) * 1e3;
}

async function hostWall(bytes: Uint8Array, input: Uint8Array, name: string): Promise<HostWall> {
  const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(n)));
  // Warm-up (V8 tiers hot wasm up while it runs) and a first estimate to size the batches,
  // then a warm-up of the batch sizes chosen (their window's image may be another).
  // The estimate is whole wall / sets: setup included, so an upper bound, never negative.
  let est = 0;
  for (let i = 0; i < 2; i++) {
    const warm = await runModel(
      bytes,
      new Array<Uint8Array>(21).fill(input),
      loadTarget(WALL_BOARD),
      { name },
    );
    est = (warm.summary.wallSeconds / 21) * 1e3;
  }
  const n = batchSizes(
    bytes.length,
    input.length,
    clamp((BATCH_SECONDS * 1e3) / Math.max(est, 1e-3), 20, 5000),
    flashSize(loadTarget(WALL_BOARD)),
  );
  await oursPerInference(bytes, input, n, name);
  let tfjsRuns = 0;
  let tfjsError: string | undefined;
  try {
    const t = await timeReference(bytes, input, 10);
    tfjsRuns = clamp((BATCH_SECONDS * 1e3) / Math.max(t, 1e-3), 20, 5000);
  } catch (e) {
    tfjsError = (e as Error).message.split("\n")[0];
  }
  const ours: number[] = [];
  const tfjs: number[] = [];
  for (let k = 0; k < WALL_ROUNDS; k++) {
    // interleaved: both meet the same host load
    ours.push(await oursPerInference(bytes, input, n, name));
    if (tfjsRuns) tfjs.push(await timeReference(bytes, input, tfjsRuns));
  }
  const oursMs = median(ours);
  const tfjsMs = tfjs.length ? median(tfjs) : null;
  const spread = (xs: number[]) =>
    xs.length ? (Math.max(...xs) - Math.min(...xs)) / Math.abs(median(xs)) : 0;
  return {
    board: WALL_BOARD,
    oursMs: sig(oursMs),
    tfjsMs: tfjsMs === null ? null : sig(tfjsMs),
    ratio: tfjsMs ? sig(oursMs / tfjsMs, 3) : null,
    minRatio: tfjs.length ? sig(Math.min(...ours) / Math.min(...tfjs), 3) : null,
    noisy: spread(ours) > 0.5 || spread(tfjs) > 0.5,
    baseSets: n.base,
    extraSets: n.extra,
    tfjsRuns,
    samples: { ours: ours.map((x) => sig(x)), tfjs: tfjs.map((x) => sig(x)) },
    ...(tfjsError ? { tfjsError } : {}),
  };
}

const boardRun = (r: BenchReport, npu: boolean): BoardRun => ({
  board: r.board,
  npu,
  latencyMs: sig(r.latency_ms),
  cycles: r.cycles,
  cpuCycles: r.cpu_cycles,
  npuCycles: r.npu_cycles,
  macsPerCycle: sig(r.macs_per_cycle, 3),
  arenaBytes: r.arena_bytes,
  sramPeakBytes: r.sram_peak_bytes,
});

function sameBytes(a: Uint8Array[], b: Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => Buffer.compare(x, b[i]) === 0);
}

/** Emulated runs of one fixture model on every board. */
const emulate = (spec: ModelSpec) =>
  emulateModel(
    spec,
    new Uint8Array(readFileSync(path.join(FIXTURES, spec.file))),
    spec.input ? new Uint8Array(readFileSync(path.join(FIXTURES, spec.input))) : null,
  );

/**
 * Emulated runs of a model on every board, mcxn947 with and without its NPU (the cycle
 * figures do not depend on the host). `given`: the input set's bytes (null: zeros).
 */
export async function emulateModel(
  spec: ModelSpec,
  bytes: Uint8Array,
  given: Uint8Array | null,
): Promise<ModelDetail & { bytes: Uint8Array; input: Uint8Array }> {
  const result: ModelResult = {
    name: spec.name,
    file: spec.file,
    input: spec.input ?? "zeros",
    macs: 0,
    layers: 0,
    refused: null,
    runs: [],
    npuSpeedup: null,
    sameOutputs: true,
    wall: null,
  };
  let model: TfliteModel | null = null;
  const reports: BenchReport[] = [];
  let input: Uint8Array = new Uint8Array(0);
  try {
    model = readModel(bytes, spec.name);
    const m = model;
    result.layers = m.operators.length;
    const setBytes = m.inputs.reduce((n, t) => n + m.tensors[t].byteSize, 0);
    input = given ?? new Uint8Array(setBytes);
    for (const board of BOARDS) {
      const hasNpu = !!loadTarget(board).board.npu;
      if (hasNpu) reports.push(await benchModel(bytes, m, board, { input, cpuOnly: true }));
      reports.push(await benchModel(bytes, m, board, { input }));
      if (hasNpu) result.npuSpeedup = sig(reports.at(-2)!.cycles / reports.at(-1)!.cycles, 3);
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    result.refused = e.message;
    log(`${spec.name}: refused: ${e.message}`);
    return { spec, result, model, reports: [], bytes, input };
  }
  result.macs = reports[0].macs;
  result.runs = reports.map((r) => boardRun(r, r.npu !== null));
  result.sameOutputs = reports.every((r) => sameBytes(r.raw, reports[0].raw));
  if (!result.sameOutputs) log(`${spec.name}: the outputs differ between boards`);
  return { spec, result, model, reports, bytes, input };
}

export async function benchInference(): Promise<InferenceResult> {
  const details: (ModelDetail & { bytes: Uint8Array; input: Uint8Array })[] = [];
  for (const spec of MODELS) {
    log(`inference: ${spec.name} on ${BOARDS.join(", ")} (mcxn947 with and without the NPU)`);
    details.push(await emulate(spec));
  }
  const reference = await referenceBuild();
  for (const d of details) {
    if (d.result.refused) continue;
    log(
      `inference: host wall time of ${d.spec.name} on ${WALL_BOARD} vs tfjs-tflite (${reference})`,
    );
    d.result.wall = await hostWall(d.bytes, d.input, d.spec.name);
  }
  const models = details.map((d) => d.result);
  const vww = models.find((m) => m.name === "vww_96_int8" && !m.refused);
  const m7 = vww?.runs.filter((r) => loadTarget(r.board).core.id === "cm7") ?? [];
  const result: InferenceResult = {
    reference: `@tensorflow/tfjs-tflite ${reference} wasm build, XNNPACK, 1 thread`,
    floors: {
      ...FLOORS,
      vwwM7MacsPerCycleMet: m7.length
        ? m7.every((r) => r.macsPerCycle >= FLOORS.vwwM7MacsPerCycle)
        : null,
      vwwWallRatioMet: vww?.wall?.ratio != null ? vww.wall.ratio <= FLOORS.vwwWallRatio : null,
    },
    silicon: SILICON,
    models,
  };
  writeModelsDoc(details, result, siliconFor);
  return result;
}

// ---- console table and README snippet --------------------------------------------------

const ms = (v: number): string =>
  v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(2) : v.toFixed(3);
const mega = (n: number): string =>
  n >= 1e5 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n);
const run = (m: ModelResult, board: string, npu: boolean) =>
  m.runs.find((r) => r.board === board && r.npu === npu) ?? m.runs.find((r) => r.board === board);
const cell = (r: BoardRun | undefined): string =>
  r ? `${ms(r.latencyMs)} ms / ${r.macsPerCycle.toFixed(3)}` : "-";
/** "~" marks a ratio whose samples were noisy. */
const ratio = (m: ModelResult): string =>
  m.wall?.ratio == null
    ? "-"
    : m.wall.ratio <= 0 // a difference of two noisy wall times, not a ratio
      ? "noisy"
      : `${m.wall.noisy ? "~" : ""}${m.wall.ratio.toFixed(2)}x`;

/** The published MACs/cycle to hold a board's figure against (model-specific where the anchor is the same model). */
export function siliconFor(board: string, model: string): string {
  const core = loadTarget(board).core.id;
  const same = SILICON.rows.find((r) => r.core === core && r.fixture === model);
  if (same) return `${same.macsPerCycle}`;
  const rows = SILICON.rows.filter(
    (r) => r.core === core && (core !== "cm7" || r.chip.startsWith(board.toUpperCase())),
  );
  const vals = rows.map((r) => r.macsPerCycle);
  return Math.min(...vals) === Math.max(...vals)
    ? `${vals[0]}`
    : `${Math.min(...vals)}–${Math.max(...vals)}`;
}

function grid(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function inferenceTable(r: InferenceResult): string {
  const ok = r.models.filter((m) => !m.refused);
  const b = SILICON.best;
  const flag = (met: boolean | null) => (met === null ? "n/a" : met ? "ok" : "MISSED");
  return [
    `4. inference: ${ok.length} of ${r.models.length} fixture models; emulated latency / MACs per cycle (median host wall per inference vs ${r.reference}, on ${WALL_BOARD})`,
    grid([
      [
        "model",
        "MACs",
        "rt1060",
        "rt1170",
        "mcxn947 CPU",
        "mcxn947 +NPU",
        "NPU x",
        "silicon M7 1060/1170, M33",
        "ours ms",
        "tfjs ms",
        "ours/tfjs",
        "min/min",
      ],
      ...ok.map((m) => [
        m.name,
        mega(m.macs),
        cell(run(m, "rt1060", false)),
        cell(run(m, "rt1170", false)),
        cell(run(m, "mcxn947", false)),
        cell(run(m, "mcxn947", true)),
        m.npuSpeedup ? `${m.npuSpeedup.toFixed(2)}x` : "-",
        `${siliconFor("rt1060", m.name)}/${siliconFor("rt1170", m.name)}, ${siliconFor("mcxn947", m.name)}`,
        m.wall ? ms(m.wall.oursMs) : "-",
        m.wall?.tfjsMs != null ? ms(m.wall.tfjsMs) : "-",
        ratio(m),
        m.wall?.minRatio != null ? `${m.wall.minRatio.toFixed(2)}x` : "-",
      ]),
    ]),
    ...r.models
      .filter((m) => m.refused)
      .map((m) => `   ${m.name}: refused by the engine: ${m.refused}`),
    ...ok.filter((m) => !m.sameOutputs).map((m) => `   ${m.name}: outputs DIFFER between boards`),
    ...ok
      .filter((m) => m.wall?.tfjsError)
      .map((m) => `   ${m.name}: tfjs-tflite failed: ${m.wall!.tfjsError}`),
    `   best commercial stacks: ${b.cm7[0]}–${b.cm7[1]} MAC/cycle on M7, ${b.cm33[0]}–${b.cm33[1]} on M33 (${SILICON.source})`,
    `   floors: VWW on the M7 >= ${r.floors.vwwM7MacsPerCycle} MAC/cycle: ${flag(r.floors.vwwM7MacsPerCycleMet)}; VWW wall <= ${r.floors.vwwWallRatio}x tfjs: ${flag(r.floors.vwwWallRatioMet)}`,
    `   host wall: median of ${WALL_ROUNDS} interleaved rounds; ~ marks samples spread by more than half their median (busy host, or a model too small to time)`,
    `   per-layer tables: docs/models.md`,
  ].join("\n");
}

export function inferenceMarkdown(r: InferenceResult): string {
  const ok = r.models.filter((m) => !m.refused);
  const refused = r.models.filter((m) => m.refused).map((m) => m.name);
  return [
    `Inference (fixture models in the model-runner firmware; emulated latency / MACs per cycle; host wall time per inference on ${WALL_BOARD} against TFLite's own XNNPACK wasm build; per-layer figures in [docs/models.md](docs/models.md)):`,
    "",
    "| model | MACs | rt1060 | rt1170 | mcxn947 CPU | mcxn947 + NPU | wall ours / tfjs¹ |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...ok.map(
      (m) =>
        `| ${m.name} | ${mega(m.macs)} | ${cell(run(m, "rt1060", false))} | ${cell(run(m, "rt1170", false))} | ${cell(run(m, "mcxn947", false))} | ${cell(run(m, "mcxn947", true))} | ${ratio(m)} |`,
    ),
    "",
    `¹ Median of ${WALL_ROUNDS} rounds; ~: noisy samples (see \`test/bench/results.json\`). Published silicon (${"`docs/references.md`"}): M7 0.38 (RT1060) / 0.36 (RT1170) MAC/cycle with Glow + CMSIS-NN; M33 0.26 (KWS) / 0.23 (VWW) with TFLM + CMSIS-NN; best commercial stacks 0.8–1.1 (M7), 0.6–0.8 (M33).` +
      (refused.length ? ` Refused by the engine: ${refused.join(", ")}.` : ""),
  ].join("\n");
}
