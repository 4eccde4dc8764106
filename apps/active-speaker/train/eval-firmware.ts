// Held-out auROC through the firmware's int8 engine: every held-out face-frame of the committed
// model's held-out set (model/training.json) is quantised as the app quantises its crops and
// log-mel hops, run through the engine on an emulated board (firmware/runner: the same engine
// the app links, with the NPU on MCX N947), and scored per head. Each output byte is compared
// with TFLite's own runtime (@tensorflow/tfjs-tflite) on the same int8 inputs, so "the same
// decisions" is checked, not assumed.
//
//   npm run eval:active-speaker [-- --board rt1170] [--limit N]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadTarget } from "../../../emulator/board.ts";
import { runModel } from "../../../emulator/model/runner.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";
import { AUDIO_SIZE, VIDEO_SIZE, makeSet, type SetSpec } from "./dataset.ts";
import { quantizeInput, type QuantParams } from "./quantize.ts";
import { auroc } from "./auroc.ts";

const MODEL_DIR = fileURLToPath(new URL("../model/", import.meta.url));
const HEADS = ["fused", "video", "audio"] as const;
/** Input sets per emulator boot (keeps the input partition a few MB). */
const CHUNK = 400;

interface Training {
  heldOutSet: SetSpec;
  input: { video: QuantParams; audio: QuantParams };
  outputs: Record<(typeof HEADS)[number], QuantParams>;
}

export interface FirmwareAuroc {
  board: string;
  npu: boolean;
  frames: number;
  auroc: Record<(typeof HEADS)[number], number>;
  /** Face-frames whose three int8 outputs equal TFLite's runtime byte for byte. */
  sameAsTflite: number;
  /** Face-frames where the fused decision (probability >= 0.5) equals TFLite's runtime. */
  sameDecision: number;
}

export async function evalFirmware(
  boards: { board: string; npu: boolean }[],
  limit = Infinity,
  log: (s: string) => void = () => {},
): Promise<FirmwareAuroc[]> {
  const training = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8"));
  const t = training as Training;
  const model = new Uint8Array(readFileSync(path.join(MODEL_DIR, "asd_int8.tflite")));
  const held = makeSet(t.heldOutSet);
  const n = Math.min(limit, held.count);
  const qv = quantizeInput(held.video.subarray(0, n * VIDEO_SIZE), t.input.video);
  const qa = quantizeInput(held.audio.subarray(0, n * AUDIO_SIZE), t.input.audio);
  const sets = Array.from({ length: n }, (_, i) => {
    const s = new Uint8Array(VIDEO_SIZE + AUDIO_SIZE);
    s.set(new Uint8Array(qv.buffer, i * VIDEO_SIZE, VIDEO_SIZE), 0);
    s.set(new Uint8Array(qa.buffer, i * AUDIO_SIZE, AUDIO_SIZE), VIDEO_SIZE);
    return s;
  });
  const ref = await loadReference(model);
  const refOut = sets.map((_, i) =>
    ref.run([
      qv.subarray(i * VIDEO_SIZE, (i + 1) * VIDEO_SIZE),
      qa.subarray(i * AUDIO_SIZE, (i + 1) * AUDIO_SIZE),
    ]),
  );
  ref.dispose();
  const logit = (h: (typeof HEADS)[number], byte: number) =>
    (((byte << 24) >> 24) - t.outputs[h].zeroPoint) * t.outputs[h].scale;
  const results: FirmwareAuroc[] = [];
  for (const { board, npu } of boards) {
    const target = loadTarget(board);
    const scores = Object.fromEntries(HEADS.map((h) => [h, new Float32Array(n)])) as Record<
      (typeof HEADS)[number],
      Float32Array
    >;
    let same = 0,
      sameDecision = 0;
    for (let at = 0; at < n; at += CHUNK) {
      const run = await runModel(model, sets.slice(at, at + CHUNK), target, {
        name: "asd_int8.tflite",
        cpuOnly: !npu,
      });
      run.inferences.forEach((inf, j) => {
        const i = at + j;
        HEADS.forEach((h, k) => (scores[h][i] = logit(h, inf.outputs[k][0])));
        const r = refOut[i];
        if (HEADS.every((_, k) => inf.outputs[k][0] === (r[k][0] & 0xff))) same++;
        if (scores.fused[i] >= 0 === logit("fused", r[0][0] & 0xff) >= 0) sameDecision++;
      });
      log(`  ${board}${npu ? "" : " (CPU only)"}: ${Math.min(n, at + CHUNK)}/${n} face-frames`);
    }
    results.push({
      board,
      npu,
      frames: n,
      auroc: Object.fromEntries(HEADS.map((h) => [h, auroc(scores[h], held.face)])) as Record<
        (typeof HEADS)[number],
        number
      >,
      sameAsTflite: same,
      sameDecision,
    });
  }
  return results;
}

export function formatFirmwareAuroc(r: FirmwareAuroc): string {
  const a = r.auroc;
  return (
    `${r.board}${r.npu ? "" : " (CPU only)"}: held-out auROC through the firmware engine: ` +
    `fused ${a.fused.toFixed(4)}, video ${a.video.toFixed(4)}, audio ${a.audio.toFixed(4)}; ` +
    `${r.sameAsTflite}/${r.frames} face-frames byte-identical to TFLite's runtime, ` +
    `${r.sameDecision}/${r.frames} the same fused decision`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseArgs({
    options: { board: { type: "string", multiple: true }, limit: { type: "string" } },
  });
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit >= 1)) {
    console.error(`eval: --limit must be a positive number, got '${values.limit}'`);
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
  for (const r of await evalFirmware(list, limit, (s) => console.log(s)))
    console.log(formatFirmwareAuroc(r));
}
