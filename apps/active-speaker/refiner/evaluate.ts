// How far boxes sit from the true heads, and the refiner applied to them: the figures the
// face detector's README reports (within the crop tolerance of 0.25 true half widths, centre
// error median and p90 in true half widths, size error median), so that the detector alone and
// the detector + refiner compare directly.
import { CROP_TOLERANCE } from "../detector/train.ts";
import { FRAME_H, FRAME_W } from "../detector/frames.ts";
import { applyCorrection, cropInput, CROP, type Box } from "./crop.ts";

export interface BoxScore {
  boxes: number;
  withinTolerance: number;
  medianCentreError: number;
  p90CentreError: number;
  medianSizeError: number;
}

const at = (xs: number[], p: number) => (xs.length ? xs[Math.floor(p * (xs.length - 1))] : 0);

export function scoreBoxes(boxes: Box[], truths: Box[]): BoxScore {
  const centre = boxes.map(
    (b, i) => Math.hypot(b.cx - truths[i].cx, b.cy - truths[i].cy) / truths[i].hw,
  );
  const size = boxes.map((b, i) => Math.abs(b.hw - truths[i].hw) / truths[i].hw);
  const sorted = [...centre].sort((a, b) => a - b);
  return {
    boxes: boxes.length,
    withinTolerance: boxes.length
      ? centre.filter((e) => e <= CROP_TOLERANCE).length / boxes.length
      : 0,
    medianCentreError: at(sorted, 0.5),
    p90CentreError: at(sorted, 0.9),
    medianSizeError: at(
      [...size].sort((a, b) => a - b),
      0.5,
    ),
  };
}

export const describeScore = (s: BoxScore) =>
  `${s.boxes} boxes: within ${CROP_TOLERANCE} half widths ${s.withinTolerance.toFixed(3)}, centre error median ${s.medianCentreError.toFixed(3)} p90 ${s.p90CentreError.toFixed(3)}, size error median ${(s.medianSizeError * 100).toFixed(1)} %`;

/** A refiner: int8 crops (count x CROP x CROP) to corrections (count x 3). */
export type RefineBatch = (crops: Int8Array, count: number) => Float32Array;

/** Each box refined `passes` times, each pass cropping again at the last pass's box. */
export function refineBoxes(
  frames: Uint8Array[],
  boxes: Box[],
  passes: number,
  run: RefineBatch,
): Box[] {
  let now = boxes;
  const crops = new Int8Array(boxes.length * CROP * CROP);
  for (let p = 0; p < passes; p++) {
    now.forEach((b, i) =>
      cropInput(
        frames[i],
        FRAME_W,
        FRAME_H,
        b,
        crops.subarray(i * CROP * CROP, (i + 1) * CROP * CROP),
      ),
    );
    const c = run(crops, now.length);
    now = now.map((b, i) => applyCorrection(b, c[3 * i], c[3 * i + 1], c[3 * i + 2]));
  }
  return now;
}
