// Memory hierarchy: NXP's person detector's shape (ShuffleNetV2 192x320, test/bench/models/) and
// our person detector's model (MLPerf Tiny VWW) with their activations in OCRAM and in SDRAM on
// the RT1060 and RT1170 EVKs, our OCRAM/SDRAM latency ratio beside NXP's published one
// (docs/references.md), and what a realistic default placement per board would
// change against today's zero-wait figures. Emulated cycles: deterministic.
// Run alone with `npx tsx test/bench/memory-hierarchy.ts` (also rewrites docs/cost-model.md).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import type { Placement } from "../../emulator/memory-hierarchy/placement.ts";
import { modelStalls } from "../../emulator/memory-hierarchy/stall-model.ts";
import type { KernelLoopOrder } from "../../emulator/memory-hierarchy/layer-traffic.ts";
import {
  macs,
  SHUFFLENET_PERSON_FILE,
  SHUFFLENET_PERSON_INPUT,
  shuffleNetPerson,
} from "./models/shufflenet-person.ts";
import { ROOT, sig } from "./util.ts";

const MODEL = "apps/person-detector/model/vww_96_int8.tflite";

/** NXP's person detector (Glow + CMSIS-NN, 58.42 M MACs), activations in OCRAM vs SDRAM (boards.md). */
export const NXP: Record<string, { ocramMs: number; sdramMs: number; macs: number }> = {
  rt1060: { ocramMs: 255, sdramMs: 364, macs: 58.42e6 },
  rt1170: { ocramMs: 165, sdramMs: 280, macs: 58.42e6 },
};
const OCRAM: Record<string, string> = { rt1060: "SRAM_OC2", rt1170: "SRAM_OC1" };

/** A realistic placement per board: the arena in the big on-chip RAM, weights read in place. */
const REALISTIC: Record<string, Placement> = {
  rt1060: { arena: { region: "SRAM_OC2" }, model: { region: "BOARD_FLASH" } },
  rt1170: { arena: { region: "SRAM_OC1" }, model: { region: "BOARD_FLASH" } },
  mcxn947: { arena: { region: "SRAM" }, model: { region: "PROGRAM_FLASH" } },
};

export interface RatioRow {
  model: string;
  board: string;
  weights: string;
  /** Whose loop order the stalls follow: our engine's (a placed run) or CMSIS-NN's (the
   *  stall model applied to NXP's kernels' traffic, on top of the run's TCM cycles). */
  kernels: string;
  tcmMs: number;
  ocramMs: number;
  sdramMs: number;
  ratio: number;
  nxpRatio: number;
  /** ours / NXP's ratio (target 0.8-1.2). */
  agreement: number;
  /** A constant was fitted to this very figure (the RT1170's SDRAM path latency): the row
   *  checks the fit, it does not validate the model. */
  fitted: boolean;
}

export interface DefaultRow {
  board: string;
  placement: string;
  todayMs: number;
  placedMs: number;
  change: number;
}

/** The ShuffleNetV2 shape against NXP's absolute figures (activations in OCRAM / SDRAM). */
export interface AbsoluteRow {
  board: string;
  kernels: string;
  ocramMs: number;
  nxpOcramMs: number;
  sdramMs: number;
  nxpSdramMs: number;
  /** MACs per core cycle with the activations in OCRAM, ours and NXP's. */
  macsPerCycle: number;
  nxpMacsPerCycle: number;
  /** The SDRAM figure follows from a fitted constant (see RatioRow.fitted). */
  fitted: boolean;
}

export interface MemoryHierarchyResult {
  ratios: RatioRow[];
  absolute: AbsoluteRow[];
  defaults: DefaultRow[];
}

const ENGINE = "engine (placed run)";
const CMSIS = "CMSIS-NN order (stall model)";

/** The board's SDRAM line cost was calibrated on NXP's person-detector ratio (its source says
 *  so): the CMSIS-NN-order row of that board is then a fit, not a check. */
function sdramFitted(board: string): boolean {
  const source = loadTarget(board).board.memoryTiming?.regions.BOARD_SDRAM?.source ?? "";
  return source.startsWith("calibrated");
}

