// Microphones: PDM receiver (PCM) or SAI bit stream (PDM bits), DMA ping-pong buffers (tinyboard:hal/mic).
@external("tinyboard:hal/mic@0.1.0", "kind") export declare function kind(): u32;
@external("tinyboard:hal/mic@0.1.0", "count") export declare function count(): u32;
@external("tinyboard:hal/mic@0.1.0", "position") declare function positionRaw(index: u32, ptr: u32): i32;
@external("tinyboard:hal/mic@0.1.0", "configure-pcm") declare function configurePcmRaw(channels: u32, rateHz: u32, blockMs: u32, bufA: u32, bufB: u32): i32;
@external("tinyboard:hal/mic@0.1.0", "configure-pdm") declare function configurePdmRaw(channels: u32, pdmClockHz: u32, blockMs: u32, bufA: u32, bufB: u32): i32;
@external("tinyboard:hal/mic@0.1.0", "start") export declare function start(): void;
@external("tinyboard:hal/mic@0.1.0", "stop") export declare function stop(): void;
@external("tinyboard:hal/mic@0.1.0", "take-buffer") export declare function takeBuffer(): i32;
@external("tinyboard:hal/mic@0.1.0", "overruns") export declare function overruns(): u32;

// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---
/** mic.kind: no interface, a PDM receiver (int16 PCM buffers), a SAI bit stream (packed PDM bits, MSB first; the firmware decimates). */
export const KIND_NONE: u32 = 0;
export const KIND_PDM_RECEIVER: u32 = 1;
export const KIND_SAI_BITSTREAM: u32 = 2;
// --- end of generated constants ---

/** Microphone `index`'s position in mm (x, y, z as f32) into `out`; 0 ok, -1 no such microphone. */
export function position(index: u32, out: usize): i32 {
  return positionRaw(index, <u32>out);
}

/** PCM buffers: int16, planar, channel c at buf + c * samplesPerChannel * 2. */
export function configurePcm(channels: u32, rateHz: u32, blockMs: u32, bufA: usize, bufB: usize): i32 {
  return configurePcmRaw(channels, rateHz, blockMs, <u32>bufA, <u32>bufB);
}

/** PDM-bit buffers: planar byte blocks, channel c at buf + c * bytesPerChannel, earliest bit in bit 7. */
export function configurePdm(channels: u32, pdmClockHz: u32, blockMs: u32, bufA: usize, bufB: usize): i32 {
  return configurePdmRaw(channels, pdmClockHz, blockMs, <u32>bufA, <u32>bufB);
}

/** Bytes of one PCM buffer. */
export function pcmBufferBytes(channels: u32, rateHz: u32, blockMs: u32): u32 {
  return channels * (rateHz * blockMs / 1000) * 2;
}

/** Bytes of one PDM-bit buffer. */
export function pdmBufferBytes(channels: u32, pdmClockHz: u32, blockMs: u32): u32 {
  return channels * (pdmClockHz / 8000 * blockMs);
}
