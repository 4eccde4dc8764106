/**
 * Host-side input sources for the emulated 3-axis accelerometer: the acceleration the sensor
 * "feels". The peripheral model (output data rate, range, FIFO) calls sampleAt() at its own
 * sample instants, so a source is a continuous function of time, not a stream of samples.
 *
 * Specs (what follows `--input accel=`):
 *   path/to/trace.csv[,rate=HZ][,loop|,hold]   recorded trace, see below
 *   gen:NAME[,key=value...]                     generator, see accel-generators.ts
 *
 * CSV traces. Lines starting with '#' are comments; the header row picks the layout:
 *   - time-stamped: a time column (t|time in s, t_ms|time_ms, t_us|time_us) plus x,y,z.
 *     Times must strictly increase; they are rebased so the first row is at t=0 (loggers
 *     often write epoch or boot-relative stamps).
 *   - fixed-rate: only x,y,z; rows are 1/rate apart, rate from `,rate=` in the spec, else
 *     a `# rate_hz=N` comment above the header, else 200 Hz.
 *   Axis columns: x|ax|accel_x (also _g suffix) in g, or x_ms2|ax_ms2|accel_x_ms2 in m/s^2.
 *   Values between rows are interpolated linearly: the sensor model samples at its own ODR,
 *   which rarely lines up with the trace, and linear interpolation neither invents content
 *   above the trace's bandwidth (as a spline could) nor adds step artifacts (as
 *   sample-and-hold does). Each row stands for one row interval, so a trace of N rows at R Hz
 *   lasts N/R s; after the last row the value holds (default) or, with `,loop`, ramps back
 *   to the first row over one interval and repeats.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "csv-parse/sync";
import {
  accelGeneratorNames,
  findAccelGenerator,
  parseNumber,
  quote,
  resolveGenOptions,
} from "./accel-generators.ts";
import "./fan-vibration.ts"; // registers gen:off, gen:on, gen:clogged, gen:friction

/** Acceleration in g (x, y, z) the sensor sees. */
export interface AccelSource {
  readonly description: string;
  /** Acceleration at time tSeconds since the sensor started (t >= 0). Writes into out[0..2]. Must be deterministic. */
  sampleAt(tSeconds: number, out: Float64Array): void;
  /** Length of the recorded input in seconds, or Infinity for generators. */
  readonly durationSeconds: number;
}

/** A problem with a user's input spec or file; the message is one line, ready to print. */
export class InputError extends Error {
  constructor(message: string) {
    // Quoted file content may hold newlines; keep the message on one line.
    super(message.replace(/\s*[\r\n]+\s*/g, " "));
    this.name = "InputError";
  }
}

export function openAccelSource(spec: string, opts: { cwd?: string } = {}): AccelSource {
  const s = spec.trim();
  if (s === "")
    throw new InputError(
      "accel input: empty spec (give a CSV file or a generator such as gen:rest)",
    );
  return s.startsWith("gen:") ? openGenerator(s) : openCsvTrace(s, opts.cwd ?? process.cwd());
}

const STANDARD_GRAVITY = 9.80665; // m/s^2 per g
const MAX_ABS_G = 64; // beyond any MEMS accelerometer's range: almost surely a unit mistake
const DEFAULT_RATE_HZ = 200;
const MAX_RATE_HZ = 1_000_000;
// A CSV trace is parsed whole (about 30 bytes of heap per byte of text): past this it is refused,
// not left to take gigabytes; 16 MiB holds about half a million rows.
export const MAX_CSV_BYTES = 16 * 1024 * 1024;
const NON_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
const TIME_RE = /^(?:t|time)(?:_(s|ms|us))?$/;
const AXIS_RE = /^(?:accel_|acc_|a)?([xyz])(?:_(g|ms2|mps2))?$/;
const TIME_SCALE: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6 };
const EXPECTED_COLUMNS =
  "expected a time column (t, time, t_ms, time_ms, t_us, time_us) and x,y,z / ax,ay,az / accel_x,... in g or x_ms2,y_ms2,z_ms2 in m/s^2";

