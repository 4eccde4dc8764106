// Held-out auROC through the firmware's int8 engine: every held-out face-frame of the committed
// model's held-out set (model/training.json) is quantised as the app quantises its crops and
// log-mel hops, run through the engine on an emulated board (firmware/runner: the same engine
// the app links, with the NPU on MCX N947), and scored per head. Each output byte is compared
// with TFLite's own runtime (@tensorflow/tfjs-tflite) on the same int8 inputs, so "the same
// decisions" is checked, not assumed. With every face-frame (--every 1) each head is also
// scored smoothed per track over time as the app smooths it (smoothing.ts).
// With --cue (and every face-frame) the direction cue is computed by the firmware too
// (firmware-cue.ts: firmware/dsp/srp-cue.ts on the board, from the board's array as the emulator
// mounts it, on each held-out meeting's rendered microphones) and fused with the firmware's
// logits by the app's weights (fusion.txt); beside it the host's cue (direction-cue.ts) fused
// with TFLite's logits, the figure measure-direction.ts reports.
//
//   npm run eval:active-speaker [-- --board rt1170] [--every K: every K-th face-frame] [--model DIR] [--cue]
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
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
import { auroc } from "./auroc.ts";
import { APP_SMOOTH, smoothPerTrack } from "./smoothing.ts";
import { K_HI } from "./direction-cue.ts";
import { boardArray, meetingCues } from "./measure-direction.ts";
import { firmwareHopSrp } from "./firmware-cue.ts";
import { fuseWithCue, fusionWeightsFor } from "./fusion-weights.ts";

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
  /** With --cue: the model's fused output fused again with the direction cue (fusion.txt). */
  cue?: CueScores;
}

export interface CueScores {
  array: string;
  /** The firmware's cue and the firmware's logits; the host's cue and TFLite's logits. */
  firmware: { raw: number; smoothed: number; cueAlone: number };
  host: { raw: number; smoothed: number; cueAlone: number };
  /** Largest |firmware cue - host cue| over the face-frames, and of the fused logits. */
  maxCueDiff: number;
  maxFusedDiff: number;
  /** Face-frames where the fused-with-cue decision (logit >= 0) is the host's. */
  sameDecision: number;
}

export async function evalFirmware(
  boards: { board: string; npu: boolean }[],
  every = 1,
  log: (s: string) => void = () => {},
  modelDir = MODEL_DIR,
  withCue = false,
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
    const cue =
      withCue && every === 1
        ? await cueScores(board, t.heldOutSet, held.tracks, labels, scores, ref.logits, log)
        : undefined;
    results.push({
      board,
      npu,
      frames: n,
      auroc: r.raw,
      ...(r.smoothed ? { smoothed: r.smoothed } : {}),
      sameAsTflite: same,
      withinOne,
      sameDecision,
      ...(cue ? { cue } : {}),
    });
  }
  return results;
}

/** The held-out face-frames fused with the direction cue, the firmware's and the host's. */
async function cueScores(
  board: string,
  set: SetSpec,
  tracks: Int32Array,
  labels: number[],
  fw: Record<Head, Float32Array>,
  host: Record<Head, Float32Array>,
  log: (s: string) => void,
): Promise<CueScores> {
  const which = board === "rt1170" ? "rt1170" : "tri";
  const array = boardArray(which);
  const w = fusionWeightsFor(array.positionsMm.length);
  const fwCue = await meetingCues(set, 0, set.scenes, array, K_HI, log, false, (c, m, a) =>
    firmwareHopSrp(c, m, a, board),
  );
  const hostCue = await meetingCues(set, 0, set.scenes, array, K_HI, () => {});
  const n = labels.length;
  const fwFused = Float64Array.from({ length: n }, (_, i) =>
    fuseWithCue(w, fw.fused[i], fwCue[i], fw.audio[i]),
  );
  const hostFused = Float64Array.from({ length: n }, (_, i) =>
    fuseWithCue(w, host.fused[i], hostCue[i], host.audio[i]),
  );
  const smoothed = (x: Float64Array) =>
    auroc(smoothPerTrack(x, tracks, { kind: "exponential", weight: APP_SMOOTH }), labels);
  let maxCueDiff = 0,
    maxFusedDiff = 0,
    same = 0;
  for (let i = 0; i < n; i++) {
    maxCueDiff = Math.max(maxCueDiff, Math.abs(fwCue[i] - hostCue[i]));
    maxFusedDiff = Math.max(maxFusedDiff, Math.abs(fwFused[i] - hostFused[i]));
    if (fwFused[i] >= 0 === hostFused[i] >= 0) same++;
  }
  return {
    array: which,
    firmware: {
      raw: auroc(fwFused, labels),
      smoothed: smoothed(fwFused),
      cueAlone: auroc(fwCue, labels),
    },
    host: {
      raw: auroc(hostFused, labels),
      smoothed: smoothed(hostFused),
      cueAlone: auroc(hostCue, labels),
    },
    maxCueDiff,
    maxFusedDiff,
    sameDecision: same,
  };
}

export function formatFirmwareAuroc(r: FirmwareAuroc): string {
  return (
    `${r.board}${r.npu ? "" : " (CPU only)"}: held-out auROC through the firmware engine: ` +
    `${formatScores(r.auroc)}; ` +
    (r.smoothed ? `smoothed as the app: ${formatScores(r.smoothed)}; ` : "") +
    `${r.sameAsTflite}/${r.frames} face-frames byte-identical to TFLite's runtime ` +
    `(${r.withinOne} within one int8 step on every head), ` +
    `${r.sameDecision}/${r.frames} the same fused decision` +
    (r.cue
      ? `\n  fused with the direction cue (${r.cue.array}, fusion.txt): firmware raw ${r.cue.firmware.raw.toFixed(4)}, ` +
        `smoothed ${r.cue.firmware.smoothed.toFixed(4)} (cue alone ${r.cue.firmware.cueAlone.toFixed(4)}); ` +
        `host raw ${r.cue.host.raw.toFixed(4)}, smoothed ${r.cue.host.smoothed.toFixed(4)} (cue alone ${r.cue.host.cueAlone.toFixed(4)}); ` +
        `largest |firmware - host| cue ${r.cue.maxCueDiff.toExponential(2)}, fused logit ${r.cue.maxFusedDiff.toExponential(2)}; ` +
        `${r.cue.sameDecision}/${r.frames} the same decision`
      : "")
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("eval:active-speaker", {
    options: {
      board: { type: "string", multiple: true },
      every: { type: "string" },
      model: { type: "string" },
      cue: { type: "boolean" },
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
  if (values.cue && every !== 1) {
    console.error("eval: --cue needs every face-frame (--every 1)");
    process.exit(2);
  }
  for (const r of await evalFirmware(list, every, (s) => console.log(s), dir, !!values.cue))
    console.log(formatFirmwareAuroc(r));
}
