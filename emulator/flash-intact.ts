// After a run: the flash window must hold exactly what was flashed. The store guards are the
// image's own code, so a window that changed anyway means code that got past them, and the
// run does not end as if nothing happened.
import { Fault } from "./faults.ts";

export function checkFlashIntact(
  bytes: Uint8Array,
  flash: Uint8Array,
  window: number,
  region: { base: number; name: string },
): void {
  let at =
    Buffer.compare(bytes.subarray(0, flash.length), flash) === 0
      ? -1
      : bytes.findIndex((b, i) => i < flash.length && b !== flash[i]);
  if (at < 0) {
    const rest = bytes.subarray(flash.length, window);
    const j = rest.findIndex((b) => b !== 0);
    if (j >= 0) at = flash.length + j;
  }
  if (at >= 0)
    throw new Fault(
      "flash-write",
      `flash at 0x${at.toString(16)} was written past the store guards (board address 0x${(region.base + at).toString(16)}, ${region.name})`,
    );
}
