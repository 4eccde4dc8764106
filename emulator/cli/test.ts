// tinyboard test: scenario files on emulated boards, with a runner's output and exit code.
import { writeFileSync } from "node:fs";
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

export async function testCommand(files: string[], opts: TestCliOptions): Promise<void> {
  const started = performance.now();
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
