// Verifier examples cut from what the firmware feeds the verifier: far-field scenes of the
// training voices (a talker saying "marvin" and other words, babble or fan noise, 1-3.5 m,
// RT60 0.25-0.7 s, SNR 0-20 dB) rendered at every microphone, put through the app's front end
// on the host (eval/host-frontend.ts: superdirective beam, AGC) and cut into the command path's
// windows exactly where the firmware's would lie (eval/firmware-window.ts: ends on multiples
// of 320 samples, the firmware's scaling).
// Positives: windows ending 0-0.55 s after a "marvin" ends (the verifier scores the candidate's
// window and the 360 ms after it; the first stage fires at or after the word's end). Negatives:
// windows after other words, windows while "marvin" is still being said, windows where the MLPerf
// first stage (eval/wake-scores.ts) would name a candidate away from any "marvin" (what the
// verifier must reject), and windows anywhere else.
// Rendered scenes are cached under build/voice-cmds/wake-fe/.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeWav } from "../../../emulator/inputs/wav.ts";
import { Rng } from "../../../emulator/inputs/room/prng.ts";
import { renderFrontEnd } from "../eval/host-frontend.ts";
import { firmwareVerifierFeatures, KWS_STEP } from "../eval/firmware-window.ts";
import { wakeScores } from "../eval/wake-scores.ts";
import { kwsWindowEnd } from "../eval/firmware-window.ts";
import { FEATURES, trim } from "./dataset.ts";
import { SAMPLE_RATE, synthesise, type Voice } from "./synth.ts";
import { MARVIN, OTHER, OTHER_WORDS, type WakeExamples } from "./wake-dataset.ts";

const CACHE = fileURLToPath(new URL("../../../build/voice-cmds/wake-fe/", import.meta.url));
const C = 343; // m/s
const BEAM_LAG = 160; // samples: the superdirective beam's latency (host-frontend.ts)
const CANDIDATE_SCORE = 0.5; // eval/wake-verify.ts MIN_CANDIDATE: no candidate threshold goes lower
const APP_CANDIDATE = 0.9; // app.json WAKE_CANDIDATE_PCT
const VERIFY_WINDOWS = 10; // app.json WAKE_VERIFY_WINDOWS
const VERIFY_GAP = 2 * KWS_STEP; // verifier.ts: windows 40 ms apart

export interface FrontEndSetOptions {
  /** espeak-ng and flite voices only (the scenes' WAV files). */
  voices: Voice[];
  /** Scene k has voice k mod the voices' count. */
  scenes: number;
  seconds: number;
  seed: number;
  // The wider recipe (wake-train.ts --wide) sets the fields below; without them a scene is drawn
  // as for the committed model (1-3.5 m, RT60 0.25-0.7 s, babble or fan, 6 candidates).
  /** Talker distance (m) and RT60 (s) ranges, and the noise kinds drawn from. */
  distance?: [number, number];
  rt60?: [number, number];
  noises?: NoiseKind[];
  /** Windows per "marvin" where the firmware verifies it (the first stage's candidate and the 9 after it). */
  candidateWindows?: number;
  /** First-stage candidates away from any "marvin" per scene, each with 2 of the windows verified after it. */
  hardNegatives?: number;
}

export type NoiseKind = "babble" | "fan" | "pink";

/** The scene's noise: babble of 4 voices, a fan's hum over airflow, or pink noise alone. */
function noiseOf(kind: NoiseKind, rng: Rng, babbleFiles: string[]): object[] {
  if (kind === "babble") return [{ type: "babble", files: babbleFiles, voices: 4 }];
  if (kind === "pink") return [{ type: "pink", level: 0 }];
  const fan = {
    type: "fan",
    az: Math.round(rng.between(0, 360)),
    dist: 1.5,
    f0: 60 + rng.below(60),
  };
  return [
    { ...fan, harmonics: 10 },
    { type: "pink", level: -10 },
  ];
}

/** A spoken clip as a trimmed WAV in the cache: its path and length in samples. */
function clipFile(voice: Voice, text: string, speed: number, pitch: number) {
  const s = trim(synthesise({ voice, text, speed, pitch }));
  const key = createHash("sha256")
    .update(JSON.stringify({ voice, text, speed, pitch }))
    .digest("hex")
    .slice(0, 20);
  const file = path.join(CACHE, `clip-${key}.wav`);
  if (!existsSync(file)) writeWav(file, { sampleRate: SAMPLE_RATE, channels: [s] });
  return { file, samples: s.length };
}