/**
 * NXP's person-detector shape on one board: the engine's placed runs, and the same TCM run
 * plus the stall model's figure for CMSIS-NN's loop order (NXP's kernels; the engine does not
 * run them, so that row is the stall model's prediction for them, not an emulated run).
 */
async function shuffleNetRows(
  board: string,
  log: (msg: string) => void,
): Promise<{ ratios: RatioRow[]; absolute: AbsoluteRow[] }> {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, SHUFFLENET_PERSON_FILE)));
  const input = new Uint8Array(SHUFFLENET_PERSON_INPUT.reduce((a, b) => a * b, 1));
  const target = loadTarget(board);
  const cycles = async (placement?: Placement) => {
    log(`memory hierarchy: ShuffleNetV2 192x320 on ${board}, ${JSON.stringify(placement ?? {})}`);
    const run = await runModel(bytes, [input], target, { placement });
    return run.inferences[0].cycles;
  };
  const ms = (c: number) => sig((c / target.core.clockHz) * 1e3, 5);
  const ocram = { arena: { region: OCRAM[board] } };
  const sdram = { arena: { region: "BOARD_SDRAM" } };
  const tcm = await cycles();
  const engine = { ocram: await cycles(ocram), sdram: await cycles(sdram) };
  const model = readModel(bytes);
  const stalls = (p: Placement, order: KernelLoopOrder) =>
    modelStalls(model, p, target, order).reduce((n, l) => n + l.cycles, 0);
  const cmsis = { ocram: tcm + stalls(ocram, "cmsis-nn"), sdram: tcm + stalls(sdram, "cmsis-nn") };
  const nxp = NXP[board];
  const nxpRatio = nxp.ocramMs / nxp.sdramMs;
  const rows = [
    { kernels: ENGINE, c: engine },
    { kernels: CMSIS, c: cmsis },
  ];
  return {
    ratios: rows.map(({ kernels, c }) => ({
      model: "ShuffleNetV2 192x320",
      board,
      weights: "TCM",
      kernels,
      tcmMs: ms(tcm),
      ocramMs: ms(c.ocram),
      sdramMs: ms(c.sdram),
      ratio: sig(c.ocram / c.sdram, 3),
      nxpRatio: sig(nxpRatio, 3),
      agreement: sig(c.ocram / c.sdram / nxpRatio, 3),
      fitted: kernels === CMSIS && sdramFitted(board),
    })),
    absolute: rows.map(({ kernels, c }) => ({
      board,
      kernels,
      ocramMs: ms(c.ocram),
      nxpOcramMs: nxp.ocramMs,
      sdramMs: ms(c.sdram),
      nxpSdramMs: nxp.sdramMs,
      macsPerCycle: sig(macs(shuffleNetPerson()) / c.ocram, 3),
      nxpMacsPerCycle: sig(nxp.macs / ((nxp.ocramMs / 1e3) * target.core.clockHz), 3),
      fitted: kernels === CMSIS && sdramFitted(board),
    })),
  };
}

