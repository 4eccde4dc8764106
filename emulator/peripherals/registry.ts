// Every peripheral the machine has, in the order the run summary lists them. A peripheral is
// one module (its class and its PeripheralModule: name, hal.wit interface, event lines,
// factory, --input, stats); adding one = its module + a line here + its interface in
// hal/hal.wit + its firmware wrapper in hal/.
import type { PeripheralModule } from "./peripheral.ts";
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

/** The peripherals that take an `--input` (accel, mic, camera). */
export function inputPeripherals(): PeripheralModule[] {
  return PERIPHERALS.filter((p) => p.input);
}

export function peripheralNamed(name: string): PeripheralModule | undefined {
  return PERIPHERALS.find((p) => p.name === name);
}
