// The LED-control command set (NXP's "LED red / green / blue, cycle fast / slow") as 1 s clips
// of synthesised speech, and the features the firmware's command path computes from them.
//
// Voices are split by voice and engine: the held-out set is spoken only by voices the
// training never hears (espeak-ng accents and variants it never uses, flite's slt) and by an
// engine it never hears (festival). Each training utterance is placed at a random offset in
// its second and heard twice: near (quiet noise) and far (a shoebox room by the emulator's
// image-source model, then white or pink noise at 5-25 dB SNR).
//
// Streaming windows: in the app the model scores a sliding 1 s window, so it also sees a
// command cut by the window's edge and the end of "marvin" running into a command's onset.
// Each command utterance therefore also gives two "unknown" examples: the word with 40-75 %
// of it cut off at one end, and the last 0.2-0.5 s of the same voice's "marvin", a short
// pause, then the first 20-55 % of the command.
import { roomImpulseResponse } from "../../../emulator/inputs/room/image-source.ts";
import { convolve } from "../../../emulator/inputs/room/convolve.ts";
import { pinkNoise, whiteNoise } from "../../../emulator/inputs/room/noise.ts";
import { Rng } from "../../../emulator/inputs/room/prng.ts";
import {
  reflectionCoefficients,
  sabineAbsorption,
} from "../../../emulator/inputs/room/room-geometry.ts";
import { kwsFeatures } from "../../../test/helpers/dsp-reference.ts";
import { SAMPLE_RATE, synthesise, type Utterance, type Voice } from "./synth.ts";

export const FRAMES = 49;
export const COEFS = 10;
export const FEATURES = FRAMES * COEFS;
export const CLIP = SAMPLE_RATE; // 1 s, the KWS model's window
/** Class order: the commands, then silence and unknown (as MLPerf's KWS). */
export const CLASSES = [
  "led red",
  "led green",
  "led blue",
  "cycle fast",
  "cycle slow",
  "silence",
  "unknown",
] as const;
export const SILENCE = 5;
export const UNKNOWN = 6;
/** What the engines are asked to say (letters spaced so every engine spells L-E-D). */
export const COMMAND_TEXT = ["L E D red", "L E D green", "L E D blue", "cycle fast", "cycle slow"];
/** Other speech: single words of the commands, near misses and unrelated phrases. */
export const UNKNOWN_TEXT = [
  "L E D",
  "red",
  "green light",
  "blue sky",
  "cycle",
  "fast",
  "slow down",
  "bicycle",
  "led zeppelin",
  "turn on the light",
  "hello there",
  "marvin",
  "what time is it",
  "yellow",
  "recycle it",
  "sea salt",
];

const espeak = (langs: string[], variants: string[]): Voice[] =>
  langs.flatMap((l) => variants.map((v) => ({ engine: "espeak-ng" as const, name: `${l}+${v}` })));

export const TRAIN_VOICES: Voice[] = [
  ...espeak(["en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp"], ["m1", "f2", "m3", "f4"]),
  { engine: "flite", name: "kal16" },
  { engine: "flite", name: "awb" },
  { engine: "flite", name: "rms" },
];
/** Never in training: two espeak-ng accents with three unused variants, flite's slt, festival. */
export const HELD_OUT_VOICES: Voice[] = [
  ...espeak(["en-gb-x-gbcwmd", "en-gb-x-gbclan"], ["f5", "m7", "klatt2"]),
  { engine: "flite", name: "slt" },
  { engine: "festival", name: "kal_diphone" },
];

export interface Examples {
  count: number;
  x: Float32Array; // count x 490 MFCC
  labels: Int32Array;
  /** Per example: the voice and the condition, for the per-group accuracy. */
  tags: string[];
}

export interface SetOptions {
  voices: Voice[];
  /** Renderings (speed/pitch) of each command per voice; unknown phrases get one. */
  renderings: number;
  /** Unknown phrases per voice (the first n). */
  unknowns: number;
  seed: number;
  /** Conditions each utterance is heard in. */
  conditions: ("near" | "far")[];
}

/** Leading and trailing samples below 1 % of the peak removed (engines pad differently). */
export function trim(pcm: Int16Array): Float64Array {
  let peak = 1;
  for (const v of pcm) peak = Math.max(peak, Math.abs(v));
  const floor = peak / 100;
  let a = 0;
  let b = pcm.length;
  while (a < b && Math.abs(pcm[a]) < floor) a++;
  while (b > a && Math.abs(pcm[b - 1]) < floor) b--;
  return Float64Array.from(pcm.subarray(a, b), (v) => v / 32768);
}

export function power(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return s / Math.max(1, x.length);
}

/** A small bank of room responses (rooms 3-8 m, RT60 0.2-0.7 s, talker 0.5-3 m away). */
export function roomBank(rng: Rng, n: number): Float64Array[] {
  return Array.from({ length: n }, () => {
    const size: [number, number, number] = [rng.between(3, 8), rng.between(3, 6), 2.7];
    const rt60 = rng.between(0.2, 0.7);
    const a = Math.min(0.95, sabineAbsorption(size, rt60));
    const beta = reflectionCoefficients([a, a, a, a, a, a]);
    const mic: [number, number, number] = [size[0] / 2, size[1] / 2, 1];
    const d = rng.between(0.5, 3);
    const az = rng.between(0, 2 * Math.PI);
    const src: [number, number, number] = [
      Math.min(size[0] - 0.2, Math.max(0.2, mic[0] + d * Math.cos(az))),
      Math.min(size[1] - 0.2, Math.max(0.2, mic[1] + d * Math.sin(az))),
      1.6,
    ];
    const length = Math.round(Math.min(rt60, 0.5) * SAMPLE_RATE);
    return roomImpulseResponse({ size, beta }, src, mic, { sampleRate: SAMPLE_RATE, length });
  });
}

