// tinyboard new DIR [--from APP]: a new app folder, from the starting template (templates/blink)
// or a copy of any app (a bundled one by name). The folder must not exist (or be empty) and must
// lie inside the project, where the app's relative imports of hal/ and firmware/ and its
// partitions can reach; a copy that fails is removed, folders it created included.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { distance } from "fastest-levenshtein";
import { UserError } from "../errors.ts";
import { PROJECT_ROOT, shownPath } from "../paths.ts";
import { APP_NAME, APP_NAME_RULE, isAppDir, loadApp } from "../toolchain/app.ts";
import { appFolders, notAnAppMessage } from "../toolchain/app-suggest.ts";
import { relocateImports, relocateManifest } from "../toolchain/relocate-app.ts";

const TEMPLATE = path.join(PROJECT_ROOT, "templates", "blink");

/** The app to copy: a folder with app.json, or the name of a bundled app (apps/NAME). */
function sourceApp(from: string | undefined): string {
  if (from === undefined) return TEMPLATE;
  if (isAppDir(from)) return path.resolve(from);
  const bundled = path.join(PROJECT_ROOT, "apps", from);
  if (!from.includes("/") && isAppDir(bundled)) return bundled;
  const names = appFolders(path.join(PROJECT_ROOT, "apps"), 1).map((d) => path.basename(d));
  const near = names.find((n) => distance(n, from) <= 3);
  if (!from.includes("/"))
    throw new UserError(
      `--from: no app named '${from}'${near ? ` (did you mean '${near}'?)` : ""}; bundled apps: ${names.join(", ")}`,
    );
  throw new UserError(`--from: ${notAnAppMessage(from, existsSync(from))}`);
}

function checkDestination(dir: string): string {
  const dst = path.resolve(dir);
  const rel = path.relative(PROJECT_ROOT, dst);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel))
    throw new UserError(
      `${dir} is outside the project (${PROJECT_ROOT}): an app lives inside it, e.g. apps/${path.basename(dst)}, so that it can import hal/ and firmware/`,
    );
  if (existsSync(dst) && (!statSync(dst).isDirectory() || readdirSync(dst).length > 0))
    throw new UserError(`${dir} already exists and is not an empty folder: nothing written`);
  return dst;
}

/** app.json as people write it: two-space indents, a list of plain values on one line. */
function manifestText(manifest: Record<string, unknown>): string {
  // A list with no list or object inside (JSON strings hold no raw newline) goes on one line.
  const text = JSON.stringify(manifest, null, 2).replace(
    /\[\n\s+([^[\]{}]*?)\n\s*\]/g,
    (_, items: string) => `[${items.split(/,\n\s+/).join(", ")}]`,
  );
  return text + "\n";
}

/** Copies `src` to `dst`, relocating every TypeScript file's imports and app.json. */
function copyApp(src: string, dst: string, name: string): string[] {
  const written: string[] = [];
  const walk = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const a = path.join(from, entry.name);
      const b = path.join(to, entry.name);
      if (entry.isDirectory()) walk(a, b);
      else if (from === src && entry.name === "app.json") {
        const raw = JSON.parse(readFileSync(a, "utf8")) as Record<string, unknown>;
        writeFileSync(b, manifestText(relocateManifest(raw, name, src, dst)));
        written.push(b);
      } else if (entry.name.endsWith(".ts")) {
        writeFileSync(b, relocateImports(readFileSync(a, "utf8"), from, to, src));
        written.push(b);
      } else {
        cpSync(a, b);
        written.push(b);
      }
    }
  };
  walk(src, dst);
  return written;
}

export function newCommand(dir: string, opts: { from?: string }): void {
  const dst = checkDestination(dir);
  const name = path.basename(dst);
  if (!APP_NAME.test(name))
    throw new UserError(
      `an app's folder names it: '${name}' must be ${APP_NAME_RULE} (e.g. ${path.join(path.dirname(dir), name.toLowerCase().replace(/[^a-z0-9-]+/g, "-"))})`,
    );
  const src = sourceApp(opts.from);
  const inside = path.relative(src, dst);
  if (!inside.startsWith("..") && !path.isAbsolute(inside))
    throw new UserError(
      `${dir} is inside the app it would copy (${shownPath(src)}): nothing written`,
    );
  // What to remove if the copy fails: the first folder it creates, or the empty folder's contents.
  let created: string | null = null;
  for (let d = dst; !existsSync(d); d = path.dirname(d)) created = d;
  let files: string[];
  try {
    files = copyApp(src, dst, name);
    loadApp(dst); // the copy is an app as the build will read it
  } catch (e) {
    if (created) rmSync(created, { recursive: true, force: true });
    else for (const f of readdirSync(dst)) rmSync(path.join(dst, f), { recursive: true });
    throw e;
  }
  const from = src === TEMPLATE ? "the starting template" : shownPath(src);
  const scenarios = readdirSync(dst).filter((f) => f.endsWith(".yaml"));
  process.stdout.write(
    `wrote ${shownPath(dst)}: app '${name}' from ${from} (${files.length} files)\n` +
      `next: npx tinyboard run ${shownPath(dst)} --board rt1060\n` +
      (scenarios.length
        ? `test: npx tinyboard test ${scenarios.map((f) => shownPath(path.join(dst, f))).join(" ")}\n`
        : ""),
  );
}
