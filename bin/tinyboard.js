#!/usr/bin/env node
// The tinyboard CLI: runs the TypeScript sources through tsx's loader.
import { register } from "tsx/esm/api";
register();
await import("../emulator/cli/main.ts");
