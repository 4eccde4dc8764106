// The adapter VS Code starts for "type": "tinyboard": the project's DAP server on stdin/stdout.
// This folder is linked into ~/.vscode/extensions from a tinyboard checkout (docs/debugger.md).
import { realpathSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(realpathSync(fileURLToPath(import.meta.url)));
await import(pathToFileURL(path.join(here, "../../bin/tinyboard-dap.js")).href);
