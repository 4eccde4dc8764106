// Bench section: a 10-minute voice-control session per board. Five 2-minute far-field scenes
// (the renderer's limit per scene; emulator/inputs/room/) one after another in one
// multichannel WAV: a talker who moves between requests says "marvin" (the real Speech Commands
// clip or a synthetic voice) and a command every 15 s from 1-3 m, in a fan or babble at
// 10-20 dB SNR, RT60 0.3-0.6 s. Measured: microphone overruns, CPU load (the whole run, the
// firmware's 5 s averages and its worst 40 ms buffer), wake words and commands detected, and
// the host's real-time factor (emulated seconds per wall second).
// Speech, voices and babble come from apps/voice-control/eval/scenes.ts (the far-field bench's).
// Run alone: `npx tsx test/bench/voice-session.ts [--board B]... [--minutes 10] [--option K=V]...`
// (--option: an app.json option for the build, e.g. MIC_CALIBRATION=false).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Machine } from "../../emulator/machine.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";
import { loadScene } from "../../emulator/inputs/room/scene.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";
import { writeWav } from "../../emulator/inputs/wav.ts";
import { appMicArray } from "../../emulator/toolchain/app.ts";
import {
  COMMANDS,
  REAL_MARVIN,
  VOICES,
  babbleFiles,
  rng,
  synth,
} from "../../apps/voice-control/eval/scenes.ts";
import { BOARDS, build, sig, type Built } from "./util.ts";
import { scoreTrial } from "./voice-trial.ts";
import { parseOptionFlag, type AppOptions } from "../../emulator/toolchain/app-options.ts";

const APP = "apps/voice-control";
const SEGMENT_SECONDS = 120;
const EVERY_SECONDS = 15; // one "marvin" + command per 15 s
export const COMMAND_AFTER = 1.3; // s from the start of "marvin" to the command, as the far-field bench
const RATE = 16000;

export interface SessionResult {
  board: string;
  emulatedSeconds: number;
  wallSeconds: number;
  realTimeFactor: number;
  overruns: number;
  cpuLoad: number;
  /** Mean of the firmware's 5 s load lines, and the worst 40 ms buffer it reported, fractions of a buffer's time. */
  loadLinesAverage: number;
  worstBuffer: number;
  said: number;
  wakes: number;
  wakesInTime: number;
  /** Wake lines outside every request's window (between its "marvin" and 0.5 s after its command starts). */
  falseWakes: number;
  commandsRight: number;
}

export interface SessionRequest {
  /** Session time (s) "marvin" starts, and the command said after it. */
  wake: number;
  command: string;
  /** Who says "marvin" (the real clip or a bench voice), from where, in which room and noise. */
  marvin: string;
  marvinFile: string;
  az: number;
  dist: number;
  rt60: number;
  snr: number;
  noise: "fan" | "babble";
}

/** The session's scenes (one per 2-minute segment, starting at `offset` s) and what is said when. */
export function sessionPlan(dir: string, minutes: number) {
  const babble = babbleFiles(dir);
  const requests: SessionRequest[] = [];
  const segments: { offset: number; seconds: number; scene: object }[] = [];
  for (let k = 0; k * SEGMENT_SECONDS < minutes * 60; k++) {
    const seconds = Math.min(SEGMENT_SECONDS, minutes * 60 - k * SEGMENT_SECONDS);
    const r = rng(7000 + k);
    const talkers: object[] = [];
    const fan = k % 2 === 1;
    const rt60 = [0.3, 0.45, 0.6][k % 3],
      snr = [20, 15, 10][k % 3];
    // No request in a segment's last seconds: its reverberation would be cut at the seam.
    for (let t = 2; t + COMMAND_AFTER + 2 < seconds - 3; t += EVERY_SECONDS) {
      const n = requests.length;
      const v = VOICES[n % VOICES.length],
        u = VOICES[(n + 1) % VOICES.length];
      const az = Math.round(r() * 360),
        dist = 1 + Math.round(r() * 20) / 10;
      const command = COMMANDS[n % COMMANDS.length];
      const real = n % 2 === 0;
      const marvin = real ? REAL_MARVIN : synth(dir, v.engine, v.voice, "marvin");
      talkers.push(
        { file: marvin, channel: 0, start: t, az, dist, level: 62 },
        {
          file: synth(dir, u.engine, u.voice, command),
          channel: 0,
          start: t + COMMAND_AFTER,
          az,
          dist,
          level: 62,
        },
      );
      requests.push({
        wake: k * SEGMENT_SECONDS + t,
        command,
        marvin: real ? "real" : `${v.engine}/${v.voice}`,
        marvinFile: marvin,
        az,
        dist,
        rt60,
        snr,
        noise: fan ? "fan" : "babble",
      });
    }
    const scene = {
      seed: 300 + k,
      sampleRate: RATE,
      duration: seconds,
      room: { size: [8, 7, 2.7], rt60 },
      array: { position: [4, 3.5, 0.9], azimuth: 0 },
      talkers,
      noise: fan
        ? [
            { type: "fan", az: 200, dist: 1.5, f0: 80, harmonics: 10 },
            { type: "pink", level: -10 },
          ]
        : [{ type: "babble", files: babble, voices: 4 }],
      snr,
    };
    segments.push({ offset: k * SEGMENT_SECONDS, seconds, scene });
  }
  return { segments, requests };
}

