// Builds compiled ahead of time with esbuild (cli-build.js) are used only when made from the
// sources as they are now: the CLI (compiled-cli.js) and the test files (test/helpers/
// compiled-tests.js). Each kind of build lives in build/<kind>/, one folder per build, named in
// current.json with every file the build read: its size, times and inode when read, and its
// sha256. A check stats each input and hashes only those whose stat differs, as git's index does
// (a file whose mtime was within STAT_TRUSTED_AFTER_MS of its read is always hashed: an edit in
// the same clock tick keeps its size and times). One process builds at a time, under a lock.
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";

/** Where the builds of a kind ("cli-js", "test-js") and their manifest live. */
export const buildBase = (root, kind) => path.join(root, "build", kind);
const manifestFile = (root, kind) => path.join(buildBase(root, kind), "current.json");
/** The manifest's format: a manifest of another format is not read. */
const MANIFEST_FORMAT = 2;
/** A lock older than this is a build that died (a build takes a few seconds). */
const STALE_LOCK_MS = 120_000;
/** After a failed build (a syntax error, say), processes run through tsx this long before one
 *  tries again: not each of the suite's workers pays for a build that fails. */
const RETRY_FAILED_BUILD_MS = 120_000;
/** A file modified this close to its read may change again without a new size or time. */
const STAT_TRUSTED_AFTER_MS = 2_000;

export const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** What a check compares a file's stat with: null when it must be hashed each time. */
function statKey(st, readAtMs) {
  if (readAtMs - st.mtimeMs < STAT_TRUSTED_AFTER_MS) return null;
  return [st.size, st.mtimeMs, st.ctimeMs, st.ino];
}

const sameStat = (key, st) =>
  key !== null &&
  key[0] === st.size &&
  key[1] === st.mtimeMs &&
  key[2] === st.ctimeMs &&
  key[3] === st.ino;

/** The folder of the current build of `kind` when it was made from the files on disk now (and
 *  `sameEntries(manifest)` agrees), else null. */
export function currentBuild(root, kind, mainFile, sameEntries = () => true) {
  let m;
  try {
    m = JSON.parse(readFileSync(manifestFile(root, kind), "utf8"));
  } catch {
    return null;
  }
  if (m.format !== MANIFEST_FORMAT || m.root !== root || !sameEntries(m)) return null;
  const dir = path.join(buildBase(root, kind), m.dir);
  if (!existsSync(path.join(dir, mainFile))) return null;
  try {
    for (const [i, file] of m.inputs.entries()) {
      const p = path.join(root, file);
      if (sameStat(m.stats[i], statSync(p))) continue;
      if (sha256(readFileSync(p)) !== m.hashes[i]) return null;
    }
  } catch {
    return null; // an input was removed or renamed
  }
  return dir;
}

/** Writes the manifest that makes `id` (a folder under build/<kind>/) the current build of the
 *  `inputs` ({ file, bytes, stat } as each was read: stat before bytes). */
export function writeManifest(root, kind, id, inputs, readAtMs, extra = {}) {
  const manifest = {
    format: MANIFEST_FORMAT,
    root,
    dir: id,
    ...extra,
    inputs: inputs.map((i) => i.file),
    stats: inputs.map((i) => statKey(i.stat, readAtMs)),
    hashes: inputs.map((i) => sha256(i.bytes)),
  };
  const file = manifestFile(root, kind);
  writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(manifest)}\n`);
  renameSync(`${file}.${process.pid}`, file);
}

/** Runs `fn` holding the build lock of `kind`; null without running it when another process
 *  holds it. */
async function withBuildLock(root, kind, fn) {
  const lock = path.join(buildBase(root, kind), "building.lock");
  let fd;
  try {
    fd = openSync(lock, "wx");
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
    if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return null;
    unlinkSync(lock);
    fd = openSync(lock, "wx");
  }
  try {
    return await fn();
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

/**
 * The folder of an up-to-date build of `kind` (made now by `build(root)`, which returns its
 * folder, when there is none), or null: run the TypeScript through tsx. A build that fails (a
 * read-only clone, esbuild missing, a syntax error) is not an error here: tsx then reports any
 * error in the sources as it always has (and runs the sources as they are: never stale).
 * TINYBOARD_DEBUG prints why.
 */
export async function compiledBuild(root, kind, mainFile, build, sameEntries) {
  const current = currentBuild(root, kind, mainFile, sameEntries);
  if (current) return current;
  const failed = path.join(buildBase(root, kind), "failed");
  try {
    if (Date.now() - statSync(failed).mtimeMs < RETRY_FAILED_BUILD_MS) return null;
  } catch {
    /* no failure recorded */
  }
  try {
    mkdirSync(buildBase(root, kind), { recursive: true }); // for the lock
    // Another process may have built it while this one read the sources.
    return await withBuildLock(root, kind, async () => {
      const dir = currentBuild(root, kind, mainFile, sameEntries) ?? (await build(root));
      rmSync(failed, { force: true });
      return dir;
    });
  } catch (e) {
    if (process.env.TINYBOARD_DEBUG)
      process.stderr.write(`tinyboard: no ${kind} build: ${e?.stack}\n`);
    try {
      writeFileSync(failed, `${e?.message}\n`);
    } catch {
      /* a read-only clone */
    }
    return null;
  }
}
