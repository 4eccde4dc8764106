// Runs scenario files: one job per scenario and board, images built (or taken from the build
// cache) up front, jobs played on a pool of worker threads, each on a private SD card copy.
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadTarget, boardIds } from "../board.ts";
import {
  appMicArray,
  imageInputs,
  imageMicArray,
  isAppDir,
  loadApp,
  resolveInput,
  withInputOverrides,
} from "../toolchain/app.ts";
import { encodeImage, readImage, type Image } from "../toolchain/image.ts";
import { createFat32Image, DEFAULT_CARD_SIZE } from "../sdcard/format-fat32.ts";
import { validateCardImage } from "../sdcard/card-image.ts";
import { UserError } from "../errors.ts";
import { workerUrl } from "../compiled.ts";
import { loadScenarios } from "./load.ts";
import type { Scenario } from "./schema.ts";
import type { Job, JobReply } from "./job.ts";
import type { ScenarioResult } from "./player.ts";

export interface RunnerOptions {
  /** Only these boards (of each scenario's). */
  boards?: string[];
  /** Worker threads (default: the machine's cores, at most the number of jobs). */
  jobs?: number;
  /** Write a Chrome trace of each failing run into this folder (the run is played again, traced). */
  traceDir?: string;
  /** Keep only the runs this returns true for (tests pick one board per app). */
  pick?: (scenario: Scenario, board: string) => boolean;
  /** Called with each result as it comes in. */
  onResult?: (r: JobResult) => void;
  /** Build the apps (default: the project's build, from its cache); tests may pass their own. */
  build?: (appDir: string, board: string) => Promise<Image>;
}

export type JobResult = ScenarioResult & { error?: string; trace?: string };

interface PlannedJob extends Omit<Job, "image"> {
  image: Image;
}

async function defaultBuild(appDir: string, board: string): Promise<Image> {
  const { buildApp } = await import("../cli/lazy-build.ts");
  const { report, image } = await buildApp(appDir, loadTarget(board), { cache: true });
  if (!report.fits)
    throw new UserError(
      `${path.basename(appDir)} does not fit on ${board}: run 'tinyboard build ${appDir} --board ${board}' for the memory report`,
    );
  return image;
}

/** Loads every file (all problems surface before anything runs) and plans the jobs. */
export async function planJobs(
  files: string[],
  o: RunnerOptions,
  cardDir: string,
): Promise<PlannedJob[]> {
  if (files.length === 0)
    throw new UserError("no scenario files given (tinyboard test scenarios/*.yaml)");
  for (const b of o.boards ?? []) loadTarget(b); // an unknown --board is an error, not an empty run
  const scenarios: Scenario[] = files.flatMap((f) => loadScenarios(f));
  const images = new Map<string, Image>();
  const build = o.build ?? defaultBuild;
  const jobs: PlannedJob[] = [];
  for (const sc of scenarios) {
    const where = `${sc.file}:${sc.line}`;
    let boards: string[];
    let defaults: Record<string, string> = {};
    let micArrayFor: (board: string) => string | undefined = () => undefined;
    if (sc.app) {
      if (!isAppDir(sc.app))
        throw new UserError(`${where}: app ${sc.app} is not an app folder (no app.json)`);
      const app = loadApp(sc.app);
      boards = sc.boards.length ? sc.boards : app.boards;
      defaults = Object.fromEntries(
        Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
      );
      micArrayFor = (b) => imageMicArray(appMicArray(app, b));
    } else {
      const image = readImage(sc.image!);
      images.set(`${sc.image}@${image.manifest.board}`, image);
      boards = sc.boards.length ? sc.boards : [image.manifest.board];
      defaults = imageInputs(image.manifest.defaults.inputs);
      micArrayFor = () => imageMicArray(image.manifest.defaults.micArray);
    }
    for (const b of boards)
      if (!boardIds().includes(b))
        throw new UserError(
          `${where}: unknown board '${b}' (known boards: ${boardIds().join(", ")})`,
        );
    const inputs = scenarioInputs(defaults, sc.inputs, where);
    for (const board of boards.filter(
      (b) => (!o.boards?.length || o.boards.includes(b)) && (o.pick?.(sc, b) ?? true),
    )) {
      const key = `${sc.app ?? sc.image}@${board}`;
      let image = images.get(key);
      if (!image) images.set(key, (image = await build(sc.app!, board)));
      if (image.manifest.board !== board)
        throw new UserError(
          `${where}: image ${sc.image} is for ${image.manifest.board}, not ${board}`,
        );
      const id = jobs.length;
      if (sc.sdcard !== "none" && sc.sdcard !== "blank") validateCardImage(sc.sdcard);
      const sdcard =
        sc.sdcard === "none" ? null : freshCard(sc, path.join(cardDir, `card-${id}.img`));
      const micArray = sc.micArray
        ? /[/.]/.test(sc.micArray)
          ? path.resolve(path.dirname(sc.file), sc.micArray)
          : sc.micArray
        : micArrayFor(board);
      jobs.push({
        id,
        scenario: sc,
        board,
        imageKey: key,
        image,
        options: { inputs, micArray, sdcard },
      });
    }
  }
  return jobs;
}