/** The babble's voices: other words of the same voices (never "marvin"). */
function babble(voices: Voice[], rng: Rng): string[] {
  return Array.from({ length: 6 }, () => {
    const v = voices[rng.below(voices.length)];
    return clipFile(v, OTHER_WORDS[rng.below(OTHER_WORDS.length)], 1, 50).file;
  });
}

/** The front end's output for one scene (cached) and what was said where. */
async function scene(o: FrontEndSetOptions, k: number, rng: Rng, babbleFiles: string[]) {
  const voice = o.voices[k % o.voices.length];
  const az = Math.round(rng.between(0, 360));
  const [near, far] = o.distance ?? [1, 3.5];
  const dist = Number(rng.between(near, far).toFixed(2));
  const spoken: { marvin: boolean; start: number; end: number }[] = [];
  const talkers = [];
  for (let t = 0.4 + rng.between(0, 0.4); t < o.seconds - 1.3; t += rng.between(1.3, 2.0)) {
    const marvin = rng.uniform() < 0.45;
    const text = marvin ? "marvin" : OTHER_WORDS[rng.below(OTHER_WORDS.length)];
    const speed = Number(rng.between(0.8, 1.25).toFixed(2));
    const c = clipFile(voice, text, speed, Math.round(rng.between(25, 75)));
    const start = Math.round(t * 100) / 100;
    talkers.push({ file: c.file, channel: 0, start, az, dist, level: 62 });
    const at = Math.round((start + dist / C) * SAMPLE_RATE) + BEAM_LAG;
    spoken.push({ marvin, start: at, end: at + c.samples });
  }
  const spec = {
    seed: o.seed + k,
    sampleRate: SAMPLE_RATE,
    duration: o.seconds,
    room: { size: [8, 7, 2.7], rt60: Number(rng.between(...(o.rt60 ?? [0.25, 0.7])).toFixed(2)) },
    array: { position: [4, 3.5, 0.9], azimuth: 0 },
    talkers,
    noise: o.noises
      ? noiseOf(o.noises[rng.below(o.noises.length)], rng, babbleFiles)
      : noiseOf(rng.uniform() < 0.5 ? "babble" : "fan", rng, babbleFiles),
    snr: [0, 5, 10, 15, 20][rng.below(5)],
  };
  // v 2: the host front end's self-noise at the microphone peripheral's level (session 7).
  const key = createHash("sha256")
    .update(JSON.stringify({ spec, az, v: 2 }))
    .digest("hex")
    .slice(0, 20);
  const pcmFile = path.join(CACHE, `fe-${key}.raw`);
  let pcm: Int16Array;
  if (existsSync(pcmFile)) pcm = new Int16Array(new Uint8Array(readFileSync(pcmFile)).buffer);
  else {
    const sceneFile = path.join(CACHE, `scene-${key}.json`);
    writeFileSync(sceneFile, JSON.stringify(spec));
    pcm = renderFrontEnd(sceneFile, [{ at: 0, azDeg: az }]);
    writeFileSync(pcmFile, new Uint8Array(pcm.buffer));
  }
  // The first stage's scores on it, cached beside it (they cost as much as the rendering).
  const wwFile = path.join(CACHE, `ww-${key}.json`);
  let ww: { t: number[]; score: number[] };
  if (existsSync(wwFile)) ww = JSON.parse(readFileSync(wwFile, "utf8"));
  else {
    const s = await wakeScores(pcm, "window");
    ww = { t: Array.from(s.t), score: Array.from(s.score) };
    writeFileSync(wwFile, JSON.stringify(ww));
  }
  return { pcm, spoken, ww, voice: `${voice.engine}/${voice.name}` };
}

/** Window ends (multiples of KWS_STEP) in [from, to] samples. */
function endsIn(from: number, to: number): number[] {
  const out = [];
  for (let e = Math.ceil(from / KWS_STEP) * KWS_STEP; e <= to; e += KWS_STEP) out.push(e);
  return out;
}

/** Up to n of xs, picked by rng without repeats (order kept). */
function pick(rng: Rng, xs: number[], n: number): number[] {
  const idx = xs.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => xs[i]);
}