/** The session's audio for board's microphones as one WAV, and what was said when. */
function sessionAudio(b: Built, dir: string, minutes: number) {
  const arrayName = appMicArray(b.app, b.target.board.id);
  const layout = micLayout(b.target.board, arrayName ? loadMicArray(arrayName) : null);
  const channels = layout.positionsMm.map(() => new Float64Array(minutes * 60 * RATE));
  const { segments, requests } = sessionPlan(dir, minutes);
  segments.forEach(({ offset, scene }, k) => {
    const file = path.join(dir, `session-${k}.json`);
    writeFileSync(file, JSON.stringify(scene));
    // The microphone peripheral adds the microphones' self-noise itself (room-source.ts).
    const rendered = renderScene({ ...loadScene(file, layout), selfNoise: null });
    rendered.channels.forEach((x, m) => channels[m].set(x, offset * RATE));
  });
  const wav = path.join(dir, `session-${b.target.board.id}.wav`);
  writeWav(wav, { sampleRate: RATE, channels }, "f32");
  return { wav, requests };
}

export async function benchVoiceSession(
  log: (s: string) => void = () => undefined,
  opts: { boards?: readonly string[]; minutes?: number; appOptions?: AppOptions } = {},
): Promise<SessionResult[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-session-"));
  const minutes = opts.minutes ?? 10;
  const out: SessionResult[] = [];
  for (const board of opts.boards ?? BOARDS) {
    log(`${board}: rendering ${minutes} min of scenes`);
    const b = await build(APP, board, { appOptions: opts.appOptions });
    const { wav, requests } = sessionAudio(b, dir, minutes);
    const machine = new Machine({
      target: b.target,
      image: b.image,
      inputs: { mic: wav },
      sdcard: null,
      micArray: appMicArray(b.app, board) ?? null,
    });
    const lines: { t: number; text: string }[] = [];
    machine.events.on("console", (s) => {
      const m = /^\[([\d.]+) s\] (.*)/.exec(s);
      if (m) lines.push({ t: Number(m[1]), text: m[2] });
    });
    log(`${board}: running ${minutes * 60} s`);
    const summary = await machine.run({ seconds: minutes * 60 + 1 });
    if (summary.fault)
      throw new Error(`voice-control on ${board} faulted: ${summary.fault.message}`);
    const loads = lines.flatMap((l) => {
      const m = /^load ([\d.]+) % average, ([\d.]+) % worst/.exec(l.text);
      return m ? [[Number(m[1]) / 100, Number(m[2]) / 100]] : [];
    });
    const wakes = lines.filter((l) => l.text.startsWith("wake marvin"));
    let inTime = 0,
      right = 0;
    for (const q of requests) {
      const { wake, heard } = scoreTrial(lines, q.wake, q.wake + COMMAND_AFTER);
      log(
        `${board} request at ${q.wake} s: ${wake ? `wake +${(wake.t - q.wake).toFixed(2)} s` : "missed"}, ${q.command} -> ${heard}`,
      );
      if (wake) inTime++;
      if (heard === q.command) right++;
    }
    const falseWakes = wakes.filter(
      (l) => !requests.some((q) => scoreTrial([l], q.wake, q.wake + COMMAND_AFTER).wake),
    ).length;
    const r: SessionResult = {
      board,
      emulatedSeconds: summary.emulatedSeconds,
      wallSeconds: sig(summary.wallSeconds, 3),
      realTimeFactor: sig(summary.realTimeFactor, 3),
      overruns: summary.peripherals.mic?.micOverruns ?? 0,
      cpuLoad: sig(summary.cpuLoad, 3),
      loadLinesAverage: sig(loads.reduce((a, x) => a + x[0], 0) / Math.max(1, loads.length), 3),
      worstBuffer: sig(Math.max(0, ...loads.map((x) => x[1])), 3),
      said: requests.length,
      wakes: wakes.length,
      wakesInTime: inTime,
      falseWakes,
      commandsRight: right,
    };
    log(`${board}: ${JSON.stringify(r)}`);
    out.push(r);
  }
  return out;
}

export function voiceSessionTable(results: SessionResult[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    "| board | emulated | overruns | CPU load (run) | worst 40 ms buffer | wake words in time / said (all wake lines) | wake lines outside any request | commands right | real-time factor |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.board} | ${Math.round(r.emulatedSeconds)} s | ${r.overruns} | ${pct(r.cpuLoad)} | ${pct(r.worstBuffer)} | ${r.wakesInTime} / ${r.said} (${r.wakes}) | ${r.falseWakes} | ${r.commandsRight} | ${r.realTimeFactor}x |`,
    ),
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const boards = args.flatMap((a, i) => (a === "--board" ? [args[i + 1]] : []));
  const m = args.indexOf("--minutes");
  const results = await benchVoiceSession((s) => process.stderr.write(`bench: ${s}\n`), {
    boards: boards.length ? boards : undefined,
    minutes: m >= 0 ? Number(args[m + 1]) : undefined,
    appOptions: Object.assign(
      {},
      ...args.flatMap((a, i) => (a === "--option" ? [parseOptionFlag(args[i + 1])] : [])),
    ) as AppOptions,
  });
  console.log(JSON.stringify(results, null, 2));
  console.log(voiceSessionTable(results));
}