/** One second: speech (may be empty) at a random offset, room, noise, level; as int16. */
function clip(
  speech: Float64Array | null,
  far: boolean,
  rooms: Float64Array[],
  rng: Rng,
): Int16Array {
  let s = speech ?? new Float64Array(0);
  if (speech && far) s = convolve(speech, rooms[rng.below(rooms.length)]);
  const out = new Float64Array(CLIP);
  if (s.length > CLIP) s = s.subarray(Math.floor((s.length - CLIP) / 2), (s.length + CLIP) / 2);
  const at = rng.below(CLIP - s.length + 1);
  const sp = power(s) || 1e-4;
  for (let i = 0; i < s.length; i++) out[at + i] = s[i];
  const snrDb = !speech ? 0 : far ? rng.between(5, 25) : rng.between(25, 40);
  const noise = rng.uniform() < 0.5 ? whiteNoise(CLIP, rng) : pinkNoise(CLIP, SAMPLE_RATE, rng);
  const g =
    Math.sqrt((sp / power(noise)) * 10 ** (-snrDb / 10)) * (speech ? 1 : rng.between(0.02, 1));
  let peak = 1e-9;
  for (let i = 0; i < CLIP; i++) {
    out[i] += g * noise[i];
    peak = Math.max(peak, Math.abs(out[i]));
  }
  // A level from -30 to -3 dBFS peak: the features normalise it away, the int16 rounding not.
  const level = 10 ** (rng.between(-30, -3) / 20) / peak;
  return Int16Array.from(out, (v) =>
    Math.max(-32768, Math.min(32767, Math.round(v * level * 32767))),
  );
}

/** The utterances of a set, in a fixed order, each with its label. */
export function utterances(o: SetOptions): { u: Utterance; label: number }[] {
  const rng = new Rng(o.seed);
  const list: { u: Utterance; label: number }[] = [];
  for (const voice of o.voices) {
    // festival's diphone voice is slow: always a little faster so a command fits in 1 s.
    const base = voice.engine === "festival" ? 1.25 : 1;
    const speed = () => Number((base * rng.between(0.85, 1.2)).toFixed(2));
    const pitch = () => Math.round(rng.between(30, 70));
    COMMAND_TEXT.forEach((text, label) => {
      for (let r = 0; r < o.renderings; r++)
        list.push({ u: { voice, text, speed: speed(), pitch: pitch() }, label });
    });
    for (const text of UNKNOWN_TEXT.slice(0, o.unknowns))
      list.push({ u: { voice, text, speed: speed(), pitch: pitch() }, label: UNKNOWN });
  }
  return list;
}

/** What a streaming window may hold that is not a command (see the header), from one utterance. */
function streamingNegatives(speech: Float64Array, marvin: Float64Array, rng: Rng): Float64Array[] {
  const keep = Math.round(speech.length * rng.between(0.25, 0.6));
  const cut = rng.uniform() < 0.5 ? speech.slice(0, keep) : speech.slice(speech.length - keep);
  const tail = marvin.slice(
    Math.max(0, marvin.length - Math.round(rng.between(0.2, 0.5) * SAMPLE_RATE)),
  );
  const pause = Math.round(rng.between(0.05, 0.3) * SAMPLE_RATE);
  const onset = speech.slice(0, Math.round(speech.length * rng.between(0.2, 0.55)));
  const joined = new Float64Array(tail.length + pause + onset.length);
  joined.set(tail, 0);
  joined.set(onset, tail.length + pause);
  return [cut, joined];
}

/** The set's examples: every utterance in every condition, the streaming negatives, plus silence (noise only). */
export function makeSet(o: SetOptions, log: (s: string) => void = () => {}): Examples {
  const list = utterances(o);
  const rng = new Rng(o.seed + 1);
  const rooms = roomBank(rng, 12);
  const commands = list.filter((u) => u.label < SILENCE).length;
  const spoken = list.length * o.conditions.length + 2 * commands;
  const silences = Math.round(spoken / CLASSES.length);
  const count = spoken + silences;
  const x = new Float32Array(count * FEATURES);
  const labels = new Int32Array(count);
  const tags: string[] = [];
  let n = 0;
  const add = (pcm: Int16Array, label: number, tag: string) => {
    x.set(kwsFeatures(pcm), n * FEATURES);
    labels[n++] = label;
    tags.push(tag);
  };
  const marvins = new Map<string, Float64Array>();
  list.forEach(({ u, label }, i) => {
    const speech = trim(synthesise(u));
    const voice = `${u.voice.engine}/${u.voice.name}`;
    for (const c of o.conditions)
      add(clip(speech, c === "far", rooms, rng), label, `${voice} ${c}`);
    if (label < SILENCE) {
      if (!marvins.has(voice))
        marvins.set(
          voice,
          trim(synthesise({ voice: u.voice, text: "marvin", speed: u.speed, pitch: u.pitch })),
        );
      streamingNegatives(speech, marvins.get(voice)!, rng).forEach((s, k) =>
        add(
          clip(s, rng.uniform() < 0.5, rooms, rng),
          UNKNOWN,
          `${voice} ${k ? "marvin-onset" : "cut"}`,
        ),
      );
    }
    if (i % 200 === 199) log(`  ${i + 1}/${list.length} utterances`);
  });
  for (let i = 0; i < silences; i++) add(clip(null, false, rooms, rng), SILENCE, "noise");
  return { count, x, labels, tags };
}
