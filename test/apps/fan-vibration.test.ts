// The fan vibration generators: the physics they claim shows in their spectra, they are
// pure functions of time, and bad specs get one-line errors.
import test from "ava";
import path from "node:path";
import { writeFileSync } from "node:fs";
import { InputError, openAccelSource } from "../../emulator/inputs/accel-source.ts";
import { cli } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const RATE = 200;

/** n samples at 200 Hz of axis a (or the vector magnitude of the vibration: a = -1). */
function samples(spec: string, seconds: number): Float64Array[] {
  const src = openAccelSource(spec);
  const n = seconds * RATE;
  const axes = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const g = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    src.sampleAt(i / RATE, g);
    for (let a = 0; a < 3; a++) axes[a][i] = g[a];
  }
  return axes;
}

/** Power at `hz` summed over the axes (single-bin DFT, mean removed). */
function power(axes: Float64Array[], hz: number): number {
  let p = 0;
  for (const x of axes) {
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    let re = 0;
    let im = 0;
    for (let i = 0; i < x.length; i++) {
      const w = (2 * Math.PI * hz * i) / RATE;
      re += (x[i] - mean) * Math.cos(w);
      im += (x[i] - mean) * Math.sin(w);
    }
    p += (re * re + im * im) / (x.length * x.length);
  }
  return p;
}

/** Median power over [lo, hi] Hz in 0.25 Hz steps: the floor between tones. */
function band(axes: Float64Array[], lo: number, hi: number): number {
  const p: number[] = [];
  for (let f = lo; f <= hi; f += 0.25) p.push(power(axes, f));
  return p.sort((a, b) => a - b)[p.length >> 1];
}

const rms = (x: Float64Array) => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
};

test("on: the shaft frequency and its harmonic stand out; blade pass is axial", (t) => {
  const axes = samples("gen:on,rpm=1200,blades=3,noise=0,seed=4", 8); // 20 Hz shaft, 60 Hz blade pass
  const floor = band(axes, 30, 35);
  t.true(power(axes, 20) > 100 * floor, "1x");
  t.true(power(axes, 40) > 10 * floor, "2x");
  // Fan axis along z (tilt 0): the blade-pass tone is on z, the 1x imbalance in x/y.
  t.true(power([axes[2]], 60) > 10 * power([axes[0], axes[1]], 60), "blade pass axial");
  t.true(power([axes[0], axes[1]], 20) > 10 * power([axes[2]], 20), "imbalance radial");
});

test("gravity on the up axis, scaled by the gain; vibration grows with speed", (t) => {
  const up = samples("gen:on,orient=-x,gain=1.2,seed=3", 2);
  const meanX = up[0].reduce((s, v) => s + v, 0) / up[0].length;
  t.true(Math.abs(meanX + 1.2) < 0.01, `mean x ${meanX}`);
  const slow = samples("gen:on,rpm=900,seed=3", 4);
  const fast = samples("gen:on,rpm=1800,seed=3", 4);
  t.true(rms(fast[0]) > 2 * rms(slow[0]), "~rpm^2");
});

test("friction: sub-harmonic at half the (slowed) shaft speed and more broadband energy", (t) => {
  const on = samples("gen:on,rpm=1500,noise=0,seed=9", 8);
  const rub = samples("gen:friction,rpm=1500,noise=0,seed=9", 8);
  const fr = (1500 * 0.92) / 60;
  t.true(power(rub, fr / 2) > 50 * power(on, fr / 2), "0.5x");
  t.true(power(rub, fr) > 20 * power(rub, fr * 1.25), "1x at the slowed speed");
  t.true(band(rub, 60, 95) > 3 * band(on, 60, 95), "broadband");
});

