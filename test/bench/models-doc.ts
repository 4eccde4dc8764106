// docs/models.md: per fixture model, the layer table of `tinyboard model inspect` (with the
// CPU cycles measured on the rt1060 in the bench run) and the latency report of
// `tinyboard model bench` on every board. Written by inference.ts during `npm run bench`;
// the writer-built architectures' sections at its end by architectures.ts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import type { BenchReport } from "../../emulator/model/bench.ts";
import { inspectModel, type InspectReport } from "../../emulator/model/inspect.ts";
import { planArena } from "../../emulator/model/planner.ts";
import type { InferenceResult, ModelDetail } from "./inference.ts";
import { ROOT } from "./util.ts";

export const MODELS_DOC = path.join(ROOT, "docs", "models.md");
/** The board whose measured CPU cycles go into the layer tables. */
const LAYER_BOARD = "rt1060";
const NPU_BOARD = "mcxn947";

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, d: number): string => n.toFixed(d);
const shape = (s: number[]): string => `[${s.join(",")}]`;
const label = (r: BenchReport): string =>
  `${r.board}${r.npu ? ` + ${r.npu}` : loadTarget(r.board).board.npu ? " (CPU only)" : ""}`;

function latencyTable(reports: BenchReport[], silicon: (board: string) => string): string[] {
  return [
    "| board | clock | latency | cycles | CPU cycles | NPU cycles | MAC/cycle | published silicon MAC/cycle | arena | peak SRAM |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...reports.map(
      (r) =>
        `| ${label(r)} | ${r.clock_hz / 1e6} MHz | ${fixed(r.latency_ms, 3)} ms | ${int(r.cycles)} | ${int(r.cpu_cycles)} | ${int(r.npu_cycles)} | ` +
        `${fixed(r.macs_per_cycle, 3)} | ${silicon(r.board)} | ${int(r.arena_bytes)} B | ${int(r.sram_peak_bytes)} B |`,
    ),
  ];
}

function layerTable(inspect: InspectReport, npu: BenchReport | undefined): string[] {
  const npuLayer = new Map((npu?.layers ?? []).map((l) => [l.index, l]));
  const head =
    `| # | op | input → output | MACs | weights | arena offset | arena bytes | ${LAYER_BOARD} cycles | ${LAYER_BOARD} µs | MAC/cycle |` +
    (npu ? ` ${NPU_BOARD} unit | ${NPU_BOARD} cycles |` : "");
  const rows = inspect.layers.map((l) => {
    const n = npuLayer.get(l.index);
    const perCycle = l.macs && l.cpuCycles ? fixed(l.macs / l.cpuCycles, 3) : "-";
    return (
      `| ${l.index} | ${l.op} | ${l.inputShapes.map(shape).join(" ") || "-"} → ${l.outputShapes.map(shape).join(" ")} | ${int(l.macs)} | ${int(l.weightBytes)} | ` +
      `${int(l.arenaOffset)} | ${int(l.arenaBytes)} | ${l.cpuCycles === null ? "-" : int(l.cpuCycles)} | ${l.cpuUs === null ? "-" : fixed(l.cpuUs, 1)} | ${perCycle} |` +
      (npu ? ` ${n?.unit ?? "-"} | ${n ? int(n.cycles) : "-"} |` : "")
    );
  });
  const sep = "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|" + (npu ? "---|---:|" : "");
  return [head, sep, ...rows];
}

function outputsLine(r: BenchReport): string {
  return r.outputs
    .map((o) => {
      const vals = o.type.startsWith("float")
        ? o.values.map((x) => Number(x.toPrecision(4)))
        : o.values;
      const v =
        vals.length > 12
          ? `${vals.slice(0, 12).join(", ")}, … (${vals.length} values)`
          : vals.join(", ");
      const d =
        o.dequantized && o.values.length <= 12
          ? ` (dequantized ${o.dequantized.map((x) => x.toFixed(3)).join(", ")})`
          : "";
      return `\`${o.name || o.index}\` ${o.type}${shape(o.shape)} = ${v}${d}`;
    })
    .join("; ");
}

