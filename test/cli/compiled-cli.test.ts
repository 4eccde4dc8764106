// bin/tinyboard.js runs the CLI compiled ahead of time (bin/cli-build.js) only when that build
// was made from the sources as they are now: an edit is what the next run runs, never a stale
// build; TINYBOARD_CLI_JS=off runs the TypeScript through tsx, with the same output, errors and
// stack traces. The edits are made in a copy of the tree, out of the other tests' way.
import test from "ava";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, Worker, receiveMessageOnPort } from "node:worker_threads";
import { ROOT, cli } from "../faults/helpers.ts";
import { tempDir } from "../helpers/tools.ts";
import { checkCode } from "../../emulator/toolchain/verify-code.ts";

const tmp = tempDir("tinyboard-compiled-cli-");
const COPY = path.join(tmp, "tinyboard");
const WATCH = path.join(ROOT, "test/cli/module-watch.mjs");
test.after.always(() => rmSync(tmp, { recursive: true, force: true }));

test.before(() => {
  for (const d of ["bin", "emulator", "boards", "hal"])
    cpSync(path.join(ROOT, d), path.join(COPY, d), { recursive: true });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(path.join(ROOT, f), path.join(COPY, f));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(COPY, "node_modules"), "dir");
});

let runs = 0;
/** The copy's CLI, with the modules it resolved: the compiled build's folder, or null. */
function copyCli(args: string[], env: Record<string, string> = {}) {
  const watch = path.join(tmp, `modules-${++runs}.txt`);
  const base = { ...process.env };
  delete base.TINYBOARD_CLI_JS;
  delete base.TINYBOARD_DEBUG;
  const r = spawnSync(process.execPath, [`--import=${WATCH}`, "bin/tinyboard.js", ...args], {
    cwd: COPY,
    encoding: "utf8",
    env: { ...base, TINYBOARD_MODULE_WATCH: watch, ...env },
  });
  const modules = existsSync(watch) ? readFileSync(watch, "utf8").trim().split("\n") : [];
  const compiled = modules
    .map((m) => /\/build\/cli-js\/([^/]+)\/cli\.js$/.exec(m)?.[1])
    .find(Boolean);
  const tsx = modules.some((m) => m.includes("/node_modules/tsx/"));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, compiled, tsx };
}

const BOARDS_TS = () => path.join(COPY, "emulator/cli/boards.ts");
/** Puts `line` first in boardsCommand (the body of `tinyboard boards`). */
function editBoards(line: string): void {
  const src = readFileSync(BOARDS_TS(), "utf8");
  const header = /export function boardsCommand\([^)]*\): void \{\n/;
  if (!header.test(src)) throw new Error("boardsCommand's header moved: update this test");
  writeFileSync(
    BOARDS_TS(),
    src.replace(header, (h) => `${h}  ${line}\n`),
  );
}

test.serial("an edit to the sources is what the next run runs, compiled again", (t) => {
  const first = firstRun(t);
  editBoards(`console.log("edited by compiled-cli.test");`);
  const edited = copyCli(["boards"]);
  t.is(edited.status, 0, edited.stderr);
  t.true(edited.stdout.startsWith("edited by compiled-cli.test\n"), edited.stdout.slice(0, 80));
  t.truthy(edited.compiled, "the edit runs compiled");
  t.not(edited.compiled, first, "from a new build");
  t.false(edited.tsx, "without tsx");
  const again = copyCli(["boards"]);
  t.is(again.compiled, edited.compiled, "an unchanged tree is not built again");
  t.is(again.stdout, edited.stdout);
  const throughTsx = copyCli(["boards"], { TINYBOARD_CLI_JS: "off" });
  t.true(throughTsx.tsx);
  t.falsy(throughTsx.compiled);
  t.is(throughTsx.stdout, edited.stdout);
});

