// Bench section: the micro front end (firmware/dsp/micro-frontend, TFLM's micro_speech
// features) on each board: cycles per 20 ms feature frame as the firmware itself measures them
// (the push that completes a frame: window, Q15 FFT, filter bank, noise reduction, PCAN, log)
// over the 4 x 49 frames of the micro-speech fixture's 1 s clips, that time against the 20 ms
// hop, and one micro_speech inference; and where a frame's cycles go, stage by stage
// (test/bench-apps/micro-frontend-stages). Nothing here asserts a timing.
// Runs on its own: npx tsx test/bench/micro-frontend.ts
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BOARDS, build, runOnce, sig } from "./util.ts";

const APP = "test/fixtures/apps/micro-speech";
const STAGES_APP = "test/bench-apps/micro-frontend-stages";
const HOP_US = 20_000;

export interface MicroFrontendBoard {
  board: string;
  mhz: number;
  frames: number;
  cyclesPerFrameMean: number;
  cyclesPerFrameMax: number;
  usPerFrame: number;
  /** Mean frame time / the 20 ms hop. */
  loadOfHop: number;
  inferenceCycles: number;
  /** Cycles per frame of each stage, run one by one over yes_1000ms. */
  stages: { stage: string; cycles: number }[];
}

export async function benchMicroFrontend(): Promise<MicroFrontendBoard[]> {
  const out: MicroFrontendBoard[] = [];
  for (const board of BOARDS) {
    const b = await build(APP, board);
    const { console: text } = await runOnce(b, 10);
    const rows = [
      ...text.matchAll(/^cycles \S+: frames (\d+) min (\d+) max (\d+) mean (\d+) at (\d+) MHz$/gm),
    ].map((m) => m.slice(1).map(Number));
    const invokes = [...text.matchAll(/^invoke \S+: (\d+) cycles$/gm)].map((m) => Number(m[1]));
    if (rows.length !== 4 || invokes.length !== 4)
      throw new Error(`micro-speech on ${board}: unexpected output\n${text.slice(-500)}`);
    const frames = rows.reduce((s, r) => s + r[0], 0);
    const mean = rows.reduce((s, r) => s + r[0] * r[3], 0) / frames;
    const mhz = rows[0][4];
    const staged = await runOnce(await build(STAGES_APP, board), 10);
    const stages = [...staged.console.matchAll(/^stage (.+): (\d+) cycles\/frame$/gm)].map((m) => ({
      stage: m[1],
      cycles: Number(m[2]),
    }));
    if (!/same features as MicroFrontend/.test(staged.console))
      throw new Error(
        `micro-frontend-stages on ${board}: the staged chain differs from MicroFrontend`,
      );
    out.push({
      board,
      mhz,
      frames,
      cyclesPerFrameMean: Math.round(mean),
      cyclesPerFrameMax: Math.max(...rows.map((r) => r[2])),
      usPerFrame: sig(mean / mhz, 4),
      loadOfHop: sig(mean / mhz / HOP_US, 3),
      inferenceCycles: Math.round(invokes.reduce((s, c) => s + c, 0) / invokes.length),
      stages,
    });
  }
  return out;
}

export function microFrontendTable(r: MicroFrontendBoard[]): string {
  const rows = [
    [
      "board",
      "MHz",
      "cycles/frame (mean)",
      "max",
      "µs/frame",
      "of the 20 ms hop",
      "micro_speech inference cycles",
    ],
    ...r.map((b) => [
      b.board,
      String(b.mhz),
      String(b.cyclesPerFrameMean),
      String(b.cyclesPerFrameMax),
      b.usPerFrame.toFixed(1),
      `${(b.loadOfHop * 100).toFixed(2)} %`,
      String(b.inferenceCycles),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const stages = r[0].stages
    .map((st, i) => `${st.stage} ${r.map((b) => b.stages[i]?.cycles).join(" / ")}`)
    .join("; ");
  return [
    "8. micro front end (TFLM micro_speech features), 196 frames per board",
    ...rows.map((row) =>
      row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "),
    ),
    `   cycles per frame by stage (${r.map((b) => b.board).join(" / ")}): ${stages}`,
  ].join("\n");
}

export function microFrontendMarkdown(r: MicroFrontendBoard[]): string {
  return [
    "Micro front end (TFLM micro_speech features, bit-exact; see docs/micro-frontend.md), per 20 ms feature frame:",
    "",
    "| board | cycles per frame | µs per frame | of the 20 ms hop | micro_speech inference |",
    "|---|---:|---:|---:|---:|",
    ...r.map(
      (b) =>
        `| ${b.board} | ${b.cyclesPerFrameMean} | ${b.usPerFrame.toFixed(1)} | ${(b.loadOfHop * 100).toFixed(2)} % | ${(b.inferenceCycles / 1e6).toFixed(2)} M cycles |`,
    ),
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(microFrontendTable(await benchMicroFrontend()));
}
