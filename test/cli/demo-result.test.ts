// npm start's table: an app whose firmware exits with an error is not "ok" (tinyboard run's rule).
import test from "ava";
import { runResult } from "../../emulator/cli/demo.ts";
import { firmwareExitStatus } from "../../emulator/cli/run.ts";

test("a demo row is ok only for a clean run: a fault names its kind, an error exit shows exit(n)", (t) => {
  t.is(runResult({ fault: null, exitCode: 0 }), "ok");
  t.is(runResult({ fault: null, exitCode: 2 }), "exit(2)");
  t.is(runResult({ fault: { kind: "watchdog" }, exitCode: 0 }), "watchdog");
  t.is(firmwareExitStatus(2), 2);
  t.is(firmwareExitStatus(300), 1);
});
