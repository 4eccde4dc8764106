// The fan-state dataset: recordings ("conditions") of the vibration generators sampled as the
// board's accelerometer samples them (200 Hz, ±4 g, int16 counts), cut into windows of 128
// samples with a hop of 64 and normalised exactly as the firmware normalises them.
//
// Training and held-out conditions differ in what a deployed monitor meets but the model
// never saw: held-out fans run at speeds in bands excluded from training, and are mounted
// with other sensor axes up and the fan axis at tilts in bands excluded from training.
// Every recording is also a different fan (imbalance, harmonics, turbulence) and sensor
// (gain, noise).
import { openAccelSource } from "../../../emulator/inputs/accel-source.ts";
import { FAN_STATES, type FanState } from "../../../emulator/inputs/fan-vibration.ts";

export const RATE_HZ = 200;
export const RANGE_G = 4;
export const COUNTS_PER_G = 32768 / RANGE_G;
export const WINDOW = 128;
export const HOP = 64;
export const AXES = 3;
export const CLASSES = FAN_STATES;

export interface Condition {
  state: FanState;
  /** The `--input accel=` spec that reproduces this recording on a board. */
  spec: string;
  seconds: number;
}

/** Deterministic uniform stream for choosing conditions (mulberry32). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let z = Math.imul(s ^ (s >>> 15), s | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

const TRAIN_RPM: [number, number][] = [
  [700, 1150],
  [1250, 1750],
  [1850, 2350],
  [2450, 2600],
];
const HELD_OUT_RPM = [1200, 1800, 2400]; // ±40 rpm: inside the gaps above
const TRAIN_UP = ["z", "-z", "x", "y"];
const HELD_OUT_UP = ["-x", "-y"];
// Tilts of the fan axis: training leaves out bands around 45, 90 and 135 degrees.
const TRAIN_TILT: [number, number][] = [
  [0, 38],
  [52, 83],
  [97, 128],
  [142, 180],
];
const HELD_OUT_TILT: [number, number][] = [
  [40, 50],
  [85, 95],
  [130, 140],
];

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** `perState` conditions of each state, `seconds` long; "train" or "heldout" ranges. */
export function conditions(
  split: "train" | "heldout",
  perState: number,
  seconds: number,
  seed: number,
): Condition[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const within = ([lo, hi]: [number, number]) => lo + (hi - lo) * rnd();
  const out: Condition[] = [];
  for (let i = 0; i < perState; i++) {
    for (const state of FAN_STATES) {
      const rpm =
        split === "train" ? within(pick(TRAIN_RPM)) : pick(HELD_OUT_RPM) + within([-40, 40]);
      const orient = pick(split === "train" ? TRAIN_UP : HELD_OUT_UP);
      const tilt = within(pick(split === "train" ? TRAIN_TILT : HELD_OUT_TILT));
      const yaw = within([-180, 180]);
      const gain = within([0.8, 1.25]);
      const noise = within([0.001, 0.006]);
      const instance = Math.floor(rnd() * 1e9) + (split === "train" ? 0 : 1e9);
      const spec =
        `gen:${state},rpm=${Math.round(rpm)},orient=${orient},tilt=${round(tilt, 1)},yaw=${round(yaw, 1)}` +
        `,gain=${round(gain, 3)},noise=${round(noise, 4)},seed=${instance}`;
      out.push({ state, spec, seconds });
    }
  }
  return out;
}

/** The int16 counts (x, y, z interleaved) the board's accelerometer reads for a condition. */
export function record(c: Condition): Int16Array {
  const src = openAccelSource(c.spec);
  const n = Math.round(c.seconds * RATE_HZ);
  const counts = new Int16Array(n * AXES);
  const g = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    src.sampleAt(i / RATE_HZ, g);
    for (let a = 0; a < AXES; a++)
      counts[i * AXES + a] = Math.max(-32768, Math.min(32767, Math.round(g[a] * COUNTS_PER_G)));
  }
  return counts;
}

