// From the detector's output grid to faces, as the firmware's face-detector.ts does it: a cell
// whose objectness is at or above the threshold and not below any of its 8 neighbours (a tie
// goes to the cell scanned first) is a face; its centre is the cell's centre moved by the box
// head's (dx, dy) cell widths, its half width the box head's size x 16 px.
import { CELL, GRID_H, GRID_W, type Face } from "./frames.ts";

/** Objectness logit at or above which a cell is a face (probability 0.5). */
export const THRESHOLD_LOGIT = 0;

export function decode(
  obj: ArrayLike<number>,
  box: ArrayLike<number>,
  threshold = THRESHOLD_LOGIT,
): Face[] {
  const faces: Face[] = [];
  for (let gy = 0; gy < GRID_H; gy++)
    for (let gx = 0; gx < GRID_W; gx++) {
      const i = gy * GRID_W + gx;
      const v = obj[i];
      if (v < threshold) continue;
      let peak = true;
      for (let ny = gy - 1; ny <= gy + 1 && peak; ny++)
        for (let nx = gx - 1; nx <= gx + 1; nx++) {
          if (ny < 0 || nx < 0 || ny >= GRID_H || nx >= GRID_W || (nx === gx && ny === gy))
            continue;
          const j = ny * GRID_W + nx;
          // Earlier cells win ties, so a flat plateau gives one face.
          if (obj[j] > v || (obj[j] === v && j < i)) {
            peak = false;
            break;
          }
        }
      if (!peak) continue;
      faces.push({
        cx: (gx + 0.5 + box[3 * i]) * CELL,
        cy: (gy + 0.5 + box[3 * i + 1]) * CELL,
        hw: Math.max(2, box[3 * i + 2] * CELL),
      });
    }
  return faces;
}

export interface Matching {
  truths: number;
  detections: number;
  hits: number;
  /** Centre error of each hit over the true half width. */
  errors: number[];
  /** |hw - true hw| / true hw of each hit. */
  sizeErrors: number[];
}

/**
 * Greedy matching by centre distance: a detection is a hit when its centre is within
 * `radius` x the true half width of a face not matched yet (closest pairs first).
 */
export function match(found: Face[], truth: Face[], radius: number, into?: Matching): Matching {
  const m = into ?? { truths: 0, detections: 0, hits: 0, errors: [], sizeErrors: [] };
  m.truths += truth.length;
  m.detections += found.length;
  const pairs: [number, number, number][] = [];
  found.forEach((f, i) =>
    truth.forEach((t, j) => {
      const d = Math.hypot(f.cx - t.cx, f.cy - t.cy) / t.hw;
      if (d <= radius) pairs.push([d, i, j]);
    }),
  );
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const usedF = new Set<number>(),
    usedT = new Set<number>();
  for (const [d, i, j] of pairs) {
    if (usedF.has(i) || usedT.has(j)) continue;
    usedF.add(i);
    usedT.add(j);
    m.hits++;
    m.errors.push(d);
    m.sizeErrors.push(Math.abs(found[i].hw - truth[j].hw) / truth[j].hw);
  }
  return m;
}