function split(spec: string): [string, string[]] {
  const [head, ...rest] = spec.split(",");
  return [head.trim(), rest.map((p) => p.trim()).filter((p) => p !== "")];
}

// ---------------------------------------------------------------------------------------
// Generators

function openGenerator(spec: string): AccelSource {
  const [head, parts] = split(spec);
  const name = head.slice("gen:".length).trim();
  const gen = findAccelGenerator(name);
  if (!gen) {
    const known = accelGeneratorNames()
      .map((n) => `gen:${n}`)
      .join(", ");
    throw new InputError(`${spec}: unknown generator ${quote(name)} (known: ${known})`);
  }
  const full = resolveGenOptions(name, gen, parts);
  if (typeof full === "string") throw new InputError(`${spec}: ${full}`);
  const sample = gen.create(full);
  return {
    // The canonical spec with every default spelled out: reproducible from a log line.
    description:
      `gen:${name}` +
      Object.entries(full)
        .map(([k, v]) => `,${k}=${v}`)
        .join(""),
    durationSeconds: Infinity,
    sampleAt: (t, out) => sample(t > 0 ? t : 0, out),
  };
}

// ---------------------------------------------------------------------------------------
// CSV traces

interface Column {
  readonly name: string;
  readonly index: number;
  readonly scale: number;
}
interface CsvRecord {
  record: string[];
  info: { lines: number };
}

