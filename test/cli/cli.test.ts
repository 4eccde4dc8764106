// The command line: errors a user can act on are one line on stderr ("tinyboard: error: ..."),
// never a stack trace, with a non-zero exit; user files are never modified by a failed run.
// Every command gets temporary --state and -o paths (or runs in a temporary cwd): the repo's
// .tinyboard/ and build/ stay untouched, apart from the shared build cache in build/cache/.
import test, { type ExecutionContext } from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { cli, type CliResult } from "../faults/helpers.ts";

const tmp = mkdtempSync(path.join(os.tmpdir(), "tinyboard-cli-"));
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

let stateN = 0;
/** A fresh board state directory. */
const newState = () => path.join(tmp, `state-${++stateN}`);

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** Non-zero exit (not the internal-error code) with exactly one "tinyboard: error:" line. */
function userError(t: ExecutionContext, r: CliResult, message?: RegExp): void {
  t.true(r.status !== 0 && r.status !== null, `exit ${r.status}`);
  t.not(r.status, 70, `internal error: ${r.stderr}`);
  t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/, `stderr: ${JSON.stringify(r.stderr)}`);
  t.false(r.stderr.includes("    at "), "no stack trace");
  if (message) t.regex(r.stderr, message);
}

// spawnSync blocks the worker's event loop: run the tests one at a time and let the loop turn
// before each, so every result reaches ava as it happens (its timeout is inactivity-based).
const cliTest = (title: string, fn: (t: ExecutionContext) => void) =>
  test.serial(title, async (t) => {
    await new Promise((resolve) => setImmediate(resolve));
    fn(t);
  });

// sensor-logger built once for rt1060: the image the image-level checks use.
const IMAGE = path.join(tmp, "sensor-logger-rt1060.tbi");
test.before(() => {
  const r = cli(["build", "apps/sensor-logger", "--board", "rt1060", "-o", IMAGE]);
  if (r.status !== 0 || !existsSync(IMAGE))
    throw new Error(`build failed (${r.status}): ${r.stderr}`);
});

// ---- positive checks --------------------------------------------------------------------

cliTest("boards lists rt1060, rt1170 and mcxn947 at 600, 996 and 150 MHz", (t) => {
  const r = cli(["boards"]);
  t.is(r.status, 0, r.stderr);
  // One block per board: its first line starts in column 0.
  const blocks = new Map(r.stdout.split(/\n(?=\S)/).map((b) => [b.split(/\s/)[0], b]));
  t.deepEqual([...blocks.keys()].sort(), ["mcxn947", "rt1060", "rt1170"]);
  t.regex(blocks.get("rt1060") ?? "", /core\s+cm7\s+cortex-m7 at 600 MHz/);
  t.regex(blocks.get("rt1170") ?? "", /core\s+cm7\s+cortex-m7 at 996 MHz/);
  t.regex(blocks.get("mcxn947") ?? "", /core\s+cm33\s+cortex-m33 at 150 MHz/);

  const j = cli(["boards", "--json"]);
  t.is(j.status, 0, j.stderr);
  const clocks = Object.fromEntries(
    JSON.parse(j.stdout).map((b: any) => [b.id, b.cores[0].clockHz]),
  );
  t.deepEqual(clocks, { mcxn947: 150_000_000, rt1060: 600_000_000, rt1170: 996_000_000 });
});

cliTest(
  "build --partition adds a flash partition to app.json's, and a bad one is one line",
  (t) => {
    const out = path.join(tmp, "hello-extra.tbi");
    const extra = path.resolve("apps/voice-control/model/dtln_noise_suppression.tflite");
    const r = cli([
      "build",
      "apps/hello-model",
      "--board",
      "rt1060",
      "-o",
      out,
      "--partition",
      `extra=${extra}`,
    ]);
    t.is(r.status, 0, r.stderr);
    // The report sizes the added model's arena beside app.json's one.
    t.regex(r.stdout, /model 'model' arena \d+ B/);
    t.regex(r.stdout, /model 'extra' arena \d+ B/);
    userError(
      t,
      cli(["build", "apps/hello-model", "--board", "rt1060", "--partition", "extra"]),
      /--partition extra: expected NAME=FILE/,
    );
    const missing = path.join(tmp, "no-such-model.tflite");
    userError(
      t,
      cli(["build", "apps/hello-model", "--board", "rt1060", "--partition", `extra=${missing}`]),
      /partition 'extra': cannot read/,
    );
  },
);

