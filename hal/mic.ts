// PDM microphone array, DMA ping-pong buffers (tinyboard:hal/mic).
@external("tinyboard:hal/mic@0.1.0", "configure") declare function configureRaw(mics: u32, pdmClockHz: u32, blockBytes: u32, bufA: u32, bufB: u32): i32;
@external("tinyboard:hal/mic@0.1.0", "start") export declare function start(): void;
@external("tinyboard:hal/mic@0.1.0", "stop") export declare function stop(): void;
@external("tinyboard:hal/mic@0.1.0", "take-buffer") export declare function takeBuffer(): i32;
@external("tinyboard:hal/mic@0.1.0", "overruns") export declare function overruns(): u32;

export function configure(mics: u32, pdmClockHz: u32, blockBytes: u32, bufA: usize, bufB: usize): i32 {
  return configureRaw(mics, pdmClockHz, blockBytes, <u32>bufA, <u32>bufB);
}
