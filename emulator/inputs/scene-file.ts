// Reading a scene file (room scenes and audio-visual meeting scenes alike): a JSON object, or
// one line naming what is wrong with it.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "./accel-source.ts";

/** The JSON object in the scene file `spec` (relative to `cwd`) and the folder its relative
 * paths start from; an InputError for a missing, unreadable or malformed file. */
export function readSceneObject(
  spec: string,
  cwd: string,
): { raw: Record<string, unknown>; baseDir: string } {
  const path = resolve(cwd, spec);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${spec}: ${code === "ENOENT" ? "scene file not found" : `cannot read (${code})`}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${spec}: not valid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new InputError(`${spec}: a scene is a JSON object`);
  return { raw: raw as Record<string, unknown>, baseDir: dirname(path) };
}
