// Where the project's own files are (apps, boards, hal), wherever the CLI is run from; and
// where a user's outputs go (build/, .tinyboard/).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL("..", import.meta.url)));

/**
 * The folder that gets build/ and .tinyboard/: the nearest one from `cwd` upwards that holds a
 * package.json (the project the user is in, found as npm finds its prefix), else `cwd` itself.
 * So `tinyboard run .` inside apps/hello-model writes to the clone's build/, not into the app.
 */
export function outputRoot(cwd = process.cwd()): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/** A path as the user should see it: relative to the cwd when that is shorter. */
export function shownPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === "" ? "." : rel.length < file.length ? rel : file;
}

/** The build cache's folder (images, kept validators): build/cache in the project, or
 *  $TINYBOARD_BUILD_CACHE. */
export function cacheDir(): string {
  return process.env.TINYBOARD_BUILD_CACHE || path.join(PROJECT_ROOT, "build", "cache");
}
