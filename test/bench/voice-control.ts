// Bench section: apps/voice-control in generated far-field scenes (emulator/inputs/room/).
// Per board, a grid of scenes: distance 1 / 3 m, RT60 0.3 / 0.6 s, SNR 20 / 10 / 5 / 0 dB,
// babble (non-wake-word speech only) or a fan; in each, one talker at a seeded azimuth says
// "marvin" and a command twice: once the real Speech Commands "marvin", once a synthetic
// "marvin" from an espeak-ng or flite voice the wake-word model never heard (it was trained on
// Speech Commands only). The commands are the ten-word set (eval/command-voices.ts): trial k of
// the grid says word k mod 10 from a voice whose clean word the KWS model hears. Measured from the app's console: wake-word detection rate, command
// accuracy after a detected wake word, direction-of-arrival error at each detection, latency
// from the end of the word to the console line (emulated time, DMA buffering included), CPU
// load and microphone overruns. Then false accepts: minutes of babble and fan with command
// words from other voices and directions but no "marvin", every wake counted.
// What is synthetic: rooms, noise and half the talkers; how far it carries: see the app README.
// Run alone: `npx tsx test/bench/voice-control.ts [--board B]... [--snr 20,5] [--fa-minutes N] [--fa-only]
// [--fa-workers W] [--option K=V]...` (--option: an app.json option for the build; --fa-only: the false-accept scenes alone, e.g. the full emulated hour with
// --fa-minutes 60; --fa-workers: that many processes share the false-accept scenes, same total).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appMicArray } from "../../emulator/toolchain/app.ts";
import { Machine } from "../../emulator/machine.ts";
import {
  BENCH_TALKERS,
  TRIALS,
  SCENE_SECONDS,
  falseAcceptScenes,
  speechEnd,
  trialScenes,
  type SceneSpec,
  type Talkers,
} from "../../apps/voice-control/eval/scenes.ts";
import { loadPools } from "../../apps/voice-control/eval/command-voices.ts";
import { BOARDS, build, median, sig, type Built, writeBenchBlock } from "./util.ts";
import { parseOptionFlag, type AppOptions } from "../../emulator/toolchain/app-options.ts";
import { falseAcceptsParallel } from "./voice-false-accepts.ts";
import { scoreTrial } from "./voice-trial.ts";

export const VOICE_APP = "apps/voice-control";
const APP = VOICE_APP;
export type { SceneSpec };
export interface TrialResult {
  scene: SceneSpec;
  az: number;
  voice: string;
  woke: boolean;
  doaErrorDeg: number | null;
  wakeLatencyMs: number | null;
  command: string;
  heard: string | null;
  commandLatencyMs: number | null;
}
export interface VoiceBoardResult {
  board: string;
  trials: TrialResult[];
  detectionRate: number;
  detectionRateReal: number;
  detectionRateSynthetic: number;
  commandAccuracy: number;
  /** Per command word: right after a detected wake word / detected wake words before it. */
  commandsByWord: Record<string, { right: number; woke: number }>;
  doaMedianErrorDeg: number;
  doaP90ErrorDeg: number;
  wakeLatencyMedianMs: number;
  /** The same per source: the real clip and the synthetic voices end their words differently
   *  against their measured ends, so the pooled median jumps between the two. */
  wakeLatencyMedianMsReal: number;
  wakeLatencyMedianMsSynthetic: number;
  commandLatencyMedianMs: number;
  cpuLoad: number;
  overruns: number;
  falseAccepts: number;
  falseAcceptMinutes: number;
  falseAcceptsPerHour: number;
}

const circularError = (a: number, b: number) => {
  const d = Math.abs((((a - b) % 360) + 360) % 360);
  return Math.min(d, 360 - d);
};

interface Parsed {
  text: string;
  lines: { t: number; us: number; text: string }[];
  startUs: number;
  load: number;
  overruns: number;
}