/** The first run of the copy: it builds the compiled CLI and runs it. */
function firstRun(t: import("ava").ExecutionContext): string {
  const r = copyCli(["boards", "--json"]);
  t.is(r.status, 0, r.stderr);
  t.deepEqual(
    JSON.parse(r.stdout)
      .map((b: { id: string }) => b.id)
      .sort(),
    ["mcxn947", "rt1060", "rt1170"],
  );
  t.truthy(r.compiled, "the first run builds and runs the compiled CLI");
  t.false(r.tsx, "without loading tsx");
  const manifest = JSON.parse(readFileSync(path.join(COPY, "build/cli-js/current.json"), "utf8"));
  t.is(manifest.dir, r.compiled);
  t.true(manifest.inputs.includes("emulator/cli/boards.ts"));
  return r.compiled!;
}

test.serial(
  "an internal error's stack trace names the same .ts lines compiled and through tsx",
  (t) => {
    editBoards(`if (process.env.TB_THROW) throw new Error("deliberate");`);
    const env = { TB_THROW: "1", TINYBOARD_DEBUG: "1" };
    const compiled = copyCli(["boards"], env);
    const throughTsx = copyCli(["boards"], { ...env, TINYBOARD_CLI_JS: "off" });
    t.truthy(compiled.compiled);
    t.true(throughTsx.tsx);
    t.is(compiled.status, 70);
    t.regex(compiled.stderr, /^tinyboard: internal error: deliberate\nError: deliberate\n/);
    t.regex(compiled.stderr, /at Command\.boardsCommand \(.*\/emulator\/cli\/boards\.ts:\d+:\d+\)/);
    t.is(compiled.stderr, throughTsx.stderr);
    t.is(compiled.status, throughTsx.status);
  },
);

test("user errors, help and output are the same compiled and through tsx", (t) => {
  const cases = [
    ["boards"],
    ["--help"],
    ["bogus"],
    ["boards", "--bord"],
    ["build", "apps/sensor-logger"],
    ["run", "apps/no-such-app", "--board", "rt1060"],
  ];
  for (const args of cases) {
    const compiled = cli(args);
    const throughTsx = cli(args, undefined, undefined, { TINYBOARD_CLI_JS: "off" });
    t.deepEqual(compiled, throughTsx, args.join(" "));
  }
});

test("every worker thread starts through workerUrl, from a boot file with a compiled entry", async (t) => {
  const { WORKERS } = await import(pathToFileURL(path.join(ROOT, "bin/cli-build.js")).href);
  const boots = (WORKERS as { boot: string; entry: string }[]).map((w) => w.boot).sort();
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith("-boot.mjs")) found.push(rel);
      else if (e.name.endsWith(".ts")) {
        const src = readFileSync(path.join(ROOT, rel), "utf8");
        for (const m of src.matchAll(/new Worker\(([^,)]*)/g))
          t.true(m[1].startsWith("workerUrl("), `${rel}: new Worker(${m[1]}`);
      }
    }
  };
  walk("emulator");
  t.deepEqual(found.sort(), boots);
  for (const w of WORKERS as { boot: string; entry: string }[])
    t.true(
      readFileSync(path.join(ROOT, w.boot), "utf8").includes(
        `import("./${path.basename(w.entry)}")`,
      ),
      `${w.boot} boots ${w.entry}`,
    );
});

test.serial("the compiled image-check worker gives the checker's verdicts", async (t) => {
  if (!existsSync(path.join(COPY, "build/cli-js/current.json"))) copyCli(["boards"]);
  const manifest = JSON.parse(readFileSync(path.join(COPY, "build/cli-js/current.json"), "utf8"));
  const entry = path.join(COPY, "build/cli-js", manifest.dir, "verify-worker.js");
  const answered = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  // execArgv [] : the thread starts without this process's tsx, as the CLI's threads do.
  const worker = new Worker(entry, {
    workerData: { answered, port: port2 },
    transferList: [port2],
    execArgv: [],
  });
  t.teardown(() => worker.terminate());
  const cases = [
    new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), // valid, but no memory
    new Uint8Array([1, 2, 3]),
  ];
  for (const wasm of cases) {
    Atomics.store(answered, 0, 0);
    port1.postMessage({ wasm, unmeteredAdmitted: false });
    while (Atomics.load(answered, 0) === 0) await new Promise((r) => setTimeout(r, 20));
    const reply = receiveMessageOnPort(port1)?.message;
    t.deepEqual(reply, { verdict: checkCode(wasm, false) });
  }
});
