// The CLI runs either compiled ahead of time (bin/cli-build.js bundles it with esbuild and
// defines TINYBOARD_COMPILED_WORKERS) or as TypeScript through tsx's loader (the tests, and
// the CLI when no build is up to date). What differs between the two is decided here.
declare const TINYBOARD_COMPILED_WORKERS: Record<string, string> | undefined;

/** True in the compiled CLI: no loader hooks, every module loads as Node loads it. */
export const COMPILED = typeof TINYBOARD_COMPILED_WORKERS !== "undefined";

/**
 * Where a worker thread starts, given its boot file: beside the worker's module, the boot file
 * registers tsx in the new thread (a thread starts without its parent's loader) and imports the
 * module. The compiled CLI starts the module's compiled entry instead, without tsx (~0.5 CPU s
 * a thread).
 */
export function workerUrl(boot: URL): URL {
  if (!COMPILED) return boot;
  const entry = TINYBOARD_COMPILED_WORKERS![boot.href];
  if (!entry) throw new Error(`no compiled worker for ${boot.href} (bin/cli-build.js WORKERS)`);
  return new URL(entry);
}