cliTest("build --json prints the memory report with regions", (t) => {
  const out = path.join(tmp, "mcxn947.tbi");
  const r = cli(["build", "apps/sensor-logger", "--board", "mcxn947", "--json", "-o", out]);
  t.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  t.is(report.board, "mcxn947");
  t.true(report.fits);
  t.deepEqual(
    report.regions.map((g: any) => g.name),
    ["PROGRAM_FLASH", "SRAM", "SRAMX"],
  );
  for (const g of report.regions) t.true(g.used >= 0 && g.used <= g.size, JSON.stringify(g));
  t.true(report.regions[0].used > 0 && report.regions[1].used > 0, "code in flash, data in SRAM");
  t.true(existsSync(out), "the image was written where -o said");
});

cliTest("size --board rt1170 --board mcxn947 prints a fit line per board", (t) => {
  const r = cli(["size", IMAGE, "--board", "rt1170", "--board", "mcxn947"]);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /sensor-logger built for rt1060\/cm7/);
  t.regex(r.stdout, /^fits on rt1170 \(by size; built for rt1060\)$/m);
  t.regex(r.stdout, /^fits on mcxn947 \(by size; built for rt1060\)$/m);
  t.regex(r.stdout, /^note: this image runs only on rt1060; .*--board rt1170/m);
});

cliTest("size says why an image does not fit a smaller board, and exits non-zero", (t) => {
  const img = path.join(tmp, "sram-600k.tbi");
  const b = cli(["build", "test/fixtures/apps/sram-600k", "--board", "rt1060", "-o", img]);
  t.is(b.status, 0, b.stderr);
  const r = cli(["size", img, "--board", "rt1170", "--board", "mcxn947"]);
  t.is(r.status, 1);
  t.regex(r.stdout, /^fits on rt1170 \(by size; built for rt1060\)$/m);
  t.regex(
    r.stdout,
    /^does not fit on mcxn947: SRAM needs \d+ KB, has 512 KB \(by size; built for rt1060\)$/m,
  );
});

