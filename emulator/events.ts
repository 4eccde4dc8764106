// Typed events of a running board: the CLI and tests subscribe rather than poll.
import { EventEmitter } from "node:events";
import type TypedEmitterModule from "typed-emitter";
type TypedEmitter<T extends TypedEmitterModule.EventMap> = TypedEmitterModule.default<T>;
import type { FaultReport } from "./faults.ts";

export interface GpioEvent {
  led: number;
  name: string;
  on: boolean;
  timeUs: number;
}

export interface RunSummary {
  app: string;
  board: string;
  core: string;
  clockHz: number;
  reason: "time-limit" | "returned" | "exit" | "fault";
  exitCode: number | null;
  emulatedSeconds: number;
  cycles: number;
  busyCycles: number;
  idleCycles: number;
  cpuLoad: number;
  wallSeconds: number;
  realTimeFactor: number;
  sramPeakBytes: number;
  /** Heap in use at the end (the bump allocator never frees: also its peak). */
  heapUsedBytes: number;
  /** The heap the build counted (app.json heapBytes or the model arenas); null when undeclared. */
  heapBudgetBytes: number | null;
  peripherals: Record<string, Record<string, number>>;
  fault: FaultReport | null;
}

export type MachineEvents = {
  console: (text: string, timeUs: number) => void;
  gpio: (e: GpioEvent) => void;
  fault: (f: FaultReport) => void;
  /** A layer starts on the CPU or the NPU (NPU layers are announced when their job is submitted). */
  layerBegin: (index: number, op: number, cycles: number, unit: "cpu" | "npu") => void;
  layerEnd: (index: number, cycles: number, unit: "cpu" | "npu") => void;
  /** Bytes the firmware hands the host (debug.report) and their address: kind 1 = output tensor,
   *  2 = arena plan, 3 = a prepared model (in flash), 4 = its arena, 5 = a model input an app built. */
  report: (kind: number, bytes: Uint8Array, cycles: number, address: number) => void;
  marker: (id: number, label: string, cycles: number) => void;
  /** The core idled (waited for an event) from `from` to `to` cycles. */
  idle: (from: number, to: number) => void;
  /** A peripheral event: a span (a DMA or bus transfer, start < end) or an instant (an overrun, a dropped frame). */
  peripheral: (name: string, what: string, start: number, end: number) => void;
  end: (s: RunSummary) => void;
};

export type MachineEmitter = TypedEmitter<MachineEvents>;

export function createEmitter(): MachineEmitter {
  return new EventEmitter() as unknown as MachineEmitter;
}
