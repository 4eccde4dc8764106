// The beam against microphone 0 on the SAME trials, with enough of them for a paired test:
// the far-field bench's scene grid (apps/voice-control/eval/scenes.ts: 1 / 3 m, RT60 0.3 / 0.6
// s, babble / fan, 16 trials a set) at one SNR, `--sets N` seed sets (other directions, noise
// and microphone-gain draws; the sets of voice-frontend-accuracy.ts), through the host front end
// (apps/voice-control/eval/beam-trials.ts; its DSP is the float64 reference the firmware tests
// hold the firmware to). Per front end: wake words detected and commands right per trial, with
// Wilson 95 % intervals; per pair of front ends: the discordant trials and McNemar's exact test
// (two-sided binomial on the discordant pairs; one-sided in the beam's favour beside it).
// `--emulator-sets K` also runs the first K sets (from --first-set) through the emulated board
// (the app built with BEAM=...) and counts where host and firmware decide alike, trial by trial.
//   npx tsx test/bench/voice-beam-paired.ts --board rt1060 [--sets 6] [--first-set 0] [--snr 5]
//     [--beams superdirective,mic0] [--emulator-sets 1] [--commands ten|seven] [--json out.json]
// (--first-set N: sets N.. only, to add trials to an earlier run's; --tables a.json,b.json: the
// tables of such runs' --json files together.) Commands: the ten-word set (eval/command-voices.ts
// pools; the default) or the seven words from the bench's own voices (the figures before it).
// --signal: each scene's SNR on the signal too (calibrated beam - microphone 0, median per table).
// "cued": the command path alone, listening from 0.4 s before the word whether or not the wake
// word was detected (beam-trials.ts), so it measures the commands without the wake word's misses.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../emulator/cli/script-args.ts";
import { loadTarget } from "../../emulator/board.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import { trialScenes } from "../../apps/voice-control/eval/scenes.ts";
import { hostTrials, type HostTrial } from "../../apps/voice-control/eval/beam-trials.ts";
import type { HostBeam } from "../../apps/voice-control/eval/host-frontend.ts";
import { wilson } from "../../apps/voice-control/eval/real-clip-scenes.ts";
import { frontEndTrials, setTalkers, type AccuracyTrial } from "./voice-frontend-accuracy.ts";
import { measureFrontEndSnr } from "./voice-frontend-snr.ts";
import { ROOT } from "./util.ts";

/** The app's BEAM option per host beam. */
const BEAM_OPTION: Record<HostBeam, number> = { mic0: 0, superdirective: 2, mvdr: 3 };

const logChoose = (n: number, k: number): number => {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
};
/** P(X <= k), X binomial(n, 1/2). */
const binomLowerHalf = (k: number, n: number): number => {
  let p = 0;
  for (let i = 0; i <= k; i++) p += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, p);
};

/**
 * McNemar's exact test on paired binary outcomes: b trials right with A only, c with B only.
 * Two-sided p = 2 P(X <= min(b, c)) and one-sided p = P(X >= b) (A better), X ~ Bin(b + c, 1/2).
 */
export function mcnemarExact(b: number, c: number): { twoSided: number; aBetter: number } {
  const n = b + c;
  if (n === 0) return { twoSided: 1, aBetter: 1 };
  return {
    twoSided: Math.min(1, 2 * binomLowerHalf(Math.min(b, c), n)),
    aBetter: binomLowerHalf(c, n), // P(X >= b) = P(X <= c) by symmetry
  };
}

export interface PairedTrial {
  set: number;
  scene: number;
  trial: number;
  spec: { dist: number; rt60: number; snr: number; noise: string };
  word: string;
  host: Partial<Record<HostBeam, HostTrial>>;
  /** The scene's SNR, calibrated superdirective beam minus microphone 0, whole band, dB (--signal). */
  snrGainDb?: number;
  emulator?: Partial<Record<HostBeam, AccuracyTrial>>;
}

