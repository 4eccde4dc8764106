// Loaded with `node --import`: appends the URL of every module the process resolves to
// $TINYBOARD_MODULE_WATCH, one a line (see compiled-cli.test.ts).
import { register } from "node:module";

register("./module-watch-hooks.mjs", import.meta.url);
