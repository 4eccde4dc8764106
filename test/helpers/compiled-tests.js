// Loaded into each of ava's worker processes (package.json's ava.nodeArguments): the test file
// runs compiled ahead of time by esbuild (bin/cli-build.js) when a build of the sources as they
// are now is there, else through tsx's loader. tsx costs each worker ~0.5 CPU s before the test
// starts and each worker thread the same again; the suite runs ~150 files. The build (all test
// files, ~2-3 CPU s) is made by the first worker that finds none up to date, one at a time:
// others meanwhile run through tsx. An edit, a new test file or a removed one makes the next
// worker build again (bin/compiled-build.js). TINYBOARD_TEST_JS=off always runs through tsx.
import { readdirSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { isMainThread } from "node:worker_threads";
import { compiledBuild } from "../../bin/compiled-build.js";

const root = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
const KIND = "test-js";

/** The test files ava's default glob (package.json's ava.files) finds, as root-relative paths. */
function testFiles() {
  return readdirSync(path.join(root, "test"), { recursive: true })
    .map((f) => `test/${f.split(path.sep).join("/")}`)
    .filter((f) => f.endsWith(".test.ts"))
    .sort();
}

async function build(r) {
  const { buildInto } = await import("../../bin/cli-build.js");
  const files = testFiles();
  const entries = files.map((f) => ({ in: f, out: f.slice(0, -".ts".length) }));
  return buildInto(r, KIND, entries, ["test/helpers/compiled-tests.js"], { entries: files });
}

// Worker threads inherit the flag: those compiled code starts run compiled entries (emulator/
// compiled.ts), those the TypeScript starts register tsx in their boot file.
if (isMainThread) {
  const dir =
    process.env.TINYBOARD_TEST_JS === "off"
      ? null
      : await compiledBuild(root, KIND, "scenario-worker.js", build, (m) => {
          const files = testFiles();
          return m.entries?.length === files.length && m.entries.every((f, i) => f === files[i]);
        });
  if (dir) {
    process.setSourceMapsEnabled(true); // stack traces name the .ts lines, as under tsx
    register("./compiled-tests-hooks.js", import.meta.url, { data: { root, dir } });
  } else await import("tsx");
}