/** Runs one scene JSON (or a WAV file's path) on a built image; the console lines with their times, load and overruns. */
export async function runScene(
  b: Built,
  scene: object | string,
  dir: string,
  name: string,
  seconds: number,
): Promise<Parsed> {
  const file = typeof scene === "string" ? scene : path.join(dir, `${name}.json`);
  if (typeof scene !== "string") writeFileSync(file, JSON.stringify(scene));
  const micArray = appMicArray(b.app, b.target.board.id) ?? null;
  const machine = new Machine({
    target: b.target,
    image: b.image,
    inputs: { mic: file },
    sdcard: null,
    micArray,
  });
  const lines: Parsed["lines"] = [];
  let text = "",
    startUs = 0;
  machine.events.on("console", (s, us) => {
    text += s;
    if (s.startsWith("microphones:")) startUs = us;
    const m = /^\[([\d.]+) s\] (.*)/.exec(s);
    if (m) lines.push({ t: Number(m[1]), us, text: m[2] });
  });
  const summary = await machine.run({ seconds });
  if (summary.fault)
    throw new Error(
      `voice-control on ${b.target.board.id} faulted in ${name}: ${summary.fault.message}`,
    );
  return {
    text,
    lines,
    startUs,
    load: summary.cpuLoad,
    overruns: summary.peripherals.mic?.micOverruns ?? 0,
  };
}

export interface VoiceBenchOptions {
  boards?: readonly string[];
  snrs?: number[];
  falseAcceptMinutes?: number;
  /** False accepts only (a long run, e.g. the full emulated hour: `--fa-minutes 60 --fa-only`). */
  falseAcceptsOnly?: boolean;
  /** Worker processes for the false-accept scenes (voice-false-accepts.ts); 1: in this process. */
  falseAcceptWorkers?: number;
  /** Build options for the app (app.json "options"), e.g. { BEAM: 0 } for microphone 0 alone. */
  appOptions?: AppOptions;
}

/**
 * The bench's talkers: its "marvin"s (the real clip and VOICES) and the ten-word command set,
 * counted from the grid's first trial, so every word comes up about equally often in every
 * SNR column (64 trials over the full grid, 16 per SNR).
 */
export function benchTalkers(): Talkers {
  return { ...BENCH_TALKERS, commandPools: { pools: loadPools(), firstTrial: 0 } };
}

