// Moving an app's sources to another folder: relative paths that leave the app (imports of
// hal/ and firmware/, a partition or an input kept beside another app) must still reach the
// same file from the new place; paths inside the app stay as they are.
import path from "node:path";

const posix = (p: string) => p.split(path.sep).join("/");

/** `spec` (relative to `fromDir`, a folder of the app at `srcApp`) as seen from `toDir`, the
 *  same folder in the app's new place; unchanged when it stays inside the app. */
export function relocatePath(spec: string, fromDir: string, toDir: string, srcApp: string): string {
  if (!spec.startsWith(".")) return spec;
  const target = path.resolve(fromDir, spec);
  const rel = path.relative(srcApp, target);
  if (rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel)) return spec;
  const moved = posix(path.relative(toDir, target)) || ".";
  return moved.startsWith(".") ? moved : `./${moved}`;
}

// `from "x"`, `import "x"`, `import("x")`, `export … from "x"`: every module specifier.
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.[^"'\n]*)\2/g;

/** A TypeScript source's relative module specifiers relocated (relocatePath). */
export function relocateImports(
  source: string,
  fromDir: string,
  toDir: string,
  srcApp: string,
): string {
  return source.replace(
    SPECIFIER,
    (_, lead: string, quote: string, spec: string) =>
      `${lead}${quote}${relocatePath(spec, fromDir, toDir, srcApp)}${quote}`,
  );
}

/** app.json's fields with its name replaced and its file paths relocated (partitions, inputs
 *  that name a file, micArray JSON files); key order kept. */
export function relocateManifest(
  raw: Record<string, unknown>,
  name: string,
  srcApp: string,
  dstApp: string,
): Record<string, unknown> {
  const move = (p: string) => relocatePath(p, srcApp, dstApp, srcApp);
  // An input spec is "FILE[,option...]" or a generator ("gen:…", "scene:…"): only a file moves.
  const moveSpec = (spec: string) => {
    const [head, ...rest] = spec.split(",");
    return [move(head), ...rest].join(",");
  };
  const out: Record<string, unknown> = { ...raw, name };
  if (Array.isArray(raw.partitions))
    out.partitions = raw.partitions.map((p: { file?: unknown }) =>
      typeof p?.file === "string" ? { ...p, file: move(p.file) } : p,
    );
  if (raw.inputs && typeof raw.inputs === "object")
    out.inputs = Object.fromEntries(
      Object.entries(raw.inputs).map(([k, v]) => [k, typeof v === "string" ? moveSpec(v) : v]),
    );
  if (typeof raw.micArray === "string") out.micArray = move(raw.micArray);
  else if (raw.micArray && typeof raw.micArray === "object")
    out.micArray = Object.fromEntries(
      Object.entries(raw.micArray).map(([k, v]) => [k, typeof v === "string" ? move(v) : v]),
    );
  return out;
}
