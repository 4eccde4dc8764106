// The voice-control bench's false-accept hour in parallel: the false-accept scenes
// (apps/voice-control/eval/scenes.ts, 2-minute stretches of babble or fan with command words
// and no "marvin") are independent emulator runs, so W worker processes each take the scenes
// k = w, w + W, ... and the parent adds up their wake lines. Every scene starts a fresh machine
// from the same image with its own seeded scene, so the total is the same for any W and any
// order the workers finish in; only the wall time changes.
// Run alone: `npx tsx test/bench/voice-false-accepts.ts --board rt1170 --minutes 60 --workers 2
// [--first-scene N] [--option NAME=value]...` (app.json options for the build; every worker builds
// with them). --first-scene skips the first N scenes (2 minutes each): a longer run can reuse the
// counts of a shorter one, since each scene's count does not depend on the others.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { falseAcceptScenes } from "../../apps/voice-control/eval/scenes.ts";
import { parseOptionFlag, type AppOptions } from "../../emulator/toolchain/app-options.ts";
import { build, ROOT } from "./util.ts";
import { runScene, VOICE_APP } from "./voice-control.ts";

/** One scene's outcome. */
export interface FalseAcceptScene {
  index: number;
  seconds: number;
  words: number;
  wakes: number;
  overruns: number;
}

export interface FalseAcceptRun {
  board: string;
  scenes: FalseAcceptScene[];
  minutes: number;
  falseAccepts: number;
  perHour: number;
  overruns: number;
  workers: number;
  wallSeconds: number;
  appOptions: AppOptions;
}

const SELF = fileURLToPath(import.meta.url);

/** The scenes worker `worker` of `workers` runs: k = firstScene + worker, + workers, ... below `total`. */
export function workerScenes(
  firstScene: number,
  worker: number,
  workers: number,
  total: number,
): number[] {
  const out: number[] = [];
  for (let k = firstScene + worker; k < total; k += workers) out.push(k);
  return out;
}

/** Runs this process's share of the scenes (k % workers == worker), one JSON line per scene on stdout. */
async function workerMain(
  board: string,
  minutes: number,
  worker: number,
  workers: number,
  dir: string,
  appOptions: AppOptions,
  firstScene: number,
) {
  const scenes = falseAcceptScenes(dir, minutes);
  const b = await build(VOICE_APP, board, { appOptions });
  for (const k of workerScenes(firstScene, worker, workers, scenes.length)) {
    const { seconds, words, scene } = scenes[k];
    const p = await runScene(b, scene, dir, `fa-${k}`, seconds);
    const wakes = p.lines.filter((l) => l.text.startsWith("wake marvin")).length;
    const row: FalseAcceptScene = { index: k, seconds, words, wakes, overruns: p.overruns };
    process.stdout.write(`${JSON.stringify(row)}\n`);
  }
}

/** One worker process: resolves with its scenes' rows; rejects with its stderr on failure. */
function runWorker(
  board: string,
  minutes: number,
  worker: number,
  workers: number,
  dir: string,
  appOptions: AppOptions,
  firstScene: number,
  onRow: (r: FalseAcceptScene) => void,
): Promise<void> {
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const args = [SELF, "--worker", `${worker}/${workers}`, "--board", board];
  args.push("--first-scene", String(firstScene));
  for (const [k, v] of Object.entries(appOptions)) args.push("--option", `${k}=${v}`);
  const child = spawn(tsx, [...args, "--minutes", String(minutes), "--dir", dir], { cwd: ROOT });
  let out = "",
    err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
      onRow(JSON.parse(out.slice(0, nl)) as FalseAcceptScene);
      out = out.slice(nl + 1);
    }
  });
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) =>
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`false-accept worker ${worker}: ${err.trim()}`)),
    ),
  );
}

/** `minutes` of false-accept scenes on `board`, split over `workers` processes. */
export async function falseAcceptsParallel(
  board: string,
  minutes: number,
  workers: number,
  log: (s: string) => void = () => undefined,
  appOptions: AppOptions = {},
  firstScene = 0,
): Promise<FalseAcceptRun> {
  const started = Date.now();
  // The scenes' speech is synthesised here once; the workers find it in `dir`.
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-fa-"));
  falseAcceptScenes(dir, minutes);
  const scenes: FalseAcceptScene[] = [];
  const onRow = (r: FalseAcceptScene) => {
    scenes.push(r);
    log(
      `${board} false-accept scene ${r.index + 1}: ${r.seconds} s, ${r.words} words, ${r.wakes} wakes`,
    );
  };
  await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      runWorker(board, minutes, w, workers, dir, appOptions, firstScene, onRow),
    ),
  );
  scenes.sort((a, b) => a.index - b.index);
  const seconds = scenes.reduce((s, r) => s + r.seconds, 0);
  const falseAccepts = scenes.reduce((s, r) => s + r.wakes, 0);
  return {
    board,
    scenes,
    minutes: seconds / 60,
    falseAccepts,
    perHour: seconds > 0 ? (falseAccepts * 3600) / seconds : NaN,
    overruns: scenes.reduce((s, r) => s + r.overruns, 0),
    workers,
    wallSeconds: Math.round((Date.now() - started) / 1000),
    appOptions,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
  const board = opt("--board", "rt1170");
  const minutes = Number(opt("--minutes", "60"));
  const bad = (s: string) => {
    console.error(`voice-false-accepts: ${s}`);
    process.exit(2);
  };
  if (!(minutes > 0)) bad(`--minutes must be a positive number, got '${opt("--minutes", "")}'`);
  const firstScene = Number(opt("--first-scene", "0"));
  if (!Number.isInteger(firstScene) || firstScene < 0 || firstScene * 2 >= minutes)
    bad(
      `--first-scene must be a whole number of 2-minute scenes below --minutes / 2, got '${opt("--first-scene", "")}'`,
    );
  let appOptions: AppOptions = {};
  try {
    for (let i = 0; i < args.length; i++)
      if (args[i] === "--option")
        appOptions = { ...appOptions, ...parseOptionFlag(args[i + 1] ?? "") };
  } catch (e) {
    bad((e as Error).message);
  }
  if (args.includes("--worker")) {
    const [w, n] = opt("--worker", "0/1").split("/").map(Number);
    await workerMain(board, minutes, w, n, opt("--dir", ""), appOptions, firstScene);
  } else {
    const workers = Number(opt("--workers", String(os.cpus().length)));
    if (!Number.isInteger(workers) || workers < 1)
      bad(`--workers must be a positive integer, got '${opt("--workers", "")}'`);
    const r = await falseAcceptsParallel(
      board,
      minutes,
      workers,
      (s) => process.stderr.write(`bench: ${s}\n`),
      appOptions,
      firstScene,
    );
    console.log(JSON.stringify(r, null, 2));
    console.log(
      `${board}${
        Object.keys(appOptions).length
          ? ` (${Object.entries(appOptions)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")})`
          : ""
      }: ${r.falseAccepts} false accepts in ${r.minutes.toFixed(1)} min of non-wake speech and noise (${r.perHour.toFixed(1)} per hour), ${r.overruns} overruns; ${r.workers} workers, ${r.wallSeconds} s wall`,
    );
  }
}
