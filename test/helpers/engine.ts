// Runs a model through our engine on an emulated board, for tests: one inference with the
// given input tensors' raw bytes; returns the output tensors' raw bytes and the cycles.
import { loadTarget } from "../../emulator/board.ts";
import { runModel as runOnBoard, type ModelRun } from "../../emulator/model/runner.ts";
import { builtinOpName } from "../../emulator/model/tflite-model.ts";

export interface EngineResult {
  outputs: Uint8Array[];
  cycles: number;
  layers: { index: number; op: string; unit: "cpu" | "npu"; cycles: number }[];
  run: ModelRun;
}

export async function runModel(
  model: Uint8Array,
  inputs: Uint8Array[],
  opts: { board?: string } = {},
): Promise<EngineResult> {
  const set = Buffer.concat(inputs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
  const run = await runOnBoard(model, [new Uint8Array(set)], loadTarget(opts.board ?? "rt1060"));
  const inf = run.inferences[0];
  return {
    outputs: inf.outputs,
    cycles: inf.cycles,
    layers: inf.layers.map((l) => ({
      index: l.index,
      op: builtinOpName(l.op),
      unit: l.unit,
      cycles: l.cycles,
    })),
    run,
  };
}

/** Runs several input sets in one boot (each set: every input tensor's bytes, concatenated). */
export async function runModelSets(
  model: Uint8Array,
  sets: Uint8Array[],
  board = "rt1060",
): Promise<ModelRun> {
  return runOnBoard(model, sets, loadTarget(board));
}
