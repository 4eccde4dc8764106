// The wake-word verifier's data: 1 s windows, as the firmware's command path holds them when
// the first stage (the MLPerf wake-word model) fires, labelled "marvin" or not.
//
// The verifier runs on the window that ends where the first stage fired, and the first stage
// fires at or shortly after the end of the word, so a positive is a whole synthesised "marvin"
// whose end lies 0-0.55 s before the window's end, heard near or far (a room of the emulator's
// image-source model) over white, pink, fan or babble noise. Negatives are what makes the first
// stage fire on the bench: other words (the command words, words that sound like "marvin"),
// babble of 1-4 voices, noise alone, and the parts of "marvin" a window can hold while the word
// is still being said ("marv") or after it ("vin").
//
// Voices are split three ways, and none is a voice of the bench (eval/scenes.ts VOICES):
// training, validation (thresholds are chosen on its scenes, eval/wake-verify.ts) and the
// bench itself as the test.
import {
  babbleNoise,
  fanNoise,
  pinkNoise,
  whiteNoise,
} from "../../../emulator/inputs/room/noise.ts";
import { convolve } from "../../../emulator/inputs/room/convolve.ts";
import { Rng } from "../../../emulator/inputs/room/prng.ts";
import { kwsFeatures } from "../../../test/helpers/dsp-reference.ts";
import { CLIP, FEATURES, power, roomBank, trim } from "./dataset.ts";
import { SAMPLE_RATE, synthesise, type Voice } from "./synth.ts";

export const WAKE_CLASSES = ["marvin", "other"] as const;
export const MARVIN = 0;
export const OTHER = 1;

/** Words that are not "marvin": the ten command words, near rhymes and unrelated speech. */
export const OTHER_WORDS = [
  ...["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"],
  ...["marble", "martin", "garden", "carving", "marvel", "margin", "melvin", "kevin", "calvin"],
  ...["marlin", "starving", "marching", "carbon", "mountain", "harvest", "mark in", "far in"],
  ...["seven", "nine", "bird", "happy", "house", "sheila", "wow", "turn on the light"],
];

/** The bench's voices (eval/scenes.ts VOICES): the test, never trained on nor validated on. */
export const BENCH_VOICE_NAMES = [
  "espeak-ng/en-us+m3",
  "flite/slt",
  "espeak-ng/en-gb+f2",
  "flite/rms",
  "espeak-ng/en-us+f4",
  "flite/awb",
];

const espeak = (langs: string[], variants: string[]): Voice[] =>
  langs.flatMap((l) => variants.map((v) => ({ engine: "espeak-ng" as const, name: `${l}+${v}` })));
const notBench = (v: Voice) => !BENCH_VOICE_NAMES.includes(`${v.engine}/${v.name}`);

const TRAIN_ACCENTS = ["en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-us-nyc"];
export const WAKE_TRAIN_VOICES: Voice[] = [
  ...espeak(TRAIN_ACCENTS, ["m1", "m2", "f1", "f2", "m3", "f3", "m4", "f4", "klatt"]).filter(
    notBench,
  ),
  { engine: "flite", name: "kal16" },
  { engine: "festival", name: "kal_diphone" },
];
/**
 * More of espeak-ng's variants (none the validation's f5 / m7 / klatt2 or the bench's), for the
 * wider recipe (wake-train.ts --wide), measured and not committed (MEASUREMENTS.md "Wake-word verifier").
 */
export const WAKE_EXTRA_TRAIN_VOICES: Voice[] = [
  ...espeak(TRAIN_ACCENTS, ["m5", "m6", "m8", "klatt3", "klatt4"]),
  ...espeak(["en-us", "en-gb"], ["Andy", "Annie", "linda", "travis", "david", "steph"]),
];
/** Validation: accents, variants and a voice training never hears (and the bench does not use). */
export const WAKE_VALIDATION_VOICES: Voice[] = [
  ...espeak(["en-gb-x-gbcwmd", "en-gb-x-gbclan"], ["f5", "m7", "klatt2"]),
  { engine: "flite", name: "kal" },
];