/** The board's microphone positions as the app uses them (app.json's add-on array, or its own). */
export function boardPositions(board: string): [number, number, number][] {
  const app = loadApp(path.join(ROOT, "apps/voice-control"));
  const arrayName = appMicArray(app, board);
  const layout = micLayout(loadTarget(board).board, arrayName ? loadMicArray(arrayName) : null);
  return layout.positionsMm.map((p) => [p[0], p[1], p[2]] as [number, number, number]);
}

/**
 * The set's scenes' SNR gain on the signal (speech and noise rendered apart, voice-frontend-snr.ts:
 * calibrated beam minus microphone 0, whole band, dB), cached per board and scenes like the trials.
 */
function setSnrGains(
  board: string,
  dir: string,
  snr: number,
  set: number,
  commands: "ten" | "seven",
  scenes: { scene: object }[],
  log: (s: string) => void,
): number[] {
  const key = createHash("sha256")
    .update(JSON.stringify({ board, scenes: scenes.map((x) => x.scene), v: 1 }))
    .digest("hex")
    .slice(0, 16);
  const file = path.join(os.tmpdir(), "tinyboard-beam-trials", `snr-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const r = measureFrontEndSnr(board, dir, [snr], log, {
    lean: true,
    talkers: setTalkers(set, commands),
  });
  const gains = r.scenes.map((x) => x.calibrated.all - x.mic0.all);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(gains));
  return gains;
}

export async function pairedTrials(
  board: string,
  beams: HostBeam[],
  snr: number,
  sets: number,
  log: (s: string) => void = () => undefined,
  firstSet = 0,
  commands: "ten" | "seven" = "ten",
  signal = false,
  /** Called with the trials so far after each set (a long run keeps what it has done). */
  onSet: (trials: PairedTrial[]) => void = () => undefined,
): Promise<PairedTrial[]> {
  // One folder for the synthetic words: the scenes name them, and the trials' cache is keyed on the scenes.
  const dir = path.join(os.tmpdir(), "tinyboard-beam-paired");
  mkdirSync(dir, { recursive: true });
  const positions = boardPositions(board);
  const out: PairedTrial[] = [];
  for (let set = firstSet; set < firstSet + sets; set++) {
    const scenes = trialScenes(dir, [snr], setTalkers(set, commands));
    const snrs = signal ? setSnrGains(board, dir, snr, set, commands, scenes, log) : null;
    for (let s = 0; s < scenes.length; s++) {
      const rows: PairedTrial[] = scenes[s].words.map((word, trial) => ({
        set,
        scene: s,
        trial,
        spec: scenes[s].spec,
        word,
        host: {},
        ...(snrs && { snrGainDb: snrs[s] }),
      }));
      for (const beam of beams) {
        const r = await hostTrials(scenes[s], beam, positions, dir);
        r.forEach((x, i) => (rows[i].host[beam] = x));
      }
      out.push(...rows);
      log(
        `${board} set ${set} scene ${s + 1}/${scenes.length}: ` +
          beams
            .map(
              (b) =>
                `${b} ${rows.map((r) => `${r.host[b]!.woke ? "wake" : "miss"}/${r.host[b]!.heard ?? "-"}`).join(" ")}`,
            )
            .join("; "),
      );
    }
    onSet(out);
  }
  return out;
}

const pct = (x: number) => Math.round(100 * x);
const cell = (k: number, n: number) => {
  const [lo, hi] = wilson(k, n);
  return `${k} / ${n} (${pct(k / n)} %, ${pct(lo)}-${pct(hi)} %)`;
};
const fmtP = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

type Outcome = "woke" | "commandRight" | "cued";
const outcome = (x: HostTrial | AccuracyTrial, o: Outcome): boolean =>
  o === "cued" ? ((x as HostTrial).cued?.right ?? false) : x[o];

/** The trials where beam `b` has outcome `o` and `base` not (gained), and the reverse (lost). */
function discordant(
  rows: PairedTrial[],
  pick: Pick,
  b: HostBeam,
  base: HostBeam,
  o: Outcome,
): { gained: number; lost: number } {
  let gained = 0;
  let lost = 0;
  for (const t of rows) {
    const mine = outcome(pick(t, b)!, o);
    const theirs = outcome(pick(t, base)!, o);
    if (mine && !theirs) gained++;
    else if (theirs && !mine) lost++;
  }
  return { gained, lost };
}

/** A trial's result for one front end: the host's (the default) or the emulator's. */
type Pick = (t: PairedTrial, b: HostBeam) => HostTrial | AccuracyTrial | undefined;
const hostPick: Pick = (t, b) => t.host[b];
/** The trials every front end in `beams` has a result for: the pairs. */
const pairedRows = (trials: PairedTrial[], beams: HostBeam[], pick: Pick) =>
  trials.filter((t) => beams.every((b) => pick(t, b)));

/** Per front end counts with Wilson intervals, and each beam against `base` paired. */
export function pairedTable(
  title: string,
  trials: PairedTrial[],
  beams: HostBeam[],
  base: HostBeam,
  pick: Pick = hostPick,
): string {
  const rows = pairedRows(trials, beams, pick);
  const cued = rows.length > 0 && rows.every((t) => beams.every((b) => "cued" in pick(t, b)!));
  const outcomes: Outcome[] = cued ? ["woke", "commandRight", "cued"] : ["woke", "commandRight"];
  const name: Record<Outcome, string> = {
    woke: "wake words",
    commandRight: "commands right",
    cued: "commands right, cued",
  };
  const lines = [
    `| ${title} | trials | ${outcomes.map((o) => `${name[o]} (Wilson 95 %)`).join(" | ")} | ${outcomes
      .map((o) => `${name[o]}: ${base} only / this only, McNemar p (two-sided; one-sided)`)
      .join(" | ")} |`,
    `|---|---:|${outcomes.map(() => "---:|---:|").join("")}`,
  ];
  for (const b of beams) {
    const k = (o: Outcome) => rows.filter((t) => outcome(pick(t, b)!, o)).length;
    const vs = (o: Outcome) => {
      if (b === base) return "-";
      const { gained, lost } = discordant(rows, pick, b, base, o);
      const p = mcnemarExact(gained, lost);
      return `${lost} / ${gained}, ${fmtP(p.twoSided)}; ${fmtP(p.aBetter)}`;
    };
    lines.push(
      `| ${b} | ${rows.length} | ${outcomes.map((o) => cell(k(o), rows.length)).join(" | ")} | ${outcomes.map(vs).join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

/**
 * The paired gain in percentage points, (gained - lost) / n, with a 95 % interval conditional on
 * the discordant count d = gained + lost: the Wilson interval of the beam's share of them, times
 * d / n, moved to a difference (2 share - 1). Enough to bound the gain when McNemar shows none.
 */
export function pairedGain(gained: number, lost: number, n: number): [number, number, number] {
  const d = gained + lost;
  if (n === 0 || d === 0) return [0, 0, 0];
  const [lo, hi] = wilson(gained, d);
  return [(100 * (gained - lost)) / n, (100 * d * (2 * lo - 1)) / n, (100 * d * (2 * hi - 1)) / n];
}

/** Each beam's paired gain over `base` on wake words and commands right, one line per beam. */
export function pairedGainLines(
  title: string,
  trials: PairedTrial[],
  beams: HostBeam[],
  base: HostBeam,
  pick: Pick = hostPick,
): string {
  const rows = pairedRows(trials, beams, pick);
  const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
  const names: [Outcome, string][] = [
    ["woke", "wake words"],
    ["commandRight", "commands right"],
  ];
  return beams
    .filter((b) => b !== base)
    .map((b) => {
      const parts = names.map(([o, name]) => {
        const { gained, lost } = discordant(rows, pick, b, base, o);
        const [g, lo, hi] = pairedGain(gained, lost, rows.length);
        return `${name} ${sign(g)} points (95 %: ${sign(lo)} .. ${sign(hi)})`;
      });
      return `${title}, ${b} - ${base}, ${rows.length} trials: ${parts.join(", ")}`;
    })
    .join("\n");
}

/** The median and quartiles of the scenes' SNR gain on the signal (each scene once), or "". */
export function snrGainLine(trials: PairedTrial[]): string {
  const byScene = new Map<string, number>();
  for (const t of trials)
    if (t.snrGainDb !== undefined) byScene.set(`${t.set}/${t.scene}`, t.snrGainDb);
  const g = [...byScene.values()].sort((a, b) => a - b);
  if (!g.length) return "";
  const q = (f: number) => g[Math.min(g.length - 1, Math.floor(f * g.length))].toFixed(2);
  const mid = g.length % 2 ? g[(g.length - 1) / 2] : (g[g.length / 2 - 1] + g[g.length / 2]) / 2;
  return `SNR on the signal, calibrated beam - microphone 0, ${g.length} scenes: median ${mid.toFixed(2)} dB (quartiles ${q(0.25)} .. ${q(0.75)} dB)`;
}

/** Trials where host and emulator decide alike, per beam and outcome. */
export function agreementTable(trials: PairedTrial[], beams: HostBeam[]): string {
  const rows = trials.filter((t) => t.emulator);
  const lines = [
    "| beam | trials | wake: host = firmware | command right: host = firmware |",
    "|---|---:|---:|---:|",
  ];
  for (const b of beams) {
    const both = rows.filter((t) => t.emulator![b] && t.host[b]);
    const same = (o: "woke" | "commandRight") =>
      both.filter((t) => t.emulator![b]![o] === t.host[b]![o]).length;
    lines.push(
      `| ${b} | ${both.length} | ${same("woke")} / ${both.length} | ${same("commandRight")} / ${both.length} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Per beam, the trials where host and firmware decide the wake word differently, one line each
 * ("set/scene/trial": trial 0 is the scene's first "marvin"), host-only first.
 */
export function disagreementLines(trials: PairedTrial[], beams: HostBeam[]): string {
  const lines: string[] = [];
  for (const b of beams) {
    const both = trials.filter((t) => t.emulator?.[b] && t.host[b]);
    for (const [name, hostWoke] of [
      ["host only", true],
      ["firmware only", false],
    ] as const) {
      const odd = both.filter(
        (t) => t.host[b]!.woke === hostWoke && t.emulator![b]!.woke !== hostWoke,
      );
      const first = odd.filter((t) => t.trial === 0).length;
      lines.push(
        `${b}, wake word ${name}: ${odd.length} (${first} at a scene's first "marvin")` +
          odd
            .map(
              (t) =>
                `\n  ${t.set}/${t.scene}/${t.trial} ${t.spec.dist} m, RT60 ${t.spec.rt60} s, ${t.spec.noise}`,
            )
            .join(""),
      );
    }
  }
  return lines.join("\n");
}

/**
 * The emulator's paired table, the host's on the same trials and their agreement, for the trials
 * that went through the emulator ("" when none did): a new run's, or earlier runs' joined with --tables.
 */
export function emulatorTables(
  board: string,
  trials: PairedTrial[],
  beams: HostBeam[],
  base: HostBeam,
): string {
  const emu = trials.filter((t) => t.emulator);
  if (!emu.length) return "";
  const firmware = (t: PairedTrial, b: HostBeam) => t.emulator?.[b];
  return (
    pairedTable(`${board} emulator`, emu, beams, base, firmware) +
    "\n" +
    pairedGainLines(`${board} emulator`, emu, beams, base, firmware) +
    "\n\n" +
    pairedTable(`${board} host, same trials`, emu, beams, base) +
    "\n" +
    pairedGainLines(`${board} host, same trials`, emu, beams, base) +
    "\n\n" +
    agreementTable(trials, beams) +
    "\n\n" +
    disagreementLines(trials, beams)
  );
}

/** The trials of earlier runs' --json files, or a one-line error naming the file that fails. */
function readRuns(files: string[]): PairedTrial[] {
  return files.flatMap((f) => {
    let trials: unknown;
    try {
      trials = JSON.parse(readFileSync(f, "utf8"));
    } catch (e) {
      console.error(`voice-beam-paired: cannot read --tables file '${f}': ${(e as Error).message}`);
      process.exit(2);
    }
    if (!Array.isArray(trials)) {
      console.error(`voice-beam-paired: --tables file '${f}' is not a list of trials`);
      process.exit(2);
    }
    return trials as PairedTrial[];
  });
}

async function main() {
  const { values } = parseScriptArgs("voice-beam-paired", {
    options: {
      board: { type: "string", default: "rt1060" },
      sets: { type: "string", default: "6" },
      snr: { type: "string", default: "5" },
      beams: { type: "string", default: "superdirective,mic0" },
      "emulator-sets": { type: "string", default: "0" },
      "first-set": { type: "string", default: "0" },
      commands: { type: "string", default: "ten" },
      json: { type: "string" },
      tables: { type: "string" },
      signal: { type: "boolean" },
    },
  });
  const commands = values.commands as "ten" | "seven";
  if (commands !== "ten" && commands !== "seven") {
    console.error(`voice-beam-paired: --commands is 'ten' or 'seven', not '${commands}'`);
    process.exit(2);
  }
  const beams = values.beams!.split(",") as HostBeam[];
  for (const b of beams)
    if (!(b in BEAM_OPTION)) {
      console.error(`voice-beam-paired: no beam '${b}' (${Object.keys(BEAM_OPTION).join(", ")})`);
      process.exit(2);
    }
  const board = values.board!,
    snr = Number(values.snr),
    sets = Number(values.sets);
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  // --tables a.json,b.json: the tables of earlier runs' trials together (runs side by side).
  const trials = values.tables
    ? readRuns(values.tables.split(","))
    : await pairedTrials(
        board,
        beams,
        snr,
        sets,
        log,
        Number(values["first-set"]),
        commands,
        values.signal,
        (so) => values.json && writeFileSync(values.json, JSON.stringify(so, null, 1)),
      );
  const emuSets = Number(values["emulator-sets"]);
  if (values.tables && emuSets > 0) {
    console.error("voice-beam-paired: --emulator-sets runs new trials, not with --tables");
    process.exit(2);
  }
  if (emuSets > sets) {
    console.error(`voice-beam-paired: --emulator-sets ${emuSets} is more than --sets ${sets}`);
    process.exit(2);
  }
  if (emuSets > 0)
    for (const b of beams) {
      const e = await frontEndTrials(
        board,
        { BEAM: BEAM_OPTION[b] },
        snr,
        emuSets,
        log,
        commands,
        Number(values["first-set"]),
      );
      // frontEndTrials runs the same sets, scenes and trials in the same order.
      e.forEach((x, i) => ((trials[i].emulator ??= {})[b] = x));
    }
  if (values.json) writeFileSync(values.json, JSON.stringify(trials, null, 1));
  const base = beams.includes("mic0") ? "mic0" : beams[beams.length - 1];
  const setCount = new Set(trials.map((t) => t.set)).size;
  console.log(`${board}, ${snr} dB, ${setCount} sets, ${commands} commands, host front end`);
  console.log(pairedTable(`${board} host`, trials, beams, base));
  console.log(snrGainLine(trials));
  for (const key of ["babble", "fan"])
    console.log(
      "\n" +
        pairedTable(
          `${key}`,
          trials.filter((t) => t.spec.noise === key),
          beams,
          base,
        ) +
        "\n" +
        snrGainLine(trials.filter((t) => t.spec.noise === key)),
    );
  for (const dist of [1, 3])
    console.log(
      "\n" +
        pairedTable(
          `${dist} m`,
          trials.filter((t) => t.spec.dist === dist),
          beams,
          base,
        ) +
        "\n" +
        snrGainLine(trials.filter((t) => t.spec.dist === dist)),
    );
  // Printed whenever trials went through the emulator, so runs joined with --tables show theirs too.
  const emulator = emulatorTables(board, trials, beams, base);
  if (emulator) console.log("\n" + emulator);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
