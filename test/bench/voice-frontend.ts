// Voice-control's front end, one stage at a time: the beamformer against microphone 0 alone
// (app option BEAM=false) and the noise suppressor on (NOISE_SUPPRESSOR=true), at the same
// far-field scenes as test/bench/voice-control.ts (same seeds), per board. Two measures:
// SNR on the signal itself (voice-frontend-snr.ts: speech and noise rendered apart) and, in the
// emulator, wake-word detection and command accuracy per SNR.
// Run alone: `npx tsx test/bench/voice-frontend.ts [--board B]... [--snr 5,20] [--signal-snr 5]
// [--no-signal] [--no-emulator] [--json out.json]`.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchVoiceControl, type TrialResult } from "./voice-control.ts";
import { measureFrontEndSnr, type BoardSnr } from "./voice-frontend-snr.ts";
import { BOARDS, ROOT } from "./util.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";

export const FRONT_ENDS: { name: string; options: AppOptions }[] = [
  { name: "beam", options: {} },
  { name: "microphone 0", options: { BEAM: false } },
  { name: "beam + suppressor", options: { NOISE_SUPPRESSOR: true } },
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
      : measureFrontEndSnr(board, dir, opts.signalSnrs ?? snrs, log);
    byArray.set(array, s);
    result.snr.push(s);
    opts.save?.(result);
  }
  if (opts.emulator === false) return result;
  for (const board of boards)
    for (const f of FRONT_ENDS) {
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

export function frontEndTable(r: FrontEndResult): string {
  const out = [
    "| board (array) | beam - mic 0, all | below 1 kHz | above 2 kHz | suppressor, all | below 1 kHz | above 2 kHz |",
    "|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const s of r.snr) {
    const b = s.beamGainDb,
      n = s.suppressorGainDb;
    out.push(
      `| ${s.board} (${s.array}, ${s.mics} mics) | ${b.all} dB | ${b["below 1 kHz"]} dB | ${b["above 2 kHz"]} dB | ${n.all} dB | ${n["below 1 kHz"]} dB | ${n["above 2 kHz"]} dB |`,
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
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
    save,
  });
  save(r);
  console.log(frontEndTable(r));
}
