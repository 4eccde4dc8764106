// The face-box refiner's crop and its correction, as the firmware's face-refiner.ts computes
// them (integer maths, so that host and board cut the same bytes): a square of the grey frame
// around a box, SPAN box half widths from its centre each way (the head, 1.375 half widths
// high, and some background even when the box is 30 % small and a half width off), area
// averaged into CROP x CROP pixels. Each output pixel is the truncated mean of the frame pixels
// its cell covers (at least one; coordinates past the frame's edge clamp to the edge row or
// column), so a 40-120 px square loses no detail to aliasing on the way to 32 x 32.
//
// The regressor's three outputs are the correction from the box to the true head box: the
// centre's move in box half widths (right, down) and the log of the true half width over the
// box's. f32 throughout, as on the board.

/** The crop's side in pixels (the refiner's input is CROP x CROP x 1). */
export const CROP = 32;
/** The crop reaches this many box half widths from the box's centre. */
export const SPAN = 2.5;

export interface Box {
  /** Centre and half width in frame pixels. */
  cx: number;
  cy: number;
  hw: number;
}

const f32 = Math.fround;

/** The crop's square in frame pixels: left, top, side (face-refiner.ts `cropSquare`). */
export function cropSquare(b: Box): [number, number, number] {
  const half = Math.max(1, Math.floor(f32(f32(f32(b.hw) * f32(SPAN)) + 0.5)));
  const x0 = Math.floor(f32(f32(b.cx) + 0.5)) - half;
  const y0 = Math.floor(f32(f32(b.cy) + 0.5)) - half;
  return [x0, y0, 2 * half];
}

/** The refiner's int8 input (pixel - 128, the [0, 1] input quantisation) for a box. */
export function cropInput(
  grey: Uint8Array,
  w: number,
  h: number,
  b: Box,
  out = new Int8Array(CROP * CROP),
): Int8Array {
  const [x0, y0, side] = cropSquare(b);
  for (let j = 0; j < CROP; j++) {
    const ya = y0 + Math.floor((j * side) / CROP);
    const yb = Math.max(ya + 1, y0 + Math.floor(((j + 1) * side) / CROP));
    for (let i = 0; i < CROP; i++) {
      const xa = x0 + Math.floor((i * side) / CROP);
      const xb = Math.max(xa + 1, x0 + Math.floor(((i + 1) * side) / CROP));
      let acc = 0;
      for (let y = ya; y < yb; y++) {
        const row = Math.min(h - 1, Math.max(0, y)) * w;
        for (let x = xa; x < xb; x++) acc += grey[row + Math.min(w - 1, Math.max(0, x))];
      }
      out[j * CROP + i] = Math.trunc(acc / ((yb - ya) * (xb - xa))) - 128;
    }
  }
  return out;
}

/** The box moved by the refiner's correction (dx, dy in box half widths, log size ratio). */
export function applyCorrection(b: Box, dx: number, dy: number, ds: number): Box {
  const hw = f32(b.hw);
  return {
    cx: f32(f32(b.cx) + f32(f32(dx) * hw)),
    cy: f32(f32(b.cy) + f32(f32(dy) * hw)),
    hw: f32(hw * f32(Math.exp(f32(ds)))),
  };
}

/** The correction that takes box `b` to the true box `t` (the regressor's training target). */
export function correction(b: Box, t: Box): [number, number, number] {
  return [(t.cx - b.cx) / b.hw, (t.cy - b.cy) / b.hw, Math.log(t.hw / b.hw)];
}
