/**
 * Synthetic accelerometer inputs, selected with `--input accel=gen:NAME,key=value,...`.
 *
 * Generators live in a table: adding one (e.g. the fan-vibration `gen:friction,rpm=1800`)
 * is a single registerAccelGenerator() call that declares its options; parsing, validation,
 * defaults and error messages for those options are shared (resolveGenOptions).
 *
 * Every generator is a pure function of time. Noise at time t is drawn from a PRNG seeded
 * with a hash of (t rounded to 1 µs, seed) instead of a running stream, so sampleAt() gives
 * the same value whatever order, rate or number of times the sensor model asks.
 */

export type GenOptionValue = number | string;
export type GenOptions = Readonly<Record<string, GenOptionValue>>;
/** Writes the acceleration (g) at tSeconds into out[0..2]. */
export type AccelSampleFn = (tSeconds: number, out: Float64Array) => void;

export interface GenOptionSpec {
  readonly help: string;
  readonly default: GenOptionValue;
  /** Present for string options: the accepted values. Absent: a number option. */
  readonly choices?: readonly string[];
  readonly min?: number; // inclusive
  readonly max?: number; // inclusive
  readonly integer?: boolean;
}

export interface AccelGenerator {
  /** One line for help/error text. */
  readonly help: string;
  readonly options: Readonly<Record<string, GenOptionSpec>>;
  /** Receives every declared option, defaults filled in and already validated. */
  create(opts: GenOptions): AccelSampleFn;
}

const registry = new Map<string, AccelGenerator>();

export function registerAccelGenerator(name: string, gen: AccelGenerator): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name)) throw new Error(`invalid accel generator name '${name}'`);
  if (registry.has(name)) throw new Error(`accel generator '${name}' is already registered`);
  registry.set(name, gen);
}

export function findAccelGenerator(name: string): AccelGenerator | undefined {
  return registry.get(name);
}

export function accelGeneratorNames(): string[] {
  return [...registry.keys()];
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** Strict decimal parse: Number() would accept '', ' ', '0x1f' and 'Infinity'. */
export function parseNumber(raw: string): number | undefined {
  return NUMBER_RE.test(raw) ? Number(raw) : undefined;
}

/** Quote user text for an error message, kept short. */
export function quote(raw: string): string {
  return `'${raw.length > 40 ? raw.slice(0, 37) + "..." : raw}'`;
}

function describeOption(key: string, o: GenOptionSpec): string {
  return `${key}=<${o.choices ? o.choices.join("|") : o.help}> (default ${o.default})`;
}

/** The option's value, or an error message. */
function parseOption(
  key: string,
  raw: string,
  o: GenOptionSpec,
): { value: GenOptionValue } | { error: string } {
  if (o.choices) {
    return o.choices.includes(raw)
      ? { value: raw }
      : { error: `${key} must be one of ${o.choices.join(", ")}, got ${quote(raw)}` };
  }
  const v = parseNumber(raw);
  const ok =
    v !== undefined &&
    Number.isFinite(v) &&
    (!o.integer || Number.isInteger(v)) &&
    (o.min === undefined || v >= o.min) &&
    (o.max === undefined || v <= o.max);
  if (ok) return { value: v };
  const kind = o.integer ? "an integer" : "a number";
  return {
    error: `${key} (${o.help}) must be ${kind} from ${o.min ?? "-inf"} to ${o.max ?? "inf"}, got ${quote(raw)}`,
  };
}

/**
 * Checks `key=value` parts against gen's declared options. Returns every option (defaults
 * filled in), or an error message for the caller to wrap with the spec.
 */
export function resolveGenOptions(
  name: string,
  gen: AccelGenerator,
  parts: readonly string[],
): GenOptions | string {
  const given: Record<string, GenOptionValue> = {};
  for (const part of parts) {
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    const o = Object.hasOwn(gen.options, key) ? gen.options[key] : undefined;
    if (!o) {
      const known = Object.entries(gen.options)
        .map(([k, v]) => describeOption(k, v))
        .join(", ");
      return `unknown option ${quote(key)} for gen:${name} (known: ${known})`;
    }
    const raw = eq < 0 ? "" : part.slice(eq + 1).trim();
    if (raw === "") return `option ${key} needs a value: ${describeOption(key, o)}`;
    if (Object.hasOwn(given, key)) return `option ${key} given twice`;
    const parsed = parseOption(key, raw, o);
    if ("error" in parsed) return parsed.error;
    given[key] = parsed.value;
  }
  const full: Record<string, GenOptionValue> = {};
  for (const [key, o] of Object.entries(gen.options))
    full[key] = Object.hasOwn(given, key) ? given[key] : o.default;
  return full;
}

// ---------------------------------------------------------------------------------------
// Deterministic, time-addressed white noise

/** 32-bit integer hash (lowbias32 by C. Wellons): good avalanche, so adjacent µs decorrelate. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO_32 = 4294967296;

export class WhiteNoise {
  private state = 0;
  private readonly seedHash: number;

  /** sigma: standard deviation (g RMS) per axis. */
  constructor(
    private readonly sigma: number,
    seed: number,
  ) {
    this.seedHash = mix32((seed + 0x9e3779b9) >>> 0);
  }

  /** Adds independent N(0, sigma^2) to out[0..2]; depends only on (round(t µs), seed). */
  addAt(tSeconds: number, out: Float64Array): void {
    if (this.sigma === 0) return;
    const us = Math.round(Math.max(0, tSeconds) * 1e6);
    // Split so traces longer than 2^32 µs (~72 min) do not repeat their noise.
    const lo = us % TWO_32;
    const hi = Math.floor(us / TWO_32);
    this.state = mix32(this.seedHash ^ mix32(lo ^ mix32(hi + 0x85ebca6b)));
    // Box-Muller: two uniform pairs give four normals; three are used.
    const r1 = Math.sqrt(-2 * Math.log(1 - this.next()));
    const a1 = 2 * Math.PI * this.next();
    const r2 = Math.sqrt(-2 * Math.log(1 - this.next()));
    const a2 = 2 * Math.PI * this.next();
    out[0] += this.sigma * r1 * Math.cos(a1);
    out[1] += this.sigma * r1 * Math.sin(a1);
    out[2] += this.sigma * r2 * Math.cos(a2);
  }

  /** mulberry32 step: uniform in [0, 1). */
  private next(): number {
    let z = (this.state = (this.state + 0x6d2b79f5) | 0);
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / TWO_32;
  }
}

