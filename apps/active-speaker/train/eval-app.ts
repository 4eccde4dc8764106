// Held-out auROC through the whole app: each held-out meeting of the committed model's training
// run (model/training.json heldOutSet) is written as a scene file (scene-files.ts) and played
// into the app as built for a board (`--input scene=`: the emulated camera and microphones, the
// face detector and tracker as shipped, the firmware's features, model, direction cue, fusion and
// smoothing). Each step's face record (face-record.ts, through debug.report) gives every face's
// track, centre, raw and smoothed probability in full precision; the faces are matched to the
// scene's ground truth (emulator/inputs/av-scene/truth.ts) by box at the exposure instant of the
// step's newest frame, and scored per face-frame:
//  - smoothed: the app's output (what it prints to 0.01, lights the LED and logs from);
//  - raw: the step's own probability, after the cue's fusion and before the smoothing;
//  - "all faces": every visible person at every step, a person the app has no face for scoring 0,
//    and a face that matches nobody counted as a negative (what a product would report).
//
//   npx tsx apps/active-speaker/train/eval-app.ts [--board rt1170] [--cpu-only] [--scenes N] [--seats] [--no-refiner] [--validation] [--json]
// --scenes N past the training run's 5 held-out meetings plays more from the same generator and
// seed; each figure gets a 95 % bootstrap interval over meetings (bootstrap.ts). --json prints
// each board's result as one JSON line after its summary; --mic-array NAME plays the meetings with
// another add-on array than app.json's (e.g. sln-local2-tri on rt1170, beside its own pair).
// With --seats the app runs with FACE_DETECTOR=false and each meeting's true seat boxes written
// into its seats partition, to tell the detector's share of the loss from the rest. With
// --refiner / --no-refiner the app is built with FACE_REFINER true / false (the face-box refiner;
// app.json's default otherwise); with --validation it
// plays the training run's 4 validation meetings instead (for choosing, not for reporting).
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadTarget } from "../../../emulator/board.ts";
import { buildApp } from "../../../emulator/toolchain/build.ts";
import type { AppOptions } from "../../../emulator/toolchain/app-options.ts";
import { appMicArray } from "../../../emulator/toolchain/app.ts";
import { Machine } from "../../../emulator/machine.ts";
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import type { Image } from "../../../emulator/toolchain/image.ts";
import { REPORT_KIND } from "../../../emulator/hal-constants.ts";
import { auroc } from "./auroc.ts";
import { parseAppConsole, parseFaceRecord, type AppStep } from "./app-console.ts";
import { formatInterval, meetingBootstrap, type Interval } from "./bootstrap.ts";
import { MODEL_DIR } from "./eval-firmware.ts";
import { meetingSceneFile } from "./scene-files.ts";
import { withSeats } from "./image-partitions.ts";
import { SPEECH_DIR, type SetSpec } from "./dataset.ts";

const APP_DIR = path.resolve(MODEL_DIR, "..");
const W = 320,
  H = 240,
  FPS = 15;

export { parseAppConsole, parseFaceRecord, type AppStep, type AppStepFace } from "./app-console.ts";

export interface Scored {
  smoothed: number[];
  raw: number[];
  /** The branches alone, from the console (0.01 steps; NaN where the line has none). */
  video: number[];
  audio: number[];
  cue: number[];
  labels: number[];
  /** Every visible person per step (misses score 0) and every unmatched face (a negative). */
  allSmoothed: number[];
  allLabels: number[];
  truthFaces: number;
  missed: number;
  falseFaces: number;
  /** Each matched face's box against its true head: half width over the true one, and the
   *  centre's vertical offset in true half widths (+ = below). */
  boxSize: number[];
  boxDy: number[];
  /** Every face of every step in the record's order, with the fusion's inputs (to refit it). */
  frames: FaceFrame[];
}

/** One face at one step: its track, the fusion's inputs as the firmware had them, and its label
 *  (1 speaking, 0 silent, -1 matched to nobody: a false face). */
export interface FaceFrame {
  track: number;
  fused: number;
  cue: number;
  audio: number;
  label: number;
}

/** A tally with nothing scored yet. */
export function emptyScored(): Scored {
  return {
    smoothed: [],
    raw: [],
    video: [],
    audio: [],
    cue: [],
    labels: [],
    allSmoothed: [],
    allLabels: [],
    truthFaces: 0,
    missed: 0,
    falseFaces: 0,
    boxSize: [],
    boxDy: [],
    frames: [],
  };
}

/** Matches each step's faces to the scene's people by box centre (nearest first, within the
 * true head's half width) and collects the scores. */
