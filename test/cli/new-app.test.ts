// `tinyboard new`: the starting template builds and runs on every board; a copy of an app at
// another depth still reaches hal/, firmware/ and its inputs; every refusal is one line and
// writes nothing.
import test from "ava";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { cli, oneLineError, type CliResult } from "../faults/helpers.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import {
  relocateImports,
  relocateManifest,
  relocatePath,
} from "../../emulator/toolchain/relocate-app.ts";

// New apps must lie inside the project: a scratch folder in build/ (git-ignored).
mkdirSync(path.join(PROJECT_ROOT, "build"), { recursive: true });
const scratch = mkdtempSync(path.join(PROJECT_ROOT, "build", "test-new-"));
const states = mkdtempSync(path.join(os.tmpdir(), "tinyboard-new-"));
test.after.always(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(states, { recursive: true, force: true });
  for (const f of readdirSync(path.join(PROJECT_ROOT, "build")))
    if (/^newapp-(starter|mic)-/.test(f))
      rmSync(path.join(PROJECT_ROOT, "build", f), { force: true });
});
const rel = (p: string) => path.relative(PROJECT_ROOT, p);
let stateN = 0;
const run = (app: string, board: string) =>
  cli(["run", app, "--board", board, "--state", path.join(states, `s${++stateN}`)], 300_000);

const oneLine = oneLineError;

test.serial(
  "the starting template builds and runs on every board: the clock, LED 0 and the console",
  (t) => {
    const dir = path.join(scratch, "newapp-starter");
    const made = cli(["new", rel(dir)]);
    t.is(made.status, 0, made.stderr);
    t.regex(made.stdout, /app 'newapp-starter' from the starting template \(3 files\)/);
    t.regex(made.stdout, /test: npx tinyboard test .*newapp-starter\/scenario\.yaml/);
    // its scenario test passes where it landed, on every board of its app.json
    const tested = cli(["test", rel(path.join(dir, "scenario.yaml"))], 300_000);
    t.is(tested.status, 0, tested.stdout + tested.stderr);
    t.regex(tested.stdout, /3 passed, 0 failed/);
    t.regex(made.stdout, /next: npx tinyboard run .*newapp-starter --board rt1060/);
    t.is(JSON.parse(readFileSync(path.join(dir, "app.json"), "utf8")).name, "newapp-starter");
    for (const [board, mhz] of [
      ["rt1060", 600],
      ["rt1170", 996],
      ["mcxn947", 150],
    ] as const) {
      const r = run(rel(dir), board);
      t.is(r.status, 0, `${board}: ${r.stderr}`);
      t.regex(r.stdout, new RegExp(`hello from ${board} \\(${mhz} MHz, LEDs: \\d\\)`));
      t.regex(r.stdout, /\[2\.000 s\] LED 0 on, \d+ cycles busy so far/);
      t.regex(r.stdout, /ledToggles 12\b/, `${board}: 3 s at 2 Hz`);
      t.regex(r.stdout, /fault\s+none/);
    }
    // The template formats into one buffer allocated at start-up: 30 s use the heap 3 s do.
    const heap = (r: CliResult) => /heap\s+(\d+) B used/.exec(r.stdout)?.[1];
    const long = cli(
      [
        "run",
        rel(dir),
        "--board",
        "rt1060",
        "--seconds",
        "30",
        "--state",
        path.join(states, "long"),
      ],
      300_000,
    );
    t.is(long.status, 0, long.stderr);
    t.truthy(heap(long));
    t.is(heap(long), heap(run(rel(dir), "rt1060")));
  },
);

test.serial(
  "--from copies an app one folder deeper: imports, inputs and output as the original's",
  (t) => {
    const dir = path.join(scratch, "deeper", "newapp-mic");
    const made = cli(["new", rel(dir), "--from", "mic-check"]);
    t.is(made.status, 0, made.stderr);
    const manifest = JSON.parse(readFileSync(path.join(dir, "app.json"), "utf8"));
    t.is(manifest.name, "newapp-mic");
    t.is(
      path.resolve(dir, manifest.inputs.mic),
      path.join(PROJECT_ROOT, "apps/micro-speech/samples/demo.wav"),
    );
    // written as people write app.json: a list of plain values on one line
    t.regex(
      readFileSync(path.join(dir, "app.json"), "utf8"),
      /\n {2}"boards": \["rt1060", "rt1170", "mcxn947"\],\n/,
    );
    t.regex(
      readFileSync(path.join(dir, "main.ts"), "utf8"),
      /from "\.\.\/\.\.\/\.\.\/\.\.\/hal\/mic"/,
    );
    const copy = run(rel(dir), "rt1170");
    const original = run("apps/mic-check", "rt1170");
    t.is(copy.status, 0, copy.stderr);
    const consoleOf = (r: CliResult) =>
      r.stdout.split("\n").filter((l) => l.startsWith("mic-check:"));
    t.regex(consoleOf(copy).join("\n"), /3 s recorded, peak \d+, overruns 0/);
    t.deepEqual(consoleOf(copy), consoleOf(original));
  },
);

