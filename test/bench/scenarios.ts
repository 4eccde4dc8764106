// Bench section: the bundled scenarios (scenarios/*.yaml) over every app on every board — the
// whole matrix npm test leaves out — with the wall time each run took against the emulated time
// it covered, and the suite's wall time on the worker pool. Failures are reported, not hidden.
// Standalone: npx tsx test/bench/scenarios.ts
import path from "node:path";
import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { runScenarios } from "../../emulator/scenario/runner.ts";
import { sig } from "./util.ts";

const DIR = fileURLToPath(new URL("../../scenarios", import.meta.url));

export interface ScenarioBenchResult {
  jobs: number;
  runs: {
    app: string;
    board: string;
    name: string;
    passed: boolean;
    emulatedSeconds: number;
    wallSeconds: number;
  }[];
  passed: number;
  failed: number;
  emulatedSeconds: number;
  /** Sum of the runs' own wall time (firmware running, one thread each). */
  runWallSeconds: number;
  /** Wall time of the whole suite: building (from the cache), workers, runs in parallel. */
  suiteWallSeconds: number;
}

export async function benchScenarios(
  log: (msg: string) => void = () => {},
): Promise<ScenarioBenchResult> {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((f) => path.join(DIR, f));
  const jobs = availableParallelism();
  log(`scenarios: ${files.length} files on every board, ${jobs} worker threads`);
  const started = performance.now();
  const results = await runScenarios(files, { jobs });
  const suiteWallSeconds = (performance.now() - started) / 1000;
  const runs = results.map((r) => ({
    app: r.app,
    board: r.board,
    name: r.name,
    passed: r.passed,
    emulatedSeconds: sig(r.emulatedSeconds),
    wallSeconds: sig(r.wallSeconds),
  }));
  return {
    jobs,
    runs,
    passed: runs.filter((r) => r.passed).length,
    failed: runs.filter((r) => !r.passed).length,
    emulatedSeconds: sig(results.reduce((s, r) => s + r.emulatedSeconds, 0)),
    runWallSeconds: sig(results.reduce((s, r) => s + r.wallSeconds, 0)),
    suiteWallSeconds: sig(suiteWallSeconds),
  };
}

export function scenariosTable(r: ScenarioBenchResult): string {
  const rows = r.runs.map(
    (x) =>
      `| ${x.app} | ${x.board} | ${x.passed ? "pass" : "FAIL"} | ${x.emulatedSeconds} | ${x.wallSeconds} | ${x.wallSeconds > 0 ? sig(x.emulatedSeconds / x.wallSeconds, 3) : "-"}x |`,
  );
  return [
    "| app | board | result | emulated s | wall s | emulated / wall |",
    "|---|---|---|---|---|---|",
    ...rows,
    `| **all** (${r.passed} passed, ${r.failed} failed) | | | ${r.emulatedSeconds} | ${r.suiteWallSeconds} (suite, ${r.jobs} threads; runs alone ${r.runWallSeconds}) | ${sig(r.emulatedSeconds / r.suiteWallSeconds, 3)}x |`,
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchScenarios((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(scenariosTable(r));
}
