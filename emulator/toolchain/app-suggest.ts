// "Did you mean": a misspelled app folder is answered with the nearest app folder, by edit
// distance, among the project's apps and the folders beside the one asked for.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { distance } from "fastest-levenshtein";
import { PROJECT_ROOT } from "../paths.ts";

/** App folders (with app.json) under a folder, two levels deep (apps/x, apps/x/variant). */
export function appFolders(root: string, depth = 2): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = path.join(root, n);
    if (n === "node_modules" || n.startsWith(".") || !statSync(p).isDirectory()) continue;
    if (existsSync(path.join(p, "app.json"))) out.push(p);
    if (depth > 1) out.push(...appFolders(p, depth - 1));
  }
  return out;
}

/** The nearest app folder to a path that is not one, as the user would type it; null if none is close. */
export function nearestApp(spec: string): string | null {
  const wanted = path.resolve(spec);
  const candidates = new Set([
    ...appFolders(path.join(PROJECT_ROOT, "apps")),
    ...appFolders(path.dirname(wanted), 1),
  ]);
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(path.relative(process.cwd(), wanted), path.relative(process.cwd(), c));
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  // Only a near miss is a suggestion: a few edits, relative to the name's length.
  if (!best || bestDistance > Math.max(3, Math.floor(path.basename(wanted).length / 3)))
    return null;
  return path.relative(process.cwd(), best) || ".";
}

/** The one-line error for a path that is not an app folder (nor, where one is accepted, an image file). */
export function notAnAppMessage(spec: string, imageToo: boolean): string {
  const base = !existsSync(spec)
    ? `no such ${spec.endsWith(".tbi") ? "image" : "app"}: ${spec}`
    : imageToo
      ? `${spec} is neither an app folder (with app.json) nor an image file`
      : `${spec} is not an app folder (no app.json)`;
  // Run from a subfolder, "apps/x" is the project's app: say where it is from here.
  const fromRoot = path.resolve(PROJECT_ROOT, spec);
  if (
    !path.isAbsolute(spec) &&
    path.resolve(spec) !== fromRoot &&
    existsSync(path.join(fromRoot, "app.json"))
  )
    return `${base} (paths are relative to the current folder; from here the project's app is ${path.relative(process.cwd(), fromRoot) || "."})`;
  const near = nearestApp(spec);
  return near ? `${base} (did you mean ${near}?)` : base;
}