export async function benchVoiceControl(
  log: (s: string) => void = () => undefined,
  opts: VoiceBenchOptions = {},
): Promise<VoiceBoardResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-bench-"));
  const snrs = opts.snrs ?? [20, 10, 5, 0];
  const faMinutes = opts.falseAcceptMinutes ?? 10;
  const scenes = opts.falseAcceptsOnly ? [] : trialScenes(dir, snrs, benchTalkers());
  const faScenes = falseAcceptScenes(dir, faMinutes);
  const results: VoiceBoardResult[] = [];
  for (const board of opts.boards ?? BOARDS) {
    log(`building voice-control for ${board}`);
    const b = await build(APP, board, { appOptions: opts.appOptions });
    const fold = (az: number) => (board === "rt1170" && az > 180 ? 360 - az : az); // a line of 2 mics: front half only
    const trials: TrialResult[] = [];
    const loads: number[] = [];
    let overruns = 0;
    for (let s = 0; s < scenes.length; s++) {
      const { spec, scene, az, voice, marvins, words, wordFiles } = scenes[s];
      const p = await runScene(b, scene, dir, `scene-${s}`, SCENE_SECONDS);
      loads.push(p.load);
      overruns += p.overruns;
      TRIALS.forEach((t, i) => {
        const wakeEnd = t.wake + speechEnd(marvins[i]);
        const { wake, command: cmd, heard } = scoreTrial(p.lines, t.wake, t.command);
        const cmdEnd = t.command + speechEnd(wordFiles[i]);
        const doa = wake ? Number(/doa (\d+) deg/.exec(wake.text)![1]) : null;
        const latency = (l: { us: number }, end: number) =>
          Math.round((l.us - p.startUs) / 1000 - end * 1000);
        trials.push({
          scene: spec,
          az,
          voice: i === 0 ? "Speech Commands (real)" : voice,
          woke: !!wake,
          doaErrorDeg: doa === null ? null : circularError(doa, fold(az)),
          wakeLatencyMs: wake ? latency(wake, wakeEnd) : null,
          command: words[i],
          heard,
          commandLatencyMs: cmd ? latency(cmd, cmdEnd) : null,
        });
      });
      const last = trials.slice(-2);
      log(
        `${board} scene ${s + 1}/${scenes.length} ${spec.dist} m rt60 ${spec.rt60} ${spec.noise} ${spec.snr} dB az ${az}: ${last.map((x) => `${x.woke ? "wake" : "miss"}${x.doaErrorDeg === null ? "" : ` doa err ${x.doaErrorDeg}`} ${x.command}->${x.heard}`).join("; ")}`,
      );
    }
    // False accepts: 2-minute scenes of babble or fan with command words (no "marvin") from several voices and directions.
    let falseAccepts = 0,
      faSeconds = 0;
    const workers = opts.falseAcceptWorkers ?? 1;
    if (workers > 1 && faMinutes > 0) {
      const run = await falseAcceptsParallel(board, faMinutes, workers, log, opts.appOptions);
      falseAccepts = run.falseAccepts;
      faSeconds = run.minutes * 60;
      overruns += run.overruns;
    }
    for (let k = 0; workers <= 1 && k < faScenes.length; k++) {
      const { seconds, words, scene } = faScenes[k];
      const p = await runScene(b, scene, dir, `fa-${k}`, seconds);
      const wakes = p.lines.filter((l) => l.text.startsWith("wake marvin")).length;
      falseAccepts += wakes;
      faSeconds += seconds;
      overruns += p.overruns;
      log(`${board} false-accept scene ${k + 1}: ${seconds} s, ${words} words, ${wakes} wakes`);
    }
    const woke = trials.filter((t) => t.woke);
    const commandsByWord: VoiceBoardResult["commandsByWord"] = {};
    for (const t of woke) {
      const w = (commandsByWord[t.command] ??= { right: 0, woke: 0 });
      w.woke++;
      if (t.heard === t.command) w.right++;
    }
    const errs = woke.map((t) => t.doaErrorDeg!).sort((a, b) => a - b);
    const rate = (ts: TrialResult[]) =>
      sig(ts.filter((t) => t.woke).length / Math.max(1, ts.length), 3);
    results.push({
      board,
      trials,
      detectionRate: rate(trials),
      detectionRateReal: rate(trials.filter((t) => t.voice.includes("real"))),
      detectionRateSynthetic: rate(trials.filter((t) => !t.voice.includes("real"))),
      commandAccuracy: sig(
        woke.filter((t) => t.heard === t.command).length / Math.max(1, woke.length),
        3,
      ),
      commandsByWord,
      doaMedianErrorDeg: errs.length ? median(errs) : NaN,
      doaP90ErrorDeg: errs.length
        ? errs[Math.min(errs.length - 1, Math.floor(errs.length * 0.9))]
        : NaN,
      wakeLatencyMedianMs: median(woke.map((t) => t.wakeLatencyMs!)),
      wakeLatencyMedianMsReal: median(
        woke.filter((t) => t.voice.includes("real")).map((t) => t.wakeLatencyMs!),
      ),
      wakeLatencyMedianMsSynthetic: median(
        woke.filter((t) => !t.voice.includes("real")).map((t) => t.wakeLatencyMs!),
      ),
      commandLatencyMedianMs: median(
        woke.filter((t) => t.commandLatencyMs !== null).map((t) => t.commandLatencyMs!),
      ),
      cpuLoad: sig(median(loads), 3),
      overruns,
      falseAccepts,
      falseAcceptMinutes: sig(faSeconds / 60, 3),
      falseAcceptsPerHour: faSeconds > 0 ? sig((falseAccepts * 3600) / faSeconds, 3) : NaN,
    });
  }
  return results;
}

