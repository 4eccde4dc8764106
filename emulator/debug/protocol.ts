// Messages between the debug engine (main thread) and the firmware's worker.
import type { FaultReport } from "../faults.ts";
import type { RunSummary } from "../events.ts";
import type { Breakpoint } from "./breakpoints.ts";

export type ResumeMode = "continue" | "step" | "finish" | "next" | "stepi";

export interface WasmFrameRef {
  function: string;
  offset: number;
}

export interface LayerPosition {
  index: number;
  op: number;
  unit: "cpu" | "npu";
  /** Stopped before the layer runs (begin) or after it ran (end). */
  phase: "begin" | "end";
}

export interface StopInfo {
  reason: "entry" | "breakpoint" | "step" | "finish" | "pause" | "fault" | "line";
  description: string;
  breakpointId?: number;
  cycles: number;
  timeUs: number;
  layer: LayerPosition | null;
  /** Where the source-line hook stopped (debug builds). */
  line: { file: string; line: number } | null;
  /** Stopped at a statement hook (debug-lines builds): locals are readable. */
  statement?: boolean;
  fault: FaultReport | null;
  /** Wasm frames, innermost first (function names and code offsets for the source map). */
  frames: WasmFrameRef[];
}

export type InspectWhat =
  | "locals"
  | "tensor"
  | "tensors"
  | "find"
  | "memory"
  | "layers"
  | "memoryMap"
  | "peripherals"
  | "inputs"
  | "model";

export type ToWorker =
  | { id: number; cmd: "resume"; mode: ResumeMode }
  | { id: number; cmd: "breakpoints"; breakpoints: Breakpoint[] }
  | { id: number; cmd: "pause" }
  | { id: number; cmd: "inspect"; what: InspectWhat; args?: Record<string, unknown> }
  | { id: number; cmd: "quit" };

export type FromWorker =
  | { type: "reply"; id: number; ok: true; result: unknown }
  | { type: "reply"; id: number; ok: false; error: string }
  | { type: "stopped"; stop: StopInfo }
  | { type: "console"; text: string }
  | { type: "logpoint"; breakpointId: number; text: string }
  | { type: "exited"; summary: RunSummary; frames: WasmFrameRef[] };

export interface WorkerSetup {
  /** The encoded image (tinyboard image file bytes). */
  image: Uint8Array;
  board: string;
  core?: string;
  inputs: Record<string, string>;
  sdcard: string | null;
  seconds: number;
  noNpu?: boolean;
  control: SharedArrayBuffer;
  breakpoints: Breakpoint[];
}
