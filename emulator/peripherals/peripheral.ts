// What a peripheral gets from the board and gives to the firmware.
import type { AccelSource } from "../inputs/accel-source.ts";
import type { CameraSource } from "../inputs/camera-source.ts";
import type { MicSource } from "../inputs/mic-source.ts";
import type { VirtualClock } from "../clock.ts";
import type { BoardMemory } from "../memory.ts";
import type { Target } from "../board.ts";
import type { MachineEmitter } from "../events.ts";
import type { MicLayout } from "./mic/array.ts";
import type { Watchdog } from "./watchdog.ts";
import type { Placement } from "../memory-hierarchy/placement.ts";

/** Event lines (hal-constants.ts), under the name peripherals use. */
export { EVENT_LINE as LINE } from "../hal-constants.ts";

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

/** The whole board, as the machine gives it to peripheral factories: the context, plus what
 *  only the clock HAL touches (the pending event lines and the watchdog). */
export interface MachineContext extends BoardContext {
  /** Pending event lines; clock.wait-event clears the ones it returns. */
  pending: number;
  readonly watchdog: Watchdog;
}

export interface Peripheral {
  /** The HAL interface it implements, e.g. "tinyboard:hal/accel@0.1.0". */
  readonly module: string;
  imports(): Record<string, (...args: any[]) => any>;
  /** Figures for the run summary (overruns, blocks written, ...); undefined to leave it out. */
  stats?(): Record<string, number> | undefined;
  close?(): void;
}

/** The facts a board is set up with before it boots: what peripheral factories read. */
export interface BoardSetup {
  readonly target: Target;
  /** Input specs by peripheral name (`--input name=spec`, or the app's defaults). */
  readonly inputs: Readonly<Record<string, string>>;
  /** Sources already opened (a scenario's switchable ones, an audio-visual scene's): used before `inputs`. */
  readonly sources: {
    readonly accel?: AccelSource;
    readonly camera?: CameraSource;
    readonly mic?: MicSource;
  };
  /** The microphones present: the board's own plus an add-on array's. */
  readonly mics: MicLayout;
  /** SD card image file, or null for no card. */
  readonly sdcard: string | null;
  /** Leave the board's NPU out (every layer on the CPU). */
  readonly noNpu: boolean;
  /** Where the arena, frame buffer and model live (undefined: zero-wait TCM timing, as before). */
  readonly placement?: Placement;
}

/** How a peripheral's `--input` spec is opened: files and generators checked up front. */
export interface PeripheralInput<S = unknown> {
  /** A spec to show in errors, e.g. "trace.csv". */
  readonly example: string;
  /** Opens a spec; a bad one throws a one-line InputError. */
  open(spec: string, setup: Pick<BoardSetup, "target" | "mics">): S;
  /** What `tinyboard run` says it assumed about a spec the user gave (absent: nothing). */
  describe?(source: S): string;
}

/**
 * One peripheral, as the registry (registry.ts) lists it: everything the machine, the CLI and
 * the tests need to know about it lives in its own module, beside its class.
 */
export interface PeripheralModule {
  /** Short name: the `--input` key, the run summary's stats key, a board file's peripherals key. */
  readonly name: string;
  /** The hal.wit interface it implements (import module tinyboard:hal/<wit>@<version>). */
  readonly wit: string;
  /** Event lines it raises for clock.wait-event (hal-constants.ts EVENT_LINE). */
  readonly lines: readonly number[];
  /** Counters its stats() may report. */
  readonly stats: readonly string[];
  /** The board file's `timing` constants it reads (each board must give them, with a source). */
  readonly timing?: readonly string[];
  /** Its `--input`, if it takes one. */
  readonly input?: PeripheralInput<any>;
  create(ctx: MachineContext, setup: BoardSetup): Peripheral;
}
