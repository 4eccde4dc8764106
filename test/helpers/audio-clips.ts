// The 1 s, 16 kHz test clips for the MLPerf front ends: the fixtures' Speech Commands clips and
// the espeak-ng command words under test/fixtures/audio (see make-espeak.ts there).
import path from "node:path";
import { readWav } from "../../emulator/inputs/wav.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

export interface Clip {
  name: string;
  pcm: Int16Array;
  /** the word said, or "silence" / "unknown" */ word: string;
}

const SHARED = path.join(PROJECT_ROOT, "..", "shared", "fixtures");
const AUDIO = path.join(PROJECT_ROOT, "test", "fixtures", "audio");
export const COMMAND_WORDS = [
  "down",
  "go",
  "left",
  "no",
  "off",
  "on",
  "right",
  "stop",
  "up",
  "yes",
];

/** 16-bit PCM of the first channel, exactly 16000 samples (cut or zero-padded), through the
 *  emulator's own WAV reader (emulator/inputs/wav.ts). */
export function readClip(file: string): Int16Array {
  const wav = readWav(file);
  if (wav.sampleRate !== 16000) throw new Error(`${file}: want 16 kHz, got ${wav.sampleRate} Hz`);
  const x = wav.channels[0];
  const out = new Int16Array(16000);
  for (let i = 0; i < Math.min(16000, x.length); i++)
    out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768)));
  return out;
}

export function testClips(): Clip[] {
  const clips: Clip[] = [
    {
      name: "yes_1000ms.wav",
      pcm: readClip(path.join(SHARED, "tflite-micro", "yes_1000ms.wav")),
      word: "yes",
    },
    {
      name: "no_1000ms.wav",
      pcm: readClip(path.join(SHARED, "tflite-micro", "no_1000ms.wav")),
      word: "no",
    },
    {
      name: "silence_1000ms.wav",
      pcm: readClip(path.join(SHARED, "tflite-micro", "silence_1000ms.wav")),
      word: "silence",
    },
    {
      name: "noise_1000ms.wav",
      pcm: readClip(path.join(SHARED, "tflite-micro", "noise_1000ms.wav")),
      word: "silence",
    },
    {
      name: "marvin_617de221_0.wav",
      pcm: readClip(path.join(SHARED, "mlcommons-tiny", "marvin_617de221_0.wav")),
      word: "marvin",
    },
  ];
  for (const w of COMMAND_WORDS)
    clips.push({
      name: `espeak_${w}.wav`,
      pcm: readClip(path.join(AUDIO, `espeak_${w}.wav`)),
      word: w,
    });
  return clips;
}
