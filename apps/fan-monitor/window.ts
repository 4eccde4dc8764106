// Windowing and normalisation: 128 samples (x, y, z int16 counts) with a hop of 64. Each
// full window is normalised into the model's int8 input: per axis the count minus the
// window's mean (gravity and offset go), over the window's RMS (speed, mounting and sensor
// gain scale the vibration; its shape tells the state), quantised with the input tensor's
// scale and zero point. The trainer (train/dataset.ts normaliseWindow) computes the same.
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

  /**
   * Writes the normalised window into `dst` (WINDOW x AXES int8, sample-major): per axis the
   * count minus the window's mean, over the window's RMS (all axes, floored at `floorCounts`),
   * quantised with the input tensor's scale and zero point. Integer sums and squares, then
   * float32 (the Cortex-M33 has no double-precision FPU), as train/dataset.ts computes it.
   */
  normalise(dst: usize, floorCounts: f32, scale: f32, zeroPoint: i32): void {
    let sx: i32 = 0, sy: i32 = 0, sz: i32 = 0;
    for (let i: u32 = 0; i < WINDOW; i++) {
      const p = this.samples + i * SAMPLE_BYTES;
      sx += <i32>load<i16>(p);
      sy += <i32>load<i16>(p, 2);
      sz += <i32>load<i16>(p, 4);
    }
    let squares: i64 = 0;
    for (let i: u32 = 0; i < WINDOW; i++) {
      const p = this.samples + i * SAMPLE_BYTES;
      const dx = <i64>(<i32>load<i16>(p) * <i32>WINDOW - sx);
      const dy = <i64>(<i32>load<i16>(p, 2) * <i32>WINDOW - sy);
      const dz = <i64>(<i32>load<i16>(p, 4) * <i32>WINDOW - sz);
      squares += dx * dx + dy * dy + dz * dz;
    }
    let rms = Mathf.sqrt(<f32>squares / <f32>(WINDOW * WINDOW * WINDOW * AXES));
    if (rms < floorCounts) rms = floorCounts;
    // Means are exact in float32 (sum / 128), and so is count - mean (at most 23 bits).
    const mx = <f32>sx / <f32>WINDOW, my = <f32>sy / <f32>WINDOW, mz = <f32>sz / <f32>WINDOW;
    for (let i: u32 = 0; i < WINDOW; i++) {
      const p = this.samples + i * SAMPLE_BYTES;
      store<i8>(dst + i * AXES, quantise(load<i16>(p), mx, rms, scale, zeroPoint));
      store<i8>(dst + i * AXES + 1, quantise(load<i16>(p, 2), my, rms, scale, zeroPoint));
      store<i8>(dst + i * AXES + 2, quantise(load<i16>(p, 4), mz, rms, scale, zeroPoint));
    }
  }
}

@inline function quantise(count: i16, mean: f32, rms: f32, scale: f32, zeroPoint: i32): i8 {
  const x = (<f32>count - mean) / rms;
  let q = <i32>Mathf.round(x / scale) + zeroPoint;
  return <i8>(q < -128 ? -128 : q > 127 ? 127 : q);
}
