// Loaded with `node --import`: writes the URL of every module of the binaryen package the
// process resolves to $TINYBOARD_BINARYEN_WATCH (see verify-sync.test.ts).
import { register } from "node:module";

register("./binaryen-watch-hooks.mjs", import.meta.url);
