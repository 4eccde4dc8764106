// Field checks shared by the scene formats (room scenes, meeting scenes): each failure is one
// InputError line naming the scene and the field, e.g. `meeting.json: people[1].dist must be
// between 0.3 and 20 (got 40)`.
import { resolve } from "node:path";
import { InputError } from "./accel-source.ts";
import { readWav, type WavFile } from "./wav.ts";
import type { Vec3 } from "./room/room-geometry.ts";

export type Raw = Record<string, unknown>;

export interface NumberRule {
  integer?: boolean;
  /** The value must be strictly above `min` (a distance of 0 is no distance). */
  above?: boolean;
}

export class SceneFields {
  /** Resolved path -> as the scene wrote it, so messages show the user's own name. */
  private readonly shown = new Map<string, string>();

  constructor(
    readonly label: string,
    readonly baseDir: string,
  ) {}

  fail(msg: string): never {
    throw new InputError(`${this.label}: ${msg}`);
  }

  /** Refuses keys the format does not know (a typo must not be silently ignored). */
  keys(o: Raw, known: readonly string[], where: string): void {
    for (const k of Object.keys(o))
      if (!known.includes(k)) this.fail(`unknown key '${where}${k}' (known: ${known.join(", ")})`);
  }

  /** An object field; absent reads as {} so its own fields take their defaults. */
  obj(v: unknown, where: string): Raw {
    if (v === undefined) return {};
    if (!v || typeof v !== "object" || Array.isArray(v)) this.fail(`${where} must be an object`);
    return v as Raw;
  }

  /** A list field; absent reads as []. */
  list(v: unknown, where: string): unknown[] {
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.fail(`${where} must be a list`);
    return v;
  }

  /** A number in [min, max] ((min, max] with `above`); absent or null takes `def`, or is required. */
  num(
    v: unknown,
    where: string,
    def: number | undefined,
    min: number,
    max: number,
    rule: NumberRule = {},
  ): number {
    if (v === undefined || v === null) {
      if (def === undefined) this.fail(`${where} is required`);
      return def;
    }
    if (typeof v !== "number" || !Number.isFinite(v))
      this.fail(`${where} must be a number (got ${JSON.stringify(v)})`);
    if (rule.integer && !Number.isInteger(v))
      this.fail(`${where} must be a whole number (got ${v})`);
    if (rule.above ? !(v > min) || v > max : v < min || v > max)
      this.fail(
        rule.above
          ? `${where} must be > ${min} and <= ${max} (got ${v})`
          : `${where} must be between ${min} and ${max} (got ${v})`,
      );
    return v;
  }

  /** One of a fixed set of names; absent takes `def`, or is required when `def` is undefined. */
  oneOf<T extends string>(v: unknown, where: string, known: readonly T[], def?: T): T {
    if (v === undefined) {
      if (def === undefined) this.fail(`${where} is required (${known.join(", ")})`);
      return def;
    }
    if (typeof v !== "string" || !known.includes(v as T))
      this.fail(`${where} must be one of ${known.join(", ")} (got ${JSON.stringify(v)})`);
    return v as T;
  }

  bool(v: unknown, where: string, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v !== "boolean") this.fail(`${where} must be true or false`);
    return v;
  }

  /** [x, y, z] in metres. */
  vec(v: unknown, where: string): Vec3 {
    if (!Array.isArray(v) || v.length !== 3)
      this.fail(`${where} must be [x, y, z] in metres (got ${JSON.stringify(v)})`);
    return v.map((c, i) => this.num(c, `${where}[${i}]`, undefined, -1e3, 1e3)) as Vec3;
  }

  /** A file named relative to the scene file's folder. */
  file(v: unknown, where: string): string {
    if (typeof v !== "string" || v.trim() === "") this.fail(`${where} must be a file name`);
    const path = resolve(this.baseDir, v);
    this.shown.set(path, v);
    return path;
  }

  /** Decodes a WAV file; a bad one fails naming the file as the scene wrote it (after `where`). */
  wav(path: string, where?: string): WavFile {
    try {
      return readWav(path);
    } catch (e) {
      if (e instanceof InputError) {
        const msg = e.message.split(path).join(this.shown.get(path) ?? path);
        this.fail(where === undefined ? msg : `${where}: ${msg}`);
      }
      throw e;
    }
  }
}
