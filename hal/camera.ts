// Image sensor with a DMA frame buffer (tinyboard:hal/camera).
@external("tinyboard:hal/camera@0.1.0", "configure") declare function configureRaw(width: u32, height: u32, format: u32, fps: u32, framebuf: u32): i32;
@external("tinyboard:hal/camera@0.1.0", "start") export declare function start(): void;
@external("tinyboard:hal/camera@0.1.0", "stop") export declare function stop(): void;
@external("tinyboard:hal/camera@0.1.0", "take-frame") export declare function takeFrame(): i32;
@external("tinyboard:hal/camera@0.1.0", "release-frame") export declare function releaseFrame(): void;
@external("tinyboard:hal/camera@0.1.0", "dropped") export declare function dropped(): u32;

// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---
/** Pixel formats of camera.configure. */
export const FORMAT_GREY8: u32 = 0;
export const FORMAT_RGB565: u32 = 1;
// --- end of generated constants ---

export function configure(width: u32, height: u32, format: u32, fps: u32, framebuf: usize): i32 {
  return configureRaw(width, height, format, fps, <u32>framebuf);
}
