// Scenario files: what passes the schema, and that every problem is one line naming file:line.
import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadScenarios } from "../../emulator/scenario/load.ts";
import { UserError } from "../../emulator/errors.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "tb-scenario-load-"));
let n = 0;
function file(text: string): string {
  const f = path.join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return f;
}

const HEAD = "name: demo\napp: ../apps/x\nsteps:\n";

test("a scenario loads with step lines, durations, regexes and resolved paths", (t) => {
  const f = file(
    `${HEAD}  - wait: 250ms\n  - wait: { console: 'ready \\d+', timeout: 2s }\n  - drive: { camera: "pics/a.png,fit=cover" }\n  - expect: { led: 0, on: true, sramPeak: { max: 64KB } }\n`,
  );
  const [s] = loadScenarios(f);
  t.is(s.name, "demo");
  t.is(s.app, path.resolve(dir, "../apps/x"));
  t.deepEqual(
    s.steps.map((x) => x.line),
    [4, 5, 6, 7],
  );
  t.deepEqual((s.steps[0] as any).wait, { ms: 250 });
  const w = (s.steps[1] as any).wait;
  t.is(w.timeoutMs, 2000);
  t.true(w.console.test("ready 42"));
  t.is((s.steps[3] as any).expect.sramPeak.max, 65536);
  t.is(s.sdcard, "blank");
});

test("several scenarios in one file, separated by ---", (t) => {
  const f = file(
    `${HEAD}  - wait: 1s\n---\nname: two\nimage: b.tbi\nsdcard: none\nsteps:\n  - expect: { fault: none }\n`,
  );
  const all = loadScenarios(f);
  t.deepEqual(
    all.map((s) => [s.name, s.line]),
    [
      ["demo", 1],
      ["two", 6],
    ],
  );
  t.is(all[1].sdcard, "none");
});

const bad: [string, string, RegExp][] = [
  [
    "an unknown step",
    `${HEAD}  - wait: 1s\n  - wiat: 2s\n`,
    /:5: unknown step 'wiat' \(a step is one of drive, wait, expect\)$/,
  ],
  [
    "a bad regex",
    `${HEAD}  - wait:\n      console: 'ready ('\n`,
    /:5: bad regex \/ready \(\/: Unterminated group$/,
  ],
  [
    "an unknown key in an expectation",
    `${HEAD}  - expect: { led: 0, colour: red }\n`,
    /:4: expect: unknown key 'colour'$/,
  ],
  [
    "two steps in one",
    `${HEAD}  - wait: 1s\n    expect: { fault: none }\n`,
    /:4: a step is one of drive, wait, expect, not wait and expect$/,
  ],
  [
    "a bad duration",
    `${HEAD}  - wait: { console: x, timeout: soon }\n`,
    /:4: wait timeout: must be a duration such as 500ms or 2s$/,
  ],
  [
    "a fault kind that does not exist",
    `${HEAD}  - expect: { fault: meltdown }\n`,
    /:4: expect fault: must be one of none, trap, /,
  ],
  [
    "'on' without an LED",
    `${HEAD}  - expect: { on: true }\n`,
    /:4: expect: 'on' needs 'led' beside it$/,
  ],
  [
    "a card path that is not absolute",
    `${HEAD}  - expect: { file: LOGS/A.CSV }\n`,
    /:4: expect file: must start with \//,
  ],
  [
    "no steps",
    "name: x\napp: a\nsteps: []\n",
    /:3: scenario steps: must NOT have fewer than 1 items$/,
  ],
  [
    "an unknown top-level key",
    "name: x\napp: a\nboard: rt1060\nsteps:\n  - wait: 1s\n",
    /:1: scenario: unknown key 'board'$/,
  ],
  [
    "neither app nor image",
    "name: x\nsteps:\n  - wait: 1s\n",
    /:1: a scenario names an app or an image/,
  ],
  ["broken YAML", "name: x\nsteps:\n  - wait: [1s\n", /:[34]: YAML: Flow sequence/],
  [
    "a wait for two things",
    `${HEAD}  - wait: { console: a, led: 0, on: true }\n`,
    /:4: a wait waits for one thing/,
  ],
];

for (const [what, text, re] of bad) {
  test(`${what} is one line naming file:line`, (t) => {
    const f = file(text);
    const e = t.throws(() => loadScenarios(f), { instanceOf: UserError });
    t.true(e!.message.startsWith(`${f}:`), e!.message);
    t.regex(e!.message, re);
    t.false(e!.message.includes("\n"));
  });
}

test("a missing file is a user error", (t) => {
  t.throws(() => loadScenarios(path.join(dir, "none.yaml")), {
    instanceOf: UserError,
    message: /^scenario file .*none\.yaml does not exist$/,
  });
});
