// The HAL functions an image imports, built from hal.wit's contract as own properties of
// null-prototype objects: an import the contract does not declare finds nothing (never
// Object.prototype's `constructor`), and a declared one the host does not emulate faults
// when called. Each call charges the board's HAL entry/exit cycles.
import type { Target } from "./board.ts";
import type { VirtualClock } from "./clock.ts";
import { Fault } from "./faults.ts";
import type { Peripheral } from "./peripherals/peripheral.ts";
import { halContract } from "./toolchain/hal-contract.ts";

type HostFunction = (...args: any[]) => any;

export function halImports(
  peripherals: readonly Peripheral[],
  target: Target,
  clock: VirtualClock,
  onSync: (() => void) | undefined,
): WebAssembly.Imports {
  const imports: WebAssembly.Imports = Object.create(null);
  const contract = halContract();
  // Entering and leaving a HAL driver (the board file's timing).
  const halCall = target.board.timing.halCallCycles.value;
  for (const p of peripherals) {
    const fns = p.imports() as Record<string, HostFunction>;
    const wrapped: Record<string, HostFunction> = Object.create(null);
    for (const name of contract.imports.get(p.module)?.keys() ?? []) {
      const fn = Object.hasOwn(fns, name)
        ? fns[name]
        : () => {
            throw new Fault(
              "not-implemented",
              `${p.module.replace(/^tinyboard:hal\/|@.*$/g, "")}.${name} is not implemented on this board (${target.board.id})`,
            );
          };
      // Two closures, so a plain run (no debugger) pays no test per call.
      wrapped[name] = onSync
        ? (...args: any[]) => {
            clock.halCycles += halCall;
            onSync();
            return fn(...args);
          }
        : (...args: any[]) => {
            clock.halCycles += halCall;
            return fn(...args);
          };
    }
    imports[p.module] = wrapped;
  }
  return imports;
}
