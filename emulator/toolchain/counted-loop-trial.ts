// Most model apps' counted-loop metering is undone by the optimiser asc runs after the meter
// (a charge folded into a shape the image verifier cannot prove), and such an app was compiled
// twice: once with counted loops, refused, and again with every loop checked per iteration
// (build.ts). The trial answers the question on a copy of the optimised module first (meter it,
// run asc's own final optimisation, verify), so the real module is metered the way that passes
// and the second compile (asc and -O3 again: about half the build) is not needed.
import { meterModule, type MeterOptions } from "./meter.ts";
import { verifyImageCode } from "./verify-image.ts";
import { UserError } from "../errors.ts";

/** asc's final optimisation, as asc.main runs it after the transforms: -O1, no shrinking. */
export interface AscOptimize {
  level: number;
  shrink: number;
  debugInfo: boolean;
}

/** Does the image verifier refuse this code for a counted loop it cannot prove? */
export function countedLoopUnproven(wasm: Uint8Array): boolean {
  try {
    verifyImageCode(wasm, "firmware");
    return false;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.message.includes("no proven trip count");
  }
}

/**
 * Meters a copy of `ascModule` (asc's Module, optimised, not yet metered) with counted loops,
 * optimises it as asc will, and says whether the verifier refuses the result.
 */
export function countedLoopsRefused(
  binaryen: any,
  ascModule: any,
  meter: Omit<MeterOptions, "countedLoops">,
  optimize: AscOptimize,
): boolean {
  // The copy keeps the functions' names (the name section), as the module in memory has them.
  const debugInfo = binaryen.getDebugInfo();
  binaryen.setDebugInfo(true);
  let wasm: Uint8Array;
  try {
    wasm = binaryen.wrapModule(ascModule.ref).emitBinary();
  } finally {
    binaryen.setDebugInfo(debugInfo);
  }
  const copy = ascModule.constructor.createFrom(wasm, ascModule.useShadowStack, ascModule.sizeType);
  try {
    // Read back with the MVP's features: the optimiser needs the module's (SIMD, bulk memory).
    binaryen.wrapModule(copy.ref).setFeatures(binaryen.wrapModule(ascModule.ref).getFeatures());
    meterModule(binaryen, binaryen.wrapModule(copy.ref), { ...meter, countedLoops: true });
    copy.optimize(optimize.level, optimize.shrink, optimize.debugInfo, false);
    return countedLoopUnproven(binaryen.wrapModule(copy.ref).emitBinary());
  } finally {
    copy.dispose();
  }
}
