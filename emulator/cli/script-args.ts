// The command lines of the repository's scripts (training, evaluation, benchmarks): node's
// parseArgs throws on an unknown option or a missing value; a script says it in one line and
// exits 2, as the tinyboard command does, instead of printing a stack trace.
import { parseArgs, type ParseArgsConfig } from "node:util";

export function parseScriptArgs<T extends ParseArgsConfig>(
  script: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    console.error(`${script}: ${(e as Error).message.replace(/\s*\n\s*/g, " ")}`);
    process.exit(2);
  }
}