export function scoreSteps(
  steps: AppStep[],
  t0Us: number,
  truthAt: (tSeconds: number) => ReturnType<typeof faceTruth>,
  out: Scored,
): void {
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
      const p = personOf.get(fi);
      const frame = { track: f.id, fused: f.fused, cue: f.relCue, audio: f.audioLogit };
      out.frames.push({ ...frame, label: p === undefined ? -1 : truth[p].speaking ? 1 : 0 });
      if (p === undefined) {
        out.falseFaces++;
        out.allSmoothed.push(f.smoothed);
        out.allLabels.push(0);
        return;
      }
      const label = truth[p].speaking ? 1 : 0;
      const [, top, bw, bh] = truth[p].box;
      out.boxSize.push(f.hw / (bw / 2));
      out.boxDy.push((f.y - (top + bh / 2)) / (bw / 2));
      out.smoothed.push(f.smoothed);
      out.raw.push(f.raw);
      out.video.push(f.video ?? NaN);
      out.audio.push(f.audio ?? NaN);
      out.cue.push(f.cue ?? NaN);
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
  /** Built with FACE_REFINER=true. */
  refiner: boolean;
  /** Played the validation meetings, not held-out ones. */
  validation: boolean;
  /** The add-on array when another than app.json's. */
  micArray?: string;
  meetings: number;
  steps: number;
  matched: number;
  truthFaces: number;
  missed: number;
  falseFaces: number;
  raw: number;
  smoothed: number;
  allSmoothed: number;
  /** Matched faces' box against the true head: mean half width over the true, mean vertical offset. */
  boxSize: number;
  boxDy: number;
  /** Bootstrap 95 % intervals over meetings: smoothed and raw fused (after the cue), and the
   *  branches alone from the console's 0.01 values (video and audio heads, relative cue). */
  ci: Record<"smoothed" | "raw" | "video" | "audio" | "cue", Interval | null>;
  /** Each meeting's smoothed auROC. */
  perMeeting: number[];
  degraded: string[];
  wallSeconds: number;
  /** With opts.frames: every face-frame with the fusion's inputs (train/fit-app-fusion.ts). */
  frames?: FaceFrame[];
}

/** One run of the app on a scene file: its console lines (with board time) and face records. */
export async function runMeeting(
  image: Image,
  board: string,
  micArray: string | undefined,
  scene: string,
  seconds: number,
  noNpu: boolean,
): Promise<{ lines: { text: string; timeUs: number }[]; records: AppStep[] }> {
  const machine = new Machine({
    target: loadTarget(board),
    image,
    inputs: { scene },
    sdcard: null,
    micArray: micArray ?? null,
    noNpu,
  });
  const lines: { text: string; timeUs: number }[] = [];
  const records: AppStep[] = [];
  machine.events.on("report", (kind, bytes) => {
    if (kind === REPORT_KIND.output) records.push(parseFaceRecord(bytes));
  });
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
  return { lines, records };
}

