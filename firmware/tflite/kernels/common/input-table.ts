// Per-byte tables of a rescaled int8 input: an int8 binary op's arithmetic on one input
// depends only on its byte, so prepare tabulates it once (ADD, SUB, comparisons, ...).
import { multiplyByQuantizedMultiplier, quantizedMultiplier, quantizedShift } from "../../quant";

/** Per-byte value of one int8 input: ((q - zeroPoint) << leftShift) rescaled by (multiplier, shift). */
export function inputTable(zeroPoint: i32, multiplier: i32, shift: i32, leftShift: i32): StaticArray<i32> {
  const t = new StaticArray<i32>(256);
  for (let u = 0; u < 256; u++) {
    const q = <i32><i8>u;
    t[u] = multiplyByQuantizedMultiplier((q - zeroPoint) * (1 << leftShift), multiplier, shift);
  }
  return t;
}

/** inputTable for a real rescale factor. */
export function scaledInputTable(zeroPoint: i32, real: f64, leftShift: i32): StaticArray<i32> {
  return inputTable(zeroPoint, quantizedMultiplier(real), quantizedShift(real), leftShift);
}
