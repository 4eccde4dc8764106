// The voice app's command gate (main.ts: COMMAND_FROM_WAKE_DEG, COMMAND_THRESHOLD_PCT,
// COMMAND_DOA_CONFIDENCE_PCT) measured through the emulator, one board at a time. Every wake line
// carries the DOA's confidence ("sure N%", doa.ts); this tool collects it with each trial's
// outcome on
//   --scenes grid     the far-field bench's trial scenes (voice-control.ts: 32 scenes, 64 trials,
//                     a real and a synthetic "marvin" each; what commands are counted on),
//   --scenes tuning   the real clip's tuning scenes (eval/real-clip-scenes.ts, one scene per
//                     sub-cell: 32 scenes, 64 trials; where the confidence threshold is chosen),
//   --scenes mono     mono files played to the array: close talk at three levels, the same with
//                     pink noise (a capture replayed), and the LED set test's sequence.
// Prints one line per trial (or per wake on mono files) and the counts: wake words, commands
// right / wrong / none after them, the command latency (grid) and the confidences. With
// `--option COMMAND_TRACE=true --json FILE` each row keeps the app's per-scoring outputs after its
// wake line, for evaluating command rules offline (apps/voice-control/eval/command-rules.ts).
// Run: `npx tsx test/bench/voice-command-gate.ts --board rt1060 --scenes grid [--option K=V]... [--json out.json]`
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseScriptArgs } from "../../emulator/cli/script-args.ts";
import { SCENE_SECONDS, TRIALS, trialScenes } from "../../apps/voice-control/eval/scenes.ts";
import { realClipScenes } from "../../apps/voice-control/eval/real-clip-scenes.ts";
import { readWav, writeWav } from "../../emulator/inputs/wav.ts";
import { parseOptionFlag, type AppOptions } from "../../emulator/toolchain/app-options.ts";
import { build } from "./util.ts";
import { benchTalkers, runScene, VOICE_APP } from "./voice-control.ts";
import { speechEnd } from "../../apps/voice-control/eval/scenes.ts";
import { scoreTrial } from "./voice-trial.ts";

const RATE = 16000;
const AUDIO = path.resolve(VOICE_APP, "audio");
const WAKE = /^wake marvin \d+% doa (\d+) deg sure (\d+)%/;

export interface GateRow {
  scene: string;
  trial: number;
  woke: boolean;
  sure: number | null;
  doa: number | null;
  said: string | null;
  heard: string | null;
  /** The wake line's and the said word's end's scene times, s (grid only). */
  wakeT?: number | null;
  wordEnd?: number | null;
  /** Emulated ms from the said word's end to the command line (grid only). */
  latencyMs?: number | null;
  /** The app's per-scoring trace after the wake line (`--option COMMAND_TRACE=true --json FILE`). */
  trace?: TraceScoring[];
}

/** One command scoring from the COMMAND_TRACE line: s after the wake line, gate state, recent peak, the 12 outputs (0-255). */
export interface TraceScoring {
  dt: number;
  gate: "in" | "out" | "open";
  peak: number;
  q: number[];
}

const TRACE = /^kws (in|out|open) peak (-?\d+) p((?: \d+)+)$/;

function traceAfter(lines: { t: number; text: string }[], wakeT: number): TraceScoring[] {
  return lines.flatMap((l) => {
    const m = l.t > wakeT && l.t <= wakeT + 3.2 ? TRACE.exec(l.text) : null;
    if (!m) return [];
    const dt = Math.round((l.t - wakeT) * 1000) / 1000;
    return [
      {
        dt,
        gate: m[1] as TraceScoring["gate"],
        peak: +m[2],
        q: m[3].trim().split(" ").map(Number),
      },
    ];
  });
}

const clip = (name: string) => readWav(path.join(AUDIO, name)).channels[0];

/** Pink-ish noise (white through a one-pole low-pass), seeded, at `rms`. */
function noise(n: number, seed: number, rms: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed,
    y = 0,
    e = 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    y = 0.9 * y + 0.1 * ((s / 2 ** 32) * 2 - 1);
    out[i] = y;
    e += y * y;
  }
  const g = rms / Math.sqrt(e / n);
  return out.map((v) => v * g);
}

/** Mono files: "marvin" then a real "yes" (close talk) at three levels, with noise, and the LED test's sequence. */
function monoFiles(dir: string): { name: string; file: string; seconds: number }[] {
  const marvin = clip("marvin_617de221_0.wav"),
    yes = clip("yes_1000ms.wav");
  const out: { name: string; file: string; seconds: number }[] = [];
  const write = (name: string, x: Float64Array) => {
    const file = path.join(dir, `${name}.wav`);
    writeWav(file, { sampleRate: RATE, channels: [x] });
    out.push({ name, file, seconds: x.length / RATE });
  };
  for (const [name, gainDb, snrDb] of [
    ["close-talk", 0, null],
    ["close-talk-12dB", -12, null],
    ["close-talk+6dB", 6, null],
    ["capture-10dB-snr", -6, 10],
    ["capture-0dB-snr", -6, 0],
  ] as const) {
    const x = new Float64Array(RATE * 4);
    x.set(marvin, Math.round(0.3 * RATE));
    x.set(yes, Math.round(1.5 * RATE));
    const g = 10 ** (gainDb / 20);
    let e = 0;
    for (let i = 0; i < x.length; i++) e += (x[i] *= g) ** 2;
    if (snrDb !== null) {
      // The speech's level over its 1.5 s, the noise snrDb below it.
      const rms = Math.sqrt(e / (1.5 * RATE)) / 10 ** (snrDb / 20);
      const n = noise(x.length, 4321, rms);
      for (let i = 0; i < x.length; i++) x[i] += n[i];
    }
    write(name, x);
  }
  // The LED set test's input (test/apps/voice-control-led.test.ts): "marvin", a clip 1.2 s later, every 3.5 s.
  const led = ["led_red", "led_green", "led_blue", "cycle_fast", "cycle_slow"];
  const x = new Float64Array(Math.round(RATE * (1 + 3.5 * led.length)));
  led.forEach((w, i) => {
    const at = Math.round(RATE * (0.3 + 3.5 * i));
    x.set(marvin, at);
    x.set(clip(`synth_${w}.wav`), at + Math.round(1.2 * RATE));
  });
  write("led-sequence", x);
  return out;
}

