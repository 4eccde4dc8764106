// Voice-control's front end, one stage at a time: the superdirective beam (app option BEAM=2,
// the app's default), the MVDR (BEAM=3) and delay-and-sum (BEAM=1) against microphone 0 alone (BEAM=0), and the
// noise suppressor on (NOISE_SUPPRESSOR=true), at the same
// far-field scenes as test/bench/voice-control.ts (same seeds), per board. Two measures:
// SNR on the signal itself (voice-frontend-snr.ts: speech and noise rendered apart) and, in the
// emulator, wake-word detection and command accuracy per SNR.
// Run alone: `npx tsx test/bench/voice-frontend.ts [--board B]... [--snr 5,20] [--signal-snr 5]
// [--no-signal] [--no-emulator] [--front-end NAME]... [--json out.json]`; with
// `--accuracy-sets N` instead: N sets of the scene grid at the first --snr (16 trials each) per
// front end (default superdirective and microphone 0), counts and one-sided Fisher p-values
// (voice-frontend-accuracy.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchVoiceControl, type TrialResult } from "./voice-control.ts";
import { measureFrontEndSnr, type BoardSnr } from "./voice-frontend-snr.ts";
import { frontEndTrials, fisherOneSided, type AccuracyTrial } from "./voice-frontend-accuracy.ts";
import { BOARDS, ROOT, median } from "./util.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";

export const FRONT_ENDS: { name: string; options: AppOptions }[] = [
  { name: "superdirective", options: { BEAM: 2 } },
  { name: "superdirective, uncalibrated", options: { BEAM: 2, MIC_CALIBRATION: false } },
  { name: "microphone 0", options: { BEAM: 0 } },
  { name: "delay-and-sum", options: { BEAM: 1 } },
  { name: "superdirective + suppressor", options: { BEAM: 2, NOISE_SUPPRESSOR: true } },
  { name: "mvdr", options: { BEAM: 3 } },
];

export interface FrontEndAccuracy {
  board: string;
  frontEnd: string;
  snr: number;
  trials: number;
  /** Wake words detected / trials. */
  detected: number;
  /** Commands right / detected wake words. */
  commandsRight: number;
}

export interface FrontEndResult {
  snr: BoardSnr[];
  accuracy: FrontEndAccuracy[];
}

function tally(
  board: string,
  frontEnd: string,
  trials: TrialResult[],
  snrs: number[],
): FrontEndAccuracy[] {
  return snrs.map((snr) => {
    const ts = trials.filter((t) => t.scene.snr === snr);
    const woke = ts.filter((t) => t.woke);
    return {
      board,
      frontEnd,
      snr,
      trials: ts.length,
      detected: woke.length,
      commandsRight: woke.filter((t) => t.heard === t.command).length,
    };
  });
}

export async function benchVoiceFrontEnd(
  log: (s: string) => void = () => undefined,
  opts: {
    boards?: readonly string[];
    snrs?: number[];
    /** SNRs for the signal measure (default: `snrs`). */
    signalSnrs?: number[];
    signal?: boolean;
    emulator?: boolean;
    /** Front ends to run in the emulator (names of FRONT_ENDS; default all). */
    frontEnds?: string[];
    save?: (r: FrontEndResult) => void;
  } = {},
): Promise<FrontEndResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-frontend-"));
  const snrs = opts.snrs ?? [5, 20];
  const boards = opts.boards ?? BOARDS;
  const result: FrontEndResult = { snr: [], accuracy: [] };
  // Boards with the same array (rt1060, mcxn947: sln-local2-tri) hear the same signals.
  const byArray = new Map<string, BoardSnr>();
  for (const board of opts.signal === false ? [] : boards) {
    const array = appMicArray(loadApp(path.join(ROOT, "apps/voice-control")), board) ?? board;
    const known = byArray.get(array);
    const s = known
      ? { ...known, board }
      : measureFrontEndSnr(board, dir, opts.signalSnrs ?? snrs, log, {
          suppressor: true,
          bounds: true,
          mvdr: true,
        });
    byArray.set(array, s);
    result.snr.push(s);
    opts.save?.(result);
  }
  if (opts.emulator === false) return result;
  for (const board of boards)
    for (const f of FRONT_ENDS.filter(
      (x) => !opts.frontEnds?.length || opts.frontEnds.includes(x.name),
    )) {
      const [r] = await benchVoiceControl((s) => log(`${f.name}: ${s}`), {
        boards: [board],
        snrs,
        falseAcceptMinutes: 0,
        appOptions: f.options,
      });
      result.accuracy.push(...tally(board, f.name, r.trials, snrs));
      opts.save?.(result);
    }
  return result;
}