export async function evalApp(
  board: string,
  opts: {
    noNpu?: boolean;
    scenes?: number;
    seats?: boolean;
    /** FACE_REFINER (the face-box refiner on each confirmed track); unset: app.json's default. */
    refiner?: boolean;
    /** The training run's validation meetings (the training set's last ones) instead of held-out ones. */
    validation?: boolean;
    /** Another add-on microphone array than app.json's for the board (as `--mic-array`). */
    micArray?: string;
    /** Return every face-frame with the fusion's inputs (AppAuroc.frames). */
    frames?: boolean;
    log?: (s: string) => void;
  } = {},
): Promise<AppAuroc> {
  const log = opts.log ?? (() => {});
  const training = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8"));
  const set = (opts.validation ? training.trainSet : training.heldOutSet) as SetSpec;
  const first = opts.validation ? set.scenes - training.validationScenes : 0;
  const target = loadTarget(board);
  const appOptions: AppOptions = opts.seats
    ? { FACE_DETECTOR: false }
    : opts.refiner === undefined
      ? {}
      : { FACE_REFINER: opts.refiner };
  const { app, image } = await buildApp(APP_DIR, target, { appOptions });
  const refiner = !opts.seats && (opts.refiner ?? app.options.FACE_REFINER === true);
  const micArray = opts.micArray ?? appMicArray(app, board);
  const out = emptyScored();
  const t0 = performance.now();
  const degraded: string[] = [];
  let steps = 0;
  // Past the training run's held-out count, the same generator goes on with the same seed
  // (meeting i's scene seed is seed x 1000 + i): more held-out meetings, never trained on.
  const meetings = opts.validation ? training.validationScenes : (opts.scenes ?? set.scenes);
  const ranges: [number, number][] = [];
  for (let i = 0; i < meetings; i++) {
    const { file, raw } = meetingSceneFile(set, first + i);
    const scene = parseAvScene(raw, file, SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
    const img = opts.seats ? withSeats(image, scene.people) : image;
    const run = await runMeeting(img, board, micArray, file, set.seconds, !!opts.noNpu);
    const parsed = parseAppConsole(run.lines, run.records);
    if (Number.isNaN(parsed.t0Us)) throw new Error(`${board}: meeting ${i}: no status line`);
    steps += parsed.steps.length;
    if (parsed.degraded) degraded.push(`meeting ${i}: level ${parsed.degraded}`);
    const from = out.labels.length,
      fromFrame = out.frames.length;
    scoreSteps(parsed.steps, parsed.t0Us, (t) => faceTruth(scene, t, W, H), out);
    // Track ids start again in each meeting: keep them apart for the per-track smoothing.
    for (const f of out.frames.slice(fromFrame)) f.track += i * 1e6;
    ranges.push([from, out.labels.length]);
    // This meeting alone (smoothed), to see where boards or modes differ.
    const own = auroc(out.smoothed.slice(from), out.labels.slice(from));
    log(
      `  ${board}${opts.noNpu ? " --cpu-only" : ""}${opts.seats ? " seats" : refiner ? " refiner" : ""}: meeting ${i + 1}/${meetings}, ${parsed.steps.length} steps, smoothed auROC ${own.toFixed(4)}, boxes ${mean(out.boxSize.slice(from)).toFixed(3)} / ${mean(out.boxDy.slice(from)).toFixed(3)}`,
    );
  }
  const interval = (xs: number[]) =>
    xs.some((x) => Number.isNaN(x))
      ? null
      : meetingBootstrap(
          ranges.map(([a, b]) => ({ scores: xs.slice(a, b), labels: out.labels.slice(a, b) })),
        );
  return {
    board,
    npu: !!target.board.npu && !opts.noNpu,
    seats: !!opts.seats,
    refiner,
    validation: !!opts.validation,
    micArray: opts.micArray,
    meetings,
    steps,
    matched: out.labels.length,
    truthFaces: out.truthFaces,
    missed: out.missed,
    falseFaces: out.falseFaces,
    raw: auroc(out.raw, out.labels),
    smoothed: auroc(out.smoothed, out.labels),
    allSmoothed: auroc(out.allSmoothed, out.allLabels),
    boxSize: mean(out.boxSize),
    boxDy: mean(out.boxDy),
    ci: {
      smoothed: interval(out.smoothed),
      raw: interval(out.raw),
      video: interval(out.video),
      audio: interval(out.audio),
      cue: interval(out.cue),
    },
    perMeeting: ranges.map(([a, b]) => auroc(out.smoothed.slice(a, b), out.labels.slice(a, b))),
    degraded,
    wallSeconds: (performance.now() - t0) / 1000,
    ...(opts.frames ? { frames: out.frames } : {}),
  };
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function formatAppAuroc(r: AppAuroc): string {
  return (
    `${r.board}${r.npu ? "" : r.board === "mcxn947" ? " (CPU only)" : ""}${r.micArray ? ` + ${r.micArray}` : ""}${r.seats ? ", true seats" : r.refiner ? ", face detector + box refiner" : ", face detector"}${r.validation ? ", validation meetings" : ""}: ` +
    `${r.meetings} held-out meetings, ${r.steps} steps; face-frames matched ${r.matched} of ${r.truthFaces} (missed ${r.missed}), ${r.falseFaces} false faces; ` +
    `auROC raw ${r.raw.toFixed(4)}, smoothed ${r.smoothed.toFixed(4)}, all faces (misses 0) ${r.allSmoothed.toFixed(4)}; ` +
    `boxes: mean size ${r.boxSize.toFixed(3)} of the true, vertical offset ${r.boxDy.toFixed(3)} half widths; ` +
    `95 % bootstrap over meetings: ` +
    Object.entries(r.ci)
      .filter(([, i]) => i)
      .map(([k, i]) => `${k} ${formatInterval(i!)}`)
      .join(", ") +
    (r.degraded.length ? `; degraded: ${r.degraded.join("; ")}` : "") +
    ` (${r.wallSeconds.toFixed(0)} s)`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseScriptArgs("eval-app", {
    options: {
      board: { type: "string", multiple: true },
      "cpu-only": { type: "boolean" },
      scenes: { type: "string" },
      seats: { type: "boolean" },
      refiner: { type: "boolean" },
      "no-refiner": { type: "boolean" },
      validation: { type: "boolean" },
      json: { type: "boolean" },
      "mic-array": { type: "string" },
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
        refiner: values["no-refiner"] ? false : values.refiner,
        validation: values.validation,
        micArray: values["mic-array"],
        log: (s) => console.error(s),
      });
      console.log(formatAppAuroc(r));
      if (values.json) console.log(JSON.stringify(r));
    }
  } catch (e) {
    console.error(`eval-app: ${(e as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}