function modelSection(
  d: ModelDetail,
  siliconFor: (board: string, model: string) => string,
): string[] {
  const { spec, result, model, reports } = d;
  const lines = [
    `## ${spec.name}`,
    "",
    spec.about
      ? `Built with our writer by \`${spec.file}\`, seeded random weights: ${spec.about}. Input: ${spec.input}.`
      : `\`${spec.file}\` (in \`../shared/fixtures/\`), input: ${spec.input ? `\`${spec.input}\`` : "zeros"}.`,
    "",
  ];
  if (result.refused || !model) {
    return [...lines, `**Refused by the engine:** ${result.refused}`, ""];
  }
  const base = reports.find((r) => r.board === LAYER_BOARD)!;
  const cycles = new Array<number>(model.operators.length).fill(0);
  for (const l of base.layers) cycles[l.index] = l.cycles;
  const scratch = base.arena_head_bytes - planArena(model).tensorBytes; // the head past the tensors
  const inspect = inspectModel(model, {
    board: LAYER_BOARD,
    cpuCyclesPerLayer: cycles,
    scratchBytesPerOp: [scratch],
  });
  const npu = reports.find((r) => r.board === NPU_BOARD && r.npu);
  const t = inspect.totals;
  const io = (ts: InspectReport["model"]["inputs"]) =>
    ts.map((x) => `${x.type} ${shape(x.shape)}`).join(", ");
  lines.push(
    `${inspect.model.layers} layers, ${int(t.macs)} MACs, ${int(t.weightBytes)} B of weights, ${int(inspect.model.fileBytes)} B file` +
      `${inspect.model.description ? ` ("${inspect.model.description}")` : ""}; in ${io(inspect.model.inputs)}, out ${io(inspect.model.outputs)}.`,
    "",
    "### Latency per board",
    "",
    ...latencyTable(reports, (board) => siliconFor(board, spec.name)),
    "",
    `NPU speed-up on ${NPU_BOARD}: ${result.npuSpeedup ? `${result.npuSpeedup.toFixed(2)}x` : "-"}` +
      `${npu ? ` (${npu.layers.filter((l) => l.unit === "npu").length} of ${npu.layers.length} layers on the NPU)` : ""}. ` +
      `Outputs ${result.sameOutputs ? "are the same bytes on every board" : "**differ between boards**"}: ${outputsLine(base)}.`,
    "",
    ...(result.wall
      ? [
          `Host wall time per inference on ${result.wall.board}: ${fixed(result.wall.oursMs, 3)} ms (emulator) vs ` +
            `${result.wall.tfjsMs === null ? `- (tfjs-tflite: ${result.wall.tfjsError})` : `${fixed(result.wall.tfjsMs, 3)} ms (tfjs-tflite)`}` +
            `${result.wall.ratio !== null ? `, ratio ${result.wall.ratio.toFixed(2)}x (fastest samples ${result.wall.minRatio!.toFixed(2)}x)${result.wall.noisy ? "; the samples were noisy" : ""}` : ""}` +
            ` (median of ${result.wall.samples.ours.length} rounds).`,
          "",
        ]
      : []),
    `### Layers (CPU cycles measured on ${LAYER_BOARD})`,
    "",
    ...layerTable(inspect, npu),
    "",
    `Arena planned on the host: ${int(t.arenaBytes)} B (tensors ${int(t.tensorBytes)} + kernel scratch ${int(t.scratchBytes)}; live-tensor lower bound ${int(t.lowerBound)} B); ` +
      `the firmware's own head: ${int(base.arena_head_bytes)} B, with its tail (TFLM's arena_used_bytes) ${int(base.arena_bytes)} B. ` +
      inspect.fits.map((f) => `${f.board} ${f.fits ? "fits" : "**does not fit**"}`).join(", ") +
      ".",
    "",
  );
  return lines;
}

