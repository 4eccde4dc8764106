// Bench section: apps/voice-control in generated far-field scenes (emulator/inputs/room/).
// Per board, a grid of scenes: distance 1 / 3 m, RT60 0.3 / 0.6 s, SNR 20 / 10 / 5 / 0 dB,
// babble (non-wake-word speech only) or a fan; in each, one talker at a seeded azimuth says
// "marvin" and a command twice: once the real Speech Commands "marvin", once a synthetic
// "marvin" from an espeak-ng or flite voice the wake-word model never heard (it was trained on
// Speech Commands only). Measured from the app's console: wake-word detection rate, command
// accuracy after a detected wake word, direction-of-arrival error at each detection, latency
// from the end of the word to the console line (emulated time, DMA buffering included), CPU
// load and microphone overruns. Then false accepts: minutes of babble and fan with command
// words from other voices and directions but no "marvin", every wake counted.
// What is synthetic: rooms, noise and half the talkers; how far it carries: see the app README.
// Run alone: `npx tsx test/bench/voice-control.ts [--board B]... [--snr 20,5] [--fa-minutes N]`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { appMicArray } from "../../emulator/toolchain/app.ts";
import { Machine } from "../../emulator/machine.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { BOARDS, ROOT, build, median, sig, type Built } from "./util.ts";

const APP = "apps/voice-control";
const AUDIO = path.join(ROOT, APP, "audio");
const REAL_MARVIN = path.join(AUDIO, "marvin_617de221_0.wav");
const SCENE_SECONDS = 8;
const TRIALS = [
  { wake: 0.5, command: 1.8 },
  { wake: 4.5, command: 5.8 },
];
/** Voices for synthetic speech: never in the wake word's or KWS model's training data. */
const VOICES = [
  { engine: "espeak-ng", voice: "en-us+m3" },
  { engine: "flite", voice: "slt" },
  { engine: "espeak-ng", voice: "en-gb+f2" },
  { engine: "flite", voice: "rms" },
  { engine: "espeak-ng", voice: "en-us+f4" },
  { engine: "flite", voice: "awb" },
];
/** Command words the KWS model hears correctly from espeak-ng on their own (docs/dsp.md). */
const COMMANDS = ["on", "left", "off", "go", "right", "up", "yes"];

export interface SceneSpec {
  dist: number;
  rt60: number;
  snr: number;
  noise: "babble" | "fan";
}
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
  doaMedianErrorDeg: number;
  doaP90ErrorDeg: number;
  wakeLatencyMedianMs: number;
  commandLatencyMedianMs: number;
  cpuLoad: number;
  overruns: number;
  falseAccepts: number;
  falseAcceptMinutes: number;
  falseAcceptsPerHour: number;
}

/** Synthesises `word` with a voice into dir; returns the WAV path (engine's own rate; scenes resample). */
function synth(dir: string, engine: string, voice: string, word: string): string {
  const file = path.join(dir, `${engine}-${voice.replace(/[^a-z0-9]/gi, "_")}-${word}.wav`);
  if (engine === "espeak-ng")
    execFileSync("espeak-ng", ["-v", voice, "-s", "140", "-w", file, word]);
  else execFileSync("flite", ["-voice", voice, "-t", word, "-o", file]);
  return file;
}

/** End of the speech in a clip (last 10 ms block within 30 dB of the loudest), seconds. */
function speechEnd(file: string): number {
  const w = readWav(file);
  const x = w.channels[0],
    block = Math.round(w.sampleRate / 100);
  const e: number[] = [];
  for (let i = 0; i + block <= x.length; i += block) {
    let s = 0;
    for (let j = 0; j < block; j++) s += x[i + j] ** 2;
    e.push(s);
  }
  const top = Math.max(...e);
  let last = 0;
  e.forEach((v, i) => {
    if (v > top * 1e-3) last = i;
  });
  return ((last + 1) * block) / w.sampleRate;
}

