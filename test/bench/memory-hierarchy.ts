// Memory hierarchy: the person detector's model (MLPerf Tiny VWW) with its activations in
// OCRAM and in SDRAM on the RT1060 and RT1170 EVKs, our OCRAM/SDRAM latency ratio beside
// NXP's published one (../shared/reference/boards.md), and what a realistic default placement
// per board would change against today's zero-wait figures. Emulated cycles: deterministic.
// Run alone with `npx tsx test/bench/memory-hierarchy.ts` (also rewrites docs/cost-model.md).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { runModel } from "../../emulator/model/runner.ts";
import type { Placement } from "../../emulator/memory-hierarchy/placement.ts";
import { ROOT, sig } from "./util.ts";

const MODEL = "apps/person-detector/model/vww_96_int8.tflite";

/** NXP's person detector (Glow + CMSIS-NN), activations in OCRAM vs SDRAM (boards.md). */
const NXP: Record<string, { ocramMs: number; sdramMs: number }> = {
  rt1060: { ocramMs: 255, sdramMs: 364 },
  rt1170: { ocramMs: 165, sdramMs: 280 },
};
const OCRAM: Record<string, string> = { rt1060: "SRAM_OC2", rt1170: "SRAM_OC1" };

/** A realistic placement per board: the arena in the big on-chip RAM, weights read in place. */
const REALISTIC: Record<string, Placement> = {
  rt1060: { arena: { region: "SRAM_OC2" }, model: { region: "BOARD_FLASH" } },
  rt1170: { arena: { region: "SRAM_OC1" }, model: { region: "BOARD_FLASH" } },
  mcxn947: { arena: { region: "SRAM" }, model: { region: "PROGRAM_FLASH" } },
};

export interface RatioRow {
  board: string;
  weights: string;
  tcmMs: number;
  ocramMs: number;
  sdramMs: number;
  ratio: number;
  nxpRatio: number;
  /** ours / NXP's ratio (target 0.8-1.2). */
  agreement: number;
}

export interface DefaultRow {
  board: string;
  placement: string;
  todayMs: number;
  placedMs: number;
  change: number;
}

export interface MemoryHierarchyResult {
  ratios: RatioRow[];
  defaults: DefaultRow[];
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
  const defaults: DefaultRow[] = [];
  for (const board of ["rt1060", "rt1170"]) {
    const tcmMs = await ms(board);
    for (const weights of ["TCM (as today)", "BOARD_FLASH"]) {
      const model: Placement = weights === "BOARD_FLASH" ? { model: { region: weights } } : {};
      const ocramMs = await ms(board, { arena: { region: OCRAM[board] }, ...model });
      const sdramMs = await ms(board, { arena: { region: "BOARD_SDRAM" }, ...model });
      const nxpRatio = NXP[board].ocramMs / NXP[board].sdramMs;
      const ratio = ocramMs / sdramMs;
      ratios.push({
        board,
        weights,
        tcmMs,
        ocramMs,
        sdramMs,
        ratio: sig(ratio, 3),
        nxpRatio: sig(nxpRatio, 3),
        agreement: sig(ratio / nxpRatio, 3),
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
  return { ratios, defaults };
}

export function memoryHierarchyMarkdown(r: MemoryHierarchyResult): string {
  return [
    "| board | weights | all TCM (today) | activations in OCRAM | in SDRAM | OCRAM / SDRAM, ours | NXP's (person detector) | ours / NXP's |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...r.ratios.map(
      (x) =>
        `| ${x.board} | ${x.weights} | ${x.tcmMs} ms | ${x.ocramMs} ms | ${x.sdramMs} ms | ${x.ratio.toFixed(3)} | ${x.nxpRatio.toFixed(3)} | ${x.agreement.toFixed(2)} |`,
    ),
    "",
    "| board | realistic placement | today (zero-wait) | placed | change |",
    "|---|---|---:|---:|---:|",
    ...r.defaults.map(
      (d) =>
        `| ${d.board} | ${d.placement} | ${d.todayMs} ms | ${d.placedMs} ms | ${d.change.toFixed(3)}x |`,
    ),
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