export function modelsDoc(
  details: ModelDetail[],
  r: InferenceResult,
  siliconFor: (board: string, model: string) => string,
): string {
  const s = r.silicon;
  return [
    "# Fixture models on the emulated boards",
    "",
    `<!-- Generated by \`npm run bench\` (test/bench/inference.ts, models-doc.ts) on ${new Date().toISOString().slice(0, 10)}. Do not edit by hand. -->`,
    "",
    "Every model in `../shared/fixtures/` that the benchmark uses, run in the model-runner firmware",
    "on each emulated board: the i.MX RT1060 (Cortex-M7, 600 MHz), the i.MX RT1170 (M7, 996 MHz)",
    "and the MCX N947 (M33, 150 MHz) both on its CPU alone and with its eIQ Neutron NPU.",
    "",
    "## How to read this",
    "",
    "Latency is emulated time from the first layer's start to the last layer's end at the board's",
    "clock, from metered cycles (not host time). MACs count the dot-product layers only (CONV_2D,",
    "DEPTHWISE_CONV_2D, FULLY_CONNECTED), as MLPerf Tiny does, so MAC/cycle means little for a",
    "model that is mostly other work (hello_world, network_model) and is the figure to compare",
    "for conv nets (vww, kws, person_detect). The published silicon column is what real chips",
    "reach with CMSIS-NN-class kernels: M7 0.38 (RT1060) / 0.36 (RT1170) with Glow, M33 0.26",
    `(KWS) / 0.23 (VWW) with TFLM on a Renesas RA6M4; the best commercial stacks reach ${s.best.cm7[0]}–${s.best.cm7[1]}`,
    `on the M7 and ${s.best.cm33[0]}–${s.best.cm33[1]} on the M33 (source: ${s.source}). The layer table is`,
    "`tinyboard model inspect` with the CPU cycles the bench measured on the rt1060: shapes of the",
    "activation inputs and the output, weight bytes, where the layer's output sits in the arena",
    "(offset and size, from the host's planner), cycles and MACs per cycle; on the MCX N947 the",
    "last two columns say which unit ran the layer with the NPU enabled and for how many cycles.",
    "Arena is the firmware's planned arena (activations + kernel scratch); peak SRAM is the",
    "whole firmware's high-water mark (stack, heap, engine and arena).",
    "",
    "Regenerate with `npm run bench` (all sections, a few minutes), which also rewrites",
    "`test/bench/results.json` and the figures in the README; for one model and board,",
    "`npx tinyboard model inspect <model.tflite> --board rt1060` and",
    "`npx tinyboard model bench <model.tflite> --board mcxn947 [--cpu-only] [--input in.bin]`.",
    "",
    ...details.flatMap((d) => modelSection(d, siliconFor)),
  ].join("\n");
}

/** The part of docs/models.md the architectures section writes; the inference section keeps it. */
const ARCHITECTURES_BLOCK =
  /<!-- bench:architectures:start -->\n[\s\S]*?<!-- bench:architectures:end -->\n/;
const block = (body: string) =>
  `<!-- bench:architectures:start -->\n${body}<!-- bench:architectures:end -->\n`;
const readDoc = () => (existsSync(MODELS_DOC) ? readFileSync(MODELS_DOC, "utf8") : "");

export function writeModelsDoc(
  details: ModelDetail[],
  r: InferenceResult,
  siliconFor: (board: string, model: string) => string,
): void {
  const kept = readDoc().match(ARCHITECTURES_BLOCK)?.[0] ?? block("");
  writeFileSync(MODELS_DOC, `${modelsDoc(details, r, siliconFor)}\n${kept}`);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), MODELS_DOC)}\n`);
}

/** The writer-built architectures' sections, between their markers at the end of docs/models.md. */
export function writeArchitecturesDoc(
  details: ModelDetail[],
  siliconFor: (board: string, model: string) => string,
): void {
  const body = [
    "## Architectures built with our writer",
    "",
    "Small models of architectures users bring that the fixtures lack, built by",
    "`test/kernels/architectures.ts` with our tflite-writer and seeded random weights (the",
    "same bytes every run) and compared layer by layer with TFLite in",
    "`test/kernels/ops-architectures.test.ts`; here each is deployed with only its last layer as",
    "output. Their figures come from `npm run bench -- --only architectures` (no host wall time:",
    "the weights are random, the timing of TFLite on them tells nothing new). MACs count",
    "CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED only, as above, so the MAC/cycle of a model",
    "whose work is TRANSPOSE_CONV, BATCH_MATMUL or SVDF (fomo_head, attention_block,",
    "svdf_keyword) says little; their layer cycles are the figures to read.",
    "",
    ...details.flatMap((d) => modelSection(d, siliconFor)),
  ].join("\n");
  const text = readDoc();
  const next = ARCHITECTURES_BLOCK.test(text)
    ? text.replace(ARCHITECTURES_BLOCK, () => block(body))
    : `${text}\n${block(body)}`;
  writeFileSync(MODELS_DOC, next);
  process.stderr.write(
    `bench: wrote the architectures in ${path.relative(process.cwd(), MODELS_DOC)}\n`,
  );
}
