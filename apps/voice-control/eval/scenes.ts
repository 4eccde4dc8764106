// The far-field scenes the voice-control bench measures on (test/bench/voice-control.ts) and
// the host-side wake-word evaluation sweeps on (eval/wake-sweep.ts): one definition, so the
// emulator and the host see the same rooms, talkers, voices and noise for the same seeds.
// Trial scenes: one talker says "marvin" and a command twice (the real Speech Commands clip,
// then a synthetic voice neither model was trained on). False-accept scenes: minutes of
// babble or fan with command words (never "marvin") from several voices and directions.
import { execFileSync } from "node:child_process";
import { existsSync, renameSync, unlinkSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readWav } from "../../../emulator/inputs/wav.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const AUDIO = path.join(ROOT, "apps/voice-control/audio");
export const REAL_MARVIN = path.join(AUDIO, "marvin_617de221_0.wav");
export const SCENE_SECONDS = 8;
export const TRIALS = [
  { wake: 0.5, command: 1.8 },
  { wake: 4.5, command: 5.8 },
];
/** Voices for synthetic speech: never in the wake word's or KWS model's training data. */
export const VOICES = [
  { engine: "espeak-ng", voice: "en-us+m3" },
  { engine: "flite", voice: "slt" },
  { engine: "espeak-ng", voice: "en-gb+f2" },
  { engine: "flite", voice: "rms" },
  { engine: "espeak-ng", voice: "en-us+f4" },
  { engine: "flite", voice: "awb" },
];
/** The ten MLPerf KWS commands (command.ts WORDS). */
export const TEN_WORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"];
/** Command words the KWS model hears correctly from espeak-ng on their own (docs/dsp.md). */
export const COMMANDS = ["on", "left", "off", "go", "right", "up", "yes"];
const FA_SCENE_SECONDS = 120;

export interface SceneSpec {
  dist: number;
  rt60: number;
  snr: number;
  noise: "babble" | "fan";
}

/** A trial scene: the scene JSON and what was said when. */
export interface TrialScene {
  spec: SceneSpec;
  scene: object;
  az: number;
  voice: string;
  marvins: string[];
  words: string[];
  wordFiles: string[];
}

/**
 * Synthesises `word` with a voice into dir, once per dir (an hour of scenes names the same few
 * files thousands of times); returns the WAV path (engine's own rate; scenes resample).
 */
export function synth(dir: string, engine: string, voice: string, word: string): string {
  const file = path.join(dir, `${engine}-${voice.replace(/[^a-z0-9]/gi, "_")}-${word}.wav`);
  if (existsSync(file)) return file;
  // Written under a name of this process and renamed: a run stopped mid-write, or another
  // process reading the same directory, never finds half a file under the final name.
  const part = `${file}.${process.pid}.part`;
  if (engine === "espeak-ng")
    execFileSync("espeak-ng", ["-v", voice, "-s", "140", "-w", part, word]);
  else if (engine === "flite") execFileSync("flite", ["-voice", voice, "-t", word, "-o", part]);
  else if (engine === "flite-slow") {
    // flite speaks fast; sox's tempo (WSOLA) slows it without moving its pitch.
    execFileSync("flite", ["-voice", voice, "-t", word, "-o", `${part}.wav`]);
    execFileSync("sox", ["-R", "-G", `${part}.wav`, "-t", "wav", part, "tempo", "0.85"]);
    unlinkSync(`${part}.wav`);
  } else throw new Error(`synth: no engine '${engine}'`);
  renameSync(part, file);
  return file;
}

