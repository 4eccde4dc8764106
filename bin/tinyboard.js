#!/usr/bin/env node
// The tinyboard CLI: the compiled CLI when a build of the current sources is there (made on
// the first run that finds none: compiled-cli.js), else the TypeScript through tsx's loader.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compiledCli } from "./compiled-cli.js";

const dir = await compiledCli(path.resolve(fileURLToPath(new URL("..", import.meta.url))));
if (dir) {
  process.setSourceMapsEnabled(true); // stack traces name the .ts lines, as under tsx
  await import(pathToFileURL(path.join(dir, "cli.js")).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../emulator/cli/main.ts");
}
