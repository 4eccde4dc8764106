// Where the whole app's auROC goes with the face detector (host side): the committed int8 model
// in TFLite's runtime on the same meetings' mouth crops cut at the exact seat boxes (what it was
// trained on) and at the boxes the app's detector and tracker give (detector-boxes.ts), and how
// far those boxes sit from the true head: centre offset in true half widths, its median and 90th
// percentile, the mean vertical bias, the frame-to-frame jitter of the offset within a track,
// and the size error.
//
//   npx tsx apps/active-speaker/train/measure-crops.ts [--set heldout|validation] [--model FILE]
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadDetector } from "./detector-boxes.ts";
import type { SetSpec } from "./dataset.ts";
import { MODEL_DIR } from "./eval-firmware.ts";
import {
  formatScores,
  loadMeetings,
  quantizedInputs,
  scoreHeads,
  tfliteOutputs,
  type Meetings,
} from "./evaluate.ts";

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** The detector boxes' error over a set of meetings' samples (dataset.ts detectorError). */
export function boxErrors(m: Meetings): {
  medianCentre: number;
  p90Centre: number;
  meanDy: number;
  medianJitter: number;
  medianSize: number;
} {
  const e = m.samples.detectorError!;
  const centre: number[] = [],
    dy: number[] = [],
    size: number[] = [],
    jitter: number[] = [];
  const last = new Map<number, [number, number]>();
  for (let k = 0; k < m.samples.count; k++) {
    const [x, y, s] = [e[3 * k], e[3 * k + 1], e[3 * k + 2]];
    centre.push(Math.hypot(x, y));
    dy.push(y);
    size.push(Math.abs(s - 1));
    const before = last.get(m.tracks[k]);
    if (before) jitter.push(Math.hypot(x - before[0], y - before[1]));
    last.set(m.tracks[k], [x, y]);
  }
  return {
    medianCentre: quantile(centre, 0.5),
    p90Centre: quantile(centre, 0.9),
    meanDy: dy.reduce((a, b) => a + b, 0) / dy.length,
    medianJitter: quantile(jitter, 0.5),
    medianSize: quantile(size, 0.5),
  };
}

/** auROC of the model's heads on the exact-box crops and on the detector's crops. */
export async function cropAuroc(model: Uint8Array, training: any, m: Meetings) {
  const q = training.input;
  const outputs = training.outputs;
  const all = Array.from({ length: m.samples.count }, (_, i) => i);
  const exact = await tfliteOutputs(model, quantizedInputs(m.samples, all, q), outputs);
  const detSamples = { ...m.samples, video: m.samples.videoDetector! };
  const det = await tfliteOutputs(model, quantizedInputs(detSamples, all, q), outputs);
  return {
    exact: scoreHeads(exact.logits, m.samples.face, m.tracks),
    detector: scoreHeads(det.logits, m.samples.face, m.tracks),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseScriptArgs("measure-crops", {
    options: { set: { type: "string", default: "heldout" }, model: { type: "string" } },
  });
  const modelFile = path.resolve(values.model ?? path.join(MODEL_DIR, "asd_int8.tflite"));
  const training = JSON.parse(
    readFileSync(path.join(path.dirname(modelFile), "training.json"), "utf8"),
  );
  let set: SetSpec, from: number, to: number;
  if (values.set === "heldout")
    [set, from, to] = [training.heldOutSet, 0, training.heldOutSet.scenes];
  else if (values.set === "validation") {
    set = training.trainSet;
    [from, to] = [set.scenes - (training.validationScenes ?? 4), set.scenes];
  } else {
    console.error(`measure-crops: --set must be heldout or validation, not '${values.set}'`);
    process.exit(2);
  }
  const detector = await loadDetector();
  const m = loadMeetings(set, from, to, (s) => console.error(s), detector);
  const err = boxErrors(m);
  console.log(
    `${values.set}: ${m.samples.count} face-frames; detector + tracker boxes: centre error median ${err.medianCentre.toFixed(3)} / p90 ${err.p90Centre.toFixed(3)} half widths, ` +
      `mean vertical offset ${err.meanDy.toFixed(3)} (+ = below), frame-to-frame jitter median ${err.medianJitter.toFixed(3)}, size error median ${(100 * err.medianSize).toFixed(1)} %`,
  );
  const r = await cropAuroc(new Uint8Array(readFileSync(modelFile)), training, m);
  for (const [name, s] of Object.entries(r))
    console.log(
      `  ${name.padEnd(8)} crops: raw ${formatScores(s.raw)}; smoothed ${formatScores(s.smoothed!)}`,
    );
}
