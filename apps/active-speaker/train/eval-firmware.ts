// Held-out auROC through the firmware's int8 engine: every held-out face-frame of the committed
// model's held-out set (model/training.json) is quantised as the app quantises its crops and
// log-mel hops, run through the engine on an emulated board (firmware/runner: the same engine
// the app links, with the NPU on MCX N947), and scored per head. Each output byte is compared
// with TFLite's own runtime (@tensorflow/tfjs-tflite) on the same int8 inputs, so "the same
// decisions" is checked, not assumed. With every face-frame (--every 1) each head is also
// scored smoothed per track over time as the app smooths it (smoothing.ts).
//
//   npm run eval:active-speaker [-- --board rt1170] [--every K: every K-th face-frame] [--model DIR]
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadTarget } from "../../../emulator/board.ts";
import { runModel } from "../../../emulator/model/runner.ts";
import { AUDIO_SIZE, VIDEO_SIZE, type SetSpec } from "./dataset.ts";
import type { QuantParams } from "./quantize.ts";
import {
  HEADS,
  formatScores,
  loadMeetings,
  logitsOf,
  quantizedInputs,
  scoreHeads,
  tfliteOutputs,
  type Head,
  type HeadScores,
} from "./evaluate.ts";

export const MODEL_DIR = fileURLToPath(new URL("../model/", import.meta.url));
/** Input sets per emulator boot (keeps the input partition a few MB). */
const CHUNK = 400;

interface Training {
  heldOutSet: SetSpec;
  input: { video: QuantParams; audio: QuantParams };
  outputs: Record<Head, QuantParams>;
}

export interface FirmwareAuroc {
  board: string;
  npu: boolean;
  frames: number;
  auroc: HeadScores;
  /** With every face-frame (--every 1): each head smoothed per track as the app smooths it. */
  smoothed?: HeadScores;
  /** Face-frames whose three int8 outputs equal TFLite's runtime byte for byte. */
  sameAsTflite: number;
  /** Face-frames whose three outputs are within 1 (int8 step) of TFLite's runtime. */
  withinOne: number;
  /** Face-frames where the fused decision (probability >= 0.5) equals TFLite's runtime. */
  sameDecision: number;
}

export async function evalFirmware(
  boards: { board: string; npu: boolean }[],
  every = 1,
  log: (s: string) => void = () => {},
  modelDir = MODEL_DIR,
): Promise<FirmwareAuroc[]> {
  const t = JSON.parse(readFileSync(path.join(modelDir, "training.json"), "utf8")) as Training;
  const model = new Uint8Array(readFileSync(path.join(modelDir, "asd_int8.tflite")));
  const held = loadMeetings(t.heldOutSet, 0, t.heldOutSet.scenes);
  // Every `every`-th face-frame, spread over all held-out scenes; smoothing needs them all.
  const pick = Array.from({ length: Math.ceil(held.samples.count / every) }, (_, i) => i * every);
  const n = pick.length;
  const labels = pick.map((i) => held.samples.face[i]);
  const inputs = quantizedInputs(held.samples, pick, t.input);
  const sets = inputs.map(({ video, audio }) => {
    const s = new Uint8Array(VIDEO_SIZE + AUDIO_SIZE);
    s.set(new Uint8Array(video.buffer, video.byteOffset, VIDEO_SIZE), 0);
    s.set(new Uint8Array(audio.buffer, audio.byteOffset, AUDIO_SIZE), VIDEO_SIZE);
    return s;
  });
  const ref = await tfliteOutputs(model, inputs, t.outputs);
  const logit = (h: Head, byte: number) => (byte - t.outputs[h].zeroPoint) * t.outputs[h].scale;
  const results: FirmwareAuroc[] = [];
  for (const { board, npu } of boards) {
    const target = loadTarget(board);
    const scores = logitsOf(n);
    let same = 0,
      withinOne = 0,
      sameDecision = 0;
    for (let at = 0; at < n; at += CHUNK) {
      const run = await runModel(model, sets.slice(at, at + CHUNK), target, {
        name: "asd_int8.tflite",
        cpuOnly: !npu,
      });
      run.inferences.forEach((inf, j) => {
        const i = at + j;
        const got = HEADS.map((_, k) => (inf.outputs[k][0] << 24) >> 24);
        HEADS.forEach((h, k) => (scores[h][i] = logit(h, got[k])));
        const diff = got.map((b, k) => Math.abs(b - ref.bytes[i][k]));
        if (diff.every((d) => d === 0)) same++;
        if (diff.every((d) => d <= 1)) withinOne++;
        if (scores.fused[i] >= 0 === ref.logits.fused[i] >= 0) sameDecision++;
      });
      log(`  ${board}${npu ? "" : " (CPU only)"}: ${Math.min(n, at + CHUNK)}/${n} face-frames`);
    }
    const r = scoreHeads(scores, labels, every === 1 ? held.tracks : null);
    results.push({
      board,
      npu,
      frames: n,
      auroc: r.raw,
      ...(r.smoothed ? { smoothed: r.smoothed } : {}),
      sameAsTflite: same,
      withinOne,
      sameDecision,
    });
  }
  return results;
}

export function formatFirmwareAuroc(r: FirmwareAuroc): string {
  return (
    `${r.board}${r.npu ? "" : " (CPU only)"}: held-out auROC through the firmware engine: ` +
    `${formatScores(r.auroc)}; ` +
    (r.smoothed ? `smoothed as the app: ${formatScores(r.smoothed)}; ` : "") +
    `${r.sameAsTflite}/${r.frames} face-frames byte-identical to TFLite's runtime ` +
    `(${r.withinOne} within one int8 step on every head), ` +
    `${r.sameDecision}/${r.frames} the same fused decision`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      board: { type: "string", multiple: true },
      every: { type: "string" },
      model: { type: "string" },
    },
  });
  const every = Number(values.every ?? 1);
  if (!(Number.isInteger(every) && every >= 1)) {
    console.error(`eval: --every must be a positive integer, got '${values.every}'`);
    process.exit(2);
  }
  const boards = values.board ?? ["rt1060", "rt1170", "mcxn947"];
  for (const b of boards) {
    try {
      loadTarget(b);
    } catch (e) {
      console.error(`eval: ${(e as Error).message}`);
      process.exit(2);
    }
  }
  const list = boards.map((board) => ({ board, npu: true }));
  const dir = path.resolve(values.model ?? MODEL_DIR);
  if (!existsSync(path.join(dir, "training.json"))) {
    console.error(`eval: no training.json in ${dir}`);
    process.exit(2);
  }
  for (const r of await evalFirmware(list, every, (s) => console.log(s), dir))
    console.log(formatFirmwareAuroc(r));
}
