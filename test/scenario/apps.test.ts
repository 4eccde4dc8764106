// The bundled scenarios (scenarios/*.yaml), each app on one board so the suite stays short:
// every board is covered by some app. test/bench/scenarios.ts runs them all on every board.
import test from "ava";
import path from "node:path";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runScenarios, type JobResult } from "../../emulator/scenario/runner.ts";
import { loadScenarios } from "../../emulator/scenario/load.ts";
import { resultLine } from "../../emulator/scenario/report.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const DIR = path.join(ROOT, "scenarios");
/** The board each app's scenarios run on in npm test. */
export const TEST_BOARD: Record<string, string> = {
  "sensor-logger": "rt1060",
  "hello-model": "rt1060",
  "fan-monitor": "rt1060",
  "person-detector": "mcxn947",
  "mic-check": "rt1170",
  "micro-speech": "rt1170",
  "voice-control": "rt1170",
  "active-speaker": "rt1170",
};

const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => path.join(DIR, f));
// One run of all files on two worker threads; each file's test finishes as soon as its own
// results are in (AVA's timeout counts from the last finished test).
const byFile = new Map(
  files.map((f) => {
    let resolve!: (r: JobResult[]) => void;
    const done = new Promise<JobResult[]>((r) => (resolve = r));
    return [f, { expected: loadScenarios(f).length, got: [] as JobResult[], done, resolve }];
  }),
);
let started: Promise<unknown> | null = null;
function results(f: string): Promise<JobResult[]> {
  started ??= runScenarios(files, {
    jobs: 2,
    pick: (sc, board) => TEST_BOARD[path.basename(sc.app ?? "")] === board,
    onResult: (r) => {
      const e = byFile.get(r.file)!;
      e.got.push(r);
      if (e.got.length === e.expected) e.resolve(e.got);
    },
  }).catch((err) => {
    for (const e of byFile.values()) e.resolve([{ error: String(err) } as JobResult]);
  });
  return byFile.get(f)!.done;
}

test("every bundled app has a scenario file", (t) => {
  const apps = readdirSync(path.join(ROOT, "apps")).sort();
  t.deepEqual(files.map((f) => path.basename(f, ".yaml")).sort(), apps);
  t.deepEqual(Object.keys(TEST_BOARD).sort(), apps);
});

for (const f of files) {
  const app = path.basename(f, ".yaml");
  test(`scenarios/${app}.yaml passes on ${TEST_BOARD[app]}`, async (t) => {
    const mine = await results(f);
    t.true(mine.length > 0);
    for (const r of mine) {
      t.is(r.board, TEST_BOARD[app]);
      t.true(r.passed, resultLine(r));
      t.is(r.stepsPassed, r.steps);
    }
  });
}
