// Bench section: how long the command line takes to build an app, in a new process as a user
// runs it. cold: `build --rebuild` (load the compiler, compile, meter, check the HAL contract);
// warm: `build` with the build cache holding the image; run: `run <app>` of an unchanged app
// (from the cache) for 10 emulated ms, the start-up a debug or run session waits for.
// Measured, never asserted. Runs alone too: npx tsx test/bench/build-times.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, ROOT, sig } from "./util.ts";

const APPS = ["apps/sensor-logger", "apps/fan-monitor", "apps/person-detector"];
const BOARD = "rt1060";
const ROUNDS = 3;

export interface BuildTimesResult {
  board: string;
  rounds: number;
  apps: {
    app: string;
    coldSeconds: number;
    warmSeconds: number;
    runWarmSeconds: number;
    samples: { cold: number[]; warm: number[]; runWarm: number[] };
  }[];
}

function timed(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, "bin/tinyboard.js"), ...args], {
    cwd,
    encoding: "utf8",
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(`tinyboard ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return seconds;
}

export function benchBuildTimes(log: (msg: string) => void = () => {}): BuildTimesResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-build-"));
  try {
    const apps = APPS.map((app) => {
      log(`build times: ${app} on ${BOARD}, ${ROUNDS} rounds`);
      const samples = { cold: [] as number[], warm: [] as number[], runWarm: [] as number[] };
      const out = path.join(dir, "x.tbi");
      for (let i = 0; i < ROUNDS; i++) {
        samples.cold.push(
          timed(
            ["build", path.join(ROOT, app), "--board", BOARD, "--rebuild", "-o", out, "--json"],
            dir,
          ),
        );
        samples.warm.push(
          timed(["build", path.join(ROOT, app), "--board", BOARD, "-o", out, "--json"], dir),
        );
        samples.runWarm.push(
          timed(
            [
              "run",
              path.join(ROOT, app),
              "--board",
              BOARD,
              "--state",
              path.join(dir, "state"),
              "--seconds",
              "0.01",
              "--json",
            ],
            dir,
          ),
        );
      }
      const s = (xs: number[]) => xs.map((x) => sig(x, 3));
      return {
        app,
        coldSeconds: sig(median(samples.cold), 3),
        warmSeconds: sig(median(samples.warm), 3),
        runWarmSeconds: sig(median(samples.runWarm), 3),
        samples: { cold: s(samples.cold), warm: s(samples.warm), runWarm: s(samples.runWarm) },
      };
    });
    return { board: BOARD, rounds: ROUNDS, apps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function buildTimesTable(r: BuildTimesResult): string {
  const rows = [
    ["app", "cold build", "warm build", "warm run (10 ms)"],
    ...r.apps.map((a) => [
      a.app,
      `${a.coldSeconds.toFixed(2)} s`,
      `${a.warmSeconds.toFixed(2)} s`,
      `${a.runWarmSeconds.toFixed(2)} s`,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return [
    `build times on ${r.board}: a new CLI process each, median of ${r.rounds} (cold: --rebuild; warm: from build/cache)`,
    ...rows.map((row) =>
      row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "),
    ),
  ].join("\n");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = benchBuildTimes((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(buildTimesTable(r));
  console.log(JSON.stringify(r));
}
