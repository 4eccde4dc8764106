// Where a test run's build time goes: with $TINYBOARD_BUILD_LOG set to a file, every buildApp
// call appends one JSON line (app, board, options, wall ms, served from the cache or compiled,
// its counted and checked loops), every asc compile one line (its phases in wall ms and in
// the process's CPU ms: compile.ts); every image check one line
// (code bytes, CPU ms, the verdict read from disk or not: verify-cache.ts). Appends of one short line are
// atomic on Linux, so the test workers can share the file.
import { appendFileSync } from "node:fs";

export function logBuildEvent(event: Record<string, unknown>): void {
  const file = process.env.TINYBOARD_BUILD_LOG;
  if (!file) return;
  try {
    appendFileSync(file, JSON.stringify({ pid: process.pid, ...event }) + "\n");
  } catch {
    // Measurement only: a log that cannot be written never fails a build.
  }
}
