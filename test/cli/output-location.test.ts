// Where build/ and .tinyboard/ go (docs/extending.md, README "The command line"): into the
// project the current folder is in (the nearest folder upwards with a package.json, as npm finds
// its prefix), not into whatever subfolder, such as an app's own, the command is run from.
import test from "ava";
import path from "node:path";
import { existsSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { cli } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";

const ROOT = process.cwd();
const tmp = tempDir("tinyboard-outputs-");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

test.serial(
  "build and flash from a project's subfolder write to the project's build/ and .tinyboard/",
  (t) => {
    const project = path.join(tmp, "project");
    const sub = path.join(project, "apps", "mine");
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(project, "package.json"), "{}\n");
    const app = path.join(ROOT, "apps/hello-model");

    const b = cli(["build", app, "--board", "rt1060"], 110_000, sub);
    t.is(b.status, 0, b.stderr);
    t.true(existsSync(path.join(project, "build/hello-model-rt1060.tbi")));
    t.false(existsSync(path.join(sub, "build")), "nothing in the subfolder");
    t.regex(b.stdout, /^wrote \.\.\/\.\.\/build\/hello-model-rt1060\.tbi \(/m);

    const f = cli(
      ["flash", path.join(project, "build/hello-model-rt1060.tbi"), "--board", "rt1060"],
      110_000,
      sub,
    );
    t.is(f.status, 0, f.stderr);
    t.true(existsSync(path.join(project, ".tinyboard/rt1060/flash.tbi")));
    t.false(existsSync(path.join(sub, ".tinyboard")));
    t.regex(f.stdout, /state \.\.\/\.\.\/\.tinyboard\/rt1060\)/);
  },
);

test.serial("outside any project they go into the current folder", (t) => {
  const bare = path.join(tmp, "bare");
  mkdirSync(bare);
  const b = cli(["build", path.join(ROOT, "apps/hello-model"), "--board", "rt1060"], 110_000, bare);
  t.is(b.status, 0, b.stderr);
  t.true(existsSync(path.join(bare, "build/hello-model-rt1060.tbi")));
  t.regex(b.stdout, /^wrote build\/hello-model-rt1060\.tbi \(/m);
});
