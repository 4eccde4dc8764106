// tinyboard debug <app|image> and tinyboard dap: the debugger's command-line front ends.
import path from "node:path";
import { loadTarget } from "../board.ts";
import { imageFor, parseInputs } from "./run.ts";
import { DebugEngine } from "../debug/engine.ts";
import { runRepl } from "../debug/repl.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { existsSync } from "node:fs";
import { defaultStateDir, ensureCard, openState } from "../state.ts";
import { validateCardImage } from "../sdcard/card-image.ts";
import { lockCardImage, lockStateDir } from "../board-lock.ts";
import { runSeconds } from "./options.ts";

export interface DebugCliOptions {
  board: string;
  core?: string;
  seconds?: number;
  input: string[];
  /** A card image, false for none (--no-sdcard); default the board's card, as `run` uses. */
  sdcard?: string | false;
  cpuOnly?: boolean;
  rebuild?: boolean;
  /** false (--no-debug-lines): debug the release build (lines only at sync points). */
  debugLines?: boolean;
}

export async function debugCommand(spec: string, opts: DebugCliOptions): Promise<void> {
  const target = loadTarget(opts.board, opts.core);
  const overrides = parseInputs(opts.input);
  const { image, inputs } = await imageFor(spec, target, {
    quiet: true,
    rebuild: opts.rebuild,
    debugLines: opts.debugLines !== false,
  });
  const seconds = runSeconds(opts.seconds, image.manifest.defaults.seconds, false);
  let sdcard: string | null = null;
  if (opts.sdcard !== false) {
    if (opts.sdcard) {
      lockCardImage(opts.sdcard);
      sdcard = opts.sdcard;
    } else {
      // The board's own card: the session holds the board, as run does (one board, one runner).
      const state = openState(defaultStateDir(target.board.id));
      lockStateDir(state.dir);
      sdcard = state.sdcardPath;
    }
    if (existsSync(sdcard)) validateCardImage(sdcard);
    else ensureCard(sdcard);
  }
  const engine = await DebugEngine.launch({
    image,
    target,
    inputs: { ...inputs, ...overrides },
    sdcard,
    seconds,
    noNpu: opts.cpuOnly,
  });
  try {
    await runRepl(engine, {
      input: process.stdin,
      output: process.stdout,
      historyFile: path.join(PROJECT_ROOT, ".tinyboard", "debug_history"),
    });
  } finally {
    await engine.close();
  }
}