cliTest("run --json prints a summary that ends at the time limit", (t) => {
  const r = cli([
    "run",
    IMAGE,
    "--board",
    "rt1060",
    "--state",
    newState(),
    "--seconds",
    "0.5",
    "--json",
  ]);
  t.is(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  t.is(s.reason, "time-limit");
  t.is(s.fault, null);
  t.is(s.app, "sensor-logger");
  t.is(s.emulatedSeconds, 0.5);
  t.is(s.cycles, 300_000_000);
});

cliTest(
  "run of an app writes build/<app>-<board>.tbi in the cwd; unchanged, the next run takes it from the build cache",
  (t) => {
    const app = path.join(process.cwd(), "apps/sensor-logger");
    const first = cli(
      ["run", app, "--board", "rt1060", "--state", newState(), "--seconds", "0.2", "-q"],
      110_000,
      tmp,
    );
    t.is(first.status, 0, first.stderr);
    t.regex(
      first.stderr,
      /^built sensor-logger for rt1060 \((compiled in [\d.]+ s|unchanged, from the build cache)\): .* -> build\/sensor-logger-rt1060\.tbi$/m,
    );
    t.true(existsSync(path.join(tmp, "build/sensor-logger-rt1060.tbi")));
    const second = cli(
      ["run", app, "--board", "rt1060", "--state", newState(), "--seconds", "0.2", "-q"],
      110_000,
      tmp,
    );
    t.regex(second.stderr, /^built sensor-logger for rt1060 \(unchanged, from the build cache\)/m);
    const image = cli(
      [
        "run",
        "build/sensor-logger-rt1060.tbi",
        "--board",
        "rt1060",
        "--state",
        newState(),
        "--seconds",
        "0.2",
        "--json",
      ],
      110_000,
      tmp,
    );
    t.is(image.status, 0, image.stderr);
    t.is(JSON.parse(image.stdout).app, "sensor-logger");
  },
);

cliTest(
  "a misspelled app folder gets the nearest app, in the same words from build and run",
  (t) => {
    for (const cmd of ["build", "run"]) {
      const r = cli([
        cmd,
        "apps/sensor-loger",
        "--board",
        "rt1060",
        ...(cmd === "run" ? ["--state", newState()] : []),
      ]);
      userError(
        t,
        r,
        /^tinyboard: error: no such app: apps\/sensor-loger \(did you mean apps\/sensor-logger\?\)$/m,
      );
    }
  },
);

cliTest(
  "compile errors: every one with file:line:col, its source line and a caret under the column",
  (t) => {
    const r = cli([
      "build",
      "test/fixtures/apps/compile-errors",
      "--board",
      "rt1060",
      "-o",
      path.join(tmp, "never.tbi"),
    ]);
    t.is(r.status, 1);
    t.false(r.stderr.includes("    at "), "no stack trace");
    t.regex(
      r.stderr,
      /^tinyboard: error: test\/fixtures\/apps\/compile-errors\/main\.ts: compile failed, 2 errors:$/m,
    );
    t.regex(
      r.stderr,
      /^test\/fixtures\/apps\/compile-errors\/main\.ts:4:16: error TS2322: Type '~lib\/string\/String' is not assignable to type 'i32'\.\n {4}4 \|   let n: i32 = "three";\n {6}\| {16}\^~{6}$/m,
    );
    // The helper module's line is indented with a tab: the caret keeps it.
    t.regex(
      r.stderr,
      /^test\/fixtures\/apps\/compile-errors\/util\.ts:2:\d+: error TS\d+: .*\n {4}2 \| \treturn x \* "2";\n {6}\| \t {0,20}\^/m,
    );
    t.false(existsSync(path.join(tmp, "never.tbi")));
  },
);

cliTest(
  "--version prints the package version; run --help lists the boards and explains the input specs",
  (t) => {
    const v = cli(["--version"]);
    t.is(v.status, 0);
    t.is(v.stdout.trim(), JSON.parse(readFileSync("package.json", "utf8")).version);
    const h = cli(["run", "--help"]);
    t.is(h.status, 0);
    t.regex(h.stdout, /--board <board> +board id, required: mcxn947, rt1060, rt1170/);
    for (const spec of [
      "accel=trace.csv,rate=100",
      "accel=gen:rest",
      "camera=photos/,fps=10",
      "--cpu-only",
      "--rebuild",
    ])
      t.true(h.stdout.includes(spec), spec);
  },
);

cliTest("a fixed-rate CSV without a rate says which rate it assumed", (t) => {
  const csv = path.join(tmp, "no-rate.csv");
  writeFileSync(csv, "x,y,z\n0,0,1\n0,0,1\n0,0.1,1\n");
  const r = cli([
    "run",
    IMAGE,
    "--board",
    "rt1060",
    "--state",
    newState(),
    "-i",
    `accel=${csv}`,
    "-s",
    "0.1",
    "-q",
  ]);
  t.is(r.status, 0, r.stderr);
  t.regex(
    r.stderr,
    /^input accel: .*no-rate\.csv \(3 rows at 200 Hz \(default rate; set ,rate= or # rate_hz=\)/m,
  );
});

cliTest("an image built for one board is refused by run on another", (t) => {
  const r = cli(["run", IMAGE, "--board", "mcxn947", "--state", newState()]);
  userError(
    t,
    r,
    /^tinyboard: error: image was built for rt1060\/cm7, not mcxn947\/cm33: rebuild it for this board$/m,
  );
});

cliTest("a firmware fault is a report and exit code 3, not a CLI error", (t) => {
  const r = cli([
    "run",
    "test/fixtures/apps/wd-spin",
    "--board",
    "rt1060",
    "--state",
    newState(),
    "--json",
  ]);
  t.is(r.status, 3, r.stderr);
  t.is(r.stderr, "");
  const s = JSON.parse(r.stdout);
  t.is(s.reason, "fault");
  t.is(s.fault.kind, "watchdog");
});

cliTest(
  "a firmware's error exit (exit(n), n != 0) is the run's exit code; exit(0) is success",
  (t) => {
    const run = (code: number) =>
      cli([
        "run",
        "test/fixtures/apps/app-options",
        "--board",
        "rt1060",
        "--state",
        newState(),
        "--option",
        `EXIT_CODE=${code}`,
      ]);
    const bad = run(2);
    t.is(bad.status, 2, bad.stderr);
    t.regex(bad.stdout, /firmware exit\(2\)/);
    t.is(run(0).status, 0);
  },
);

// ---- boards ---------------------------------------------------------------------------------

cliTest("an unknown board is one error line naming the known boards", (t) => {
  userError(
    t,
    cli(["build", "apps/sensor-logger", "--board", "nope", "-o", path.join(tmp, "nope.tbi")]),
    /unknown board 'nope' \(known boards: mcxn947, rt1060, rt1170\)/,
  );
});

cliTest("a board file that is not JSON is one error line", (t) => {
  const file = path.join(tmp, "bad-board.json");
  writeFileSync(file, "{ this is not json");
  userError(
    t,
    cli(["build", "apps/sensor-logger", "--board", file, "-o", path.join(tmp, "b.tbi")]),
    /not valid JSON/,
  );
});

cliTest("a board file of valid JSON missing fields is one error line", (t) => {
  const file = path.join(tmp, "thin-board.json");
  writeFileSync(file, JSON.stringify({ id: "thin", cores: [] }));
  userError(
    t,
    cli(["build", "apps/sensor-logger", "--board", file, "-o", path.join(tmp, "t.tbi")]),
    /malformed/,
  );
});

// ---- inputs -----------------------------------------------------------------------------------

cliTest("a CSV input with bad rows is one error line naming the file and row", (t) => {
  const csv = path.join(tmp, "bad.csv");
  writeFileSync(csv, "t,x,y,z\n0,0,0,1\nabc,1,2\n0.02,0,0,1\n");
  const state = newState();
  const r = cli([
    "run",
    "apps/sensor-logger",
    "--board",
    "rt1060",
    "--input",
    `accel=${csv}`,
    "--state",
    state,
  ]);
  userError(t, r, /bad\.csv line 3/);
  t.is(r.stdout, "", "nothing ran");
  t.false(existsSync(path.join(state, "flash.tbi")), "nothing was flashed");
});

cliTest("bad microphone inputs and arrays are one error line before anything is flashed", (t) => {
  const notWav = path.join(tmp, "notes.wav");
  writeFileSync(notWav, "these are not samples\n");
  const marvin = path.resolve("../shared/fixtures/mlcommons-tiny/marvin_617de221_0.wav");
  const cases: [string[], RegExp][] = [
    [["--board", "rt1170", "--input", `mic=${notWav}`], /notes\.wav: not a WAV file/],
    [["--board", "rt1170", "--input", "mic=missing.wav"], /missing\.wav: file not found/],
    [
      ["--board", "rt1060", "--input", `mic=${marvin}`],
      /has no microphones \(attach an array with --mic-array\)/,
    ],
    [
      ["--board", "rt1060", "--mic-array", "sln-local2-tri", "--input", `mic=${marvin}`],
      /2 channels for 3 microphones/,
    ],
    [
      ["--board", "rt1060", "--mic-array", "ring9"],
      /--mic-array ring9: no such bundled array \(bundled: linear4-35mm, sln-local2-tri/,
    ],
    [
      ["--board", "rt1170", "--input", `mic=${marvin},gain=loud`],
      /unknown or bad option 'gain=loud'/,
    ],
  ];
  for (const [args, why] of cases) {
    const state = newState();
    const r = cli(["run", IMAGE, "--state", state, ...args]);
    userError(t, r, why);
    t.false(existsSync(path.join(state, "flash.tbi")), "nothing was flashed");
  }
});

// ---- images -----------------------------------------------------------------------------------

function variant(name: string, bytes: Buffer): string {
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}

cliTest("a truncated image is one error line for size and for run", (t) => {
  const full = readFileSync(IMAGE);
  for (const [name, bytes, why] of [
    ["cut-header.tbi", full.subarray(0, 40), /truncated header/],
    ["cut-end.tbi", full.subarray(0, full.length - 1000), /truncated/],
  ] as const) {
    const file = variant(name, bytes);
    userError(t, cli(["size", file]), why);
    if (name === "cut-end.tbi")
      userError(t, cli(["run", file, "--board", "rt1060", "--state", newState()]), why);
    t.deepEqual(readFileSync(file), bytes, "the image file is left as it was");
  }
});

cliTest("a damaged image (one byte flipped in its code) is caught by its CRC", (t) => {
  const bytes = Buffer.from(readFileSync(IMAGE));
  const codeStart = 12 + bytes.readUInt32LE(8); // magic, header length, header, then the wasm
  bytes[codeStart + 100] ^= 0xff;
  userError(
    t,
    cli(["size", variant("flipped.tbi", bytes)]),
    /section firmware\.wasm is damaged \(CRC mismatch\)/,
  );
});

cliTest("a file that is not an image is one error line", (t) => {
  const file = variant("notes.txt", Buffer.from("these are my notes, not firmware\n"));
  userError(t, cli(["size", file]), /not a valid tinyboard image: wrong magic/);
  userError(
    t,
    cli(["run", file, "--board", "rt1060", "--state", newState()]),
    /not a valid tinyboard image/,
  );
});

cliTest("run with nothing flashed says so", (t) => {
  const state = newState();
  userError(t, cli(["run", "--board", "rt1060", "--state", state]), /nothing is flashed on rt1060/);
});

// ---- SD card images -------------------------------------------------------------------------

cliTest("a corrupt SD card image (2 MB of random bytes) is refused and left unchanged", (t) => {
  const card = variant("garbage.img", randomBytes(2 * 1024 * 1024));
  const before = sha(card);
  userError(
    t,
    cli([
      "run",
      "apps/sensor-logger",
      "--board",
      "rt1060",
      "--state",
      newState(),
      "--sdcard",
      card,
      "--seconds",
      "1",
    ]),
    /SD card image .*garbage\.img is corrupt/,
  );
  t.is(sha(card), before, "never lose data: the file is byte for byte as it was");
});

// ---- options ---------------------------------------------------------------------------------

cliTest("an unknown option is one error line, not usage text", (t) => {
  userError(
    t,
    cli(["run", IMAGE, "--board", "rt1060", "--state", newState(), "--frobnicate"]),
    /unknown option '--frobnicate'/,
  );
});

cliTest("a missing required option is one error line", (t) => {
  userError(t, cli(["build", "apps/sensor-logger"]), /--board/);
});
