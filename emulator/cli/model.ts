// tinyboard model <subcommand>: actions of the `model` command group (registered in main.ts).
import { readFileSync, statSync } from "node:fs";
import { UserError } from "../errors.ts";
import { readModel, type TfliteModel } from "../model/tflite-model.ts";
import { formatInspect, inspectModel } from "../model/inspect.ts";

/** Reads and validates a .tflite file named on the command line (messages name it as given). */
export function loadModelFile(file: string): { bytes: Uint8Array; model: TfliteModel } {
  let bytes: Uint8Array;
  try {
    if (statSync(file).isDirectory()) throw new UserError(`${file}: is a directory, not a .tflite model`);
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `${file}: no such file` : `${file}: cannot read (${code ?? (e as Error).message})`);
  }
  return { bytes, model: readModel(bytes, file) };
}

/** tinyboard model inspect <model.tflite> [--board <id>] [--json] */
export function modelInspectCommand(file: string, opts: { board?: string; json?: boolean }): void {
  const { model } = loadModelFile(file);
  const report = inspectModel(model, { board: opts.board });
  console.log(opts.json ? JSON.stringify(report, null, 2) : formatInspect(report));
}
