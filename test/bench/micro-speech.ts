// Bench section: apps/micro-speech per board on its demo input (samples/demo.wav, 7 s: silence,
// yes, silence, no, noise, yes, silence) — CPU load at 10 ms blocks, host real-time factor
// (emulated seconds per wall second, microphone emulation included), and metering overhead for
// audio firmware: wall time of the metered vs the unmetered build (target ≤ 1.5x, as
// test/bench/metering.ts for the compute firmware). Neither RT1060 nor FRDM-MCXN947 has
// microphones: both get the array app.json names, NXP's SLN-LOCAL2 triangle (RT1060 decimates
// the SAI bit stream in firmware, MCX N947 takes PCM from its PDM receiver).
// Run alone: `npx tsx test/bench/micro-speech.ts`.
import { fileURLToPath } from "node:url";
import { BOARDS, build, median, runOnce, sig, type Built } from "./util.ts";

const APP = "apps/micro-speech";
const SECONDS = 7;
const RUNS = 3;
const METERING_BOARD = "rt1170";

export interface MicroSpeechBoardResult {
  board: string;
  coreMHz: number;
  /** Busy / all cycles over the run. */
  cpuLoad: number;
  /** Emulated seconds per host wall second (median of RUNS). */
  realTimeFactor: number;
  words: string[];
}

export interface MicroSpeechBenchResult {
  boards: MicroSpeechBoardResult[];
  metering: {
    board: string;
    runs: number;
    meteredWallSeconds: number;
    unmeteredWallSeconds: number;
    ratio: number;
    minRatio: number;
    meetsFloor: boolean;
  };
}

async function runWords(b: Built) {
  const { summary, console: text, wallSeconds: wall } = await runOnce(b, SECONDS);
  const words = [...text.matchAll(/heard (\w+) \(score \d+\) at (\d+) ms/g)].map(
    (m) => `${m[1]}@${m[2]}`,
  );
  return { summary, wall, words };
}

export async function benchMicroSpeech(
  log: (s: string) => void = () => undefined,
): Promise<MicroSpeechBenchResult> {
  const boards: MicroSpeechBoardResult[] = [];
  let metered: Built | null = null;
  for (const board of BOARDS) {
    log(`building micro-speech for ${board}`);
    const b = await build(APP, board);
    if (board === METERING_BOARD) metered = b;
    await runWords(b); // warm-up
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runWords(b));
    const s = runs[0].summary;
    boards.push({
      board,
      coreMHz: sig(b.target.core.clockHz / 1e6),
      cpuLoad: sig(s.cpuLoad, 3),
      realTimeFactor: sig(SECONDS / median(runs.map((r) => r.wall)), 3),
      words: runs[0].words,
    });
  }
  log(`building micro-speech unmetered for ${METERING_BOARD}`);
  const unmetered = await build(APP, METERING_BOARD, { unmetered: true });
  const m0 = await runWords(metered!),
    u0 = await runWords(unmetered);
  if (m0.words.join() !== u0.words.join())
    throw new Error(
      `metered and unmetered builds heard different words: ${m0.words} vs ${u0.words}`,
    );
  if (u0.summary.busyCycles >= m0.summary.busyCycles)
    throw new Error("the unmetered build counted cycles: it is not unmetered");
  const mw: number[] = [],
    uw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    mw.push((await runWords(metered!)).wall);
    uw.push((await runWords(unmetered)).wall);
  }
  const ratio = median(mw) / median(uw);
  return {
    boards,
    metering: {
      board: METERING_BOARD,
      runs: RUNS,
      meteredWallSeconds: sig(median(mw)),
      unmeteredWallSeconds: sig(median(uw)),
      ratio: sig(ratio, 3),
      minRatio: sig(Math.min(...mw) / Math.min(...uw), 3),
      meetsFloor: ratio <= 1.5,
    },
  };
}

export function microSpeechTable(r: MicroSpeechBenchResult): string {
  const rows = r.boards.map(
    (b) =>
      `| ${b.board} (${b.coreMHz} MHz) | ${(b.cpuLoad * 100).toFixed(2)} % | ${b.realTimeFactor}x | ${b.words.join(", ")} |`,
  );
  return [
    "| board | CPU load (10 ms blocks, 1 inference / 100 ms) | real-time factor | words heard (demo.wav) |",
    "|---|---|---|---|",
    ...rows,
    "",
    `Metering overhead (${r.metering.board}, audio firmware): ${r.metering.meteredWallSeconds} s metered vs ${r.metering.unmeteredWallSeconds} s unmetered wall time for ${SECONDS} s emulated = **${r.metering.ratio}x** (min-ratio ${r.metering.minRatio}x; target ≤ 1.5x${r.metering.meetsFloor ? ", met" : ", NOT met"}).`,
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await benchMicroSpeech((s) => process.stderr.write(`bench: ${s}\n`));
  console.log(JSON.stringify(r, null, 2));
  console.log(microSpeechTable(r));
}
