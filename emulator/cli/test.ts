// tinyboard test: scenario files on emulated boards, with a runner's output and exit code.
import { readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { describeFsError } from "../host-files.ts";
import { runScenarios } from "../scenario/runner.ts";
import { junitXml, resultLine, totalsLine } from "../scenario/report.ts";

export interface TestCliOptions {
  board: string[];
  junit?: string;
  jobs?: number;
  traceDir?: string;
}

/** A folder given as a scenario file stands for its .yaml files, in name order. */
function scenarioFiles(args: string[]): string[] {
  return args.flatMap((arg) => {
    let folder = false;
    try {
      folder = statSync(arg).isDirectory();
    } catch {
      return [arg]; // the loader names what is wrong with it
    }
    if (!folder) return [arg];
    const files = readdirSync(arg)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(arg, f));
    if (!files.length) throw new UserError(`${arg} is a folder without scenario files (*.yaml)`);
    return files;
  });
}

export async function testCommand(args: string[], opts: TestCliOptions): Promise<void> {
  const started = performance.now();
  const files = scenarioFiles(args);
  const results = await runScenarios(files, {
    boards: opts.board,
    jobs: opts.jobs,
    traceDir: opts.traceDir,
    onResult: (r) => console.log(resultLine(r)),
  });
  console.log(totalsLine(results, (performance.now() - started) / 1000));
  if (opts.junit) {
    try {
      writeFileSync(opts.junit, junitXml(results));
    } catch (e) {
      throw new UserError(`cannot write ${describeFsError(e, opts.junit, "JUnit report")}`);
    }
  }
  if (results.some((r) => !r.passed)) process.exitCode = 1;
}
