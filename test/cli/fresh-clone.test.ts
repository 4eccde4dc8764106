// A user's clone has no ../shared beside it: every model and input an app or the demo uses
// must be in the repository. The committed tree is cloned into a temporary folder with no
// sibling shared/, node_modules is linked in (as `npm install` would make it), and `npm start`
// runs the demo there on one board for a short time: every bundled app's partitions and
// inputs resolve inside the clone, builds (from the shared build cache when it has them) and
// runs to the end.
import test from "ava";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { ROOT } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";
import { cacheDir } from "../../emulator/toolchain/build-cache.ts";

const run = promisify(execFile);
const gitOk = spawnSync("git", ["-C", ROOT, "rev-parse", "HEAD"]).status === 0;
const tmp = tempDir("tinyboard-clone-");
const CLONE = path.join(tmp, "tinyboard");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

/** Every app folder (with app.json) under apps/, at any depth. */
function appDirs(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (!statSync(p).isDirectory()) return [];
    return [...(existsSync(path.join(p, "app.json")) ? [p] : []), ...appDirs(p)];
  });
}

test.before(async () => {
  if (!gitOk) return;
  await run("git", ["clone", "--quiet", ROOT, CLONE]);
  symlinkSync(path.join(ROOT, "node_modules"), path.join(CLONE, "node_modules"), "dir");
});

(gitOk ? test : test.skip)("every app's partitions and input files are inside the clone", (t) => {
  t.false(existsSync(path.join(tmp, "shared")), "no ../shared beside the clone");
  const apps = appDirs(path.join(CLONE, "apps"));
  t.true(apps.length >= 4, `apps: ${apps.join(", ")}`);
  for (const dir of apps) {
    const manifest = JSON.parse(readFileSync(path.join(dir, "app.json"), "utf8"));
    const files = [
      ...(manifest.partitions ?? []).map((p: { file: string }) => p.file),
      ...Object.values<string>(manifest.inputs ?? {})
        .filter((s) => !s.startsWith("gen:"))
        .map((s) => s.split(",")[0]),
    ];
    for (const f of files) {
      const abs = path.resolve(dir, f);
      t.false(
        path.relative(CLONE, abs).startsWith(".."),
        `${path.relative(CLONE, dir)}: ${f} is outside the repository`,
      );
      t.true(existsSync(abs), `${path.relative(CLONE, dir)}: ${f} is not in the repository`);
    }
  }
});

(gitOk ? test : test.skip)(
  "npm start runs every bundled app in a clone without ../shared",
  async (t) => {
    t.timeout(900_000, "cold builds of every app on a loaded machine");
    const { stdout } = await run("npm", ["start", "--", "--board", "rt1060", "--seconds", "0.3"], {
      cwd: CLONE,
      env: { ...process.env, TINYBOARD_BUILD_CACHE: cacheDir() },
      maxBuffer: 16 << 20,
    });
    const apps = readdirSync(path.join(CLONE, "apps")).filter((d) =>
      existsSync(path.join(CLONE, "apps", d, "app.json")),
    );
    for (const app of apps) {
      t.regex(
        stdout,
        new RegExp(`=== ${app} on .*\\n(?:.*\\n)*?  ok: `),
        `${app} ran without a fault`,
      );
      t.regex(stdout, new RegExp(`^${app} +rt1060 .* ok$`, "m"));
    }
    // A run with compiles beside it marks its real-time figure, and the table says what the mark means.
    const marked = /^\S+ +rt1060 .*x\* +ok$/m.test(stdout);
    t.is(/^\* ran while images still compiled beside it/m.test(stdout), marked);
    t.false(/shared/.test(stdout));
  },
);
