// A peripheral's per-board constants are one entry per board file: its module declares the
// names it reads (PeripheralModule.timing), the schema takes any further constant with a value
// and a source, and registry.ts's check refuses a missing one or one nothing reads (a typo).
import test from "ava";
import path from "node:path";
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { BOARDS_DIR, boardIds, loadBoard } from "../../emulator/board.ts";
import { PERIPHERALS, checkBoardTiming } from "../../emulator/peripherals/registry.ts";
import type { PeripheralModule } from "../../emulator/peripherals/peripheral.ts";
import { cli } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const tmp = tempDir("tinyboard-timing-");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));
const rt1060 = JSON.parse(readFileSync(path.join(BOARDS_DIR, "rt1060.json"), "utf8"));
const TEMP = { value: 100, source: "estimate: a register read over the peripheral bus" };

/** A board file like rt1060's with `timing` changed. */
function board(name: string, timing: Record<string, unknown>): string {
  const file = path.join(tmp, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ ...rt1060, id: name, timing: { ...rt1060.timing, ...timing } }),
  );
  return file;
}

// A peripheral added the documented way (docs/extending.md), with a driver cost per board.
const tempmon: PeripheralModule = {
  name: "tempmon",
  wit: "tempmon",
  lines: [],
  stats: [],
  timing: ["tempmonDriverCycles"],
  create: () => {
    throw new Error("not created here");
  },
};

test("the bundled boards give every constant a peripheral reads, and nothing else", (t) => {
  for (const id of boardIds()) t.notThrows(() => checkBoardTiming(loadBoard(id)), id);
});

test("a new peripheral's constant is one entry per board file", (t) => {
  const withIt = loadBoard(board("with-temp", { tempmonDriverCycles: TEMP }));
  t.is(withIt.timing.tempmonDriverCycles.value, 100);
  t.notThrows(() => checkBoardTiming(withIt, [...PERIPHERALS, tempmon]));
  t.throws(() => checkBoardTiming(loadBoard("rt1060"), [...PERIPHERALS, tempmon]), {
    message:
      "board rt1060: timing.tempmonDriverCycles is missing (the tempmon peripheral reads it; give its value and source)",
  });
  // Still a timing constant: it needs its source.
  t.throws(() => loadBoard(board("no-source", { tempmonDriverCycles: { value: 1 } })), {
    message: /malformed: \/timing\/tempmonDriverCycles must have required property 'source'/,
  });
});

test("a constant nothing reads (a misspelt name) stops the run in one line", (t) => {
  const file = board("typo", { sdcardDriverCylces: TEMP });
  t.throws(() => checkBoardTiming(loadBoard(file)), {
    message: /^board typo: timing\.sdcardDriverCylces is read by no peripheral/,
  });
  const r = cli([
    "run",
    "apps/hello-model",
    "--board",
    file,
    "--state",
    path.join(tmp, "s"),
    "--seconds",
    "0.1",
  ]);
  t.is(r.status, 1, r.stderr);
  t.regex(
    r.stderr,
    /^tinyboard: error: board typo: timing\.sdcardDriverCylces is read by no peripheral .*\n$/,
  );
});
