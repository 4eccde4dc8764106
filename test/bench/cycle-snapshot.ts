// Cycle figures of the bundled apps on every board, wall-clock fields left out: run it before
// and after a refactor and diff the two files to show nothing the firmware sees has changed.
//   npx tsx test/bench/cycle-snapshot.ts > before.json   (then after.json; diff them)
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const APPS = (
  process.env.SNAPSHOT_APPS ??
  "sensor-logger,fan-monitor,hello-model,person-detector,micro-speech,mic-check"
).split(",");
const BOARDS = (process.env.SNAPSHOT_BOARDS ?? "rt1060,rt1170,mcxn947").split(",");
const SECONDS = process.env.SNAPSHOT_SECONDS ?? "2";

const state = mkdtempSync(path.join(os.tmpdir(), "tb-snapshot-"));
const out: Record<string, unknown> = {};
try {
  for (const app of APPS) {
    for (const board of BOARDS) {
      const args = [
        "bin/tinyboard.js",
        "run",
        `apps/${app}`,
        "--board",
        board,
        "--seconds",
        SECONDS,
        "--json",
        "--state",
        path.join(state, board),
      ];
      let text: string;
      try {
        text = execFileSync(process.execPath, args, {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (e: any) {
        out[`${app}@${board}`] = {
          error: String(e.stderr ?? e.message)
            .trim()
            .split("\n")
            .pop(),
        };
        continue;
      }
      const { wallSeconds, realTimeFactor, ...summary } = JSON.parse(text);
      out[`${app}@${board}`] = summary;
      process.stderr.write(
        `${app}@${board}: ${summary.cycles} cycles, ${summary.busyCycles} busy\n`,
      );
    }
  }
} finally {
  rmSync(state, { recursive: true, force: true });
}
console.log(JSON.stringify(out, null, 2));