/** End of the speech in a clip (last 10 ms block within 30 dB of the loudest), seconds. */
export function speechEnd(file: string): number {
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
export function rng(seed: number): () => number {
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

/** A scene in the bench's room (8 x 7 x 2.7 m, the array in its middle at 0.9 m) with its noise. */
export function roomScene(
  seed: number,
  spec: SceneSpec,
  seconds: number,
  talkers: object[],
  babble: string[],
) {
  return {
    seed,
    sampleRate: 16000,
    duration: seconds,
    room: { size: [8, 7, 2.7], rt60: spec.rt60 },
    array: { position: [4, 3.5, 0.9], azimuth: 0 },
    talkers,
    noise: noiseFor(spec, babble),
    snr: spec.snr,
  };
}

/**
 * Which talkers a set of scenes uses. The bench: VOICES, the real Speech Commands "marvin" and
 * "yes" / "no", seeds from 1000 / 100. A validation set (wake-verify.ts chooses thresholds on
 * it): other voices, synthetic speech only, other seeds.
 */
export interface Talkers {
  voices: { engine: string; voice: string }[];
  real: boolean;
  /** Added to every scene seed (0: the bench). */
  seedOffset: number;
  /**
   * The ten-word command set (command-voices.ts): per word, the voices that say it so the KWS
   * model hears it clean. Trial k (counted from `firstTrial`) says word k mod 10 in that word's
   * pool voice floor(k / 10) mod its size. Without it: COMMANDS from VOICES, as before.
   */
  commandPools?: { pools: Record<string, { engine: string; voice: string }[]>; firstTrial: number };
}
export const BENCH_TALKERS: Talkers = { voices: VOICES, real: true, seedOffset: 0 };

/** Babble: real "yes" / "no" (bench only) and synthetic command words (never "marvin": the default babble has it). */
export function babbleFiles(dir: string, who: Talkers = BENCH_TALKERS): string[] {
  const v = who.voices;
  return [
    ...(who.real
      ? [
          path.join(AUDIO, "yes_1000ms.wav"),
          path.join(ROOT, "emulator/inputs/room/speech/no_1000ms.wav"),
        ]
      : []),
    ...COMMANDS.slice(0, who.real ? 4 : 6).map((w, i) =>
      synth(dir, v[i % v.length].engine, v[i % v.length].voice, w),
    ),
  ];
}

/** Trial k of the ten-word set: word k mod 10 (of the words with a pool), its pool's voice floor(k / 10). */
export function poolWord(
  pools: Record<string, { engine: string; voice: string }[]>,
  k: number,
): { word: string; engine: string; voice: string } {
  const words = TEN_WORDS.filter((w) => pools[w]?.length);
  if (!words.length) throw new Error("poolWord: no word has a voice");
  const word = words[k % words.length];
  const pool = pools[word];
  return { word, ...pool[Math.floor(k / words.length) % pool.length] };
}

/** The grid: distance 1 / 3 m, RT60 0.3 / 0.6 s, each SNR, babble and fan; seeded per index. */
export function trialScenes(
  dir: string,
  snrs: number[],
  who: Talkers = BENCH_TALKERS,
): TrialScene[] {
  const babble = babbleFiles(dir, who);
  const VOICES = who.voices;
  const grid: SceneSpec[] = [];
  for (const dist of [1, 3])
    for (const rt60 of [0.3, 0.6])
      for (const snr of snrs)
        for (const noise of ["babble", "fan"] as const) grid.push({ dist, rt60, snr, noise });
  return grid.map((spec, s) => {
    const r = rng(1000 + who.seedOffset + s);
    const az = Math.round(r() * 360);
    const v = VOICES[s % VOICES.length];
    const w = VOICES[(s + 3) % VOICES.length];
    const marvins = [
      who.real ? REAL_MARVIN : synth(dir, w.engine, w.voice, "marvin"),
      synth(dir, v.engine, v.voice, "marvin"),
    ];
    const said = TRIALS.map((_, i) =>
      who.commandPools
        ? poolWord(who.commandPools.pools, who.commandPools.firstTrial + s * TRIALS.length + i)
        : { word: COMMANDS[(s * 2 + i) % COMMANDS.length], ...VOICES[(s + i + 1) % VOICES.length] },
    );
    const words = said.map((x) => x.word);
    const wordFiles = said.map((x) => synth(dir, x.engine, x.voice, x.word));
    const talkers = TRIALS.flatMap((t, i) => [
      { file: marvins[i], channel: 0, start: t.wake, az, dist: spec.dist, level: 62 },
      { file: wordFiles[i], channel: 0, start: t.command, az, dist: spec.dist, level: 62 },
    ]);
    const scene = roomScene(100 + who.seedOffset + s, spec, SCENE_SECONDS, talkers, babble);
    return { spec, scene, az, voice: `${v.engine} ${v.voice}`, marvins, words, wordFiles };
  });
}

/** False-accept scenes (2 minutes each) adding up to `minutes`; `seedBase` 5000 is the bench's. */
export function falseAcceptScenes(
  dir: string,
  minutes: number,
  seedBase = 5000,
  who: Talkers = BENCH_TALKERS,
): { seconds: number; words: number; scene: object }[] {
  const babble = babbleFiles(dir, who);
  const VOICES = who.voices;
  const out = [];
  for (let k = 0, done = 0; done < minutes * 60; k++) {
    const seconds = Math.min(FA_SCENE_SECONDS, minutes * 60 - done);
    const r = rng(seedBase + k);
    const talkers = [];
    for (let t = 0.5; t < seconds - 1.5; t += 1.5 + r() * 2) {
      const v = VOICES[Math.floor(r() * VOICES.length)];
      const file =
        r() < 0.2 && who.real
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
    const seed = seedBase === 5000 ? 9000 + k : seedBase + 4000 + k;
    out.push({
      seconds,
      words: talkers.length,
      scene: roomScene(seed, spec, seconds, talkers, babble),
    });
    done += seconds;
  }
  return out;
}
