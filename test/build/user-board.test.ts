// A board a user adds is its JSON file and nothing else (docs/extending.md): in a folder named by
// TINYBOARD_BOARDS it is listed, builds and runs an app at its own clock and budgets, and shows
// in the fit reports (size, model inspect) beside the bundled boards.
import test from "ava";
import path from "node:path";
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { BOARDS_DIR } from "../../emulator/board.ts";
import { cli } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const tmp = tempDir("tinyboard-user-board-");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

// An RT1060 variant: another clock, a 4 MB flash, two microphones of its own.
const boardsDir = path.join(tmp, "my-boards");
mkdirSync(boardsDir);
const variant = JSON.parse(readFileSync(path.join(BOARDS_DIR, "rt1060.json"), "utf8"));
variant.id = "rt1060v";
variant.name = "i.MX RT1060 variant (test)";
variant.cores[0].clockHz = 528_000_000;
variant.memory.find((m: { name: string }) => m.name === "BOARD_FLASH").size = 4 * 1024 * 1024;
variant.microphones.mics = [
  { name: "M1", positionMm: [0, 0, 0] },
  { name: "M2", positionMm: [35, 0, 0] },
];
writeFileSync(path.join(boardsDir, "rt1060v.json"), JSON.stringify(variant, null, 2));
const env = { TINYBOARD_BOARDS: boardsDir };
const image = path.join(tmp, "hello-model-rt1060v.tbi");

test.serial("without TINYBOARD_BOARDS the board is unknown", (t) => {
  const r = cli(["build", "apps/hello-model", "--board", "rt1060v", "-o", image]);
  t.is(r.status, 1);
  t.regex(r.stderr, /unknown board 'rt1060v' \(known boards: mcxn947, rt1060, rt1170\)/);
});

test.serial("a board from its JSON file alone: listed, built for, run, and in the fit reports", (t) => {
  const boards = JSON.parse(cli(["boards", "--json"], 110_000, undefined, env).stdout);
  const mine = boards.find((b: { id: string }) => b.id === "rt1060v");
  t.is(mine.cores[0].clockHz, 528e6);
  t.is(mine.flash.bytes, 4 * 1024 * 1024);
  t.is(mine.microphones.mics.length, 2);

  const built = cli(["build", "apps/hello-model", "--board", "rt1060v", "-o", image], 110_000, undefined, env);
  t.is(built.status, 0, built.stderr);
  t.regex(built.stdout, /BOARD_FLASH:\s+\d+ B\s+4 MB/);

  // Run by id, as an image records it: the board's own clock sets the cycles of 0.3 s.
  const state = path.join(tmp, "state");
  const run = cli(["run", image, "--board", "rt1060v", "--state", state, "--seconds", "0.3", "--json"], 110_000, undefined, env);
  t.is(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  t.is(summary.board, "rt1060v");
  t.is(summary.cycles, 0.3 * 528e6);
  t.is(summary.fault, null);
  t.true(summary.peripherals.console.consoleBytes > 0);

  const size = cli(["size", image, "--board", "rt1060v", "--board", "rt1060"], 110_000, undefined, env);
  t.is(size.status, 0, size.stderr);
  t.regex(size.stdout, /^fits on rt1060v$/m);

  const inspect = cli(["model", "inspect", "apps/hello-model/model/sine_int8.tflite"], 110_000, undefined, env);
  t.is(inspect.status, 0, inspect.stderr);
  t.regex(inspect.stdout, /^rt1060v: fits \(arena .* of 1024 KB SRAM, model .* of 4 MB flash\)$/m);
});

test.serial("a board file not named after its id is refused in one line", (t) => {
  const dir = path.join(tmp, "misnamed");
  mkdirSync(dir);
  writeFileSync(path.join(dir, "other.json"), JSON.stringify(variant));
  const misnamed = /^tinyboard: error: board file .*other\.json has id 'rt1060v': a board file is named after its id \(rt1060v\.json\)\n$/;
  for (const args of [["boards"], ["build", "apps/hello-model", "--board", "other", "-o", image]]) {
    const r = cli(args, 110_000, undefined, { TINYBOARD_BOARDS: dir });
    t.is(r.status, 1, args[0]);
    t.regex(r.stderr, misnamed);
  }
});
