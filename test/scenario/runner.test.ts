// The scenario runner on a real app (the sensor logger on RT1060, from the build cache):
// passing and failing steps, the failure report, card checks, drives, determinism, the CLI's
// runner output, exit codes and JUnit XML.
import test from "ava";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runScenarios, type JobResult } from "../../emulator/scenario/runner.ts";
import { resultLine } from "../../emulator/scenario/report.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const APP = path.join(ROOT, "apps/sensor-logger");
const dir = mkdtempSync(path.join(os.tmpdir(), "tb-scenario-run-"));
let n = 0;
function scenario(steps: string, head = ""): string {
  const f = path.join(dir, `s${n++}.yaml`);
  writeFileSync(
    f,
    `name: logger ${n}\napp: ${APP}\nboards: [rt1060]\ntimeout: 4s\n${head}steps:\n${steps}`,
  );
  return f;
}
const one = async (f: string): Promise<JobResult> => (await runScenarios([f], { jobs: 1 }))[0];

test("steps pass on emulated time, and the run stops when the last one has", async (t) => {
  const r = await one(
    scenario(
      [
        "  - wait: { console: 'logging to /LOGS/LOG0001\\.CSV', timeout: 100ms }",
        "  - wait: 1500ms",
        "  - expect: { console: '\\[1\\.0\\d\\d s\\] samples', led: 0, toggles: { min: 1 } }",
        "  - expect: { file: /LOGS/LOG0001.CSV, matches: '^t_ms,x,y,z$', rows: { min: 150 } }",
        "  - expect: { cpuLoad: { max: 2 }, sramPeak: { max: 64KB }, fault: none }",
      ].join("\n") + "\n",
    ),
  );
  t.true(r.passed, resultLine(r));
  t.is(r.stepsPassed, 5);
  t.true(r.emulatedSeconds > 1.5 && r.emulatedSeconds < 1.51, String(r.emulatedSeconds));
});

test("a failed expectation reports the step, expected, got, time and the last console lines", async (t) => {
  const f = scenario(
    "  - wait: 1200ms\n  - expect: { file: /LOGS/LOG0001.CSV, rows: { min: 100000 } }\n  - wait: 1s\n",
  );
  const r = await one(f);
  t.false(r.passed);
  t.is(r.stepsPassed, 1);
  const fail = r.failure!;
  t.is(fail.line, 7);
  t.is(fail.step, "expect: { file: /LOGS/LOG0001.CSV, rows: { min: 100000 } }");
  t.is(fail.expected, "/LOGS/LOG0001.CSV with at least 100000 rows");
  t.regex(fail.actual, /^\d+ rows$/);
  t.true(Math.abs(fail.timeUs - 1.2e6) < 10, String(fail.timeUs));
  t.regex(fail.console.join("\n"), /\[1\.0\d\d s\] samples \d+/); // the first status line, at about 1 s (its time depends on the card writes in flight)
  t.is(r.emulatedSeconds.toFixed(3), "1.200"); // stopped at the failure, not at the time limit
  const text = resultLine(r);
  t.regex(text, new RegExp(`FAIL  logger \\d+ \\[rt1060\\]  .*s\\d+\\.yaml:7`));
  t.regex(text, /expected  \/LOGS\/LOG0001\.CSV with at least 100000 rows/);
  t.regex(text, /at        1\.200 s emulated \(step 2 of 3\)/);
});

test("a console wait times out on emulated time", async (t) => {
  const r = await one(scenario("  - wait: { console: 'never printed', timeout: 700ms }\n"));
  t.false(r.passed);
  t.is(r.failure!.expected, "console output matching /never printed/ within 700 ms");
  t.is(r.failure!.actual, "nothing by 0.700 s");
});

test("the scenario's time limit fails the step it stopped in", async (t) => {
  const f = path.join(dir, "limit.yaml");
  writeFileSync(
    f,
    `name: limit\napp: ${APP}\nboards: [rt1060]\ntimeout: 1s\nsteps:\n  - wait: 10s\n`,
  );
  const r = await one(f);
  t.false(r.passed);
  t.regex(r.failure!.actual, /time limit \(timeout: 1000 ms\) was reached/);
});

