// The debugger prompt: node:readline with history and tab completion over the shared
// command set. Piped input (scripts, tests) is read line by line and echoed after the prompt.
import { forTerminal } from "../cli/terminal-text.ts";
import readline from "node:readline";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DebugEngine } from "./engine.ts";
import { Commands, formatStop } from "./commands.ts";

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Where to keep the command history between sessions (interactive only). */
  historyFile?: string;
}

const PROMPT = "(tinyboard) ";

export async function runRepl(engine: DebugEngine, opts: ReplOptions): Promise<void> {
  const commands = new Commands(engine);
  const terminal =
    (opts.input as { isTTY?: boolean }).isTTY === true &&
    (opts.output as { isTTY?: boolean }).isTTY === true;
  const history =
    terminal && opts.historyFile && existsSync(opts.historyFile)
      ? readFileSync(opts.historyFile, "utf8").split("\n").filter(Boolean).reverse()
      : [];
  const rl = readline.createInterface({
    input: opts.input,
    output: opts.output,
    terminal,
    history,
    historySize: 1000,
    removeHistoryDuplicates: true,
    completer: (line: string) => commands.complete(line),
  });
  const write = (text: string) => {
    if (text) opts.output.write(text.endsWith("\n") ? text : `${text}\n`);
  };
  engine.on("logpoint", (text: string) => write(`[log] ${text}`));
  engine.on("error", (e: Error) => write(`error: the firmware's worker failed: ${e.message}`));
  engine.on("console", (raw: string) => {
    const text = forTerminal(raw, opts.output as { isTTY?: boolean });
    write(`[console] ${text.replace(/\n(?!$)/g, "\n[console] ")}`);
  });
  // Ctrl-C while the firmware runs stops it; at the prompt it clears the line, as in gdb.
  rl.on("SIGINT", () => {
    if (engine.state === "running") void engine.pause();
    else {
      opts.output.write("\n");
      rl.prompt();
    }
  });
  const hz = engine.opts.target.core.clockHz;
  write(
    `tinyboard debugger: ${engine.opts.image.manifest.app} on ${engine.opts.target.board.id} (${engine.opts.target.core.id} at ${hz / 1e6} MHz). 'help' lists the commands.`,
  );
  if (engine.lastStop) write(formatStop(engine.lastStop, hz));
  rl.setPrompt(PROMPT);
  rl.prompt();
  const entered: string[] = [];
  for await (const line of rl) {
    if (!terminal) write(`${PROMPT}${line}`.slice(PROMPT.length)); // the transcript shows each command
    entered.push(line);
    write(await commands.execute(line));
    if (commands.quitRequested) break;
    rl.prompt();
  }
  rl.close();
  if (terminal && opts.historyFile && entered.length) {
    mkdirSync(path.dirname(opts.historyFile), { recursive: true });
    const all = [...history.reverse(), ...entered.filter(Boolean)].slice(-1000);
    writeFileSync(opts.historyFile, all.join("\n") + "\n");
  }
}