export interface WakeSetOptions {
  voices: Voice[];
  /** Renderings (speed / pitch) of "marvin" per voice, each heard near and twice far. */
  marvins: number;
  /** Other words per voice (the first n of OTHER_WORDS). */
  others: number;
  seed: number;
}

export interface WakeExamples {
  count: number;
  x: Float32Array; // count x 490 MFCC
  labels: Int32Array;
  tags: string[];
}

type Noise = "white" | "pink" | "fan" | "babble";
const NOISES: Noise[] = ["white", "pink", "fan", "babble"];
const POOL_SECONDS = 20;

/** Long noise recordings cut into 1 s pieces: fan hum over pink airflow, and babble of 2-4 voices. */
function noisePools(rng: Rng, words: Float64Array[]): Record<"fan" | "babble", Float64Array[]> {
  const n = POOL_SECONDS * SAMPLE_RATE;
  const fan = [60, 90, 120, 150].map((f0) => {
    const hum = fanNoise(n, SAMPLE_RATE, rng, { f0, harmonics: 10 });
    const air = pinkNoise(n, SAMPLE_RATE, rng);
    return hum.map((v, i) => v + 0.3 * air[i]);
  });
  const babble = [2, 3, 4, 2, 3, 4].map((voices) =>
    babbleNoise(n, SAMPLE_RATE, rng, { voices, clips: words }),
  );
  return { fan, babble };
}

export class WakeClipMaker {
  private readonly rooms: Float64Array[];
  private pools: Record<"fan" | "babble", Float64Array[]> | null = null;
  constructor(readonly rng: Rng) {
    this.rooms = roomBank(rng, 16);
  }
  setBabble(words: Float64Array[]): void {
    this.pools = noisePools(this.rng, words);
  }

  private noise(kind: Noise): Float64Array {
    const rng = this.rng;
    if (kind === "white") return whiteNoise(CLIP, rng);
    if (kind === "pink") return pinkNoise(CLIP, SAMPLE_RATE, rng);
    const pool = this.pools![kind];
    const src = pool[rng.below(pool.length)];
    const at = rng.below(src.length - CLIP);
    return src.slice(at, at + CLIP);
  }

  /**
   * One second as int16: `speech` (dry; may be null) heard near or far, its dry end `endGap`
   * seconds before the window's end (the reverberant tail runs on), noise at an SNR, a level.
   */
  clip(speech: Float64Array | null, far: boolean, endGap: number, snrDb: number): Int16Array {
    const rng = this.rng;
    const out = new Float64Array(CLIP);
    let sp = 1e-4;
    if (speech) {
      const wet = far ? convolve(speech, this.rooms[rng.below(this.rooms.length)]) : speech;
      const at = CLIP - speech.length - Math.round(endGap * SAMPLE_RATE);
      for (let i = Math.max(0, -at); i < wet.length && at + i < CLIP; i++) out[at + i] = wet[i];
      sp = power(speech) || 1e-4;
    }
    const kind = NOISES[rng.below(NOISES.length)];
    const noise = this.noise(kind);
    const g =
      Math.sqrt((sp / (power(noise) || 1e-9)) * 10 ** (-snrDb / 10)) *
      (speech ? 1 : rng.between(0.02, 1));
    let peak = 1e-9;
    for (let i = 0; i < CLIP; i++) {
      out[i] += g * noise[i];
      peak = Math.max(peak, Math.abs(out[i]));
    }
    const level = 10 ** (rng.between(-30, -3) / 20) / peak;
    return Int16Array.from(out, (v) =>
      Math.max(-32768, Math.min(32767, Math.round(v * level * 32767))),
    );
  }
}

