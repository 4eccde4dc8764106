// 3-axis accelerometer with a FIFO (tinyboard:hal/accel).
@external("tinyboard:hal/accel@0.1.0", "configure") export declare function configure(rateHz: u32, rangeG: u32, watermark: u32): i32;
@external("tinyboard:hal/accel@0.1.0", "start") export declare function start(): void;
@external("tinyboard:hal/accel@0.1.0", "stop") export declare function stop(): void;
@external("tinyboard:hal/accel@0.1.0", "fifo-level") export declare function fifoLevel(): u32;
@external("tinyboard:hal/accel@0.1.0", "read-fifo") declare function readFifoRaw(ptr: u32, maxSamples: u32): u32;
@external("tinyboard:hal/accel@0.1.0", "overruns") export declare function overruns(): u32;

/** Pop up to maxSamples (x, y, z) int16 triples into dst (6 bytes per sample); returns the count. */
export function readFifo(dst: usize, maxSamples: u32): u32 {
  return readFifoRaw(<u32>dst, maxSamples);
}