function openCsvTrace(spec: string, cwd: string): AccelSource {
  const [file, parts] = split(spec);
  let specRate: number | undefined;
  let loop = false;
  for (const part of parts) {
    const m = /^rate\s*=\s*(.*)$/.exec(part);
    if (part === "loop" || part === "hold") loop = part === "loop";
    else if (m) {
      specRate = parseNumber(m[1]);
      if (specRate === undefined || !(specRate > 0 && specRate <= MAX_RATE_HZ))
        throw new InputError(`${spec}: rate must be a positive number of Hz, got ${quote(m[1])}`);
    } else
      throw new InputError(`${spec}: unknown option ${quote(part)} (known: rate=<Hz>, loop, hold)`);
  }
  const path = resolve(cwd, file);
  let text: string;
  try {
    const stats = statSync(path);
    if (stats.isFile() && stats.size > MAX_CSV_BYTES) {
      throw new InputError(
        `${file}: ${stats.size} bytes, more than the ${MAX_CSV_BYTES / 1048576} MiB a CSV trace may have (cut it, or use a generator or ,loop)`,
      );
    }
    if (!stats.isFile() && !stats.isDirectory()) {
      throw new InputError(
        `${file}: not a regular file (a device, FIFO or socket cannot be read as a CSV trace)`,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const hint = findAccelGenerator(file) ? ` (for the generator write gen:${file})` : "";
    if (code === "ENOENT")
      throw new InputError(
        `${file}: file not found${path === file ? "" : ` (looked for ${path})`}${hint}`,
      );
    if (code === "EISDIR") throw new InputError(`${file}: is a directory, expected a CSV file`);
    throw new InputError(`${file}: cannot read: ${(e as Error).message}`);
  }
  return parseTrace(file, text.replace(/^\uFEFF/, ""), specRate, loop);
}

/** `# rate_hz=N` comments above the header row. */
function commentRate(file: string, text: string): number | undefined {
  let rate: number | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    if (!line.startsWith("#")) break;
    const m = /^#\s*rate_hz\s*[=:]\s*(.*)$/i.exec(line);
    if (!m) continue;
    rate = parseNumber(m[1].trim());
    if (rate === undefined || !(rate > 0 && rate <= MAX_RATE_HZ))
      throw new InputError(
        `${file} line ${i + 1}: rate_hz must be a positive number of Hz, got ${quote(m[1].trim())}`,
      );
  }
  return rate;
}

function readRecords(file: string, text: string): CsvRecord[] {
  try {
    const records = parse(text, {
      info: true,
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as unknown as CsvRecord[];
    // Whitespace-only lines survive skip_empty_lines as one empty field: treat them as blank.
    return records.filter((r) => !(r.record.length === 1 && r.record[0] === ""));
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 1;
    throw new InputError(`${file} line ${line}: not valid CSV: ${(e as Error).message}`);
  }
}

function parseTrace(
  file: string,
  text: string,
  specRate: number | undefined,
  loop: boolean,
): AccelSource {
  if (text.trim() === "")
    throw new InputError(`${file} line 1: file is empty (${EXPECTED_COLUMNS})`);
  const fileRate = commentRate(file, text);
  const records = readRecords(file, text);
  if (records.length === 0) {
    const lastLine = text.replace(/\s+$/, "").split(/\r\n|\n|\r/).length;
    throw new InputError(
      `${file} line ${lastLine}: no header row, only comments (${EXPECTED_COLUMNS})`,
    );
  }

  // Header: map each column to time or an axis, with its unit scale.
  const header = records[0];
  const at = `${file} line ${header.info.lines}`;
  if (header.record.every((c) => parseNumber(c) !== undefined))
    throw new InputError(
      `${at}: no header row, the first row is numbers (add one such as t,x,y,z or x,y,z)`,
    );
  let time: Column | undefined;
  const axes: (Column | undefined)[] = [undefined, undefined, undefined];
  header.record.forEach((raw, index) => {
    const name = raw.toLowerCase();
    const tm = TIME_RE.exec(name);
    const am = AXIS_RE.exec(name);
    if (tm) {
      if (time) throw new InputError(`${at}: two time columns, ${time.name} and ${raw}`);
      time = { name: raw, index, scale: TIME_SCALE[tm[1] ?? "s"] };
    } else if (am) {
      const a = "xyz".indexOf(am[1]);
      const prev = axes[a];
      if (prev) throw new InputError(`${at}: two columns for ${am[1]}, ${prev.name} and ${raw}`);
      axes[a] = {
        name: raw,
        index,
        scale: am[2] === "ms2" || am[2] === "mps2" ? 1 / STANDARD_GRAVITY : 1,
      };
    } else {
      const sep = /[;\t|]/.test(raw) ? "; the file must be comma-separated" : "";
      throw new InputError(`${at}: unknown column ${quote(raw)} (${EXPECTED_COLUMNS}${sep})`);
    }
  });
  const missing = axes.findIndex((c) => !c);
  if (missing >= 0)
    throw new InputError(`${at}: no column for ${"xyz"[missing]} (${EXPECTED_COLUMNS})`);
  const axisCols = axes as Column[];
  if (time && specRate !== undefined)
    throw new InputError(
      `${at}: rate= is for fixed-rate files, but this one has a time column (${time.name})`,
    );
  const rate = specRate ?? fileRate ?? DEFAULT_RATE_HZ;

  // Data rows.
  const rows = records.slice(1);
  const n = rows.length;
  const times = new Float64Array(n);
  const xyz = new Float64Array(3 * n);
  let firstRaw = 0;
  let prevRaw = 0;
  rows.forEach(({ record, info }, r) => {
    const where = `${file} line ${info.lines}`;
    if (record.length > header.record.length)
      throw new InputError(
        `${where}: ${record.length} values but the header (line ${header.info.lines}) has ${header.record.length} columns`,
      );
    const value = (col: Column): number => {
      const raw = record[col.index] ?? "";
      if (raw === "") throw new InputError(`${where}: column ${col.name} is missing`);
      const v = parseNumber(raw);
      if (v === undefined && !NON_FINITE_RE.test(raw))
        throw new InputError(`${where}: column ${col.name} is not a number: ${quote(raw)}`);
      if (v === undefined || !Number.isFinite(v))
        throw new InputError(`${where}: column ${col.name} is not finite: ${quote(raw)}`);
      return v;
    };
    if (time) {
      const raw = value(time);
      if (r === 0) firstRaw = raw;
      // Rebase in raw units first: subtracting epoch-sized stamps before scaling keeps µs exact.
      times[r] = (raw - firstRaw) * time.scale;
      if (r > 0 && !(raw > prevRaw && times[r] > times[r - 1]))
        throw new InputError(
          `${where}: time not increasing (${time.name} ${raw} after ${prevRaw} on line ${rows[r - 1].info.lines})`,
        );
      prevRaw = raw;
    } else {
      times[r] = r / rate;
    }
    axisCols.forEach((col, a) => {
      const g = value(col) * col.scale;
      if (Math.abs(g) > MAX_ABS_G) {
        const hint = col.scale === 1 ? `; for m/s^2 name the column ${"xyz"[a]}_ms2` : "";
        throw new InputError(
          `${where}: column ${col.name} is ${+g.toPrecision(4)} g, beyond ±${MAX_ABS_G} g${hint}`,
        );
      }
      xyz[3 * r + a] = g;
    });
  });
  if (n < 2) {
    const line = n ? rows[0].info.lines : header.info.lines;
    throw new InputError(
      `${file} line ${line}: needs at least 2 data rows to interpolate, found ${n}`,
    );
  }

  const step = time ? times[n - 1] / (n - 1) : 1 / rate;
  const duration = times[n - 1] + step;
  const hz = +(1 / step).toPrecision(4);
  const layout = time
    ? `${n} rows time-stamped by ${time.name}, ~${hz} Hz`
    : `${n} rows at ${hz} Hz` +
      (specRate === undefined && fileRate === undefined
        ? " (default rate; set ,rate= or # rate_hz=)"
        : "");
  const secs = duration < 1 ? duration.toPrecision(3) : duration.toFixed(1);
  const ms2 = axisCols.some((c) => c.scale !== 1) ? ", m/s^2 converted to g" : "";
  const description = `${file} (${layout}, ${secs} s${ms2}${loop ? ", looped" : ""})`;
  return new TraceSource(description, times, xyz, duration, loop);
}

class TraceSource implements AccelSource {
  /** Segment of the previous lookup: the sensor mostly samples forward in time. */
  private hint = 0;

  constructor(
    readonly description: string,
    private readonly times: Float64Array, // seconds, strictly increasing, times[0] = 0
    private readonly xyz: Float64Array, // g, 3 per row
    readonly durationSeconds: number,
    private readonly loop: boolean,
  ) {}

  sampleAt(tSeconds: number, out: Float64Array): void {
    const last = this.times.length - 1;
    const tLast = this.times[last];
    let t = tSeconds > 0 ? tSeconds : 0; // also maps NaN to the start
    if (this.loop) t %= this.durationSeconds;
    if (t < tLast) {
      const i = this.segment(t);
      this.lerp(i, i + 1, (t - this.times[i]) / (this.times[i + 1] - this.times[i]), out);
    } else if (this.loop) {
      // Wrap interval: last row back to the first row of the next repetition.
      this.lerp(last, 0, (t - tLast) / (this.durationSeconds - tLast), out);
    } else {
      this.lerp(last, last, 0, out);
    }
  }

  /** Index i with times[i] <= t < times[i + 1], for 0 <= t < times[last]. */
  private segment(t: number): number {
    const times = this.times;
    const i = this.hint;
    if (times[i] <= t && t < times[i + 1]) return i;
    if (times[i + 1] <= t && t < times[i + 2]) return (this.hint = i + 1);
    let lo = 0;
    let hi = times.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid;
    }
    return (this.hint = lo);
  }

  private lerp(i: number, j: number, f: number, out: Float64Array): void {
    for (let a = 0; a < 3; a++) {
      const v0 = this.xyz[3 * i + a];
      out[a] = v0 + f * (this.xyz[3 * j + a] - v0);
    }
  }
}
