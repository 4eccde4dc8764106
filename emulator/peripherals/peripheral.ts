// What a peripheral gets from the board and gives to the firmware.
import type { VirtualClock } from "../clock.ts";
import type { BoardMemory } from "../memory.ts";
import type { Target } from "../board.ts";
import type { MachineEmitter } from "../events.ts";

/** Event lines, as in hal/hal.wit (clock.wait-event). */
export const LINE = { timer: 1, accel: 2, mic: 4, camera: 8, sdcard: 16, npu: 32 } as const;

export interface BoardContext {
  readonly target: Target;
  readonly clock: VirtualClock;
  readonly events: MachineEmitter;
  /** The firmware's memory (valid once the image is loaded). */
  memory(): BoardMemory;
  /** Raises an event line for clock.wait-event. */
  raise(line: number): void;
  /** Lowers a level-triggered line whose condition has cleared. */
  lower(line: number): void;
  /** Brings peripherals up to the current cycle; may end the run or fault. */
  sync(): void;
  /** Advances time by a blocking operation of the given cycles (busy, in a driver). */
  busy(cycles: number): void;
  /** Idles until the given cycle (DMA or a wait); alarms fire on the way. */
  idleUntil(cycle: number): void;
  /** Stops counting firmware cycles as CPU time (and time stands still) until resumeMeter. */
  pauseMeter(): void;
  resumeMeter(): void;
}

export interface Peripheral {
  /** The HAL interface it implements, e.g. "tinyboard:hal/accel@0.1.0". */
  readonly module: string;
  imports(): Record<string, (...args: any[]) => any>;
  /** Figures for the run summary (overruns, blocks written, ...); undefined to leave it out. */
  stats?(): Record<string, number> | undefined;
  close?(): void;
}
