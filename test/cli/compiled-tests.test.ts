// ava's workers run each test file compiled ahead of time (test/helpers/compiled-tests.js) only
// from a build of the sources as they are now: an edit or a new test file is what the next run
// runs, from a new build; a file whose stat changed but not its bytes is not built again; a
// failure's report and stack trace read the same compiled and through tsx (TINYBOARD_TEST_JS=off). The runs are of a
// copy of the loader with two small test files of its own, out of the suite's way.
import test from "ava";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { ROOT } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const tmp = tempDir("tinyboard-compiled-tests-");
const COPY = path.join(tmp, "tinyboard");
const WATCH = path.join(ROOT, "test/cli/module-watch.mjs");
const LIB = path.join(COPY, "test/lib.ts");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

const A_TEST = `import test from "ava";
import { value, check } from "./lib.ts";

test("a", (t) => {
  t.log(\`value \${value}\`);
  if (process.env.TB_FAIL) check(value);
  t.pass();
});
`;
const lib = (value: number) => `export const value = ${value};
export function check(v: number): void {
  if (v !== 0) throw new Error(\`value \${v} is not 0\`);
}
`;

test.before(() => {
  // emulator/: the worker threads' entries are in every build.
  for (const d of ["bin", "emulator"])
    cpSync(path.join(ROOT, d), path.join(COPY, d), { recursive: true });
  mkdirSync(path.join(COPY, "test/helpers"), { recursive: true });
  for (const f of ["compiled-tests.js", "compiled-tests-hooks.js"])
    cpSync(path.join(ROOT, "test/helpers", f), path.join(COPY, "test/helpers", f));
  for (const f of ["package.json", "tsconfig.json"]) cpSync(path.join(ROOT, f), path.join(COPY, f));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(COPY, "node_modules"), "dir");
  writeFileSync(path.join(COPY, "test/a.test.ts"), A_TEST);
  writeFileSync(LIB, lib(1));
});

let runs = 0;
/** ava in the copy: its output, and the compiled build each test file ran from (or none). */
function copyAva(env: Record<string, string> = {}) {
  const watch = path.join(tmp, `modules-${++runs}.txt`);
  const base = { ...process.env };
  delete base.TINYBOARD_TEST_JS;
  delete base.TINYBOARD_DEBUG;
  const r = spawnSync(
    process.execPath,
    // One file at a time: the second starts once the first has built (ava otherwise starts
    // both, and the one that finds the build under way runs through tsx).
    [
      "node_modules/ava/entrypoints/cli.mjs",
      "--concurrency=1",
      `--node-arguments=--import=${WATCH}`,
    ],
    { cwd: COPY, encoding: "utf8", env: { ...base, TINYBOARD_MODULE_WATCH: watch, ...env } },
  );
  const modules = existsSync(watch) ? readFileSync(watch, "utf8").trim().split("\n") : [];
  const ranFrom = (name: string) =>
    modules
      .map((m) => new RegExp(`/build/test-js/([^/]+)/test/${name}\\.test\\.js$`).exec(m)?.[1])
      .find(Boolean);
  // Through tsx the test file itself is loaded (tsx is imported before the watch starts).
  const tsx = modules.some((m) => m.endsWith("/test/a.test.ts"));
  return { status: r.status, out: r.stdout + r.stderr, a: ranFrom("a"), b: ranFrom("b"), tsx };
}

test("an edit or a new test file is what the next run runs, compiled again; failures read the same", (t) => {
  const first = copyAva();
  t.is(first.status, 0, first.out);
  t.regex(first.out, /value 1/);
  t.truthy(first.a, "the first run builds and runs the compiled test file");
  t.false(first.tsx, "not through tsx");

  writeFileSync(LIB, lib(2));
  const edited = copyAva();
  t.is(edited.status, 0, edited.out);
  t.regex(edited.out, /value 2/);
  t.truthy(edited.a);
  t.not(edited.a, first.a, "from a new build");
  t.false(edited.tsx);

  // Same bytes, new times: the stat differs, the hash does not. A failure.
  const later = new Date(Date.now() + 5_000);
  utimesSync(LIB, later, later);
  const failed = copyAva({ TB_FAIL: "1" });
  t.is(failed.a, edited.a, "a file touched but not changed is not built again");
  t.is(failed.status, 1);
  t.regex(failed.out, /Error: value 2 is not 0\n\s+at check \(.*\/test\/lib\.ts:3:\d+\)/);

  const throughTsx = copyAva({ TB_FAIL: "1", TINYBOARD_TEST_JS: "off" });
  t.true(throughTsx.tsx);
  t.falsy(throughTsx.a);
  t.is(throughTsx.out, failed.out, "the same report and stack traces through tsx");

  writeFileSync(path.join(COPY, "test/b.test.ts"), A_TEST.replace('test("a"', 'test("b"'));
  const added = copyAva();
  t.is(added.status, 0, added.out);
  t.regex(added.out, /b\n\s+ℹ value 2/);
  t.truthy(added.b, "the new file runs compiled");
  t.not(added.b, edited.a, "from a new build");
});
