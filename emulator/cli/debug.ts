// tinyboard debug <app|image> and tinyboard dap: the debugger's command-line front ends.
import path from "node:path";
import { loadTarget } from "../board.ts";
import { imageFor, parseInputs } from "./run.ts";
import { DebugEngine } from "../debug/engine.ts";
import { runRepl } from "../debug/repl.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { UserError } from "../errors.ts";

export interface DebugCliOptions {
  board: string;
  core?: string;
  seconds?: number;
  input: string[];
  sdcard?: string;
  cpuOnly?: boolean;
  rebuild?: boolean;
}

export async function debugCommand(spec: string, opts: DebugCliOptions): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  const overrides = parseInputs(opts.input);
  const { image, inputs } = await imageFor(spec, target, { quiet: true, rebuild: opts.rebuild });
  const seconds = opts.seconds ?? image.manifest.defaults.seconds;
  if (!(seconds > 0)) throw new UserError("--seconds must be a positive number");
  const engine = await DebugEngine.launch({ image, target, inputs: { ...inputs, ...overrides }, sdcard: opts.sdcard ?? null, seconds, noNpu: opts.cpuOnly });
  try {
    await runRepl(engine, { input: process.stdin, output: process.stdout, historyFile: path.join(PROJECT_ROOT, ".tinyboard", "debug_history") });
  } finally {
    await engine.close();
  }
}
