// Every peripheral the machine has, in the order the run summary lists them. A peripheral is
// one module (its class and its PeripheralModule: name, hal.wit interface, event lines,
// factory, --input, stats, the board timing it reads); adding one = its module + a line here +
// its interface in hal/hal.wit + its firmware wrapper in hal/ (+ its timing in the board files).
import type { PeripheralModule } from "./peripheral.ts";
import type { Board } from "../board.ts";
import { UserError } from "../errors.ts";
import { clockPeripheral } from "./clock.ts";
import { gpioPeripheral } from "./gpio.ts";
import { consolePeripheral } from "./console.ts";
import { accelPeripheral } from "./accel.ts";
import { sdcardPeripheral } from "./sdcard.ts";
import { micPeripheral } from "./mic.ts";
import { cameraPeripheral } from "./camera.ts";
import { npuPeripheral } from "./npu.ts";
import { debugPeripheral } from "./debug.ts";
import { systemPeripheral } from "./system.ts";

export const PERIPHERALS: readonly PeripheralModule[] = [
  clockPeripheral,
  gpioPeripheral,
  consolePeripheral,
  accelPeripheral,
  sdcardPeripheral,
  micPeripheral,
  cameraPeripheral,
  npuPeripheral,
  debugPeripheral,
  systemPeripheral,
];

/** The timing constant every HAL call charges (machine.ts), not any one peripheral's. */
const MACHINE_TIMING = ["halCallCycles"];

/**
 * A board file's timing against what reads it: every constant a peripheral declares is there,
 * and every constant there is read (a misspelt name would otherwise be ignored silently).
 */
export function checkBoardTiming(
  board: Board,
  modules: readonly PeripheralModule[] = PERIPHERALS,
): void {
  const wanted = new Set([...MACHINE_TIMING, ...modules.flatMap((p) => p.timing ?? [])]);
  for (const p of modules)
    for (const name of p.timing ?? [])
      if (!board.timing[name])
        throw new UserError(
          `board ${board.id}: timing.${name} is missing (the ${p.name} peripheral reads it; give its value and source)`,
        );
  for (const name of Object.keys(board.timing))
    if (!wanted.has(name))
      throw new UserError(
        `board ${board.id}: timing.${name} is read by no peripheral (misspelt? declared in a PeripheralModule's 'timing')`,
      );
}

/** The peripherals that take an `--input` (accel, mic, camera). */
export function inputPeripherals(): PeripheralModule[] {
  return PERIPHERALS.filter((p) => p.input);
}

export function peripheralNamed(name: string): PeripheralModule | undefined {
  return PERIPHERALS.find((p) => p.name === name);
}
