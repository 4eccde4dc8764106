// Held-out auROC through the whole app: each held-out meeting of the committed model's training
// run (model/training.json heldOutSet) is written as a scene file (scene-files.ts) and played
// into the app as built for a board (`--input scene=`: the emulated camera and microphones, the
// face detector and tracker as shipped, the firmware's features, model, direction cue, fusion and
// smoothing). Each step's console line gives every face's centre and smoothed probability; the
// faces are matched to the scene's ground truth (emulator/inputs/av-scene/truth.ts) by box at
// the exposure instant of the step's newest frame, and scored per face-frame:
//  - smoothed: the app's output as printed (two decimals);
//  - raw: the step's own probability, recovered from the smoothing (p = (s - 0.5 s_prev) / 0.5,
//    so within about 0.015 of the firmware's);
//  - "all faces": every visible person at every step, a person the app has no face for scoring 0,
//    and a face that matches nobody counted as a negative (what a product would report).
//
//   npx tsx apps/active-speaker/train/eval-app.ts [--board rt1170] [--cpu-only] [--scenes N] [--seats]
// With --seats the app runs with FACE_DETECTOR=false and each meeting's true seat boxes written
// into its seats partition, to tell the detector's share of the loss from the rest.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadTarget } from "../../../emulator/board.ts";
import { buildApp } from "../../../emulator/toolchain/build.ts";
import { appMicArray } from "../../../emulator/toolchain/app.ts";
import { Machine } from "../../../emulator/machine.ts";
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import type { Image } from "../../../emulator/toolchain/image.ts";
import { auroc } from "./auroc.ts";
import { MODEL_DIR } from "./eval-firmware.ts";
import { meetingSceneFile } from "./scene-files.ts";
import { withSeats } from "./image-partitions.ts";
import { SPEECH_DIR, type SetSpec } from "./dataset.ts";

const APP_DIR = path.resolve(MODEL_DIR, "..");
const W = 320,
  H = 240,
  FPS = 15;

export interface AppStepFace {
  name: string;
  x: number;
  y: number;
  smoothed: number;
}
export interface AppStep {
  tMs: number;
  faces: AppStepFace[];
}

/** The app's console: its step lines, and the board time of its t0 (from the status lines). */
export function parseAppConsole(lines: { text: string; timeUs: number }[]): {
  steps: AppStep[];
  t0Us: number;
  degraded: string;
} {
  const steps: AppStep[] = [];
  let t0Us = NaN,
    degraded = "";
  for (const { text, timeUs } of lines) {
    const status = /^\[(\d+\.\d+) s\] \d+ steps, CPU load/.exec(text);
    if (status) {
      // A status line is written the moment its time is read: board time - printed time = t0.
      if (Number.isNaN(t0Us)) t0Us = timeUs - Number(status[1]) * 1e6;
      const d = /degraded level (\d: [^,]*(?:, [^,]*model every 2 frames)?)/.exec(text);
      if (d) degraded = d[1];
      continue;
    }
    const step = /^\[(\d+\.\d+) s\](.*) \| /.exec(text);
    if (!step) continue;
    const faces = [...step[2].matchAll(/ (\S+)@(\d+),(\d+) (\d+\.\d+) \(/g)].map((m) => ({
      name: m[1],
      x: Number(m[2]),
      y: Number(m[3]),
      smoothed: Number(m[4]),
    }));
    steps.push({ tMs: Number(step[1]) * 1000, faces });
  }
  return { steps, t0Us, degraded };
}

export interface Scored {
  smoothed: number[];
  raw: number[];
  labels: number[];
  /** Every visible person per step (misses score 0) and every unmatched face (a negative). */
  allSmoothed: number[];
  allLabels: number[];
  truthFaces: number;
  missed: number;
  falseFaces: number;
}

/** Matches each step's faces to the scene's people by box centre (nearest first, within the
 * true head's half width) and collects the scores. */
export function scoreSteps(
  steps: AppStep[],
  t0Us: number,
  truthAt: (tSeconds: number) => ReturnType<typeof faceTruth>,
  out: Scored,
): void {
  const last = new Map<string, number>();
  for (const st of steps) {
    // The step follows its newest frame's end of readout: frame n ends at t0 + (n + 1) / fps.
    const n = Math.floor((st.tMs * FPS) / 1000) - 1;
    const truth = truthAt(t0Us / 1e6 + n / FPS);
    const pairs: { f: number; p: number; d: number }[] = [];
    st.faces.forEach((f, fi) =>
      truth.forEach((t, pi) => {
        const d = Math.hypot(f.x - (t.box[0] + t.box[2] / 2), f.y - (t.box[1] + t.box[3] / 2));
        if (d <= t.box[2] / 2) pairs.push({ f: fi, p: pi, d });
      }),
    );
    pairs.sort((a, b) => a.d - b.d);
    const faceOf = new Map<number, number>(),
      personOf = new Map<number, number>();
    for (const q of pairs)
      if (!faceOf.has(q.p) && !personOf.has(q.f)) {
        faceOf.set(q.p, q.f);
        personOf.set(q.f, q.p);
      }
    st.faces.forEach((f, fi) => {
      const before = last.get(f.name);
      last.set(f.name, f.smoothed);
      const p = personOf.get(fi);
      if (p === undefined) {
        out.falseFaces++;
        out.allSmoothed.push(f.smoothed);
        out.allLabels.push(0);
        return;
      }
      const label = truth[p].speaking ? 1 : 0;
      out.smoothed.push(f.smoothed);
      out.raw.push(
        before === undefined ? f.smoothed : Math.min(1, Math.max(0, 2 * f.smoothed - before)),
      );
      out.labels.push(label);
    });
    truth.forEach((t, pi) => {
      out.truthFaces++;
      const fi = faceOf.get(pi);
      if (fi === undefined) out.missed++;
      out.allSmoothed.push(fi === undefined ? 0 : st.faces[fi].smoothed);
      out.allLabels.push(t.speaking ? 1 : 0);
    });
  }
}

export interface AppAuroc {
  board: string;
  npu: boolean;
  seats: boolean;
  meetings: number;
  steps: number;
  matched: number;
  truthFaces: number;
  missed: number;
  falseFaces: number;
  raw: number;
  smoothed: number;
  allSmoothed: number;
  degraded: string[];
  wallSeconds: number;
}

async function runMeeting(
  image: Image,
  board: string,
  micArray: string | undefined,
  scene: string,
  seconds: number,
  noNpu: boolean,
): Promise<{ text: string; timeUs: number }[]> {
  const machine = new Machine({
    target: loadTarget(board),
    image,
    inputs: { scene },
    sdcard: null,
    micArray: micArray ?? null,
    noNpu,
  });
  const lines: { text: string; timeUs: number }[] = [];
  let pending = "";
  machine.events.on("console", (t, timeUs) => {
    pending += t;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      lines.push({ text: pending.slice(0, nl), timeUs });
      pending = pending.slice(nl + 1);
    }
  });
  const summary = await machine.run({ seconds });
  if (summary.fault) throw new Error(`${board}: ${summary.fault.kind}: ${summary.fault.message}`);
  return lines;
}