/** How many windows a recording of n samples gives (the firmware's count too). */
export const windowCount = (n: number): number =>
  n < WINDOW ? 0 : Math.floor((n - WINDOW) / HOP) + 1;

/** Below this RMS (g) a window keeps its level: a quiet fan is not blown up to look like a loud one. */
export const RMS_FLOOR_G = 0.01;

/**
 * The model input of one window: each axis minus its mean over the window (gravity and the
 * sensor's offset go), divided by the window's RMS over all three axes (fan speed, mounting
 * stiffness and sensor gain scale a fan's vibration; its spectrum's shape tells its state).
 * The firmware computes the same numbers: integer sums and squares, then float32 arithmetic
 * (Math.fround after each operation gives float32's correctly rounded results exactly).
 */
export function normaliseWindow(
  counts: Int16Array,
  start: number,
  out: Float32Array,
  at = 0,
): void {
  const f = Math.fround;
  const sums = [0, 0, 0];
  for (let i = 0; i < WINDOW; i++)
    for (let a = 0; a < AXES; a++) sums[a] += counts[(start + i) * AXES + a];
  // d = count * WINDOW - sum is exact in integers; sum of d^2 < 2^53.
  let squares = 0;
  for (let i = 0; i < WINDOW; i++) {
    for (let a = 0; a < AXES; a++) {
      const d = counts[(start + i) * AXES + a] * WINDOW - sums[a];
      squares += d * d;
    }
  }
  const rms = Math.max(
    f(Math.sqrt(f(f(squares) / (WINDOW * WINDOW * WINDOW * AXES)))),
    f(RMS_FLOOR_G * COUNTS_PER_G),
  );
  for (let i = 0; i < WINDOW; i++) {
    for (let a = 0; a < AXES; a++) {
      // sum / WINDOW and count - mean are exact in float32.
      out[at + i * AXES + a] = f((counts[(start + i) * AXES + a] - sums[a] / WINDOW) / rms);
    }
  }
}

export interface Windows {
  /** n x WINDOW x AXES, normalised (g). */
  x: Float32Array;
  labels: Int32Array;
  /** Which condition each window came from. */
  condition: Int32Array;
  count: number;
}

export function windows(conds: Condition[]): Windows {
  const recs = conds.map(record);
  const per = recs.map((r) => windowCount(r.length / AXES));
  const count = per.reduce((a, b) => a + b, 0);
  const x = new Float32Array(count * WINDOW * AXES);
  const labels = new Int32Array(count);
  const condition = new Int32Array(count);
  let k = 0;
  recs.forEach((r, c) => {
    for (let w = 0; w < per[c]; w++, k++) {
      normaliseWindow(r, w * HOP, x, k * WINDOW * AXES);
      labels[k] = CLASSES.indexOf(conds[c].state);
      condition[k] = c;
    }
  });
  return { x, labels, condition, count };
}

/** A recording as a CSV trace the accel input reads back (`t_ms,x,y,z` in g). */
export function toCsv(comments: string[], counts: Int16Array): string {
  const rows = [
    ...comments.map((c) => `# ${c}`),
    `# ${RATE_HZ} Hz, ±${RANGE_G} g counts as g`,
    "t_ms,x,y,z",
  ];
  for (let i = 0; i < counts.length / AXES; i++) {
    const g = [0, 1, 2].map((a) => (counts[i * AXES + a] / COUNTS_PER_G).toFixed(6));
    rows.push(`${(i * 1000) / RATE_HZ},${g.join(",")}`);
  }
  return rows.join("\n") + "\n";
}

/** The committed model's data: condition counts, lengths and seeds (change = retrain). */
export const TRAIN_SET = { perState: 288, seconds: 1.28, seed: 20260101 };
export const HELD_OUT_SET = { perState: 24, seconds: 12.8, seed: 20260202 };
