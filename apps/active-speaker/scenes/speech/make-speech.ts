// Makes the synthetic speech clips beside this file: short meeting sentences from two
// engines (eSpeak NG with several voice variants, Flite with its built-in voices), resampled
// to 16 kHz (wavefile's windowed-sinc resampler), leading/trailing silence trimmed to 50 ms,
// 16-bit mono. The clips of voices marked `heldOut` are never used for training the model.
// Run: npx tsx apps/active-speaker/scenes/speech/make-speech.ts   (needs espeak-ng and flite)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import wavefile from "wavefile";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Voice {
  name: string;
  engine: "espeak-ng" | "flite";
  voice: string;
  speed?: number;
  heldOut?: boolean;
}

export const VOICES: Voice[] = [
  { name: "es-us-m1", engine: "espeak-ng", voice: "en-us+m1", speed: 150 },
  { name: "es-gb-f3", engine: "espeak-ng", voice: "en-gb+f3", speed: 145 },
  { name: "es-us-m3", engine: "espeak-ng", voice: "en-us+m3", speed: 165 },
  { name: "es-sc-f2", engine: "espeak-ng", voice: "en-gb-scotland+f2", speed: 140 },
  { name: "es-rp-f4", engine: "espeak-ng", voice: "en-gb-x-rp+f4", speed: 155 },
  { name: "es-cb-m2", engine: "espeak-ng", voice: "en-029+m2", speed: 135 },
  { name: "es-ny-m4", engine: "espeak-ng", voice: "en-us-nyc+m4", speed: 170 },
  { name: "es-lc-f1", engine: "espeak-ng", voice: "en-gb-x-gbclan+f1", speed: 150 },
  { name: "fl-kal", engine: "flite", voice: "kal", heldOut: true },
  { name: "fl-slt", engine: "flite", voice: "slt", heldOut: true },
  // More eSpeak NG variants for training, appended so that the clips above keep their
  // sentences (the rotation follows the index). Festival's only voice here, kal_diphone, is
  // the speaker Flite's held-out kal voice was built from, so it is not used for training.
  { name: "es-us-kl", engine: "espeak-ng", voice: "en-us+klatt", speed: 150 },
  { name: "es-gb-an", engine: "espeak-ng", voice: "en-gb+Annie", speed: 160 },
  { name: "es-us-ad", engine: "espeak-ng", voice: "en-us+Andy", speed: 140 },
  { name: "es-gb-li", engine: "espeak-ng", voice: "en-gb+Linda", speed: 155 },
  { name: "es-us-st", engine: "espeak-ng", voice: "en-us+Steph", speed: 165 },
  { name: "es-rp-ed", engine: "espeak-ng", voice: "en-gb-x-rp+Edward", speed: 145 },
  { name: "es-us-f5", engine: "espeak-ng", voice: "en-us+female5", speed: 150 },
  { name: "es-en-mi", engine: "espeak-ng", voice: "en+Michael", speed: 135 },
];

export const SENTENCES = [
  "Let us look at the numbers for this quarter.",
  "I think the second option is cheaper.",
  "Can everyone hear me on the call?",
  "We should ship the board next week.",
  "Who is taking notes today?",
  "The prototype failed the heat test twice.",
  "Let me share my screen for a moment.",
  "Sorry, could you say that again please?",
];

function synthesise(v: Voice, text: string, out: string): void {
  if (v.engine === "espeak-ng") execFileSync("espeak-ng", ["-v", v.voice, "-s", String(v.speed ?? 150), "-w", out, text]);
  else execFileSync("flite", ["-voice", v.voice, "-t", text, "-o", out]);
}

function trimmed(s: Int16Array, rate: number): Int16Array {
  let a = 0, b = s.length;
  while (a < b && Math.abs(s[a]) < 300) a++;
  while (b > a && Math.abs(s[b - 1]) < 300) b--;
  const pad = Math.round(0.05 * rate);
  return s.slice(Math.max(0, a - pad), Math.min(s.length, b + pad));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "asd-speech-"));
  try {
    VOICES.forEach((v, vi) => {
      // Two sentences per voice (four per training voice: more for the model to generalise
      // from), rotating so that every sentence has several voices. The first four sentences
      // and clips -0, -1 are the original set; the held-out voices keep two each.
      for (const k of v.heldOut ? [0, 1] : [0, 1, 2, 3]) {
        const text = k < 2 ? SENTENCES[(vi + 2 * k) % 4] : SENTENCES[4 + ((vi + k) % 4)];
        const raw = path.join(tmp, `${v.name}-${k}.wav`);
        synthesise(v, text, raw);
        const wav = new wavefile.WaveFile(readFileSync(raw));
        wav.toSampleRate(16000, { method: "sinc" });
        wav.toBitDepth("16");
        const s = trimmed(wav.getSamples(false, Int16Array) as unknown as Int16Array, 16000);
        const clip = new wavefile.WaveFile();
        clip.fromScratch(1, 16000, "16", s);
        writeFileSync(path.join(here, `${v.name}-${k}.wav`), clip.toBuffer());
        console.log(`${v.name}-${k}.wav: ${(s.length / 16000).toFixed(2)} s "${text}"`);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
