// What a Machine (machine.ts) is built with, and what one run of it is given.
import type { Target } from "./board.ts";
import type { Image } from "./toolchain/image.ts";
import type { AccelSource } from "./inputs/accel-source.ts";
import type { CameraSource } from "./inputs/camera-source.ts";
import type { MicSource } from "./inputs/mic-source.ts";
import type { Placement } from "./memory-hierarchy/placement.ts";

export interface MachineOptions {
  target: Target;
  image: Image;
  /** Peripheral inputs: { accel: "trace.csv" | "gen:rest", camera: "photos/,fps=2", mic: "clip.wav" }. */
  inputs?: Record<string, string>;
  /** Sources opened by the caller, in place of `inputs` (a scenario swaps what they play mid-run). */
  sources?: { accel?: AccelSource; camera?: CameraSource; mic?: MicSource };
  /** An add-on microphone array: a bundled name (boards/mic-arrays/) or a JSON file. */
  micArray?: string | null;
  /** SD card image file, or null for no card. */
  sdcard?: string | null;
  /** Arm the watchdog from reset with this timeout (ms). */
  watchdogMs?: number;
  /** Leave the board's NPU out (every layer on the CPU), for CPU-only figures. */
  noNpu?: boolean;
  /** Memory placement in place of the image's (app.json "placement"); checked against the board. */
  placement?: Placement;
  /** Called at every synchronisation point (each HAL call, meter ticks): the debugger's and
   *  profiler's way in. Absent on plain runs, which then pay one field test per tick. */
  onSync?: () => void;
  /** The statement hooks of a debug-lines build (build/line-hooks.ts): the debugger's. */
  lineHooks?: LineHooks;
}

/** Host side of a debug-lines build's statement hooks. */
export interface LineHooks {
  /** At statement `id`, with its named locals' values (the debugger stops inside this call). */
  statement(id: number, locals: (number | bigint)[]): void;
}

export interface RunOptions {
  seconds: number;
  /** Stop with a fault when the firmware has executed this many cycles. */
  maxBusyCycles?: number;
}