test.serial("every refusal is one line, exit 1, and writes nothing", (t) => {
  const busy = path.join(scratch, "busy");
  mkdirSync(busy);
  writeFileSync(path.join(busy, "notes.txt"), "mine");
  oneLine(t, cli(["new", rel(busy)]), /already exists and is not an empty folder: nothing written/);
  t.is(readFileSync(path.join(busy, "notes.txt"), "utf8"), "mine");
  t.deepEqual(readdirSync(busy), ["notes.txt"]);

  oneLine(
    t,
    cli(["new", path.join(states, "elsewhere")]),
    /is outside the project .*e\.g\. apps\/elsewhere/,
  );
  t.false(existsSync(path.join(states, "elsewhere")));
  oneLine(
    t,
    cli(["new", rel(path.join(scratch, "My_App"))]),
    /'My_App' must be lower-case letters, digits and dashes.* \(e\.g\. .*my-app\)/,
  );
  oneLine(
    t,
    cli(["new", rel(path.join(scratch, "z")), "--from", "hello-modle"]),
    /no app named 'hello-modle' \(did you mean 'hello-model'\?\); bundled apps: .*sensor-logger/,
  );
  oneLine(
    t,
    cli(["new", "apps/hello-model/inner", "--from", "hello-model"]),
    /inside the app it would copy/,
  );
  t.false(existsSync(path.join(scratch, "z")));
  // A copy that is no app (its entry file missing) is removed, the folders it created too.
  const broken = path.join(scratch, "broken");
  mkdirSync(broken);
  writeFileSync(path.join(broken, "app.json"), '{ "name": "broken", "entry": "missing.ts" }');
  oneLine(
    t,
    cli(["new", rel(path.join(scratch, "made", "here")), "--from", rel(broken)]),
    /app\.json: entry missing\.ts not found/,
  );
  t.false(existsSync(path.join(scratch, "made")));
  t.false(existsSync(path.join(PROJECT_ROOT, "apps/hello-model/inner")));
});

test("relocation keeps paths inside the app and re-aims the others from the new folder", (t) => {
  const src = "/p/apps/a";
  const dst = "/p/x/y/b";
  const source = [
    'import * as clock from "../../hal/clock";',
    'import { Window } from "./window";',
    'export { run } from "../../firmware/runner/x";',
    'const m = import("../../firmware/board");',
    'import "./side-effect";',
    'const s = "../../not-an-import";',
  ].join("\n");
  t.is(
    relocateImports(source, src, dst, src),
    [
      'import * as clock from "../../../hal/clock";',
      'import { Window } from "./window";',
      'export { run } from "../../../firmware/runner/x";',
      'const m = import("../../../firmware/board");',
      'import "./side-effect";',
      'const s = "../../not-an-import";',
    ].join("\n"),
  );
  // a file one folder down in the app: its "../" to the app's root stays
  t.is(relocatePath("../window", `${src}/dsp`, `${dst}/dsp`, src), "../window");
  t.is(relocatePath("../../../hal/mic", `${src}/dsp`, `${dst}/dsp`, src), "../../../../hal/mic");
  t.is(relocatePath("model/x.tflite", src, dst, src), "model/x.tflite");
  t.is(relocatePath("../other/in.wav", src, "/p/apps/b", src), "../other/in.wav");
});

test("app.json's paths that leave the app move with it; names, generators and inside paths stay", (t) => {
  const moved = relocateManifest(
    {
      name: "a",
      partitions: [
        { name: "model", file: "model/x.tflite" },
        { name: "w", file: "../b/w.bin" },
      ],
      inputs: { mic: "../b/in.wav,loop,gain=-6", accel: "gen:rest,seed=2", camera: "pics/" },
      micArray: { rt1060: "sln-local2-tri", mcxn947: "../b/array.json" },
    },
    "c",
    "/p/apps/a",
    "/p/x/y/c",
  );
  t.deepEqual(moved, {
    name: "c",
    partitions: [
      { name: "model", file: "model/x.tflite" },
      { name: "w", file: "../../../apps/b/w.bin" },
    ],
    inputs: {
      mic: "../../../apps/b/in.wav,loop,gain=-6",
      accel: "gen:rest,seed=2",
      camera: "pics/",
    },
    micArray: { rt1060: "sln-local2-tri", mcxn947: "../../../apps/b/array.json" },
  });
});
