// Windowing and normalisation: 128 samples (x, y, z int16 counts) with a hop of 64. Each
// full window is normalised into the model's int8 input: per axis, the count minus the
// window's mean (gravity and offset go), in g, quantised with the input tensor's scale and
// zero point. The trainer (train/dataset.ts normaliseWindow) computes the same numbers.
export const WINDOW: u32 = 128;
export const HOP: u32 = 64;
export const AXES: u32 = 3;
const SAMPLE_BYTES: u32 = 6;

export class SampleWindow {
  /** WINDOW samples, 6 bytes each (x, y, z as i16). */
  readonly samples: usize = heap.alloc(WINDOW * SAMPLE_BYTES);
  count: u32 = 0;
  /** Windows completed since start. */
  windows: u32 = 0;

  /** Appends one sample (6 bytes at p); true when the window is full. */
  push(p: usize): bool {
    memory.copy(this.samples + this.count * SAMPLE_BYTES, p, SAMPLE_BYTES);
    this.count++;
    return this.count == WINDOW;
  }

  /** Keeps the newest WINDOW - HOP samples for the next window. */
  advance(): void {
    memory.copy(this.samples, this.samples + HOP * SAMPLE_BYTES, (WINDOW - HOP) * SAMPLE_BYTES);
    this.count = WINDOW - HOP;
    this.windows++;
  }

  /** Writes the normalised window into `dst` (WINDOW x AXES int8, sample-major). */
  normalise(dst: usize, countsPerG: f32, scale: f32, zeroPoint: i32): void {
    const toInput: f32 = <f32>1 / (countsPerG * scale);
    for (let a: u32 = 0; a < AXES; a++) {
      let sum: i32 = 0;
      for (let i: u32 = 0; i < WINDOW; i++) sum += <i32>load<i16>(this.samples + i * SAMPLE_BYTES + a * 2);
      const mean = <f32>sum / <f32>WINDOW; // exact: |sum| < 2^24
      for (let i: u32 = 0; i < WINDOW; i++) {
        const c = <f32>load<i16>(this.samples + i * SAMPLE_BYTES + a * 2);
        let q = <i32>Mathf.round((c - mean) * toInput) + zeroPoint;
        q = q < -128 ? -128 : q > 127 ? 127 : q;
        store<i8>(dst + i * AXES + a, <i8>q);
      }
    }
  }
}
