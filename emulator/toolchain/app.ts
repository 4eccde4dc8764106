// An app is one folder: main.ts, app.json (manifest), its models and sample inputs.
import { readFileSync, existsSync, statSync, realpathSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { PROJECT_ROOT } from "../paths.ts";
import { notAnAppMessage } from "./app-suggest.ts";
import { isSystemPath } from "../host-files.ts";
import { parsePlacement, type AppPlacement } from "../memory-hierarchy/placement.ts";
import { parseAppOptions, type AppOptions } from "./app-options.ts";
import { boardIds } from "../board.ts";
import { distance } from "fastest-levenshtein";

export interface AppManifest {
  name: string;
  description: string;
  entry: string;
  boards: string[];
  /** Stack reserved in SRAM (the wasm value stack is not in linear memory; this is the budget). */
  stackBytes: number;
  /** Heap reserved in SRAM for run-time allocations (a model's arena), as a linker script's heap size. */
  /** Heap per board id ("*" for every board): app.json's heapBytes, a number or { board: bytes }. */
  heapBytes: Record<string, number>;
  partitions: { name: string; file: string }[];
  /** Default inputs per peripheral ("accel": "gen:rest"), relative paths from the app folder. */
  inputs: Record<string, string>;
  /** Default emulated run length in seconds. */
  seconds: number;
  /** Add-on microphone array per board id ("rt1060": "sln-local2-tri"; "*" for every board): a bundled name or an app-relative JSON file; --mic-array overrides. */
  micArray: Record<string, string>;
  /** Regions for the arena, frame buffer and model per board id ("*" for every board). */
  placement: AppPlacement;
  /** Build-time switches (app-options.ts): constants of the generated module firmware/app-options. */
  options: AppOptions;
}

export interface App extends AppManifest {
  dir: string;
}

/** The fields app.json may have (docs/writing-an-app.md describes each). */
const FIELDS = [
  "name",
  "description",
  "entry",
  "boards",
  "stackBytes",
  "heapBytes",
  "partitions",
  "inputs",
  "seconds",
  "micArray",
  "placement",
  "options",
];

/** An app's name, as the image manifest's schema checks it (image-manifest.ts `id`). */
export const APP_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const APP_NAME_RULE =
  "lower-case letters, digits and dashes, starting with a letter or digit, at most 64";

export function isAppDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory() && existsSync(path.join(p, "app.json"));
}

export function loadApp(dir: string): App {
  const file = path.join(dir, "app.json");
  if (!existsSync(file)) throw new UserError(notAnAppMessage(dir, false));
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new UserError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const fail = (why: string) => new UserError(`${file}: ${why}`);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw fail('must be a JSON object ({ "name": ..., "boards": [...] })');
  // A misspelt field ("heapbytes") would otherwise be ignored and its default used silently.
  for (const key of Object.keys(raw)) {
    if (FIELDS.includes(key)) continue;
    const near = FIELDS.find((f) => distance(f.toLowerCase(), key.toLowerCase()) <= 2);
    throw fail(
      `unknown field '${key}'${near ? ` (did you mean '${near}'?)` : ""}; fields: ${FIELDS.join(", ")}`,
    );
  }
  if (typeof raw.name !== "string" || !APP_NAME.test(raw.name))
    throw fail(`'name' must be ${APP_NAME_RULE}`);
  const app: App = {
    dir: path.resolve(dir),
    name: raw.name,
    description: String(raw.description ?? ""),
    entry: String(raw.entry ?? "main.ts"),
    boards: Array.isArray(raw.boards) ? raw.boards.map(String) : [],
    stackBytes: raw.stackBytes ?? 16384,
    heapBytes:
      typeof raw.heapBytes === "object" && raw.heapBytes !== null
        ? raw.heapBytes
        : { "*": raw.heapBytes ?? 0 },
    partitions: Array.isArray(raw.partitions) ? raw.partitions : [],
    inputs: raw.inputs ?? {},
    seconds: raw.seconds ?? 10,
    micArray: typeof raw.micArray === "string" ? { "*": raw.micArray } : (raw.micArray ?? {}),
    placement: parsePlacement(raw.placement, fail),
    options: parseAppOptions(raw.options, fail),
  };
  if (
    typeof app.micArray !== "object" ||
    Array.isArray(app.micArray) ||
    Object.values(app.micArray).some((v) => typeof v !== "string")
  )
    throw fail("'micArray' must be an array name or { board: name }");
  if (!Number.isInteger(app.stackBytes) || app.stackBytes < 0)
    throw fail("'stackBytes' must be a non-negative integer");
  if (
    Array.isArray(app.heapBytes) ||
    !Object.values(app.heapBytes).every((v) => Number.isInteger(v) && v >= 0)
  )
    throw fail("'heapBytes' must be a non-negative integer or { board: integer }");
  if (!(app.seconds > 0)) throw fail("'seconds' must be positive");
  if (raw.boards !== undefined && !Array.isArray(raw.boards))
    throw fail(`'boards' must be a list of board ids, e.g. ["rt1060", "mcxn947"]`);
  const known = boardIds();
  for (const b of app.boards)
    if (!known.includes(b))
      throw fail(`'boards' names unknown board '${b}' (known boards: ${known.join(", ")})`);
  if (!existsSync(path.join(app.dir, app.entry))) throw fail(`entry ${app.entry} not found`);
  for (const p of app.partitions) {
    if (typeof p?.name !== "string" || typeof p?.file !== "string")
      throw fail("each partition needs 'name' and 'file'");
    // Relative to the app and inside it or the project (links resolved): `..` may reach a
    // sibling app's model, never the rest of the host (an app is shared as a folder).
    if (
      path.isAbsolute(p.file) ||
      isSystemPath(path.resolve(app.dir, p.file)) ||
      !(inside(p.file, app.dir, app.dir) || insideProject(p.file, app.dir))
    ) {
      throw fail(
        `partition '${p.name}': ${p.file} must be a relative path to a file inside the app's folder or the project`,
      );
    }
  }
  if (typeof app.inputs !== "object" || app.inputs === null)
    throw fail("'inputs' must be an object");
  for (const [k, v] of Object.entries(app.inputs)) {
    if (typeof v !== "string") throw fail(`input '${k}' must be a string`);
    const file = v.split(",")[0];
    if (
      !v.startsWith("gen:") &&
      (path.isAbsolute(file) || isSystemPath(path.resolve(app.dir, file)))
    )
      throw fail(`input '${k}': ${file} must be a relative path to a file of the project`);
  }
  return app;
}

