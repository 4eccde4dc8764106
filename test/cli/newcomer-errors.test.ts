// Mistakes of a first hour with the CLI, each answered with one line that says what to do: a
// misspelt option read as a missing one, --board left out, an app path given from a subfolder,
// a misspelt command, a folder of scenarios, a second core's image, main() without export.
import test from "ava";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli, oneLineError } from "../faults/helpers.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import { loadTarget } from "../../emulator/board.ts";
import { imagePath } from "../../emulator/cli/build.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "tinyboard-newcomer-"));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

const oneLine = oneLineError;

test.serial(
  "a misspelt --board is named as the unknown option it is, with the right spelling",
  (t) => {
    const r = cli(["run", "apps/sensor-logger", "--bord", "rt1060"]);
    oneLine(t, r, /unknown option '--bord' \(Did you mean --board\?\)/);
    oneLine(t, cli(["build", "apps/sensor-logger", "--bord=rt1060"]), /unknown option '--bord'/);
  },
);

test.serial("a missing --board lists the boards", (t) => {
  for (const args of [
    ["build", "apps/sensor-logger"],
    ["run", "apps/sensor-logger"],
    ["model", "bench", "apps/hello-model/model/sine_int8.tflite"],
  ])
    oneLine(
      t,
      cli(args),
      /: --board is required: mcxn947, rt1060, rt1170 \(e\.g\. --board rt1060; 'tinyboard boards' describes them\)$/m,
    );
});

test.serial(
  "an app path given from a subfolder says paths are relative and where the app is",
  (t) => {
    const r = cli(
      ["build", "apps/hello-model", "--board", "rt1060"],
      110_000,
      path.join(PROJECT_ROOT, "docs"),
    );
    oneLine(
      t,
      r,
      /no such app: apps\/hello-model \(paths are relative to the current folder; from here the project's app is \.\.\/apps\/hello-model\)$/m,
    );
    const inApp = cli(
      ["build", "apps/hello-model", "--board", "rt1060"],
      110_000,
      path.join(PROJECT_ROOT, "apps/hello-model"),
    );
    oneLine(t, inApp, /from here the project's app is \.\)$/m);
  },
);

test.serial("a misspelt command gets a suggestion, an unknown one the way to the list", (t) => {
  oneLine(t, cli(["buld"]), /unknown command 'buld' \(Did you mean build\?\)$/m);
  oneLine(t, cli(["frobnicate"]), /unknown command 'frobnicate' \(--help lists the commands\)$/m);
});

test.serial(
  "tinyboard test takes a folder of scenarios; a missing file or an empty folder is one line",
  (t) => {
    const dir = path.join(tmp, "scenarios");
    mkdirSync(dir);
    oneLine(t, cli(["test", dir]), /is a folder without scenario files \(\*\.yaml\)$/m);
    // The folder's .yaml is loaded (and refused for its empty steps): the folder was expanded.
    writeFileSync(path.join(dir, "a.yaml"), "name: broken\nsteps: []\n");
    writeFileSync(path.join(dir, "notes.txt"), "not a scenario\n");
    oneLine(t, cli(["test", dir]), /a\.yaml:2: scenario steps: /);
    oneLine(
      t,
      cli(["test", path.join(dir, "none.yaml")]),
      /: scenario file .*none\.yaml does not exist$/m,
    );
  },
);

test("a --core cm4 build gets its own image path: it never replaces the board's main-core image", (t) => {
  t.is(
    path.relative(process.cwd(), imagePath("app", loadTarget("rt1170", "cm4"))),
    path.join("build", "app-rt1170-cm4.tbi"),
  );
  t.is(
    path.relative(process.cwd(), imagePath("app", loadTarget("rt1170"))),
    path.join("build", "app-rt1170.tbi"),
  );
  t.is(
    path.relative(process.cwd(), imagePath("app", loadTarget("rt1170", "cm7"))),
    path.join("build", "app-rt1170.tbi"),
  );
});

test.serial(
  "a default input app.json names that is missing is named as app.json names it, before any build",
  (t) => {
    const app = path.join(tmp, "missing-input");
    mkdirSync(app);
    writeFileSync(path.join(app, "main.ts"), "export function main(): void {}\n");
    writeFileSync(
      path.join(app, "app.json"),
      JSON.stringify({ name: "missing-input", inputs: { accel: "data/nope.csv" } }),
    );
    const r = cli(["run", app, "--board", "rt1060", "--state", path.join(tmp, "state")]);
    oneLine(
      t,
      r,
      /missing-input\/app\.json: input 'accel': data\/nope\.csv not found in .*missing-input \(give --input accel=FILE, or fix app\.json\)$/m,
    );
    // An absolute path that is not there is named once, not twice.
    const abs = path.join(tmp, "nope.csv");
    oneLine(
      t,
      cli(["run", app, "--board", "rt1060", "-i", `accel=${abs}`]),
      new RegExp(`: ${abs}: file not found$`, "m"),
    );
  },
);

test.serial("--help on every command: exit 0, a usage line and no '(default: [])'", (t) => {
  const commands = [
    ...["boards", "build", "size", "flash", "run", "debug", "dap", "test", "demo"],
    ...["room-ir", "room-render", "scene", "scene export", "model", "model inspect"],
    ...["model ops", "model bench"],
  ];
  for (const c of commands) {
    const r = cli([...c.split(" "), "--help"]);
    t.is(r.status, 0, `${c}: ${r.stderr}`);
    t.regex(r.stdout, new RegExp(`^Usage: tinyboard ${c} `), c);
    t.false(r.stdout.includes("(default: [])"), c);
  }
});

test.serial(
  "an entry without 'export' on main() says so (was a HAL-contract message about a missing export)",
  (t) => {
    const app = path.join(tmp, "no-export");
    mkdirSync(app);
    writeFileSync(path.join(app, "main.ts"), "function main(): void {}\n");
    writeFileSync(path.join(app, "app.json"), JSON.stringify({ name: "no-export" }));
    const r = cli(["build", app, "--board", "rt1060", "-o", path.join(tmp, "no-export.tbi")]);
    oneLine(
      t,
      r,
      /no-export\/main\.ts: no exported main\(\): the entry must have 'export function main\(\): void'$/m,
    );
  },
);