export async function evalApp(
  board: string,
  opts: { noNpu?: boolean; scenes?: number; seats?: boolean; log?: (s: string) => void } = {},
): Promise<AppAuroc> {
  const log = opts.log ?? (() => {});
  const training = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8"));
  const set = training.heldOutSet as SetSpec;
  const target = loadTarget(board);
  const appOptions = opts.seats ? { FACE_DETECTOR: false } : {};
  const { app, image } = await buildApp(APP_DIR, target, { appOptions });
  const micArray = appMicArray(app, board);
  const out: Scored = {
    smoothed: [],
    raw: [],
    labels: [],
    allSmoothed: [],
    allLabels: [],
    truthFaces: 0,
    missed: 0,
    falseFaces: 0,
  };
  const t0 = performance.now();
  const degraded: string[] = [];
  let steps = 0;
  const meetings = Math.min(opts.scenes ?? set.scenes, set.scenes);
  for (let i = 0; i < meetings; i++) {
    const { file, raw } = meetingSceneFile(set, i);
    const scene = parseAvScene(raw, file, SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
    const img = opts.seats ? withSeats(image, scene.people) : image;
    const lines = await runMeeting(img, board, micArray, file, set.seconds, !!opts.noNpu);
    const parsed = parseAppConsole(lines);
    if (Number.isNaN(parsed.t0Us)) throw new Error(`${board}: meeting ${i}: no status line`);
    steps += parsed.steps.length;
    if (parsed.degraded) degraded.push(`meeting ${i}: level ${parsed.degraded}`);
    scoreSteps(parsed.steps, parsed.t0Us, (t) => faceTruth(scene, t, W, H), out);
    log(
      `  ${board}${opts.noNpu ? " --cpu-only" : ""}${opts.seats ? " seats" : ""}: meeting ${i + 1}/${meetings}, ${parsed.steps.length} steps`,
    );
  }
  return {
    board,
    npu: !!target.board.npu && !opts.noNpu,
    seats: !!opts.seats,
    meetings,
    steps,
    matched: out.labels.length,
    truthFaces: out.truthFaces,
    missed: out.missed,
    falseFaces: out.falseFaces,
    raw: auroc(out.raw, out.labels),
    smoothed: auroc(out.smoothed, out.labels),
    allSmoothed: auroc(out.allSmoothed, out.allLabels),
    degraded,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

export function formatAppAuroc(r: AppAuroc): string {
  return (
    `${r.board}${r.npu ? "" : r.board === "mcxn947" ? " (CPU only)" : ""}${r.seats ? ", true seats" : ", face detector"}: ` +
    `${r.meetings} held-out meetings, ${r.steps} steps; face-frames matched ${r.matched} of ${r.truthFaces} (missed ${r.missed}), ${r.falseFaces} false faces; ` +
    `auROC raw ${r.raw.toFixed(4)}, smoothed ${r.smoothed.toFixed(4)}, all faces (misses 0) ${r.allSmoothed.toFixed(4)}` +
    (r.degraded.length ? `; degraded: ${r.degraded.join("; ")}` : "") +
    ` (${r.wallSeconds.toFixed(0)} s)`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      board: { type: "string", multiple: true },
      "cpu-only": { type: "boolean" },
      scenes: { type: "string" },
      seats: { type: "boolean" },
    },
  });
  const scenes = values.scenes === undefined ? undefined : Number(values.scenes);
  if (scenes !== undefined && !(Number.isInteger(scenes) && scenes > 0)) {
    console.error(`eval-app: --scenes must be a positive whole number, not '${values.scenes}'`);
    process.exit(2);
  }
  try {
    for (const board of values.board ?? ["rt1170", "rt1060"]) {
      const r = await evalApp(board, {
        noNpu: values["cpu-only"],
        scenes,
        seats: values.seats,
        log: (s) => console.error(s),
      });
      console.log(formatAppAuroc(r));
    }
  } catch (e) {
    console.error(`eval-app: ${(e as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}