/** The set's examples (fixed order for a seed): positives, other words, partial "marvin", babble, noise. */
export function makeWakeSet(o: WakeSetOptions, log: (s: string) => void = () => {}): WakeExamples {
  const rng = new Rng(o.seed);
  const speed = (v: Voice) =>
    Number(((v.engine === "festival" ? 1.2 : 1) * rng.between(0.8, 1.25)).toFixed(2));
  const pitch = () => Math.round(rng.between(25, 75));
  const marvins: { voice: string; s: Float64Array }[] = [];
  const others: { voice: string; s: Float64Array }[] = [];
  for (const voice of o.voices) {
    const name = `${voice.engine}/${voice.name}`;
    for (let r = 0; r < o.marvins; r++)
      marvins.push({
        voice: name,
        s: trim(synthesise({ voice, text: "marvin", speed: speed(voice), pitch: pitch() })),
      });
    for (const text of OTHER_WORDS.slice(0, o.others))
      others.push({
        voice: name,
        s: trim(synthesise({ voice, text, speed: speed(voice), pitch: pitch() })),
      });
  }
  log(`  ${marvins.length} "marvin", ${others.length} other words synthesised`);
  const maker = new WakeClipMaker(new Rng(o.seed + 1));
  maker.setBabble(others.map((w) => w.s));
  const r = maker.rng;
  const xs: Float64Array[] = [];
  const labels: number[] = [];
  const tags: string[] = [];
  const add = (pcm: Int16Array, label: number, tag: string) => {
    xs.push(kwsFeatures(pcm));
    labels.push(label);
    tags.push(tag);
  };
  const farSnr = () => r.between(0, 25);
  const nearSnr = () => r.between(15, 40);
  const gap = (s: Float64Array, most: number) =>
    r.between(0, Math.max(0, Math.min(most, 1 - s.length / SAMPLE_RATE)));
  for (const m of marvins) {
    add(maker.clip(m.s, false, gap(m.s, 0.55), nearSnr()), MARVIN, `${m.voice} marvin near`);
    for (let k = 0; k < 2; k++)
      add(maker.clip(m.s, true, gap(m.s, 0.55), farSnr()), MARVIN, `${m.voice} marvin far`);
    // What a window holds while the word is being said, or after most of it has passed.
    const cut = Math.round(m.s.length * r.between(0.3, 0.65));
    const part = r.uniform() < 0.6 ? m.s.slice(0, cut) : m.s.slice(cut);
    add(maker.clip(part, r.uniform() < 0.6, gap(part, 0.3), farSnr()), OTHER, `${m.voice} partial`);
  }
  for (const w of others) {
    const far = r.uniform() < 0.6;
    add(maker.clip(w.s, far, gap(w.s, 1), far ? farSnr() : nearSnr()), OTHER, `${w.voice} word`);
  }
  const spoken = labels.length;
  // Runs of other people's words (2-3 in a row, over any noise) and noise alone (babble included).
  for (let i = 0; i < Math.round(spoken / 4); i++) {
    if (i % 2) {
      const s = pickWords(r, others);
      add(maker.clip(s, r.uniform() < 0.5, gap(s, 1), r.between(0, 20)), OTHER, "- run");
    } else add(maker.clip(null, false, 0, 0), OTHER, "- noise");
  }
  const count = labels.length;
  const x = new Float32Array(count * FEATURES);
  xs.forEach((f, i) => x.set(f, i * FEATURES));
  return { count, x, labels: Int32Array.from(labels), tags };
}

/** Two or three words run together (a stretch of someone else's speech). */
function pickWords(r: Rng, words: { s: Float64Array }[]): Float64Array {
  const n = 2 + r.below(2);
  const parts = Array.from({ length: n }, () => words[r.below(words.length)].s);
  const pause = Math.round(0.08 * SAMPLE_RATE);
  const total = parts.reduce((s, p) => s + p.length + pause, 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length + pause;
  }
  return out.length > CLIP ? out.slice(out.length - CLIP) : out;
}
