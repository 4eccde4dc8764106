// Speech synthesised by the text-to-speech engines Debian packages (espeak-ng, flite, festival),
// resampled to 16 kHz mono int16 by sox. Each utterance is cached under build/voice-cmds/ by
// its recipe, so a second training run does not call the engines again. The engines are
// deterministic: the same recipe gives the same samples on every run.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SAMPLE_RATE = 16000;
export const ENGINES = ["espeak-ng", "flite", "festival"] as const;
export type Engine = (typeof ENGINES)[number];

/** A voice: engine, voice name (espeak-ng: language+variant), and how it is varied. */
export interface Voice {
  engine: Engine;
  name: string;
}

/** One utterance: a voice saying `text`, at a speed factor and a pitch 0-99 (50: the voice's own). */
export interface Utterance {
  voice: Voice;
  text: string;
  speed: number;
  pitch: number;
}

/** Bumped when how an utterance is made changes, so the cache cannot serve the old audio. */
const RECIPE_VERSION = 3;
const CACHE_DIR = fileURLToPath(new URL("../../../build/voice-cmds/", import.meta.url));
const TOOL_OF: Record<Engine, string> = {
  "espeak-ng": "espeak-ng",
  flite: "flite",
  festival: "text2wave",
};

/** The tools this machine lacks (empty when synthesis can run). */
export function missingTools(engines: readonly Engine[] = ENGINES): string[] {
  const need = [...new Set([...engines.map((e) => TOOL_OF[e]), "sox"])];
  return need.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
}

function run(cmd: string, args: string[], input?: string): Buffer {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

/** The engine's WAV (any rate) for an utterance, at its natural speed for flite/festival. */
function engineWav(u: Utterance, tmp: string): string {
  const wav = path.join(tmp, "engine.wav");
  if (u.voice.engine === "espeak-ng") {
    // espeak-ng varies speed (words per minute, default 175) and pitch itself.
    const wpm = String(Math.round(175 * u.speed));
    run("espeak-ng", ["-v", u.voice.name, "-s", wpm, "-p", String(u.pitch), "-w", wav, u.text]);
  } else if (u.voice.engine === "flite") {
    run("flite", ["-voice", u.voice.name, "-t", u.text, "-o", wav]);
  } else {
    run("text2wave", ["-eval", `(voice_${u.voice.name})`, "-o", wav], u.text);
  }
  return wav;
}

/** 16 kHz mono int16 samples of an utterance (cached). */
export function synthesise(u: Utterance): Int16Array {
  const recipe = JSON.stringify({ ...u, v: RECIPE_VERSION });
  const key = createHash("sha256").update(recipe).digest("hex").slice(0, 24);
  const cached = path.join(CACHE_DIR, `${key}.raw`);
  if (existsSync(cached)) return new Int16Array(new Uint8Array(readFileSync(cached)).buffer);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = path.join(CACHE_DIR, `tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const wav = engineWav(u, tmp);
  // flite and festival have no speed switch we trust across voices: sox's `speed` resamples
  // (tempo and pitch together, like a tape), then `rate` brings every engine to 16 kHz.
  // Their pitch: sox `pitch` in cents, 20 per step from 50 (so 30..70 spans -400..+400 cents,
  // a male voice reaching a female range), tempo kept.
  const cents = (u.pitch - 50) * 20;
  const effects =
    u.voice.engine === "espeak-ng"
      ? []
      : [
          ...(cents !== 0 ? ["pitch", String(cents)] : []),
          ...(u.speed !== 1 ? ["speed", String(u.speed)] : []),
        ];
  // -R: repeatable (sox seeds its dither randomly otherwise, and the bytes differ per run).
  const raw = run("sox", [
    "-R",
    wav,
    "-t",
    "raw",
    "-e",
    "signed",
    "-b",
    "16",
    "-c",
    "1",
    "-L",
    "-",
    ...effects,
    "rate",
    "-h",
    String(SAMPLE_RATE),
  ]);
  writeFileSync(cached, raw);
  return new Int16Array(new Uint8Array(raw).buffer);
}
