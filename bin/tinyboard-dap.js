#!/usr/bin/env node
// tinyboard's debug adapter (Debug Adapter Protocol on stdin/stdout), for editors that start
// an adapter executable; the same as `tinyboard dap`.
import { register } from "tsx/esm/api";
register();
const { dapCommand } = await import("../emulator/cli/dap.ts");
await dapCommand();