/** Resolves an app-relative input spec ("data/x.csv") against the app folder; generators pass through. */
/** An app's input spec with its file relative to the project root, as images record it. */
export function projectInput(app: App, spec: string): string {
  if (spec.startsWith("gen:")) return spec;
  const [file, ...opts] = spec.split(",");
  return [
    path.relative(PROJECT_ROOT, path.resolve(app.dir, file)).split(path.sep).join("/"),
    ...opts,
  ].join(",");
}

/** Default inputs under the ones given (command line, scenario). An audio-visual scene drives
 *  the camera and the microphones, so a scene given removes the default camera= and mic=, and a
 *  camera= or mic= given removes the default scene. */
export function withInputOverrides(
  defaults: Record<string, string>,
  given: Record<string, string>,
): Record<string, string> {
  const inputs = { ...defaults };
  if (given.scene) {
    delete inputs.camera;
    delete inputs.mic;
  }
  if (given.camera || given.mic) delete inputs.scene;
  return Object.assign(inputs, given);
}

/** An image's recorded default inputs, resolved against the project root. */
export function imageInputs(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => {
      if (v.startsWith("gen:")) return [k, v];
      const [file, ...opts] = v.split(",");
      // An image is untrusted: its inputs may name files of this project only.
      const resolved = insideProject(file, PROJECT_ROOT);
      if (!resolved)
        throw new UserError(
          `the image's default input '${k}' (${file}) must be a relative path inside the project (give --input ${k}=FILE instead)`,
        );
      return [k, [resolved, ...opts].join(",")];
    }),
  );
}

/** `file` resolved against `base` if it is relative and stays inside the project (links too), else null. */
export function insideProject(file: string, base: string): string | null {
  return inside(file, base, PROJECT_ROOT);
}

/** `file` resolved against `base` if it is relative and stays inside `root` (links too), else null. */
function inside(file: string, base: string, root: string): string | null {
  if (path.isAbsolute(file)) return null;
  const resolved = path.resolve(base, file);
  const within = (p: string, r: string) => {
    const rel = path.relative(r, p);
    return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
  };
  if (!within(resolved, root)) return null;
  try {
    if (!within(realpathSync(resolved), realpathSync(root))) return null;
  } catch {
    /* not there: the reader names it */
  }
  return resolved;
}

export function resolveInput(app: App, spec: string): string {
  if (spec.startsWith("gen:")) return spec;
  const [file, ...opts] = spec.split(",");
  return [path.resolve(app.dir, file), ...opts].join(",");
}

/** The add-on microphone array the app asks for on `board` (project-relative if a file), or undefined. */
export function appMicArray(app: App, board: string): string | undefined {
  const spec = app.micArray[board] ?? app.micArray["*"];
  if (!spec || !spec.endsWith(".json")) return spec;
  return path.relative(PROJECT_ROOT, path.resolve(app.dir, spec)).split(path.sep).join("/");
}

/** An image's recorded array (a bundled name, or a file relative to the project root) as --mic-array takes it. */
export function imageMicArray(spec: string | undefined): string | undefined {
  return spec && spec.endsWith(".json") ? path.resolve(PROJECT_ROOT, spec) : spec;
}

/** The heap app.json declares for a board (0: none declared). */
export function heapBytesFor(app: App, board: string): number {
  return app.heapBytes[board] ?? app.heapBytes["*"] ?? 0;
}

/** app.json's partitions with `extra` added (one of the same name replaces app.json's): `--partition`. */
export function withExtraPartitions(
  parts: App["partitions"],
  extra: App["partitions"] = [],
): App["partitions"] {
  const names = new Set(extra.map((e) => e.name));
  return [...parts.filter((p) => !names.has(p.name)), ...extra];
}

/** `--partition NAME=FILE`: the file resolved against the current folder. */
export function parsePartitionFlag(flag: string): { name: string; file: string } {
  const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(flag);
  if (!m) throw new UserError(`--partition ${flag}: expected NAME=FILE, e.g. dtln=model.tflite`);
  return { name: m[1], file: path.resolve(m[2]) };
}
