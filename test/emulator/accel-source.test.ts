import test from "ava";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  InputError,
  openAccelSource,
  type AccelSource,
} from "../../emulator/inputs/accel-source.ts";
import { registerAccelGenerator } from "../../emulator/inputs/accel-generators.ts";

const dir = mkdtempSync(join(tmpdir(), "tinyboard-accel-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a fixture CSV into the temp dir and returns its name (relative to dir). */
function fixture(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

const open = (spec: string): AccelSource => openAccelSource(spec, { cwd: dir });

function at(src: AccelSource, t: number): number[] {
  const out = new Float64Array(3);
  src.sampleAt(t, out);
  return [...out];
}

function near(
  t: { true(v: boolean, m?: string): void },
  got: number[],
  want: number[],
  eps = 1e-9,
): void {
  t.true(
    got.every((v, i) => Math.abs(v - want[i]) <= eps),
    `got [${got}] want [${want}]`,
  );
}

// --- Time-stamped traces -----------------------------------------------------------------

test("time-stamped seconds: rows exact, linear interpolation between", (t) => {
  const src = open(fixture("secs.csv", "t,x,y,z\n0,0,0,1\n0.01,1,-1,1\n0.02,3,-1,0\n"));
  near(t, at(src, 0), [0, 0, 1]);
  near(t, at(src, 0.01), [1, -1, 1]);
  near(t, at(src, 0.005), [0.5, -0.5, 1]);
  near(t, at(src, 0.0175), [2.5, -1, 0.25]);
  t.true(Math.abs(src.durationSeconds - 0.03) < 1e-12); // each row covers one interval
  t.regex(src.description, /^secs\.csv \(3 rows time-stamped by t, ~100 Hz/);
});

test("time-stamped ms with ax,ay,az and an offset start is rebased to t=0", (t) => {
  const src = open(
    fixture(
      "ms.csv",
      "# phone log\ntime_ms,ax,ay,az\n1700000000000,0,0,1\n1700000000004,0.4,0,1\n1700000000008,0,0,1\n",
    ),
  );
  near(t, at(src, 0.002), [0.2, 0, 1]);
  near(t, at(src, 0.006), [0.2, 0, 1]);
  t.regex(src.description, /250 Hz/);
});

test("time-stamped us with accel_x columns", (t) => {
  const src = open(fixture("us.csv", "t_us,accel_x,accel_y,accel_z\n0,0,0,1\n500,0,0.5,1\n"));
  near(t, at(src, 0.00025), [0, 0.25, 1]);
});

test("m/s^2 columns are converted to g", (t) => {
  const src = open(fixture("ms2.csv", "t,x_ms2,y_ms2,z_ms2\n0,0,0,9.80665\n1,19.6133,0,9.80665\n"));
  near(t, at(src, 0), [0, 0, 1]);
  near(t, at(src, 0.5), [1, 0, 1]);
  t.regex(src.description, /m\/s\^2 converted to g/);
});

test("comments, CRLF, BOM and blank trailing lines are accepted", (t) => {
  const src = open(
    fixture(
      "crlf.csv",
      "\uFEFF# recorded on bench\r\nt,x,y,z\r\n0,0,0,1\r\n# mid comment\r\n1,1,0,1\r\n\r\n  \r\n\r\n",
    ),
  );
  near(t, at(src, 0.25), [0.25, 0, 1]);
});

// --- Fixed-rate traces -------------------------------------------------------------------

const FIXED = "x,y,z\n0,0,1\n1,0,1\n2,0,1\n3,0,1\n";

test("fixed-rate: rate from the spec", (t) => {
  const src = open(`${fixture("fixed.csv", FIXED)},rate=100`);
  near(t, at(src, 0.015), [1.5, 0, 1]);
  t.is(src.durationSeconds, 0.04);
  t.is(src.description, "fixed.csv (4 rows at 100 Hz, 0.0400 s)");
});

test("fixed-rate: rate from a # rate_hz comment, spec overrides it", (t) => {
  fixture("commented.csv", "# rate_hz=50\n" + FIXED);
  near(t, at(open("commented.csv"), 0.03), [1.5, 0, 1]);
  near(t, at(open("commented.csv,rate=100"), 0.03), [3, 0, 1]);
});

test("fixed-rate: defaults to 200 Hz and says so", (t) => {
  const src = open(fixture("default.csv", FIXED));
  near(t, at(src, 0.0025), [0.5, 0, 1]);
  t.is(src.durationSeconds, 4 / 200);
  t.regex(src.description, /200 Hz \(default rate/);
});

// --- Past the end ----------------------------------------------------------------------

test("past the end: holds the last row by default", (t) => {
  const src = open(`${fixture("end.csv", FIXED)},rate=100`);
  near(t, at(src, 0.03), [3, 0, 1]);
  near(t, at(src, 0.035), [3, 0, 1]);
  near(t, at(src, 1000), [3, 0, 1]);
});

test("past the end: ,loop repeats, ramping from the last row back to the first", (t) => {
  const src = open(`${fixture("loop.csv", FIXED)},rate=100,loop`);
  t.regex(src.description, /looped/);
  near(t, at(src, 0.035), [1.5, 0, 1]); // halfway from row 3 (x=3) back to row 0 (x=0)
  near(t, at(src, 0.04), [0, 0, 1]);
  near(t, at(src, 0.055), [1.5, 0, 1], 1e-9);
  near(t, at(src, 100 * 0.04 + 0.025), [2.5, 0, 1], 1e-6);
});

test("negative or NaN time reads the start", (t) => {
  const src = open(`${fixture("neg.csv", FIXED)},rate=100`);
  near(t, at(src, -1), [0, 0, 1]);
  near(t, at(src, Number.NaN), [0, 0, 1]);
});

// --- Errors ------------------------------------------------------------------------------

const HEADER = "t,x,y,z\n0,0,0,1\n";
const errorCases: Array<[string, string, number, RegExp]> = [
  ["empty", "", 1, /file is empty/],
  ["whitespace only", "\n  \n", 1, /file is empty/],
  ["only comments", "# a\n# b\n", 2, /no header row/],
  ["numbers as header", "0,0,0,1\n1,0,0,1\n", 1, /no header row/],
  ["unknown column", "# c\nt,x,y,z,temp\n", 2, /unknown column 'temp'/],
  ["semicolons", "t;x;y;z\n", 1, /comma-separated/],
  ["missing axis", "t,x,y\n0,0,0\n", 1, /no column for z/],
  ["two time columns", "t,t_ms,x,y,z\n", 1, /two time columns/],
  ["duplicate axis", "x,ax,y,z\n", 1, /two columns for x/],
  ["not a number", HEADER + "0.01,0,0,1\n0.02,1,abc,1\n", 4, /column y is not a number: 'abc'$/],
  ["hex is not a number", HEADER + "0.01,0x1,0,1\n", 3, /column x is not a number/],
  ["empty value", HEADER + "0.01,1,,1\n", 3, /column y is missing/],
  ["short row", HEADER + "0.01,1,2\n", 3, /column z is missing/],
  ["long row", HEADER + "0.01,1,2,3,4\n", 3, /5 values but the header \(line 1\) has 4 columns/],
  ["time equal", HEADER + "0.01,0,0,1\n0.01,0,0,1\n", 4, /time not increasing .*line 3/],
  ["time decreasing", HEADER + "# x\n-0.5,0,0,1\n", 4, /time not increasing/],
  ["one data row", HEADER, 2, /needs at least 2 data rows to interpolate, found 1/],
  ["no data rows", "t,x,y,z\n", 1, /needs at least 2 data rows to interpolate, found 0/],
  ["NaN", HEADER + "0.01,NaN,0,1\n", 3, /column x is not finite: 'NaN'/],
  ["inf", HEADER + "0.01,0,-inf,1\n", 3, /column y is not finite/],
  ["overflow", HEADER + "0.01,0,0,1e999\n", 3, /column z is not finite/],
  ["time NaN", HEADER + "nan,0,0,1\n", 3, /column t is not finite/],
  [
    "absurd g",
    HEADER + "0.01,0,0,65\n",
    3,
    /column z is 65 g, beyond ±64 g; for m\/s\^2 name the column z_ms2/,
  ],
  [
    "absurd m/s^2",
    "t,x_ms2,y_ms2,z_ms2\n0,0,0,9.8\n0.01,0,-700,9.8\n",
    3,
    /column y_ms2 is -71.38 g/,
  ],
  ["bad rate_hz", "# rate_hz=fast\nx,y,z\n0,0,1\n", 1, /rate_hz must be a positive number/],
  ["broken quoting", 't,x,y,z\n0,0,0,1\n"0.01,0,0,1\n', 3, /not valid CSV/],
  [
    "newline in quoted value",
    't,x,y,z\n0,0,0,1\n0.01,"1\n2",0,1\n',
    4,
    /column x is not a number: '1 2'/,
  ],
];

for (const [title, text, line, pattern] of errorCases) {
  test(`error: ${title}`, (t) => {
    const name = fixture(`bad-${title.replace(/\W+/g, "-")}.csv`, text);
    const err = t.throws(() => open(name), { instanceOf: InputError });
    t.true(err.message.startsWith(`${name} line ${line}: `), err.message);
    t.regex(err.message, pattern);
    t.false(/[\r\n]/.test(err.message), "message must be one line");
  });
}

test("error: file not found, or a directory, names the file", (t) => {
  const missing = t.throws(() => open("nope.csv"), { instanceOf: InputError });
  t.regex(missing.message, /^nope\.csv: file not found \(looked for .*nope\.csv\)$/);
  mkdirSync(join(dir, "adir"), { recursive: true });
  t.throws(() => open("adir"), { instanceOf: InputError, message: /^adir: is a directory/ });
  t.throws(() => open("rest"), { instanceOf: InputError, message: /write gen:rest/ });
});

test("error: bad CSV spec options", (t) => {
  fixture("opts.csv", HEADER + "0.01,0,0,1\n");
  fixture("optsfixed.csv", FIXED);
  t.throws(() => open("opts.csv,rate=100"), {
    instanceOf: InputError,
    message: /^opts\.csv line 1: rate= is for fixed-rate files/,
  });
  t.throws(() => open("optsfixed.csv,rate=0"), {
    instanceOf: InputError,
    message: /rate must be a positive number/,
  });
  t.throws(() => open("optsfixed.csv,rate=abc"), {
    instanceOf: InputError,
    message: /rate must be a positive number/,
  });
  t.throws(() => open("optsfixed.csv,repeat"), {
    instanceOf: InputError,
    message: /unknown option 'repeat' \(known: rate=<Hz>, loop, hold\)/,
  });
  t.throws(() => open("  "), { instanceOf: InputError, message: /empty spec/ });
});

test("error: unknown generator or option lists the known ones", (t) => {
  t.throws(() => open("gen:bogus"), {
    instanceOf: InputError,
    message: /unknown generator 'bogus' \(known: .*gen:rest.*gen:sine/,
  });
  const opt = t.throws(() => open("gen:rest,freq=3"), { instanceOf: InputError });
  t.regex(
    opt.message,
    /^gen:rest,freq=3: unknown option 'freq' for gen:rest \(known: orient=.*noise=.*seed=/,
  );
  t.throws(() => open("gen:rest,orient=up"), {
    instanceOf: InputError,
    message: /orient must be one of x, y, z, -x, -y, -z/,
  });
  t.throws(() => open("gen:rest,noise=-1"), {
    instanceOf: InputError,
    message: /noise .* must be a number from 0 to 1/,
  });
  t.throws(() => open("gen:rest,seed=1.5"), {
    instanceOf: InputError,
    message: /seed .* must be an integer/,
  });
  t.throws(() => open("gen:rest,seed"), {
    instanceOf: InputError,
    message: /option seed needs a value/,
  });
  t.throws(() => open("gen:rest,seed=1,seed=2"), {
    instanceOf: InputError,
    message: /given twice/,
  });
});

// --- Generators --------------------------------------------------------------------------

function stats(src: AccelSource, n: number, rateHz: number) {
  const out = new Float64Array(3);
  const xs: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    src.sampleAt(i / rateHz, out);
    for (let a = 0; a < 3; a++) xs[a].push(out[a]);
  }
  return xs.map((v) => {
    const mean = v.reduce((s, x) => s + x, 0) / n;
    const rms = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / n);
    let lag1 = 0;
    for (let i = 1; i < n; i++) lag1 += (v[i] - mean) * (v[i - 1] - mean);
    return { mean, rms, corr: lag1 / (n - 1) / rms ** 2 };
  });
}

test("gen:rest: mean is gravity, noise RMS is the default 0.002 g, white", (t) => {
  const src = open("gen:rest");
  t.is(src.durationSeconds, Infinity);
  t.is(src.description, "gen:rest,orient=z,noise=0.002,seed=1");
  const s = stats(src, 10_000, 1000);
  [0, 0, 1].forEach((g, a) => {
    t.true(Math.abs(s[a].mean - g) < 1e-4, `axis ${a} mean ${s[a].mean}`);
    t.true(Math.abs(s[a].rms / 0.002 - 1) < 0.05, `axis ${a} rms ${s[a].rms}`);
    t.true(Math.abs(s[a].corr) < 0.05, `axis ${a} lag-1 correlation ${s[a].corr}`);
  });
});

test("gen:rest: orient and noise options", (t) => {
  const s = stats(open("gen:rest,orient=-x,noise=0.005,seed=7"), 10_000, 833);
  [-1, 0, 0].forEach((g, a) => {
    t.true(Math.abs(s[a].mean - g) < 2.5e-4, `axis ${a} mean ${s[a].mean}`);
    t.true(Math.abs(s[a].rms / 0.005 - 1) < 0.05, `axis ${a} rms ${s[a].rms}`);
  });
  near(t, at(open("gen:rest,orient=y,noise=0"), 3.21), [0, 1, 0], 0);
});

test("gen:sine: gravity plus amp*sin(2 pi f t) on the chosen axis", (t) => {
  const src = open("gen:sine,freq=50,amp=0.5,axis=x,noise=0");
  near(t, at(src, 0.005), [0.5, 0, 1]); // quarter period
  near(t, at(src, 0.015), [-0.5, 0, 1]);
  near(t, at(open("gen:sine,freq=10,amp=2,axis=z,orient=-z,noise=0"), 0.025), [0, 0, -1 + 2]);
  const noisy = stats(open("gen:sine,amp=0"), 10_000, 1000);
  t.true(Math.abs(noisy[2].rms / 0.002 - 1) < 0.05); // default noise applies to sine too
});

test("determinism: same spec same values, different seed different values", (t) => {
  const times = Array.from({ length: 200 }, (_, i) => i * 0.0013);
  const run = (spec: string) => times.map((x) => at(open(spec), x));
  t.deepEqual(run("gen:rest,seed=7"), run("gen:rest,seed=7"));
  t.deepEqual(run("gen:sine,seed=7"), run("gen:sine,seed=7"));
  const a = run("gen:rest,seed=7").flat();
  const b = run("gen:rest,seed=8").flat();
  t.true(a.filter((v, i) => v !== b[i]).length > 590);
});

test("order independence: sampleAt(t) does not depend on earlier calls", (t) => {
  const times = Array.from({ length: 500 }, (_, i) => i / 400);
  const shuffled = [...times].sort((p, q) => Math.sin(p * 12345) - Math.sin(q * 12345));
  const sources = [
    open("gen:rest"),
    open("gen:sine"),
    open(`${fixture("order.csv", FIXED)},rate=500,loop`),
  ];
  for (const src of sources) {
    const forward = new Map(times.map((x) => [x, at(src, x)]));
    for (const x of shuffled) t.deepEqual(at(src, x), forward.get(x), `${src.description} t=${x}`);
    for (const x of [...times].reverse()) t.deepEqual(at(src, x), forward.get(x));
  }
});

test("generators are registered in a table", (t) => {
  registerAccelGenerator("test-level", {
    help: "constant level on x",
    options: { level: { help: "g", default: 0.25, min: -8, max: 8 } },
    create: (o) => (_t, out) => {
      out[0] = Number(o.level);
      out[1] = 0;
      out[2] = 0;
    },
  });
  near(t, at(open("gen:test-level,level=3"), 1), [3, 0, 0]);
  t.is(open("gen:test-level").description, "gen:test-level,level=0.25");
  t.throws(
    () => registerAccelGenerator("test-level", { help: "", options: {}, create: () => () => {} }),
    { message: /already registered/ },
  );
});
