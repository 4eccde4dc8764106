// tinyboard debug <app|image> and tinyboard dap: the debugger's command-line front ends.
import path from "node:path";
import { loadTarget } from "../board.ts";
import { imageFor, parseInputs } from "./run.ts";
import { DebugEngine } from "../debug/engine.ts";
import { runRepl } from "../debug/repl.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { lockCardImage } from "../board-lock.ts";
import { runSeconds } from "./options.ts";

export interface DebugCliOptions {
  board: string;
  core?: string;
  seconds?: number;
  input: string[];
  sdcard?: string;
  cpuOnly?: boolean;
}

export async function debugCommand(spec: string, opts: DebugCliOptions): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  const overrides = parseInputs(opts.input);
  const { image, inputs } = await imageFor(spec, target, true);
  const seconds = runSeconds(opts.seconds, image.manifest.defaults.seconds, false);
  if (opts.sdcard) lockCardImage(opts.sdcard);
  const engine = await DebugEngine.launch({ image, target, inputs: { ...inputs, ...overrides }, sdcard: opts.sdcard ?? null, seconds, noNpu: opts.cpuOnly });
  try {
    await runRepl(engine, { input: process.stdin, output: process.stdout, historyFile: path.join(PROJECT_ROOT, ".tinyboard", "debug_history") });
  } finally {
    await engine.close();
  }
}