test("a card pulled out mid-run: the file the logger had written stays readable", async (t) => {
  const r = await one(
    scenario(
      [
        "  - wait: 1100ms",
        "  - drive: { sdcard: remove }",
        "  - wait: 500ms",
        "  - expect: { file: /LOGS/LOG0001.CSV, rows: { min: 100 } }",
        "  - expect: { file: /LOGS/LOG0002.CSV, absent: true }",
      ].join("\n") + "\n",
    ),
  );
  t.true(r.passed, resultLine(r));
});

test("a missing file names what the folder holds", async (t) => {
  const r = await one(scenario("  - wait: 200ms\n  - expect: { file: /LOGS/NOPE.CSV }\n"));
  t.is(r.failure!.actual, "no such file (/LOGS holds LOG0001.CSV)");
});

test("same scenario, same result: emulated time and the failure are deterministic", async (t) => {
  const f = scenario(
    "  - wait: { console: 'samples 1\\d\\d,', timeout: 2s }\n  - expect: { busyCycles: { max: 1 } }\n",
  );
  const [a, b] = await runScenarios([f, f], { jobs: 2 });
  t.false(a.passed);
  t.deepEqual({ ...a, wallSeconds: 0 }, { ...b, wallSeconds: 0 });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, "bin/tinyboard.js"), "test", ...args], {
    encoding: "utf8",
    cwd: dir,
  });

test("tinyboard test: a line per run, the totals, exit 1 on a failure, JUnit XML", (t) => {
  const good = scenario("  - wait: 300ms\n  - expect: { fault: none }\n");
  const bad = scenario("  - wait: 300ms\n  - expect: { led: 0, on: true, toggles: { min: 5 } }\n");
  const junit = path.join(dir, "out.xml");
  const r = cli(good, bad, "--junit", junit, "--jobs", "2");
  t.is(r.status, 1, r.stderr);
  t.regex(r.stdout, /^  ok    logger \d+ \[rt1060\]  \(0\.300 s emulated/m);
  t.regex(r.stdout, /^  FAIL  logger \d+ \[rt1060\]  .*\.yaml:7$/m);
  t.regex(r.stdout, /^1 passed, 1 failed \(0\.6 s emulated in [\d.]+ s wall\)$/m);
  const xml = readFileSync(junit, "utf8");
  t.regex(xml, /<testsuites name="tinyboard scenarios" tests="2" failures="1" errors="0"/);
  t.regex(xml, /<failure message="expected LED 0 \(\w+\) on, got off" type="scenario">/);
  const ok = cli(good);
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stdout, /^1 passed, 0 failed/m);
});

test("tinyboard test: a bad file or board is one error line and exit 1, nothing run", (t) => {
  const bad = path.join(dir, "bad.yaml");
  writeFileSync(bad, `name: x\napp: ${APP}\nsteps:\n  - expect: { led: 0, on: maybe }\n`);
  const r = cli(bad);
  t.is(r.status, 1);
  t.is(r.stdout, "");
  t.regex(r.stderr, /^tinyboard: error: .*bad\.yaml:4: expect on: must be boolean\n$/);
  const b = cli(scenario("  - wait: 1s\n"), "--board", "rt9999");
  t.is(b.status, 1);
  t.regex(b.stderr, /^tinyboard: error: unknown board 'rt9999'/);
  t.false(existsSync(path.join(dir, "out-none.xml")));
});

const DEMO_SCENE = path.join(ROOT, "apps/active-speaker/scenes/demo.json");

test("an audio-visual scene input excludes camera and mic inputs, and drives of either", async (t) => {
  const both = scenario(
    "  - wait: 100ms\n",
    `inputs: { scene: ${DEMO_SCENE}, camera: gen:bars }\n`,
  );
  await t.throwsAsync(runScenarios([both], { jobs: 1 }), {
    message: /s\d+\.yaml:1: inputs: scene drives both the camera and the microphones/,
  });
  const drive = scenario(
    "  - drive: { camera: gen:bars }\n  - wait: 100ms\n",
    `inputs: { scene: ${DEMO_SCENE} }\n`,
  );
  const r = await runScenarios([drive], { jobs: 1 }).then(
    (rs) => resultLine(rs[0]) + String(rs[0].error ?? ""),
    (e: Error) => e.message,
  );
  t.regex(
    r,
    /camera and mic drives need camera= \/ mic= inputs; an audio-visual scene drives both/,
  );
});