/** Detection rate per condition (both voices), one row per distance / RT60, columns per SNR. */
export function voiceControlTable(results: VoiceBoardResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    const snrs = [...new Set(r.trials.map((t) => t.scene.snr))].sort((a, b) => b - a);
    out.push(
      `**${r.board}**: wake word detected ${pct(r.detectionRate)} (real "marvin" ${pct(r.detectionRateReal)}, synthetic voices ${pct(r.detectionRateSynthetic)}); ` +
        `command right after a detected wake word ${pct(r.commandAccuracy)} (${commandWords(r)}); DOA error median ${r.doaMedianErrorDeg}°, 90th percentile ${r.doaP90ErrorDeg}°; ` +
        `latency end of word → console line: wake ${r.wakeLatencyMedianMs} ms (real "marvin" ${r.wakeLatencyMedianMsReal} ms, synthetic voices ${r.wakeLatencyMedianMsSynthetic} ms), command ${r.commandLatencyMedianMs} ms (medians); CPU load ${(r.cpuLoad * 100).toFixed(1)} %; overruns ${r.overruns}; ` +
        `false accepts ${r.falseAccepts} in ${r.falseAcceptMinutes} min of non-wake speech and noise (${r.falseAcceptsPerHour} per hour).`,
      "",
    );
    out.push(
      `| ${r.board}: detected (real + synthetic) / trials | ${snrs.map((s) => `${s} dB`).join(" | ")} |`,
      `|---|${snrs.map(() => "---:").join("|")}|`,
    );
    for (const dist of [1, 3])
      for (const rt60 of [0.3, 0.6]) {
        const cells = snrs.map((snr) => {
          const ts = r.trials.filter(
            (t) => t.scene.dist === dist && t.scene.rt60 === rt60 && t.scene.snr === snr,
          );
          return `${ts.filter((t) => t.woke).length} / ${ts.length}`;
        });
        out.push(`| ${dist} m, RT60 ${rt60} s | ${cells.join(" | ")} |`);
      }
    out.push("");
  }
  return out.join("\n");
}

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

/** "down 1 / 3, go 0 / 2, ...": right / detected wake words before it, per command word. */
export function commandWords(r: Pick<VoiceBoardResult, "commandsByWord">): string {
  return Object.entries(r.commandsByWord ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([w, c]) => `${w} ${c.right} / ${c.woke}`)
    .join(", ");
}

/** Puts the table between the bench markers of apps/voice-control/README.md. */
export function updateAppReadme(results: VoiceBoardResult[]): void {
  const options = process.argv
    .slice(2)
    .filter((a) => a !== "--readme")
    .join(" ");
  const how =
    path.basename(process.argv[1] ?? "") === "run.ts"
      ? "`npm run bench`"
      : `\`npx tsx test/bench/voice-control.ts${options ? ` ${options}` : ""}\``;
  const when = `Measured ${new Date().toISOString().slice(0, 10)} with ${how} (${os.cpus().length} host cores).`;
  writeBenchBlock(`${APP}/README.md`, `${when}\n\n${voiceControlTable(results)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const boards = args.flatMap((a, i) => (a === "--board" ? [args[i + 1]] : []));
  const snrArg = args.indexOf("--snr"),
    faArg = args.indexOf("--fa-minutes");
  const results = await benchVoiceControl((s) => process.stderr.write(`bench: ${s}\n`), {
    boards: boards.length ? boards : undefined,
    snrs: snrArg >= 0 ? args[snrArg + 1].split(",").map(Number) : undefined,
    falseAcceptMinutes: faArg >= 0 ? Number(args[faArg + 1]) : undefined,
    falseAcceptsOnly: args.includes("--fa-only"),
    falseAcceptWorkers: args.includes("--fa-workers")
      ? Number(args[args.indexOf("--fa-workers") + 1])
      : undefined,
    appOptions: args.includes("--option")
      ? (Object.assign(
          {},
          ...args.flatMap((a, i) => (a === "--option" ? [parseOptionFlag(args[i + 1])] : [])),
        ) as AppOptions)
      : undefined,
  });
  console.log(
    JSON.stringify(
      results.map(({ trials, ...rest }) => ({ ...rest, trials: trials.length })),
      null,
      2,
    ),
  );
  console.log(voiceControlTable(results));
  if (args.includes("--readme")) updateAppReadme(results);
}