export async function benchMemoryHierarchy(
  log: (msg: string) => void = () => {},
): Promise<MemoryHierarchyResult> {
  const bytes = new Uint8Array(readFileSync(path.join(ROOT, MODEL)));
  const input = new Uint8Array(96 * 96 * 3);
  const ms = async (board: string, placement?: Placement) => {
    log(
      `memory hierarchy: VWW on ${board}, ${placement ? JSON.stringify(placement) : "no placement"}`,
    );
    const target = loadTarget(board);
    const run = await runModel(bytes, [input], target, { placement });
    return sig((run.inferences[0].cycles / target.core.clockHz) * 1e3, 5);
  };
  const ratios: RatioRow[] = [];
  const absolute: AbsoluteRow[] = [];
  const defaults: DefaultRow[] = [];
  for (const board of ["rt1060", "rt1170"]) {
    const shuffle = await shuffleNetRows(board, log);
    ratios.push(...shuffle.ratios);
    absolute.push(...shuffle.absolute);
  }
  for (const board of ["rt1060", "rt1170"]) {
    const tcmMs = await ms(board);
    for (const weights of ["TCM (as today)", "BOARD_FLASH"]) {
      const model: Placement = weights === "BOARD_FLASH" ? { model: { region: weights } } : {};
      const ocramMs = await ms(board, { arena: { region: OCRAM[board] }, ...model });
      const sdramMs = await ms(board, { arena: { region: "BOARD_SDRAM" }, ...model });
      const nxpRatio = NXP[board].ocramMs / NXP[board].sdramMs;
      const ratio = ocramMs / sdramMs;
      ratios.push({
        model: "VWW 96x96",
        board,
        weights,
        kernels: ENGINE,
        tcmMs,
        ocramMs,
        sdramMs,
        ratio: sig(ratio, 3),
        nxpRatio: sig(nxpRatio, 3),
        agreement: sig(ratio / nxpRatio, 3),
        fitted: false,
      });
    }
  }
  for (const board of ["rt1060", "rt1170", "mcxn947"]) {
    const todayMs = await ms(board);
    const placedMs = await ms(board, REALISTIC[board]);
    defaults.push({
      board,
      placement: `arena ${REALISTIC[board].arena!.region}, weights ${REALISTIC[board].model!.region}`,
      todayMs,
      placedMs,
      change: sig(placedMs / todayMs, 3),
    });
  }
  return { ratios, absolute, defaults };
}

export function memoryHierarchyMarkdown(r: MemoryHierarchyResult): string {
  return [
    "| model | board | weights | kernels | all TCM (today) | activations in OCRAM | in SDRAM | OCRAM / SDRAM, ours | NXP's (person detector) | ours / NXP's |",
    "|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ...r.ratios.map(
      (x) =>
        `| ${x.model} | ${x.board} | ${x.weights} | ${x.kernels} | ${x.tcmMs} ms | ${x.ocramMs} ms | ${x.sdramMs} ms | ${x.ratio.toFixed(3)} | ${x.nxpRatio.toFixed(3)} | ${x.agreement.toFixed(2)}${x.fitted ? " (fitted)" : ""} |`,
    ),
    "",
    "| ShuffleNetV2 192x320 | kernels | OCRAM, ours | NXP's | ours / NXP's | SDRAM, ours | NXP's | ours / NXP's | MACs/cycle (OCRAM), ours | NXP's |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.absolute.map(
      (a) =>
        `| ${a.board} | ${a.kernels} | ${a.ocramMs} ms | ${a.nxpOcramMs} ms | ${(a.ocramMs / a.nxpOcramMs).toFixed(2)} | ${a.sdramMs} ms | ${a.nxpSdramMs} ms | ${(a.sdramMs / a.nxpSdramMs).toFixed(2)}${a.fitted ? " (fitted)" : ""} | ${a.macsPerCycle} | ${a.nxpMacsPerCycle} |`,
    ),
    "",
    "| board | realistic placement | today (zero-wait) | placed | change |",
    "|---|---|---:|---:|---:|",
    ...r.defaults.map(
      (d) =>
        `| ${d.board} | ${d.placement} | ${d.todayMs} ms | ${d.placedMs} ms | ${d.change.toFixed(3)}x |`,
    ),
    ...(r.ratios.some((x) => x.fitted)
      ? [
          "",
          "(fitted): a constant was calibrated on this figure (the RT1170's SDRAM path latency, docs/cost-model.md), so the row checks the fit and validates nothing.",
        ]
      : []),
  ].join("\n");
}

/** Writes the table into docs/cost-model.md between its bench markers. */
export function updateCostModelDoc(r: MemoryHierarchyResult): void {
  const doc = path.join(ROOT, "docs", "cost-model.md");
  const text = readFileSync(doc, "utf8");
  const next = text.replace(
    /(<!-- bench:memoryHierarchy:start -->\n)[\s\S]*?(<!-- bench:memoryHierarchy:end -->)/,
    `$1${memoryHierarchyMarkdown(r)}\n$2`,
  );
  if (next !== text) writeFileSync(doc, next);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchMemoryHierarchy((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(memoryHierarchyMarkdown(r));
  updateCostModelDoc(r);
}
