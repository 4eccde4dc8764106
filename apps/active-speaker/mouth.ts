// Mouth crops, as apps/active-speaker/train/features.ts makes them for training: the lower
// part of a seat's head box (from 0.1 to 1.2 half-heights below its centre, full width)
// area-averaged to 24 x 16 from the grey frame, normalised (minus the mean, over the standard
// deviation, at least 4 grey levels); each seat keeps the last HISTORY crops in a ring.
export const CROP_W: i32 = 24;
export const CROP_H: i32 = 16;
export const HISTORY: i32 = 8;
const PIXELS: i32 = CROP_W * CROP_H;

export class MouthHistory {
  readonly ring: usize = heap.alloc(<usize>(HISTORY * PIXELS * 4)); // HISTORY crops of f32
  /** The newest crop before normalisation, 0..255 (for /ASD/CAPTURE). */
  readonly raw: usize = heap.alloc(<usize>PIXELS);
  frames: i32 = 0;

  /** A new face in this slot: its history starts empty. */
  reset(): void {
    this.frames = 0;
  }

  /** Crops the mouth of the box (fractions cx, cy, hw, hh) from a grey w x h frame into the ring. */
  push(grey: usize, w: i32, h: i32, cx: f64, cy: f64, hw: f64, hh: f64): void {
    const out = this.ring + <usize>((this.frames % HISTORY) * PIXELS * 4);
    const x0 = (cx - hw) * <f64>w, x1 = (cx + hw) * <f64>w;
    const y0 = (cy + 0.1 * hh) * <f64>h, y1 = (cy + 1.2 * hh) * <f64>h;
    let sum: f64 = 0;
    for (let r = 0; r < CROP_H; r++) {
      const sy0 = <i32>Math.floor(y0 + (y1 - y0) * <f64>r / <f64>CROP_H);
      const sy1 = max(sy0 + 1, <i32>Math.floor(y0 + (y1 - y0) * <f64>(r + 1) / <f64>CROP_H));
      for (let c = 0; c < CROP_W; c++) {
        const sx0 = <i32>Math.floor(x0 + (x1 - x0) * <f64>c / <f64>CROP_W);
        const sx1 = max(sx0 + 1, <i32>Math.floor(x0 + (x1 - x0) * <f64>(c + 1) / <f64>CROP_W));
        let acc: i32 = 0, n: i32 = 0;
        for (let y = sy0; y < sy1; y++) {
          if (y < 0 || y >= h) continue;
          for (let x = sx0; x < sx1; x++) {
            if (x < 0 || x >= w) continue;
            acc += <i32>load<u8>(grey + <usize>(y * w + x));
            n++;
          }
        }
        const v: f64 = n > 0 ? <f64>acc / <f64>n : 0;
        store<f32>(out + (<usize>(r * CROP_W + c) << 2), <f32>v);
        store<u8>(this.raw + <usize>(r * CROP_W + c), <u8>(<i32>(v + 0.5)));
        sum += v;
      }
    }
    const mean = sum / <f64>PIXELS;
    let sq: f64 = 0;
    for (let i = 0; i < PIXELS; i++) {
      const d = <f64>load<f32>(out + (<usize>i << 2)) - mean;
      sq += d * d;
    }
    const inv = 1.0 / Math.max(4.0, Math.sqrt(sq / <f64>PIXELS));
    for (let i = 0; i < PIXELS; i++) {
      const p = out + (<usize>i << 2);
      store<f32>(p, <f32>((<f64>load<f32>(p) - mean) * inv));
    }
    this.frames++;
  }

  /** The model's video input [16, 24, HISTORY] int8, channel j = the j-th oldest crop. */
  quantizeInto(dst: usize, scale: f32, zeroPoint: i32): void {
    for (let j = 0; j < HISTORY; j++) {
      const crop = this.ring + <usize>(((this.frames + j) % HISTORY) * PIXELS * 4);
      for (let i = 0; i < PIXELS; i++) {
        const q = <i32>Mathf.round(load<f32>(crop + (<usize>i << 2)) / scale) + zeroPoint;
        store<i8>(dst + <usize>(i * HISTORY + j), <i8>min(127, max(-128, q)));
      }
    }
  }
}