/** The app's or image's inputs under the scenario's own. An audio-visual scene and camera= / mic=
 *  exclude each other (as on the command line): the scenario's choice removes the default's. */
function scenarioInputs(
  defaults: Record<string, string>,
  own: Record<string, string>,
  where: string,
): Record<string, string> {
  if (own.scene && (own.camera || own.mic))
    throw new UserError(
      `${where}: inputs: scene drives both the camera and the microphones: give it without camera or mic`,
    );
  return withInputOverrides(defaults, own);
}

/** A card for one run: blank, or a copy of the scenario's image (runs never share one). */
function freshCard(sc: Scenario, file: string): string {
  if (sc.sdcard === "blank") createFat32Image(file, DEFAULT_CARD_SIZE, { label: "TINYBOARD" });
  else copyFileSync(sc.sdcard, file);
  return file;
}

/** Plays the jobs on worker threads; results in job order. */
async function playAll(jobs: PlannedJob[], o: RunnerOptions): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  const queue = [...jobs];
  const workers = Math.max(1, Math.min(o.jobs ?? availableParallelism(), jobs.length));
  const one = (w: Worker, sent: Set<string>, job: PlannedJob) =>
    new Promise<JobReply>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      const msg: Job = {
        ...job,
        image: sent.has(job.imageKey) ? undefined : encodeImage(job.image),
      };
      sent.add(job.imageKey);
      w.postMessage(msg);
    });
  const lane = async () => {
    const w = new Worker(workerUrl(new URL("./worker-boot.mjs", import.meta.url)));
    const sent = new Set<string>();
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const reply = await one(w, sent, job);
        w.removeAllListeners("error");
        const r = toResult(job, reply);
        if (!r.passed && !r.error && o.traceDir) {
          r.trace = path.join(
            o.traceDir,
            `${path.basename(job.scenario.file, path.extname(job.scenario.file))}-${job.board}-${job.id}.json`,
          );
          // Deterministic: the same run on a fresh card, traced.
          const sdcard = job.options.sdcard
            ? freshCard(job.scenario, `${job.options.sdcard}.again`)
            : null;
          await one(w, sent, { ...job, options: { ...job.options, sdcard, trace: r.trace } });
        }
        results[job.id] = r;
        o.onResult?.(r);
      }
    } finally {
      await w.terminate();
    }
  };
  await Promise.all(Array.from({ length: workers }, lane));
  return results;
}

function toResult(job: PlannedJob, reply: JobReply): JobResult {
  if ("result" in reply) return reply.result;
  const sc = job.scenario;
  return {
    name: sc.name,
    file: sc.file,
    line: sc.line,
    board: job.board,
    app: job.image.manifest.app,
    passed: false,
    stepsPassed: 0,
    steps: sc.steps.length,
    failure: null,
    emulatedSeconds: 0,
    wallSeconds: 0,
    error: reply.error,
  };
}

/** Loads, plans and plays scenario files. Cards live in a temporary folder removed at the end. */
export async function runScenarios(files: string[], o: RunnerOptions = {}): Promise<JobResult[]> {
  const cardDir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-scenarios-"));
  try {
    const jobs = await planJobs(files, o, cardDir);
    if (o.traceDir) mkdirSync(o.traceDir, { recursive: true });
    if (jobs.length === 0) throw new UserError(`no scenario runs on ${o.boards?.join(", ")}`);
    return await playAll(jobs, o);
  } finally {
    rmSync(cardDir, { recursive: true, force: true });
  }
}