const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)} %` : "-");

const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;

export function frontEndTable(r: FrontEndResult): string {
  const out = [
    "| board (array) | superdirective - mic 0, all | below 1 kHz | above 2 kHz | delay-and-sum - mic 0, all | suppressor on the beam, all | calibrated superdirective - mic 0 (settled / matched mics) | MVDR - mic 0 | calibration converged, median; worst final error |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const s of r.snr) {
    const d = s.superdirectiveGainDb,
      b = s.beamGainDb,
      n = s.suppressorGainDb;
    out.push(
      `| ${s.board} (${s.array}, ${s.mics} mics) | ${signed(d.all)} dB | ${signed(d["below 1 kHz"])} dB | ${signed(d["above 2 kHz"])} dB | ${signed(b.all)} dB | ${signed(n.all)} dB | ` +
        `${signed(s.calibratedGainDb.all)} dB (${signed(s.settledGainDb.all)} / ${signed(s.matchedGainDb.all)}) | ${signed(s.mvdrGainDb.all)} dB | ${s.convergedSeconds} s; ${s.worstEstimateErrorDb.toFixed(2)} dB |`,
    );
  }
  // Per noise and distance (whole band, medians over the scenes: the RT60s and SNRs measured).
  out.push(
    "",
    "| board | noise | distance | superdirective - mic 0 | delay-and-sum - mic 0 | calibrated superdirective / MVDR - mic 0 | scenes |",
    "|---|---|---:|---:|---:|---:|---:|",
  );
  for (const s of r.snr)
    for (const noise of ["babble", "fan"])
      for (const dist of [1, 3]) {
        const sc = s.scenes.filter((x) => x.spec.noise === noise && x.spec.dist === dist);
        if (!sc.length) continue;
        const g = (k: "superdirective" | "beam" | "calibrated" | "mvdr") =>
          median(sc.map((x) => x[k].all - x.mic0.all));
        out.push(
          `| ${s.board} | ${noise} | ${dist} m | ${signed(g("superdirective"))} dB | ${signed(g("beam"))} dB | ${signed(g("calibrated"))} / ${signed(g("mvdr"))} dB | ${sc.length} |`,
        );
      }
  if (r.accuracy.length) {
    out.push(
      "",
      "| board | front end | SNR | wake words detected | commands right after a detected wake word |",
      "|---|---|---:|---:|---:|",
    );
    for (const a of r.accuracy)
      out.push(
        `| ${a.board} | ${a.frontEnd} | ${a.snr} dB | ${a.detected} / ${a.trials} (${pct(a.detected, a.trials)}) | ${a.commandsRight} / ${a.detected} (${pct(a.commandsRight, a.detected)}) |`,
      );
  }
  return out.join("\n");
}

/** Counts per front end and the one-sided Fisher p of each against microphone 0 (the last front end is the baseline). */
export function accuracyTable(
  board: string,
  snr: number,
  runs: { name: string; trials: AccuracyTrial[] }[],
): string {
  const base = runs.find((r) => r.name === "microphone 0");
  const out = [
    `| ${board}, ${snr} dB | trials | wake words detected | p (one-sided Fisher) vs microphone 0 | commands right | p vs microphone 0 |`,
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of runs) {
    const n = r.trials.length,
      w = r.trials.filter((t) => t.woke).length,
      c = r.trials.filter((t) => t.commandRight).length;
    const p = (mine: number, key: "woke" | "commandRight") =>
      base && base !== r
        ? fisherOneSided(
            mine,
            n,
            base.trials.filter((t) => t[key]).length,
            base.trials.length,
          ).toFixed(4)
        : "-";
    out.push(`| ${r.name} | ${n} | ${w} | ${p(w, "woke")} | ${c} | ${p(c, "commandRight")} |`);
  }
  return out.join("\n");
}

if (
  process.argv[1] === fileURLToPath(import.meta.url) &&
  process.argv.includes("--accuracy-sets")
) {
  const args = process.argv.slice(2);
  const sets = Number(args[args.indexOf("--accuracy-sets") + 1]);
  const snrArg = args.indexOf("--snr");
  const snr = snrArg >= 0 ? Number(args[snrArg + 1].split(",")[0]) : 5;
  const boards = args.flatMap((a, i) => (a === "--board" ? [args[i + 1]] : []));
  const names = args.flatMap((a, i) => (a === "--front-end" ? [args[i + 1]] : []));
  const chosen = names.length ? names : ["superdirective", "microphone 0"];
  for (const board of boards.length ? boards : ["rt1060"]) {
    const runs = [];
    for (const name of chosen) {
      const f = FRONT_ENDS.find((x) => x.name === name);
      if (!f)
        throw new Error(`no front end '${name}' (${FRONT_ENDS.map((x) => x.name).join(", ")})`);
      const trials = await frontEndTrials(board, f.options, snr, sets, (s) =>
        process.stderr.write(`bench: ${s}\n`),
      );
      runs.push({ name, trials });
      process.stderr.write(`bench: ${JSON.stringify({ board, name, trials })}\n`);
    }
    console.log(accuracyTable(board, snr, runs));
  }
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const boards = args.flatMap((a, i) => (a === "--board" ? [args[i + 1]] : []));
  const snrArg = args.indexOf("--snr"),
    jsonArg = args.indexOf("--json"),
    signalArg = args.indexOf("--signal-snr");
  const save = (r: FrontEndResult) => {
    if (jsonArg >= 0) writeFileSync(args[jsonArg + 1], JSON.stringify(r, null, 1));
  };
  const r = await benchVoiceFrontEnd((s) => process.stderr.write(`bench: ${s}\n`), {
    boards: boards.length ? boards : undefined,
    snrs: snrArg >= 0 ? args[snrArg + 1].split(",").map(Number) : undefined,
    signalSnrs: signalArg >= 0 ? args[signalArg + 1].split(",").map(Number) : undefined,
    signal: !args.includes("--no-signal"),
    emulator: !args.includes("--no-emulator"),
    frontEnds: args.flatMap((a, i) => (a === "--front-end" ? [args[i + 1]] : [])).filter(Boolean),
    save,
  });
  save(r);
  console.log(frontEndTable(r));
}
