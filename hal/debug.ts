// Profiler and debugger hooks (tinyboard:hal/debug).
@external("tinyboard:hal/debug@0.1.0", "layer-begin") export declare function layerBegin(index: u32, op: u32): void;
@external("tinyboard:hal/debug@0.1.0", "layer-end") export declare function layerEnd(index: u32): void;
@external("tinyboard:hal/debug@0.1.0", "marker") declare function markerRaw(id: u32, ptr: u32, len: u32): void;

export function marker(id: u32, label: string): void {
  const buf = String.UTF8.encode(label);
  markerRaw(id, <u32>changetype<usize>(buf), <u32>buf.byteLength);
}
@external("tinyboard:hal/debug@0.1.0", "report") declare function reportRaw(kind: u32, ptr: u32, len: u32): void;

// --- generated from emulator/hal-constants.ts by `npm run gen:hal`: do not edit ---
/** Kinds of debug.report: an output tensor, an arena plan, a prepared model then its arena (a debugger finds tensors with them), a model input an app computed, audio an app captured. */
export const REPORT_OUTPUT: u32 = 1;
export const REPORT_PLAN: u32 = 2;
export const REPORT_MODEL: u32 = 3;
export const REPORT_ARENA: u32 = 4;
export const REPORT_INPUT: u32 = 5;
export const REPORT_AUDIO: u32 = 6;
// --- end of generated constants ---

/** Hands the host `len` bytes at `ptr` (a model output, an arena plan, a model input). */
export function report(kind: u32, ptr: usize, len: i32): void {
  reportRaw(kind, <u32>ptr, <u32>len);
}
