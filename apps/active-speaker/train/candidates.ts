// The int8 export of the net as it stands (calibration ranges, quantisation, our .tflite writer),
// and the candidate models a run with --candidates writes beside its own: the last step's weights
// and their means over the last 1, 2 and 3 epochs (weight-average.ts), each in its own directory
// with the training.json fields that measure-crops.ts and measure-direction.ts read, so that the
// averaging window is chosen on the validation meetings from one run per seed.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeTflite } from "../../../emulator/model/tflite-writer.ts";
import type { SetSpec } from "./dataset.ts";
import type { AsdNet } from "./model.ts";
import { calibrationRanges, quantizeNet, type Quantized } from "./quantize.ts";

export const MODEL_FILE = "asd_int8.tflite";
/** The averaging windows (epochs) a --candidates run writes. */
export const AVERAGE_CANDIDATES = [1, 2, 3];
const DESCRIPTION =
  "tinyboard active speaker: video (mouth crops) + audio (log-mel) branches, learned fusion; outputs fused, video, audio logits; int8";

/** Quantises the net's current weights with the calibration samples and writes the .tflite. */
export function exportInt8(
  net: AsdNet,
  video: Float32Array,
  audio: Float32Array,
  n: number,
): { q: Quantized; bytes: Uint8Array } {
  const q = quantizeNet(net, calibrationRanges(net, video, audio, n), DESCRIPTION);
  return { q, bytes: writeTflite(q.model) };
}

export interface CandidateMeta {
  trainSet: SetSpec;
  heldOutSet: SetSpec;
  validationScenes: number;
  seed: number;
  /** Epochs averaged; 0 = the last step's weights. */
  average: number;
}

/** Writes the net's current weights as a model directory (the .tflite and its training.json). */
export function writeCandidate(
  net: AsdNet,
  video: Float32Array,
  audio: Float32Array,
  n: number,
  dir: string,
  meta: CandidateMeta,
): void {
  const { q, bytes } = exportInt8(net, video, audio, n);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, MODEL_FILE), bytes);
  const training = {
    modelPath: MODEL_FILE,
    ...meta,
    input: { video: q.video, audio: q.audio },
    outputs: { fused: q.outputs[0], video: q.outputs[1], audio: q.outputs[2] },
  };
  writeFileSync(path.join(dir, "training.json"), JSON.stringify(training, null, 2) + "\n");
}
