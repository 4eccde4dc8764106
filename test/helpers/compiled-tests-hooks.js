// Module hooks of compiled-tests.js: ava imports a test file by its .ts URL; the compiled
// build's module for it is loaded instead. Every other module resolves as Node resolves it (the
// compiled modules import their chunks and packages as plain JavaScript).
import { realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

let root;
let dir;

export function initialize(data) {
  ({ root, dir } = data);
}

export async function resolve(specifier, context, next) {
  if (!specifier.startsWith("file:") || !specifier.endsWith(".test.ts"))
    return next(specifier, context);
  const rel = path.relative(root, realpathSync(fileURLToPath(specifier)));
  const url = pathToFileURL(path.join(dir, rel.slice(0, -".ts".length) + ".js")).href;
  return { url, format: "module", shortCircuit: true };
}
