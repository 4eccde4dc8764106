// The fusion partition (fusion.txt, read by the firmware's fusion.ts): per microphone array the
// late fusion of the model's fused logit with the direction cue, fitted on the validation
// meetings (measure-direction.ts --write). One line per array, "mics w_fused w_cue w_cue_audio
// bias"; '#' starts a comment. The host reads the same file, so both fuse with the same numbers.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const FUSION_FILE = fileURLToPath(new URL("../fusion.txt", import.meta.url));

export interface FusionWeights {
  mics: number;
  wFused: number;
  wCue: number;
  wCueAudio: number;
  bias: number;
}

/** The fused logit with the cue, as fusion.ts Fusion.apply computes it (in f32 there). */
export const fuseWithCue = (w: FusionWeights, fused: number, cue: number, audio: number) =>
  w.wFused * fused + w.wCue * cue + w.wCueAudio * cue * Math.max(0, audio) + w.bias;

export function parseFusionFile(text: string, where = "fusion.txt"): FusionWeights[] {
  const out: FusionWeights[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const v = line.split(/\s+/).map(Number);
    if (v.length !== 5 || v.some((x) => !Number.isFinite(x)))
      throw new Error(`${where} line ${i + 1}: want 'mics w_fused w_cue w_cue_audio bias'`);
    out.push({ mics: v[0], wFused: v[1], wCue: v[2], wCueAudio: v[3], bias: v[4] });
  });
  return out;
}

/** The weights for an array of `mics` microphones in the committed file (the first such line). */
export function fusionWeightsFor(mics: number, file = FUSION_FILE): FusionWeights {
  const w = parseFusionFile(readFileSync(file, "utf8"), file).find((x) => x.mics === mics);
  if (!w) throw new Error(`${file}: no line for ${mics} microphones`);
  return w;
}

/** The committed file's lines with the comment line above each (as writeFusionFile wrote them). */
export function readFusionFile(file = FUSION_FILE): { weights: FusionWeights; comment: string }[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: { weights: FusionWeights; comment: string }[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === "" || raw.trim().startsWith("#")) return;
    const [weights] = parseFusionFile(raw, `${file} line ${i + 1}`);
    const above = lines[i - 1]?.trim() ?? "";
    out.push({ weights, comment: above.startsWith("#") ? above.replace(/^#\s*/, "") : "" });
  });
  return out;
}

const num = (x: number) => x.toFixed(5);

/** The file's header: how its lines were fitted (measure-direction.ts and fit-app-fusion.ts write it). */
export const FUSION_HEADER = [
  "Late fusion of the ASD model's fused logit with the direction cue, one line per microphone",
  "array (apps/active-speaker/fusion.ts reads the line whose microphone count is the board's).",
  "Logistic regressions fitted on the 4 validation meetings only (train/logistic.ts), by",
  "npx tsx apps/active-speaker/train/measure-direction.ts --write (host crops) or, where the",
  "line says so, train/fit-app-fusion.ts --write (the app's own face-frames, emulated).",
];

export function writeFusionFile(
  lines: { weights: FusionWeights; comment: string }[],
  header: string[],
  file = FUSION_FILE,
): void {
  const text = [
    ...header.map((h) => `# ${h}`),
    "# mics w_fused w_cue w_cue_audio bias",
    ...lines.flatMap(({ weights: w, comment }) => [
      `# ${comment}`,
      [w.mics, num(w.wFused), num(w.wCue), num(w.wCueAudio), num(w.bias)].join(" "),
    ]),
    "",
  ].join("\n");
  writeFileSync(file, text);
}
