// Boxes placed as badly as the face detector places them, for training only. The committed
// detector and tracker put each face's box at a steady offset of its own (README "Box bias":
// on the 32 training meetings 0.103 true half widths above the head's centre on average and
// 0.05 to the right, half width 0.926 of the true one, the per-meeting vertical mean running
// from 0.47 above to 0.25 below, rms 0.31). The detector's own crops give the model only one
// such offset per trained face (about 86); these boxes draw more from that spread, steady for a
// whole meeting as a track's box is, so the model learns a mouth wherever the box puts it.
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { FRAME_H, FRAME_W, type SeatBox } from "./features.ts";

/** Jittered boxes per face per meeting (each a steady offset). */
export const JITTERS = 2;
/** Offset (true half widths, + = right / below) and log-size spread, from box-bias.ts's figures. */
const MEAN_DX = 0.05;
const SD_DX = 0.15;
const MEAN_DY = -0.1;
const SD_DY = 0.3;
const MEAN_SIZE = 0.926;
const SD_LOG_SIZE = 0.1;

/** A normal draw (Box-Muller) from a seeded uniform source. */
function normal(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/**
 * For each seat box (fractions of the frame) JITTERS boxes moved and resized as the detector's
 * tracked boxes are, seeded by the scene's seed: the same meeting always gets the same boxes.
 * Result [person][jitter].
 */
export function jitterBoxes(seed: number, seats: SeatBox[]): SeatBox[][] {
  const rnd = seededRandom((seed ^ 0x5eed) >>> 0);
  return seats.map((b) =>
    Array.from({ length: JITTERS }, () => {
      const dx = MEAN_DX + SD_DX * normal(rnd),
        dy = MEAN_DY + SD_DY * normal(rnd),
        s = MEAN_SIZE * Math.exp(SD_LOG_SIZE * normal(rnd));
      // Offsets are in half widths (pixels); the box's y is a fraction of the frame's height.
      return {
        cx: b.cx + dx * b.hw,
        cy: b.cy + (dy * b.hw * FRAME_W) / FRAME_H,
        hw: b.hw * s,
        hh: b.hh * s,
      };
    }),
  );
}