export async function makeFrontEndSet(
  o: FrontEndSetOptions,
  log: (s: string) => void = () => {},
): Promise<WakeExamples> {
  mkdirSync(CACHE, { recursive: true });
  const rng = new Rng(o.seed);
  const babbleFiles = babble(o.voices, rng);
  const xs: Float64Array[] = [];
  const labels: number[] = [];
  const tags: string[] = [];
  const scenes = o.scenes;
  const s = SAMPLE_RATE;
  for (let k = 0; k < scenes; k++) {
    const { pcm, spoken, ww, voice } = await scene(o, k, rng, babbleFiles);
    const add = (end: number, label: number, tag: string) => {
      if (end < 0.5 * s || end > pcm.length) return;
      xs.push(firmwareVerifierFeatures(pcm, end));
      labels.push(label);
      tags.push(`${voice} ${tag}`);
    };
    // Near a "marvin" (from its start to 0.7 s after its end) no window is a negative.
    const nearMarvin = (e: number) =>
      spoken.some((w) => w.marvin && e >= w.start && e <= w.end + 0.7 * s);
    for (const w of spoken) {
      if (w.marvin) {
        for (const e of pick(rng, endsIn(w.end, w.end + 0.55 * s), 6)) add(e, MARVIN, "fe marvin");
        const len = w.end - w.start;
        for (const e of pick(rng, endsIn(w.start + 0.35 * len, w.start + 0.7 * len), 1))
          add(e, OTHER, "fe partial");
      } else
        for (const e of pick(rng, endsIn(w.end, w.end + 0.5 * s), 3).filter((e) => !nearMarvin(e)))
          add(e, OTHER, "fe word");
    }
    // Where the firmware verifies a "marvin": the window at the first stage's first candidate
    // (>= the app's 0.9) from the word's start to 0.7 s after its end, and the windows after it.
    for (const w of o.candidateWindows ? spoken.filter((w) => w.marvin) : []) {
      const i = ww.t.findIndex(
        (t, i) => ww.score[i] >= APP_CANDIDATE && t * s >= w.start && t * s <= w.end + 0.7 * s,
      );
      if (i < 0) continue;
      const e0 = kwsWindowEnd(Math.round(ww.t[i] * s));
      const verified = Array.from({ length: VERIFY_WINDOWS }, (_, j) => e0 + j * VERIFY_GAP);
      for (const e of pick(rng, verified, o.candidateWindows!))
        add(e, MARVIN, "fe candidate marvin");
    }
    // Where the first stage would name a candidate away from any "marvin", and the windows the
    // firmware would verify after it (what the verifier must reject).
    const candidates: number[] = [];
    for (let i = 0; i < ww.t.length; i++) {
      const e = kwsWindowEnd(Math.round(ww.t[i] * s));
      if (ww.score[i] >= CANDIDATE_SCORE && !nearMarvin(e)) candidates.push(e);
    }
    for (const e0 of pick(rng, candidates, o.hardNegatives ?? 6)) {
      add(e0, OTHER, "fe candidate");
      if (o.hardNegatives === undefined) continue;
      for (const j of pick(rng, [1, 2, 3, 4, 5, 6, 7, 8, 9], 2))
        if (!nearMarvin(e0 + j * VERIFY_GAP)) add(e0 + j * VERIFY_GAP, OTHER, "fe candidate after");
    }
    const anywhere = endsIn(s, pcm.length).filter((e) => !nearMarvin(e));
    for (const e of pick(rng, anywhere, 3)) add(e, OTHER, "fe elsewhere");
    if ((k + 1) % 10 === 0 || k + 1 === scenes) log(`  front-end scenes ${k + 1}/${scenes}`);
  }
  const count = labels.length;
  const x = new Float32Array(count * FEATURES);
  xs.forEach((f, i) => x.set(f, i * FEATURES));
  return { count, x, labels: Int32Array.from(labels), tags };
}

/** Two sets as one (a's examples first). */
export function joinSets(a: WakeExamples, b: WakeExamples): WakeExamples {
  const x = new Float32Array((a.count + b.count) * FEATURES);
  x.set(a.x);
  x.set(b.x, a.count * FEATURES);
  return {
    count: a.count + b.count,
    x,
    labels: Int32Array.from([...a.labels, ...b.labels]),
    tags: [...a.tags, ...b.tags],
  };
}