/** mulberry32: neighbouring seeds give unrelated sequences. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function noiseFor(spec: SceneSpec, babbleFiles: string[]) {
  return spec.noise === "babble"
    ? [{ type: "babble", files: babbleFiles, voices: 4 }]
    : [
        { type: "fan", az: 200, dist: 1.5, f0: 80, harmonics: 10 },
        { type: "pink", level: -10 },
      ];
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

async function runScene(
  b: Built,
  scene: object,
  dir: string,
  name: string,
  seconds: number,
): Promise<Parsed> {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(scene));
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
}

export async function benchVoiceControl(
  log: (s: string) => void = () => undefined,
  opts: VoiceBenchOptions = {},
): Promise<VoiceBoardResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-bench-"));
  const snrs = opts.snrs ?? [20, 10, 5, 0];
  const faMinutes = opts.falseAcceptMinutes ?? 10;
  const grid: SceneSpec[] = [];
  for (const dist of [1, 3])
    for (const rt60 of [0.3, 0.6])
      for (const snr of snrs)
        for (const noise of ["babble", "fan"] as const) grid.push({ dist, rt60, snr, noise });
  // Babble: real "yes" / "no" and synthetic command words (never "marvin": the default babble has it).
  const babbleFiles = [
    path.join(AUDIO, "yes_1000ms.wav"),
    path.join(ROOT, "emulator/inputs/room/speech/no_1000ms.wav"),
    ...COMMANDS.slice(0, 4).map((w, i) =>
      synth(dir, VOICES[i % VOICES.length].engine, VOICES[i % VOICES.length].voice, w),
    ),
  ];
  const results: VoiceBoardResult[] = [];
  for (const board of opts.boards ?? BOARDS) {
    log(`building voice-control for ${board}`);
    const b = await build(APP, board);
    const fold = (az: number) => (board === "rt1170" && az > 180 ? 360 - az : az); // a line of 2 mics: front half only
    const trials: TrialResult[] = [];
    const loads: number[] = [];
    let overruns = 0;
    for (let s = 0; s < grid.length; s++) {
      const spec = grid[s];
      const r = rng(1000 + s);
      const az = Math.round(r() * 360);
      const v = VOICES[s % VOICES.length];
      const marvins = [REAL_MARVIN, synth(dir, v.engine, v.voice, "marvin")];
      const words = TRIALS.map((_, i) => COMMANDS[(s * 2 + i) % COMMANDS.length]);
      const wordFiles = words.map((w, i) =>
        synth(
          dir,
          VOICES[(s + i + 1) % VOICES.length].engine,
          VOICES[(s + i + 1) % VOICES.length].voice,
          w,
        ),
      );
      const talkers = TRIALS.flatMap((t, i) => [
        { file: marvins[i], channel: 0, start: t.wake, az, dist: spec.dist, level: 62 },
        { file: wordFiles[i], channel: 0, start: t.command, az, dist: spec.dist, level: 62 },
      ]);
      const scene = {
        seed: 100 + s,
        sampleRate: 16000,
        duration: SCENE_SECONDS,
        room: { size: [8, 7, 2.7], rt60: spec.rt60 },
        array: { position: [4, 3.5, 0.9], azimuth: 0 },
        talkers,
        noise: noiseFor(spec, babbleFiles),
        snr: spec.snr,
      };
      const p = await runScene(b, scene, dir, `scene-${s}`, SCENE_SECONDS);
      loads.push(p.load);
      overruns += p.overruns;
      TRIALS.forEach((t, i) => {
        const wakeEnd = t.wake + speechEnd(marvins[i]);
        const wake = p.lines.find(
          (l) => l.text.startsWith("wake marvin") && l.t >= t.wake && l.t <= t.command + 0.5,
        );
        const cmdEnd = t.command + speechEnd(wordFiles[i]);
        const cmd = wake
          ? p.lines.find(
              (l) => l.text.startsWith("command ") && l.t > wake.t && l.t <= wake.t + 3.2,
            )
          : undefined;
        const doa = wake ? Number(/doa (\d+) deg/.exec(wake.text)![1]) : null;
        const latency = (l: { us: number }, end: number) =>
          Math.round((l.us - p.startUs) / 1000 - end * 1000);
        trials.push({
          scene: spec,
          az,
          voice: i === 0 ? "Speech Commands (real)" : `${v.engine} ${v.voice}`,
          woke: !!wake,
          doaErrorDeg: doa === null ? null : circularError(doa, fold(az)),
          wakeLatencyMs: wake ? latency(wake, wakeEnd) : null,
          command: words[i],
          heard: cmd ? cmd.text.split(" ")[1] : null,
          commandLatencyMs: cmd ? latency(cmd, cmdEnd) : null,
        });
      });
      const last = trials.slice(-2);
      log(
        `${board} scene ${s + 1}/${grid.length} ${spec.dist} m rt60 ${spec.rt60} ${spec.noise} ${spec.snr} dB az ${az}: ${last.map((x) => `${x.woke ? "wake" : "miss"}${x.doaErrorDeg === null ? "" : ` doa err ${x.doaErrorDeg}`} ${x.command}->${x.heard}`).join("; ")}`,
      );
    }
    // False accepts: 2-minute scenes of babble or fan with command words (no "marvin") from several voices and directions.
    let falseAccepts = 0,
      faSeconds = 0;
    const FA_SCENE = 120;
    for (let k = 0; faSeconds < faMinutes * 60; k++) {
      const seconds = Math.min(FA_SCENE, faMinutes * 60 - faSeconds);
      const r = rng(5000 + k);
      const talkers = [];
      for (let t = 0.5; t < seconds - 1.5; t += 1.5 + r() * 2) {
        const v = VOICES[Math.floor(r() * VOICES.length)];
        const file =
          r() < 0.2
            ? path.join(AUDIO, "yes_1000ms.wav")
            : synth(dir, v.engine, v.voice, COMMANDS[Math.floor(r() * COMMANDS.length)]);
        talkers.push({
          file,
          channel: 0,
          start: Math.round(t * 100) / 100,
          az: Math.round(r() * 360),
          dist: 1 + Math.round(r() * 20) / 10,
          level: 62,
        });
      }
      const spec: SceneSpec = {
        dist: 2,
        rt60: k % 2 ? 0.6 : 0.3,
        snr: 5 + 5 * (k % 3),
        noise: k % 2 ? "fan" : "babble",
      };
      const scene = {
        seed: 9000 + k,
        sampleRate: 16000,
        duration: seconds,
        room: { size: [8, 7, 2.7], rt60: spec.rt60 },
        array: { position: [4, 3.5, 0.9], azimuth: 0 },
        talkers,
        noise: noiseFor(spec, babbleFiles),
        snr: spec.snr,
      };
      const p = await runScene(b, scene, dir, `fa-${k}`, seconds);
      const wakes = p.lines.filter((l) => l.text.startsWith("wake marvin")).length;
      falseAccepts += wakes;
      faSeconds += seconds;
      overruns += p.overruns;
      log(
        `${board} false-accept scene ${k + 1}: ${seconds} s, ${talkers.length} words, ${wakes} wakes`,
      );
    }
    const woke = trials.filter((t) => t.woke);
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
      doaMedianErrorDeg: errs.length ? median(errs) : NaN,
      doaP90ErrorDeg: errs.length
        ? errs[Math.min(errs.length - 1, Math.floor(errs.length * 0.9))]
        : NaN,
      wakeLatencyMedianMs: median(woke.map((t) => t.wakeLatencyMs!)),
      commandLatencyMedianMs: median(
        woke.filter((t) => t.commandLatencyMs !== null).map((t) => t.commandLatencyMs!),
      ),
      cpuLoad: sig(median(loads), 3),
      overruns,
      falseAccepts,
      falseAcceptMinutes: sig(faSeconds / 60, 3),
      falseAcceptsPerHour: sig((falseAccepts * 3600) / faSeconds, 3),
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
        `command right after a detected wake word ${pct(r.commandAccuracy)}; DOA error median ${r.doaMedianErrorDeg}°, 90th percentile ${r.doaP90ErrorDeg}°; ` +
        `latency end of word → console line: wake ${r.wakeLatencyMedianMs} ms, command ${r.commandLatencyMedianMs} ms (medians); CPU load ${(r.cpuLoad * 100).toFixed(1)} %; overruns ${r.overruns}; ` +
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

/** Puts the table between the bench markers of apps/voice-control/README.md. */
export function updateAppReadme(results: VoiceBoardResult[]): void {
  const readme = path.join(ROOT, APP, "README.md");
  const text = readFileSync(readme, "utf8");
  const options = process.argv
    .slice(2)
    .filter((a) => a !== "--readme")
    .join(" ");
  const how =
    path.basename(process.argv[1] ?? "") === "run.ts"
      ? "`npm run bench`"
      : `\`npx tsx test/bench/voice-control.ts${options ? ` ${options}` : ""}\``;
  const when = `Measured ${new Date().toISOString().slice(0, 10)} with ${how} (${os.cpus().length} host cores).`;
  const next = text.replace(
    /(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/,
    `$1${when}\n\n${voiceControlTable(results)}\n$2`,
  );
  if (next !== text) writeFileSync(readme, next);
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