// ---------------------------------------------------------------------------------------
// Shared building block: gravity on the "up" axis plus sensor noise

const ORIENTATIONS = ["x", "y", "z", "-x", "-y", "-z"] as const;

/** Options every physical-device generator takes; spread into a generator's own options. */
export const GRAVITY_NOISE_OPTIONS = {
  orient: { help: "axis pointing up, which reads +1 g", default: "z", choices: ORIENTATIONS },
  noise: { help: "white sensor noise, g RMS per axis", default: 0.002, min: 0, max: 1 },
  seed: { help: "noise seed, integer", default: 1, min: 0, max: TWO_32 - 1, integer: true },
} as const satisfies Record<string, GenOptionSpec>;

export function axisIndex(axis: string): number {
  return "xyz".indexOf(axis.replace("-", ""));
}

/** A device at rest: +1 g on the up axis (the sensor reads the support force) plus noise. */
export function gravityWithNoise(opts: GenOptions): AccelSampleFn {
  const orient = String(opts.orient);
  const gravity = new Float64Array(3);
  gravity[axisIndex(orient)] = orient.startsWith("-") ? -1 : 1;
  const noise = new WhiteNoise(Number(opts.noise), Number(opts.seed));
  return (t, out) => {
    out[0] = gravity[0];
    out[1] = gravity[1];
    out[2] = gravity[2];
    noise.addAt(t, out);
  };
}

// ---------------------------------------------------------------------------------------
// Built-in generators

registerAccelGenerator("rest", {
  help: "device at rest: gravity plus white sensor noise",
  options: GRAVITY_NOISE_OPTIONS,
  create: gravityWithNoise,
});

registerAccelGenerator("sine", {
  help: "gravity plus amp*sin(2*pi*freq*t) on one axis, plus noise (noise=0 for a clean tone)",
  options: {
    freq: { help: "frequency, Hz", default: 50, min: 0, max: 100_000 },
    amp: { help: "peak amplitude, g", default: 0.5, min: 0, max: 32 },
    axis: { help: "axis carrying the sinusoid", default: "x", choices: ["x", "y", "z"] },
    ...GRAVITY_NOISE_OPTIONS,
  },
  create(opts) {
    const base = gravityWithNoise(opts);
    const axis = axisIndex(String(opts.axis));
    const omega = 2 * Math.PI * Number(opts.freq);
    const amp = Number(opts.amp);
    return (t, out) => {
      base(t, out);
      out[axis] += amp * Math.sin(omega * t);
    };
  },
});
