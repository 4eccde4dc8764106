// Which code bin/tinyboard.js runs: the CLI compiled ahead of time (cli-build.js) when that
// build was made from the sources as they are now, else the TypeScript through tsx's loader.
// tsx's loader costs every process ~0.5 CPU s before it does anything (on Node 20 it starts a
// thread for the module hooks and sends each resolve and load to it); the suite spawns the CLI
// hundreds of times. The build is made on the first run that finds none up to date, one process
// at a time: others meanwhile run through tsx. TINYBOARD_CLI_JS=off always runs through tsx.
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
} from "node:fs";
import path from "node:path";

/** Where the builds and the manifest of the current one live. */
export const cliBuildDir = (root) => path.join(root, "build", "cli-js");
const manifestFile = (root) => path.join(cliBuildDir(root), "current.json");
/** The manifest's format: a manifest of another format is not read. */
export const MANIFEST_FORMAT = 1;
/** A lock older than this is a build that died (a build takes a few seconds). */
const STALE_LOCK_MS = 120_000;

/** The digest of the build's inputs: each path and its bytes, in the order given. */
export function inputsDigest(files) {
  const h = createHash("sha256");
  for (const { file, bytes } of files) {
    h.update(`${file}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest("hex");
}

/** The manifest when its build is of the sources on disk now, else null. */
function upToDate(root) {
  let m;
  try {
    m = JSON.parse(readFileSync(manifestFile(root), "utf8"));
  } catch {
    return null;
  }
  if (m.format !== MANIFEST_FORMAT || m.root !== root) return null;
  const dir = path.join(cliBuildDir(root), m.dir);
  if (!existsSync(path.join(dir, "cli.js"))) return null;
  try {
    const files = m.inputs.map((file) => ({ file, bytes: readFileSync(path.join(root, file)) }));
    if (inputsDigest(files) !== m.digest) return null;
  } catch {
    return null; // an input was removed or renamed
  }
  return { dir };
}

/** Runs `fn` holding the build lock; null without running it when another process holds it. */
async function withBuildLock(root, fn) {
  const lock = path.join(cliBuildDir(root), "building.lock");
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
 * The folder of an up-to-date compiled CLI (built now if there is none), or null: run the
 * TypeScript through tsx. A build that fails (a read-only clone, esbuild missing) is not an
 * error of the command being run: tsx then reports any error in the sources as it always has.
 */
export async function compiledCli(root) {
  if (process.env.TINYBOARD_CLI_JS === "off") return null;
  const current = upToDate(root);
  if (current) return current.dir;
  try {
    mkdirSync(cliBuildDir(root), { recursive: true }); // for the lock
    // Another process may have built it while this one read the sources.
    const built = await withBuildLock(
      root,
      async () => upToDate(root) ?? (await import("./cli-build.js")).buildCli(root),
    );
    return built?.dir ?? null;
  } catch (e) {
    if (process.env.TINYBOARD_DEBUG)
      process.stderr.write(`tinyboard: no compiled CLI: ${e?.stack}\n`);
    return null;
  }
}
