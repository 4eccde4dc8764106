// Virtual time, idle waits, event lines and the watchdog (tinyboard:hal/clock).

@external("tinyboard:hal/clock@0.1.0", "now-us") export declare function nowUs(): u64;
@external("tinyboard:hal/clock@0.1.0", "cycles") export declare function cycles(): u64;
@external("tinyboard:hal/clock@0.1.0", "core-hz") export declare function coreHz(): u32;
@external("tinyboard:hal/clock@0.1.0", "sleep-until-us") export declare function sleepUntilUs(tUs: u64): void;
@external("tinyboard:hal/clock@0.1.0", "wait-event") export declare function waitEvent(mask: u32, deadlineUs: u64): u32;
@external("tinyboard:hal/clock@0.1.0", "watchdog-start") export declare function watchdogStart(timeoutMs: u32): void;
@external("tinyboard:hal/clock@0.1.0", "watchdog-feed") export declare function watchdogFeed(): void;

// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---
/** Event lines returned by waitEvent (clock.wait-event). */
export const EVENT_ACCEL: u32 = 2;
export const EVENT_MIC: u32 = 4;
export const EVENT_CAMERA: u32 = 8;
export const EVENT_ALL: u32 = 14;
// --- end of generated constants ---

export function sleepUs(us: u64): void {
  sleepUntilUs(nowUs() + us);
}
