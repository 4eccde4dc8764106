// The build cache: an image is a function of its inputs (the app's manifest, the partitions'
// bytes, the board, the core's cost table, the compiler and its options: the key) and of the
// source files the compiler read (the app's, the HAL's, the firmware library's, wherever they
// are: recorded with their hashes beside the entry, as ccache's direct mode does). A build
// whose key is known and whose recorded sources are unchanged reads the image back instead of
// compiling. Entries live in build/cache/<key>.tbi with <key>.deps.json.
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { PROJECT_ROOT, cacheDir } from "../paths.ts";
import { decodeImage, encodeImage, type Image } from "./image.ts";

export { cacheDir };

/** Images kept; older entries (by last use) are removed when a new one is written. */
const MAX_ENTRIES = 256;

/** Every .ts file under the folders (sorted, project-relative), for hashing. */
export function sourceFiles(
  dirs: string[],
  skip: (name: string) => boolean = () => false,
): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const f of names) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) {
        if (f !== "node_modules" && !skip(f)) walk(p);
      } else if (f.endsWith(".ts") || f.endsWith(".wit")) files.push(p);
    }
  };
  for (const d of dirs) walk(d);
  return files;
}

/** A hash of labelled parts: strings, bytes, or files (hashed by content and project-relative name). */
export class KeyHasher {
  private readonly h = createHash("sha256");

  add(label: string, value: string | Uint8Array): this {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    this.h.update(`${label}\0${bytes.length}\0`).update(bytes);
    return this;
  }

  files(files: string[]): this {
    for (const f of files)
      this.add(path.relative(PROJECT_ROOT, f).split(path.sep).join("/"), readFileSync(f));
    return this;
  }

  digest(): string {
    return this.h.digest("hex").slice(0, 24);
  }
}

/** The compiler's own sources (and the host model planner the memory budget uses): a change to
 *  the metering pass changes every image. */
export function compilerFiles(): string[] {
  const model = path.join(PROJECT_ROOT, "emulator", "model");
  return [
    ...sourceFiles([path.join(PROJECT_ROOT, "emulator", "toolchain")]),
    path.join(model, "planner.ts"),
    path.join(model, "tflite-model.ts"),
    path.join(PROJECT_ROOT, "hal", "hal.wit"),
  ];
}

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** The recorded sources still have the recorded contents. */
function depsUnchanged(file: string): boolean {
  let deps: Record<string, string>;
  try {
    deps = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
  for (const [name, hash] of Object.entries(deps)) {
    try {
      if (sha(readFileSync(path.resolve(PROJECT_ROOT, name))) !== hash) return false;
    } catch {
      return false;
    }
  }
  return true;
}

export function readCached(key: string): Image | null {
  const file = path.join(cacheDir(), `${key}.tbi`);
  if (!existsSync(file) || !depsUnchanged(path.join(cacheDir(), `${key}.deps.json`))) return null;
  try {
    const image = decodeImage(readFileSync(file), file);
    writeFileSync(path.join(cacheDir(), `${key}.used`), ""); // last use, for pruning
    return image;
  } catch {
    return null; // damaged or from an older format: rebuilt and overwritten
  }
}

/** Stores the image with the sources it was compiled from (absolute path -> sha256 of the
 *  text the compiler read). */
export function writeCached(key: string, image: Image, sources: Record<string, string>): void {
  const dir = cacheDir();
  try {
    mkdirSync(dir, { recursive: true });
    const deps = Object.fromEntries(
      Object.entries(sources).map(([f, hash]) => [
        path.relative(PROJECT_ROOT, f).split(path.sep).join("/"),
        hash,
      ]),
    );
    // Written whole, then renamed: a concurrent reader sees the old entry or the new one.
    const tmp = path.join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(deps));
    renameSync(tmp, path.join(dir, `${key}.deps.json`));
    writeFileSync(tmp, encodeImage(image));
    renameSync(tmp, path.join(dir, `${key}.tbi`));
    writeFileSync(path.join(dir, `${key}.used`), "");
    prune(dir);
  } catch {
    // A read-only or full disk costs a rebuild next time, never the build.
  }
}

function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith(".tbi"))
    .map((f) => {
      const key = f.slice(0, -4);
      const used = path.join(dir, `${key}.used`);
      return { key, t: existsSync(used) ? statSync(used).mtimeMs : 0 };
    });
  if (entries.length <= MAX_ENTRIES) return;
  entries.sort((a, b) => a.t - b.t);
  for (const e of entries.slice(0, entries.length - MAX_ENTRIES)) {
    for (const ext of [".tbi", ".used", ".deps.json"]) {
      try {
        unlinkSync(path.join(dir, e.key + ext));
      } catch {
        /* gone already */
      }
    }
  }
}

/** How long a build waits for another live process compiling the same key before compiling
 *  itself. A model app's compile takes 340-480 s of wall time when a test file runs six side by
 *  side on a loaded 2-core CI host (docs/test-time.md), so 240 s compiled some images twice; the
 *  only caller compiles one app and takes no other lock, so a wait cannot be circular. */
const LOCK_WAIT_MS = 600_000;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** This process's compiles under way, by key. The lock file names the process, so without this
 *  a second build of the key in the same process (debug-lines awaits its builds side by side)
 *  waited out LOCK_WAIT_MS behind its own lock and compiled the same image again. */
const compiling = new Map<string, Promise<unknown>>();

/**
 * Compiles under a per-key lock file, so two processes building the same app for the same
 * board (two terminals, two test workers) compile it once: the second waits for the first's
 * cache entry and reads it. A lock left by a killed process is taken over; a cache folder that
 * cannot be written just means compiling unlocked. Within a process, a build of a key being
 * compiled waits for that compile and reads its cache entry.
 */
export async function compileOnce<T>(
  key: string,
  cached: () => T | null,
  compile: () => Promise<T>,
  waitMs = LOCK_WAIT_MS,
): Promise<T> {
  const under = compiling.get(key);
  if (under) {
    await under.catch(() => undefined);
    return cached() ?? compileLocked(key, cached, compile, waitMs);
  }
  const done = compileLocked(key, cached, compile, waitMs);
  compiling.set(key, done);
  try {
    return await done;
  } finally {
    if (compiling.get(key) === done) compiling.delete(key);
  }
}

async function compileLocked<T>(
  key: string,
  cached: () => T | null,
  compile: () => Promise<T>,
  waitMs: number,
): Promise<T> {
  const lock = path.join(cacheDir(), `${key}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    let fd: number;
    try {
      mkdirSync(cacheDir(), { recursive: true });
      fd = openSync(lock, "wx");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || Date.now() > deadline) return compile();
      const owner = Number(readFileSafe(lock));
      if (owner > 0 && !alive(owner)) {
        try {
          unlinkSync(lock);
        } catch {
          /* taken by another */
        }
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
      const hit = cached();
      if (hit) return hit;
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return cached() ?? (await compile());
    } finally {
      try {
        unlinkSync(lock);
      } catch {
        /* removed already */
      }
    }
  }
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
