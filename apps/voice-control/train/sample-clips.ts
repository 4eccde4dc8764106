// A held-out clip of each LED command, written to apps/voice-control/audio/ for tests and for
// trying the LED set on a board without the speech engines (CI has none). Every voice here is
// one the training never hears (dataset.ts HELD_OUT_VOICES).
//
//   npx tsx apps/voice-control/train/sample-clips.ts
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeWav } from "../../../emulator/inputs/wav.ts";
import { CLASSES, COMMAND_TEXT, HELD_OUT_VOICES } from "./dataset.ts";
import { SAMPLE_RATE, missingTools, synthesise } from "./synth.ts";

const AUDIO_DIR = fileURLToPath(new URL("../audio/", import.meta.url));
const PAD = Math.round(0.1 * SAMPLE_RATE);
/** Per command (COMMAND_TEXT order), the held-out voice that says it. */
const SPEAKERS = [
  "festival/kal_diphone",
  "flite/slt",
  "espeak-ng/en-gb-x-gbcwmd+f5",
  "espeak-ng/en-gb-x-gbclan+m7",
  "flite/slt",
];

export const clipFile = (label: number): string => `synth_${CLASSES[label].replace(" ", "_")}.wav`;

export function writeSampleClips(dir = AUDIO_DIR): string[] {
  return COMMAND_TEXT.map((text, label) => {
    const voice = HELD_OUT_VOICES.find((v) => `${v.engine}/${v.name}` === SPEAKERS[label])!;
    const speed = voice.engine === "festival" ? 1.25 : 1;
    const pcm = synthesise({ voice, text, speed, pitch: 50 });
    let a = 0;
    let b = pcm.length;
    let peak = 1;
    for (const v of pcm) peak = Math.max(peak, Math.abs(v));
    while (a < b && Math.abs(pcm[a]) < peak / 100) a++;
    while (b > a && Math.abs(pcm[b - 1]) < peak / 100) b--;
    const out = new Float64Array(b - a + 2 * PAD);
    for (let i = a; i < b; i++) out[PAD + i - a] = pcm[i] / 32768;
    const file = path.join(dir, clipFile(label));
    writeWav(file, { sampleRate: SAMPLE_RATE, channels: [out] });
    return `${path.basename(file)}: ${SPEAKERS[label]} "${text}"`;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const missing = missingTools();
  if (missing.length) {
    console.error(`sample-clips: speech synthesis needs ${missing.join(", ")} (not installed)`);
    process.exit(2);
  }
  for (const line of writeSampleClips()) console.log(line);
}