export async function gateRows(
  board: string,
  scenes: "grid" | "tuning" | "mono",
  appOptions: AppOptions,
  log: (s: string) => void,
): Promise<GateRow[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-gate-"));
  const b = await build(VOICE_APP, board, { appOptions });
  const rows: GateRow[] = [];
  if (scenes === "mono") {
    for (const m of monoFiles(dir)) {
      const p = await runScene(b, m.file, dir, m.name, m.seconds);
      p.lines.forEach((l, i) => {
        const w = WAKE.exec(l.text);
        if (!w) return;
        const next = p.lines[i + 1];
        const heard = next?.text.startsWith("command ") ? next.text.split(" ")[1] : null;
        rows.push({
          scene: m.name,
          trial: rows.length,
          woke: true,
          sure: +w[2],
          doa: +w[1],
          said: m.name === "led-sequence" ? null : "yes",
          heard,
        });
      });
      log(
        `${board} ${m.name}: ${rows
          .filter((r) => r.scene === m.name)
          .map((r) => `sure ${r.sure}% -> ${r.heard}`)
          .join(", ")}`,
      );
    }
    return rows;
  }
  const list =
    scenes === "grid"
      ? trialScenes(dir, [20, 10, 5, 0], benchTalkers()).map((s) => ({
          scene: s.scene,
          words: s.words,
          wordFiles: s.wordFiles as string[] | null,
          spec: s.spec,
        }))
      : realClipScenes(dir, "tuning", { perCell: 1, targetPerCell: 1 }).map((s) => ({
          scene: s.scene,
          words: ["yes", "no"],
          wordFiles: null,
          spec: s.spec,
        }));
  for (let s = 0; s < list.length; s++) {
    const { spec, words, wordFiles } = list[s];
    const p = await runScene(b, list[s].scene, dir, `scene-${s}`, SCENE_SECONDS);
    const name = `${spec.dist} m ${spec.rt60} s ${spec.noise} ${spec.snr} dB`;
    TRIALS.forEach((t, i) => {
      const { wake, command, heard } = scoreTrial(p.lines, t.wake, t.command);
      const w = wake ? WAKE.exec(wake.text) : null;
      const end = wordFiles ? t.command + speechEnd(wordFiles[i]) : null;
      rows.push({
        scene: `${s} ${name}`,
        trial: i,
        woke: !!wake,
        sure: w ? +w[2] : null,
        doa: w ? +w[1] : null,
        said: words[i],
        heard,
        wakeT: wake?.t ?? null,
        wordEnd: end,
        latencyMs:
          command && end !== null ? Math.round((command.us - p.startUs) / 1000 - end * 1000) : null,
        ...(appOptions.COMMAND_TRACE && wake ? { trace: traceAfter(p.lines, wake.t) } : {}),
      });
    });
    log(
      `${board} scene ${s + 1}/${list.length} ${name}: ${rows
        .slice(-2)
        .map((r) => (r.woke ? `sure ${r.sure}% ${r.said}->${r.heard}` : "miss"))
        .join("; ")}`,
    );
  }
  return rows;
}

/** Wake words and commands right / wrong / none after them. */
export function gateCounts(rows: GateRow[]): {
  woke: number;
  right: number;
  wrong: number;
  none: number;
} {
  const w = rows.filter((r) => r.woke);
  const right = w.filter((r) => r.heard !== null && r.heard === r.said).length;
  const none = w.filter((r) => r.heard === null).length;
  return { woke: w.length, right, wrong: w.length - right - none, none };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseScriptArgs("voice-command-gate", {
    options: {
      board: { type: "string", default: "rt1060" },
      scenes: { type: "string", default: "grid" },
      option: { type: "string", multiple: true, default: [] },
      json: { type: "string" },
    },
  });
  const scenes = values.scenes as "grid" | "tuning" | "mono";
  if (!["grid", "tuning", "mono"].includes(scenes)) {
    console.error(`voice-command-gate: --scenes ${scenes}: give grid, tuning or mono`);
    process.exit(2);
  }
  const opts = Object.assign({}, ...values.option!.map(parseOptionFlag)) as AppOptions;
  const rows = await gateRows(values.board!, scenes, opts, (s) => process.stderr.write(`${s}\n`));
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 1));
  const sure = rows
    .filter((r) => r.sure !== null)
    .map((r) => r.sure!)
    .sort((a, b) => a - b);
  console.log(
    `${values.board} ${scenes} ${JSON.stringify(opts)}: ${JSON.stringify(gateCounts(rows))}`,
  );
  const lat = rows
    .filter((r) => r.latencyMs != null)
    .map((r) => r.latencyMs!)
    .sort((a, b) => a - b);
  if (lat.length)
    console.log(
      `command latency, end of word -> line (ms): median ${lat[lat.length >> 1]}, ${lat.length} commands, ${lat[0]}..${lat[lat.length - 1]}`,
    );
  console.log(`confidence at the wake words (%), sorted: ${sure.join(" ")}`);
}
