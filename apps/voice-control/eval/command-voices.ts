// Which synthetic voices say which of the ten KWS words so that the MLPerf KWS model (trained on
// real speech only) hears them, clean: the command test set of the far-field benches.
// The rule, fixed before measuring:
// - Candidates: CANDIDATES below, every one held out from everything trained here (the
//   wake-word verifier's training and validation voices, train/wake-dataset.ts) and from the
//   KWS model's (Speech Commands, human speech): the bench's six voices, then espeak-ng
//   variants nothing here uses, on two accents, then flite's three voices slowed by sox; a
//   candidate whose ten clips are an earlier one's byte for byte is left out. (The bench's
//   "en-gb+f2" is espeak-ng's plain en-gb, which the verifier's training did hear; here it says
//   command words only, which only the KWS model hears.)
// - Clean: the engine's clip as the scenes play it (scenes.ts synth), at 16 kHz, peak -6 dBFS,
//   over a seeded white floor 60 dB below the peak (digital silence never reaches the model in
//   the app), starting 0.4 s after a wake line at sample 0; then the app's own command rule
//   (beam-trials.ts commandAfter: KWS from 720 ms after the wake line every 100 ms for 3 s,
//   the same word >= 0.70 twice in a row).
// - Picked: each (word, voice) pair heard right clean joins that word's pool, in CANDIDATES'
//   order; a word with no such voice stays out of the test set (and is reported).
// So clean accuracy on the pool is 100 % by construction: the far-field trials then measure
// what the room and the front end take away from words the model hears, and the clean
// accuracy per word over all candidates is the figure that says how well the model hears
// synthetic voices at all.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { commandAfter, CUE_S } from "./beam-trials.ts";
import { rng, synth, TEN_WORDS, VOICES } from "./scenes.ts";

export { TEN_WORDS };

export interface CommandVoice {
  engine: string;
  voice: string;
}

// espeak-ng's variant files by their file names (case matters: an unknown name falls back to
// the plain voice); the en-gb voice ignores every variant (en-gb+f2 = en-gb+m3 = en-gb, byte for
// byte), hence en-gb-x-rp as the second accent.
const FRESH_VARIANTS = ["klatt5", "klatt6", "Alex", "Gene", "Mike", "max", "Lee", "john"];
const FRESH_VARIANTS_2 = ["Michael", "robert", "Alicia", "belinda", "shelby", "anika", "zac"];
/** Every voice tried, in the order pools take them. `flite-slow`: flite then sox `tempo 0.85`. */
export const CANDIDATES: CommandVoice[] = [
  ...VOICES,
  ...["en-us", "en-gb-x-rp"].flatMap((l) =>
    [...FRESH_VARIANTS, ...FRESH_VARIANTS_2].map((v) => ({
      engine: "espeak-ng",
      voice: `${l}+${v}`,
    })),
  ),
  ...["slt", "rms", "awb"].map((voice) => ({ engine: "flite-slow", voice })),
];

const RATE = 16000;
const LEAD_S = CUE_S;
const CLIP_S = 3.9; // the lead, the 3 s the app listens, and the last window's tail

/** A clip as 16 kHz int16, peak -6 dBFS, over the seeded floor, `LEAD_S` in. */
export function cleanPcm(file: string, seed = 1): Int16Array {
  const raw = execFileSync("sox", [
    ...["-R", "-G", file, "-t", "raw", "-e", "float", "-b", "32", "-c", "1", "-L", "-"],
    ...["rate", "-h", String(RATE)],
  ]);
  const x = new Float32Array(new Uint8Array(raw).buffer);
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const gain = peak > 0 ? (0.5 * 32767) / peak : 0;
  const r = rng(seed);
  const floor = 0.5 * 32767 * 10 ** (-60 / 20) * Math.sqrt(3); // uniform noise of rms -66 dBFS
  const out = new Int16Array(Math.round(CLIP_S * RATE));
  const at = Math.round(LEAD_S * RATE);
  for (let i = 0; i < out.length; i++) {
    const s = i >= at && i - at < x.length ? x[i - at] * gain : 0;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(s + floor * (2 * r() - 1))));
  }
  return out;
}

/** The voice's clip of `word` (synthesised into dir once), as the scenes play it. */
export function commandClip(dir: string, v: CommandVoice, word: string): string {
  return synth(dir, v.engine, v.voice, word);
}

/** What the app takes as the command for a clean clip (null: nothing). */
export async function cleanCommand(file: string): Promise<string | null> {
  return commandAfter(cleanPcm(file), 0);
}

export interface CleanResult extends CommandVoice {
  word: string;
  heard: string | null;
}

/** Every candidate's ten words, clean. */
export async function cleanResults(
  dir: string,
  candidates: CommandVoice[] = CANDIDATES,
  log: (s: string) => void = () => undefined,
): Promise<CleanResult[]> {
  const out: CleanResult[] = [];
  const seen = new Map<string, string>();
  for (const v of candidates) {
    // A voice that is another's audio byte for byte (a variant the engine ignored) is one voice.
    const h = createHash("sha256");
    for (const word of TEN_WORDS) h.update(readFileSync(commandClip(dir, v, word)));
    const key = h.digest("hex");
    const same = seen.get(key);
    if (same) {
      log(`${v.engine} ${v.voice}: the same audio as ${same}, left out`);
      continue;
    }
    seen.set(key, `${v.engine} ${v.voice}`);
    for (const word of TEN_WORDS)
      out.push({ ...v, word, heard: await cleanCommand(commandClip(dir, v, word)) });
    const mine = out.slice(-TEN_WORDS.length);
    log(`${v.engine} ${v.voice}: ${mine.map((r) => `${r.word}=${r.heard ?? "-"}`).join(" ")}`);
  }
  return out;
}

/** The rule: per word, the voices heard right clean, in the candidates' order. */
export function pickPools(results: CleanResult[]): Record<string, CommandVoice[]> {
  const pools: Record<string, CommandVoice[]> = {};
  for (const r of results)
    if (r.heard === r.word) (pools[r.word] ??= []).push({ engine: r.engine, voice: r.voice });
  return pools;
}

/** The committed pools (command-voices.json, written by `--write`). */
export function loadPools(): Record<string, CommandVoice[]> {
  const file = new URL("./command-voices.json", import.meta.url);
  return JSON.parse(readFileSync(file, "utf8")).pools;
}

export const poolsFile = (root: string) =>
  path.join(root, "apps/voice-control/eval/command-voices.json");
