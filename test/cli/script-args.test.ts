// Every training, evaluation and benchmark script package.json names answers a bad command line
// (an unknown option, a value that looks like an option) with one line naming the script and
// exit code 2, never a stack trace (emulator/cli/script-args.ts).
import test from "ava";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../faults/helpers.ts";

const scripts = Object.entries(
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<
    string,
    string
  >,
).filter(([name, cmd]) => /^(train|eval):|^bench$/.test(name) && cmd.startsWith("tsx "));

function runScript(file: string, args: string[]) {
  return new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, file), ...args],
      { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr, stdout }),
    );
  });
}

test("the package's scripts are found", (t) => {
  t.true(scripts.length >= 9, scripts.map(([n]) => n).join(", "));
});

for (const [name, cmd] of scripts) {
  test(`${name}: an unknown option is one line and exit 2`, async (t) => {
    t.timeout(180_000, "loads the script's modules (tfjs for training) on a loaded machine");
    const r = await runScript(cmd.slice(4).trim(), ["--no-such-option"]);
    t.is(r.code, 2, r.stderr);
    t.is(r.stderr.trim(), `${name}: Unknown option '--no-such-option'`);
    t.is(r.stdout, "", "nothing ran");
  });
}

test("a negative number where a value is expected is one line, not a trace", async (t) => {
  t.timeout(180_000);
  const r = await runScript("apps/active-speaker/train/train-cli.ts", ["--seed", "-3"]);
  t.is(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split("\n");
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^train:active-speaker: Option '--seed' argument is ambiguous\..*--seed=-XYZ/);
});
