// 8. firmware/dsp on each board: cycles per 10 ms of 16 kHz audio for the audio front end's
// pieces (the dsp-probe firmware app (firmware/dsp-probe) frames each one's work with a layer span), and the share
// of the core they take. Per channel where it says so. Run alone: npx tsx test/bench/dsp.ts
// (prints the table and rewrites the table in docs/dsp.md between its bench markers).
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { runDsp, OP, f32bits, type DspJob } from "../../emulator/dsp-probe.ts";
import { modulate } from "../helpers/sigma-delta.ts";
import { BOARDS, ROOT, sig } from "./util.ts";

export interface DspRow {
  name: string;
  cycles: Record<string, number>;
}
export interface DspResult {
  boards: { board: string; clockHz: number }[];
  rows: DspRow[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Item {
  name: string;
  job: DspJob;
  per10ms: number;
}

function items(): Item[] {
  const r = rng(1);
  const noise = (n: number): Float32Array => Float32Array.from({ length: n }, () => 0.3 * r());
  const speech = (n: number): Int16Array =>
    Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin(i * 0.07) + 3000 * r()));
  const tone =
    (f: number, a: number) =>
    (t: number): number =>
      a * Math.sin(2 * Math.PI * f * t);
  const pos = [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ].flat();
  return [
    // 100 ms of PDM in 10 ms blocks: divide by 10.
    {
      name: "PDM decimation 2.048 MHz / 128, per channel",
      job: {
        op: OP.pdm,
        params: [128, 2560],
        data: modulate(tone(1000, 0.5), 2_048_000, 2560 * 8 * 10),
      },
      per10ms: 1 / 10,
    },
    {
      name: "PDM decimation 1.024 MHz / 64, per channel",
      job: {
        op: OP.pdm,
        params: [64, 1280],
        data: modulate(tone(1000, 0.5), 1_024_000, 1280 * 8 * 10),
      },
      per10ms: 1 / 10,
    },
    // One 512-point FFT per 10 ms hop.
    {
      name: "real FFT 512, float32",
      job: { op: OP.rfftF32, params: [512], data: noise(512) },
      per10ms: 1,
    },
    {
      name: "real FFT 512, Q15",
      job: {
        op: OP.rfftQ15,
        params: [512],
        data: Int16Array.from(noise(512), (v) => Math.round(v * 32768)),
      },
      per10ms: 1,
    },
    {
      name: "real FFT 512, Q31",
      job: {
        op: OP.rfftQ31,
        params: [512],
        data: Int32Array.from(noise(512), (v) => Math.round(v * 2 ** 31)),
      },
      per10ms: 1,
    },
    // KWS MFCC frames come every 20 ms, wake-word log-mel frames every 32 ms.
    {
      name: "MLPerf KWS MFCC frame (480 -> 10), per 10 ms at its 20 ms hop",
      job: { op: OP.kwsFrame, params: [f32bits(1 / 16000)], data: speech(480) },
      per10ms: 10 / 20,
    },
    {
      name: "MLPerf wake-word log-mel frame (1024 -> 40), per 10 ms at its 32 ms hop",
      job: { op: OP.wwFrame, params: [f32bits(1 / 16000)], data: speech(1024) },
      per10ms: 10 / 32,
    },
    // 100 ms of 4-channel audio in 10 ms blocks.
    {
      name: "delay-and-sum beamformer, 4 channels",
      job: {
        op: OP.beam,
        params: [4, 160, f32bits(1.0), 1600],
        data: new Float32Array([...pos, ...noise(6400)]),
      },
      per10ms: 1 / 10,
    },
    {
      name: "noise suppressor (Wiener + minimum statistics), 1 channel",
      job: { op: OP.noiseSuppressor, data: noise(1600) },
      per10ms: 1 / 10,
    },
    {
      name: "AGC, 1 channel",
      job: { op: OP.agc, params: [160], data: noise(1600) },
      per10ms: 1 / 10,
    },
    {
      name: "biquad cascade x3, 1 channel",
      job: {
        op: OP.biquad,
        params: [3],
        data: new Float32Array([
          0.9,
          -1.8,
          0.9,
          -1.79,
          0.81,
          0.2,
          0.4,
          0.2,
          -0.3,
          0.1,
          0.1,
          0,
          -0.1,
          -1.6,
          0.8,
          ...noise(1600),
        ]),
      },
      per10ms: 1 / 10,
    },
    {
      name: "GCC-PHAT, 2 x 512 samples (1024-point), per call",
      job: { op: OP.gccPhat, params: [1024, 512, 16], data: noise(1024) },
      per10ms: 1,
    },
  ];
}

export async function benchDsp(log: (m: string) => void = () => {}): Promise<DspResult> {
  const list = items();
  const rows: DspRow[] = list.map((i) => ({ name: i.name, cycles: {} }));
  const boards: DspResult["boards"] = [];
  for (const board of BOARDS) {
    log(`dsp on ${board}`);
    const res = await runDsp(
      list.map((i) => i.job),
      board,
    );
    res.forEach((r, k) => {
      rows[k].cycles[board] = Math.round(r.cycles * list[k].per10ms);
    });
    boards.push({ board, clockHz: loadTarget(board).core.clockHz });
  }
  return { boards, rows };
}

const pct = (cycles: number, clockHz: number): string =>
  `${((cycles / (clockHz * 0.01)) * 100).toFixed(2)} %`;
const kc = (c: number): string => `${sig(c / 1000, 3)} k`;

export function dspTable(r: DspResult): string {
  const head = ["8. firmware/dsp: cycles per 10 ms of 16 kHz audio (and share of the core)", ""];
  const lines = r.rows.map(
    (row) =>
      `${row.name.padEnd(76)} ${r.boards.map((b) => `${kc(row.cycles[b.board]).padStart(8)} ${pct(row.cycles[b.board], b.clockHz).padStart(8)}`).join("  ")}`,
  );
  return [
    ...head,
    `${"".padEnd(76)} ${r.boards.map((b) => `${b.board} ${b.clockHz / 1e6} MHz`.padStart(18)).join("  ")}`,
    ...lines,
  ].join("\n");
}

export function dspMarkdown(r: DspResult): string {
  return [
    `| per 10 ms of 16 kHz audio | ${r.boards.map((b) => `${b.board} (${b.clockHz / 1e6} MHz)`).join(" | ")} |`,
    `|---|${r.boards.map(() => "---:").join("|")}|`,
    ...r.rows.map(
      (row) =>
        `| ${row.name} | ${r.boards.map((b) => `${kc(row.cycles[b.board])}cycles, ${pct(row.cycles[b.board], b.clockHz)}`).join(" | ")} |`,
    ),
  ].join("\n");
}

/** Puts the table into docs/dsp.md between its bench markers. */
export function updateDspDoc(r: DspResult): void {
  const doc = path.join(ROOT, "docs", "dsp.md");
  const text = readFileSync(doc, "utf8");
  const next = text.replace(
    /(<!-- bench:dsp:start -->\n)[\s\S]*?(<!-- bench:dsp:end -->)/,
    `$1${dspMarkdown(r)}\n$2`,
  );
  if (next !== text) writeFileSync(doc, next);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = await benchDsp((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(dspTable(r));
  console.log("\n" + dspMarkdown(r));
  updateDspDoc(r);
}
