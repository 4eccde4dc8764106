#!/usr/bin/env node
// tinyboard's debug adapter (Debug Adapter Protocol on stdin/stdout), for editors that start
// an adapter executable; the same as `tinyboard dap`. Compiled or through tsx as bin/tinyboard.js.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiledCli } from "./compiled-cli.js";

const dir = await compiledCli(path.resolve(fileURLToPath(new URL("..", import.meta.url))));
let dap;
if (dir) {
  process.setSourceMapsEnabled(true);
  dap = await import(pathToFileURL(path.join(dir, "dap.js")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  dap = await import("../emulator/cli/dap.ts");
}
await dap.dapCommand();
