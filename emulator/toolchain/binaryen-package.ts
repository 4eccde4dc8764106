// Which binaryen the verifier uses: the copy asc carries (resolved from asc's package, not the
// one another package puts in node_modules/binaryen), so that a process that compiles and checks
// images instantiates binaryen once: asc's import of it and ours are the same module (the same
// file under native-import.ts's namespace). Resolving it loads nothing.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const ascRequire = createRequire(
  createRequire(import.meta.url).resolve("assemblyscript/package.json"),
);

/** binaryen's entry as a file URL. */
export const BINARYEN_URL = pathToFileURL(ascRequire.resolve("binaryen")).href;

/** Its version (part of the key of the verdicts kept on disk: verify-cache.ts). */
export const BINARYEN_VERSION = ascRequire("binaryen/package.json").version as string;