test("clogged: faster, blade pass collapsed, low-frequency buffeting", (t) => {
  const on = samples("gen:on,rpm=1200,blades=3,noise=0,seed=5", 8);
  const clog = samples("gen:clogged,rpm=1200,blades=3,noise=0,seed=5", 8);
  t.true(power(clog, 22) > 20 * power(clog, 20), "shaft at 1.1x");
  t.true(power(clog, 66) < power(on, 60) / 5, "blade pass down with the airflow");
  t.true(band(clog, 2, 12) > 10 * band(on, 2, 12), "buffeting");
});

test("off: gravity and sensor noise only", (t) => {
  const axes = samples("gen:off,noise=0.004,seed=2", 4);
  for (const a of axes) t.true(Math.abs(rms(a) - 0.004) < 0.0006, `rms ${rms(a)}`);
});

test("a pure function of time: order and repetition do not matter; seeds differ", (t) => {
  const a = openAccelSource("gen:friction,rpm=1800,tilt=40,yaw=30,seed=11");
  const b = openAccelSource("gen:friction,rpm=1800,tilt=40,yaw=30,seed=11");
  const ga = new Float64Array(3);
  const gb = new Float64Array(3);
  const times = [3.215, 0.005, 100.5, 0.005, 7];
  for (const s of times) {
    a.sampleAt(s, ga);
    b.sampleAt(times[(times.indexOf(s) + 2) % times.length], gb);
    b.sampleAt(s, gb);
    t.deepEqual([...ga], [...gb]);
  }
  const c = openAccelSource("gen:friction,rpm=1800,tilt=40,yaw=30,seed=12");
  c.sampleAt(3.215, gb);
  a.sampleAt(3.215, ga);
  t.notDeepEqual([...ga], [...gb]);
  t.is(
    a.description,
    "gen:friction,rpm=1800,blades=5,orient=z,noise=0.003,seed=11,tilt=40,yaw=30,gain=1,bw=80",
  );
});

test("bad fan specs: one-line errors naming the problem", (t) => {
  const bad: [string, RegExp][] = [
    [
      "gen:friction,rpm=fast",
      /rpm \(shaft speed.*\) must be a number from 60 to 12000, got 'fast'/,
    ],
    ["gen:clogged,rpm=10", /rpm .* must be a number from 60/],
    ["gen:on,blades=2.5", /blades .* must be an integer/],
    ["gen:on,speed=3", /unknown option 'speed' for gen:on \(known: rpm=/],
    ["gen:on,orient=up", /orient must be one of x, y, z, -x, -y, -z/],
    [
      "gen:rattle,rpm=1800",
      /unknown generator 'rattle' \(known: .*gen:off, gen:on, gen:clogged, gen:friction/,
    ],
  ];
  for (const [spec, re] of bad) {
    const e = t.throws(() => openAccelSource(spec), { instanceOf: InputError });
    t.regex(e!.message, re);
    t.false(e!.message.includes("\n"));
  }
});

test.serial(
  "tinyboard run apps/fan-monitor with a bad generator option or a malformed CSV: one line, non-zero exit",
  (t) => {
    const dir = tempDir("tinyboard-fan-cli-");
    const bad = path.join(dir, "bad.csv");
    writeFileSync(bad, "t_ms,x,y,z\n0,0,0,1\n5,0.1,zero,1\n");
    for (const [input, re] of [
      [
        "accel=gen:friction,rpm=fast",
        /rpm \(shaft speed when running normally, rev\/min\) must be a number from 60 to 12000, got 'fast'/,
      ],
      ["accel=gen:jammed,rpm=1800", /unknown generator 'jammed'/],
      [`accel=${bad}`, /bad\.csv line 3: column y is not a number: 'zero'/],
    ] as const) {
      const r = cli([
        "run",
        "apps/fan-monitor",
        "--board",
        "mcxn947",
        "--state",
        path.join(dir, "state"),
        "--input",
        input,
        "--seconds",
        "1",
      ]);
      t.true(r.status !== 0 && r.status !== 70, `exit ${r.status}`);
      t.regex(r.stderr, /^tinyboard: error: [^\n]+\n$/, r.stderr);
      t.regex(r.stderr, re);
    }
  },
);
