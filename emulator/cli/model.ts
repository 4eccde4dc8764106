// tinyboard model <subcommand>: actions of the `model` command group (registered in main.ts).
import { writeFileSync } from "node:fs";
import { UserError } from "../errors.ts";
import { describeFsError, readRegularFile } from "../host-files.ts";
import { readModel, type TfliteModel } from "../model/tflite-model.ts";
import { DEFAULT_BOARD, formatInspect, inspectModel } from "../model/inspect.ts";
import { planArena } from "../model/planner.ts";
import { SUPPORTED_OPS } from "../model/supported-ops.ts";
import { boardIds, loadTarget } from "../board.ts";

/** Reads and validates a .tflite file named on the command line (messages name it as given). */
export function loadModelFile(file: string): { bytes: Uint8Array; model: TfliteModel } {
  // A regular file only: /dev/zero or a FIFO would never end; 1 GiB is past any flash.
  const bytes = new Uint8Array(readRegularFile(file, "model", 1 << 30));
  return { bytes, model: readModel(bytes, file) };
}

/** tinyboard model inspect <model.tflite> [--board <id>] [--json] [--no-measure] */
export async function modelInspectCommand(
  file: string,
  opts: { board?: string; json?: boolean; measure?: boolean },
): Promise<void> {
  const { bytes, model } = loadModelFile(file);
  let measured: { cpuCyclesPerLayer?: number[]; scratchBytes?: number; note?: string } = {};
  if (opts.measure !== false)
    measured = await measureOnCpu(bytes, model, opts.board ?? DEFAULT_BOARD);
  const report = inspectModel(model, {
    board: opts.board,
    cpuCyclesPerLayer: measured.cpuCyclesPerLayer,
    scratchBytesPerOp: measured.scratchBytes !== undefined ? [measured.scratchBytes] : undefined,
  });
  const json = () =>
    JSON.stringify(measured.note ? { ...report, measureNote: measured.note } : report, null, 2);
  console.log(
    opts.json ? json() : formatInspect(report) + (measured.note ? `\n${measured.note}` : ""),
  );
}

/** CPU cycles per layer from one run on the board's CPU (zero input, NPU left out). */
async function measureOnCpu(
  bytes: Uint8Array,
  model: TfliteModel,
  board: string,
): Promise<{ cpuCyclesPerLayer?: number[]; scratchBytes?: number; note?: string }> {
  const { benchModel } = await import("../model/bench.ts"); // loads the compiler: only when measuring
  try {
    const r = await benchModel(bytes, model, board, { cpuOnly: true });
    const cycles = new Array<number>(model.operators.length).fill(0);
    for (const l of r.layers) cycles[l.index] = l.cycles;
    // The head past the tensors: the scratch the layers share (the tail is not per layer).
    return {
      cpuCyclesPerLayer: cycles,
      scratchBytes: r.arena_head_bytes - planArena(model).tensorBytes,
    };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { note: `CPU cycles not measured: ${e.message}` };
  }
}

/** tinyboard model bench <model.tflite> --board <id> [--input in.bin] [--output out.bin] [--json] [--cpu-only] */
export async function modelBenchCommand(
  file: string,
  opts: { board: string; input?: string; output?: string; json?: boolean; cpuOnly?: boolean },
): Promise<void> {
  const { bytes, model } = loadModelFile(file);
  let input: Uint8Array | undefined;
  if (opts.input) {
    input = new Uint8Array(readRegularFile(opts.input, "--input", 1 << 30));
  }
  const { benchModel, benchJson, formatBench } = await import("../model/bench.ts");
  const report = await benchModel(bytes, model, opts.board, { input, cpuOnly: opts.cpuOnly });
  if (opts.output) {
    try {
      writeFileSync(opts.output, Buffer.concat(report.raw));
    } catch (e) {
      throw new UserError(
        `${describeFsError(e, opts.output, "--output")} (give a file to write the output tensors to)`,
      );
    }
  }
  console.log(opts.json ? benchJson(report) : formatBench(report));
}

/** tinyboard model ops [--json]: the operators the engine runs, their types, and which NPUs take them. */
export function modelOpsCommand(opts: { json?: boolean }): void {
  const npus = boardIds()
    .map((id) => loadTarget(id).board)
    .filter((b) => b.npu)
    .map((b) => ({ board: b.id, name: b.npu!.name, ops: b.npu!.ops }));
  const rows = SUPPORTED_OPS.map((o) => ({
    ...o,
    npu: npus.filter((n) => o.int8 && n.ops.includes(o.op)).map((n) => n.board),
  }));
  if (opts.json) {
    console.log(JSON.stringify({ ops: rows, npus }, null, 2));
    return;
  }
  const head = ["op", "int8", "float32", "other types", "NPU (int8)", "TFLM rule followed"];
  const table = rows.map((r) => [
    r.op,
    r.int8 ? "yes" : "-",
    r.float32 ? "yes" : "-",
    r.other ?? "",
    r.npu.join(", ") || "-",
    r.rule,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...table.map((row) => row[c].length)));
  const fmt = (row: string[]) =>
    row
      .map((v, c) => (c === row.length - 1 ? v : v.padEnd(widths[c])))
      .join("  ")
      .trimEnd();
  console.log(
    [
      `${rows.length} operators (others are refused by name when a model uses them):`,
      "",
      fmt(head),
      ...table.map(fmt),
      "",
      ...npus.map(
        (n) =>
          `${n.board}: the ${n.name} takes int8 ${n.ops.join(", ")} (boards/${n.board}.json); every other layer runs on the CPU`,
      ),
    ].join("\n"),
  );
}
