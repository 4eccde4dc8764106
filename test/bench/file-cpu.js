// Per test file CPU time, for finding where `npm test` spends its time: load into ava's
// workers (plain JavaScript: worker threads the tests start inherit the flag) with
//   TINYBOARD_FILE_CPU_LOG=/tmp/cpu.jsonl npx ava --node-arguments="--import=./test/bench/file-cpu.js"
// (after package.json's ava.nodeArguments: the test files run compiled or through tsx as in
// `npm test`; TINYBOARD_TEST_JS=off for tsx).
// Each worker process (one per test file) appends one JSON line at exit: the file, its pid (the
// build log's pid), its user and system CPU seconds, that of the child processes it waited for
// (CLI runs) and its wall seconds.
import { appendFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { isMainThread } from "node:worker_threads";

const log = process.env.TINYBOARD_FILE_CPU_LOG;
// Worker threads inherit the flag; their exit would log the whole process's CPU again.
if (log && isMainThread) {
  const start = performance.now();
  const require = createRequire(import.meta.url);
  process.on("exit", () => {
    let file = process.argv[1] ?? "?";
    try {
      // ava's worker keeps the test file in its options module (a CommonJS singleton).
      const options = path.join(process.cwd(), "node_modules/ava/lib/worker/options.cjs");
      file = path.relative(
        process.cwd(),
        require(options)
          .get()
          .file.replace(/^file:\/\//, ""),
      );
    } catch {
      /* not an ava worker */
    }
    const cpu = process.cpuUsage();
    // /proc/self/stat fields 16 and 17: CPU of waited-for children, in clock ticks (1/100 s).
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const children = (Number(fields[13]) + Number(fields[14])) / 100;
    appendFileSync(
      log,
      JSON.stringify({
        file,
        pid: process.pid,
        user: +(cpu.user / 1e6).toFixed(1),
        sys: +(cpu.system / 1e6).toFixed(1),
        children: +children.toFixed(1),
        wall: +((performance.now() - start) / 1e3).toFixed(1),
      }) + "\n",
    );
  });
}
