// Measures the audio-visual synchrony cue (sync-cue.ts) on the host before anything goes into
// the firmware: the cue per face-frame from the mouth crops (at the seat boxes and at the face
// detector's tracked boxes, as dataset.ts makes them) and the log-mel audio the model gets, its
// auROC alone, and logistic fusions with the model's int8 fused logit and each array's direction
// cue (measure-direction.ts), fitted on the validation meetings only and scored smoothed as the
// app smooths: [fused, cue], [fused, cue, sync], [fused, cue, cue x relu(audio)] and
// [fused, cue, cue x relu(audio), sync]. Held out is reported; choices are made on validation.
//
//   npx tsx apps/active-speaker/train/measure-sync.ts [--array tri|rt1170|rt1170tri|all]
//     [--activity motion|opening|contrast|filter|truth]
//     (truth: the renderer's own mouth opening, the ceiling of a cue read from the crops)
//     [--filter-target sound|opening: what the learnt filter is fitted to on training meetings] [--window FRAMES] [--lag HOPS] [--absolute]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { SPEECH_DIR, TRAIN_SET, randomMeeting, type SetSpec } from "./dataset.ts";
import { fitSyncFilter, type OpeningTruth } from "./sync-filter.ts";
import { cueByCondition, filterAgainstOpening } from "./sync-diagnose.ts";
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { faceState } from "../../../emulator/inputs/av-scene/face-state.ts";
import { loadDetector } from "./detector-boxes.ts";
import { loadMeetings, type Meetings } from "./evaluate.ts";
import { FPS, HISTORY } from "./features.ts";
import { auroc } from "./auroc.ts";
import { APP_SMOOTH, smoothPerTrack } from "./smoothing.ts";
import { K_HI } from "./direction-cue.ts";
import { fitLogistic, logisticLogit } from "./logistic.ts";
import {
  VALIDATION_RANGE,
  VALIDATION_SET,
  boardArray,
  cropView,
  meetingCues,
  modelLogits,
  twice,
  validationAndHeldOut,
  type ArrayName,
  type Training,
} from "./measure-direction.ts";
import {
  MAX_LAG,
  SPAN,
  SYNC_DEFAULT,
  WINDOW,
  sampleSyncCues,
  type Activity,
  type MeetingShape,
  type SyncOptions,
} from "./sync-cue.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MODEL_DIR = path.join(ROOT, "apps/active-speaker/model");
/** Training meetings the learnt filter is fitted on (of the 32 the model trained on). */
const FILTER_MEETINGS = 8;

/** The shapes of meetings from..to-1 of a set, for sampleSyncCues. */
function meetingShapes(set: SetSpec, from: number, to: number): MeetingShape[] {
  return Array.from({ length: to - from }, (_, i) => ({
    people: (randomMeeting(set, from + i).people as unknown[]).length,
    steps: Math.floor(set.seconds * FPS) - HISTORY + 1,
  }));
}

/** The renderer's mouth opening per face per frame of meetings from..to-1 (0 while a hand or a
 *  turned head hides it): the learnt filter's target with --filter-target opening. */
function openingTruth(set: SetSpec, from: number, to: number): OpeningTruth {
  const scenes = Array.from({ length: to - from }, (_, i) =>
    parseAvScene(randomMeeting(set, from + i), `${set.name} ${from + i}`, SPEECH_DIR, {
      positionsMm: [[0, 0, 0]],
    }),
  );
  return (m, p, f) => {
    const st = faceState(scenes[m].people[p], f / FPS);
    return st.hand || st.yaw > 0.5 ? 0 : st.open;
  };
}

/** The sync cue of meetings loaded with the detector's crops, at the seat boxes then at the
 *  detector's (cropView's "both" order), or one of them. */
function syncOf(
  m: Meetings,
  shapes: MeetingShape[],
  crops: "seat" | "detector" | "both",
  o: SyncOptions,
): Float64Array {
  const seat = () => sampleSyncCues(m.samples, m.samples.video, shapes, o);
  const det = () => sampleSyncCues(m.samples, m.samples.videoDetector!, shapes, o);
  if (crops === "seat") return seat();
  if (crops === "detector") return det();
  const a = seat(),
    b = det();
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("measure-sync", {
    options: {
      array: { type: "string" },
      activity: { type: "string" },
      window: { type: "string" },
      lag: { type: "string" },
      span: { type: "string" },
      absolute: { type: "boolean" },
      "filter-target": { type: "string" },
    },
  });
  const activity = (values.activity ?? SYNC_DEFAULT.activity) as Activity;
  if (!["motion", "opening", "contrast", "filter", "truth"].includes(activity)) {
    console.error(
      `measure-sync: --activity must be motion, opening, contrast, filter or truth, not '${activity}'`,
    );
    process.exit(2);
  }
  const o: SyncOptions = {
    activity,
    window: Number(values.window ?? WINDOW),
    maxLag: Number(values.lag ?? MAX_LAG),
    span: Number(values.span ?? SPAN),
    absolute: values.absolute,
  };
  if (!(o.window >= 2 && o.maxLag >= 0)) {
    console.error("measure-sync: --window must be 2 or more frames, --lag 0 or more hops");
    process.exit(2);
  }
  const arrays = (
    values.array === "all" || !values.array ? ["tri", "rt1170", "rt1170tri"] : [values.array]
  ) as ArrayName[];
  for (const a of arrays)
    if (!["tri", "rt1170", "rt1170tri"].includes(a)) {
      console.error(`measure-sync: --array must be tri, rt1170, rt1170tri or all, not '${a}'`);
      process.exit(2);
    }
  const t = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8")) as Training;
  const detector = await loadDetector();
  const { valBoth, held } = validationAndHeldOut(t, detector);
  const val = cropView(valBoth, "both");
  const heldDet = cropView(held, "detector");
  const [vl, hl, hdl] = [
    await modelLogits(t, val),
    await modelLogits(t, held),
    await modelLogits(t, heldDet),
  ];
  if (o.activity === "filter") {
    // Fitted on training meetings only (the first FILTER_MEETINGS of the model's own).
    const trainM = loadMeetings(TRAIN_SET, 0, FILTER_MEETINGS, () => {}, detector);
    const shapes = meetingShapes(TRAIN_SET, 0, FILTER_MEETINGS);
    const target = values["filter-target"] ?? "sound";
    if (!["sound", "opening"].includes(target)) {
      console.error(`measure-sync: --filter-target must be sound or opening, not '${target}'`);
      process.exit(2);
    }
    o.filter = fitSyncFilter(
      trainM.samples,
      [trainM.samples.video, trainM.samples.videoDetector!],
      shapes,
      1,
      target === "opening" ? openingTruth(TRAIN_SET, 0, FILTER_MEETINGS) : undefined,
    );
  }
  detector.ref.dispose();
  const valShapes = meetingShapes(VALIDATION_SET, VALIDATION_RANGE[0], VALIDATION_RANGE[1]);
  const heldShapes = meetingShapes(t.heldOutSet, 0, t.heldOutSet.scenes);
  const truthOf = (set: SetSpec, from: number, to: number): SyncOptions =>
    o.activity === "truth" ? { ...o, truth: openingTruth(set, from, to) } : o;
  const oVal = truthOf(VALIDATION_SET, VALIDATION_RANGE[0], VALIDATION_RANGE[1]);
  const oHeld = truthOf(t.heldOutSet, 0, t.heldOutSet.scenes);
  const vs = syncOf(valBoth, valShapes, "both", oVal);
  const hs = syncOf(held, heldShapes, "seat", oHeld);
  const hds = syncOf(held, heldShapes, "detector", oHeld);
  console.log(
    `sync cue: activity ${o.activity}, window ${o.window} frames, lags 0..${o.maxLag} hops, ${o.absolute ? "absolute" : "against the highest other face"}`,
  );
  const smooth = (x: ArrayLike<number>, m: Meetings) =>
    smoothPerTrack(x, m.tracks, { kind: "exponential", weight: APP_SMOOTH });
  const row = (name: string, x: ArrayLike<number>, m: Meetings, logit = true) => {
    const sm = logit ? smooth(x, m) : x;
    return `    ${name.padEnd(36)} raw ${auroc(x, m.samples.face).toFixed(4)}  smoothed ${auroc(sm, m.samples.face).toFixed(4)}`;
  };
  const absolute = syncOf(valBoth, valShapes, "seat", { ...oVal, absolute: true });
  console.log(
    `  validation, seat crops, mean cue before the relative form: ${cueByCondition(valBoth.samples, absolute)}`,
  );
  if (o.filter) {
    const truth = openingTruth(VALIDATION_SET, VALIDATION_RANGE[0], VALIDATION_RANGE[1]);
    const r = (v: Float32Array) => filterAgainstOpening(o.filter!, v, valShapes, truth).toFixed(3);
    console.log(
      `  the filter against the renderer's mouth opening, validation: r = ${r(valBoth.samples.video)} at the seat boxes, ${r(valBoth.samples.videoDetector!)} at the detector's`,
    );
  }
  console.log(row("sync alone, validation", vs, val, false));
  console.log(row("sync alone, held out", hs, held, false));
  console.log(row("sync alone, held out detector crops", hds, heldDet, false));
  for (const a of arrays) {
    const board = boardArray(a);
    console.log(`array ${a}`);
    const vc = twice(
      await meetingCues(
        VALIDATION_SET,
        VALIDATION_RANGE[0],
        VALIDATION_RANGE[1],
        board,
        K_HI,
        () => {},
      ),
      "both",
    );
    const hc = await meetingCues(t.heldOutSet, 0, t.heldOutSet.scenes, board, K_HI, () => {});
    type L = typeof vl;
    const sets: Record<string, (l: L, c: Float64Array, s: Float64Array, i: number) => number[]> = {
      "[fused, sync]": (l, _c, s, i) => [l.fused[i], s[i]],
      "[fused, cue]": (l, c, _s, i) => [l.fused[i], c[i]],
      "[fused, cue, sync]": (l, c, s, i) => [l.fused[i], c[i], s[i]],
      "[fused, cue, cue x relu(audio)]": (l, c, _s, i) => [
        l.fused[i],
        c[i],
        c[i] * Math.max(0, l.audio[i]),
      ],
      "[fused, cue, cue x relu(audio), sync]": (l, c, s, i) => [
        l.fused[i],
        c[i],
        c[i] * Math.max(0, l.audio[i]),
        s[i],
      ],
    };
    for (const [name, f] of Object.entries(sets)) {
      const xs = (l: L, c: Float64Array, s: Float64Array) => Array.from(c, (_, i) => f(l, c, s, i));
      const fit = fitLogistic(xs(vl, vc, vs), val.samples.face);
      const z = (l: L, c: Float64Array, s: Float64Array) =>
        Float64Array.from(xs(l, c, s), (x) => logisticLogit(fit, x));
      console.log(`  ${name}: ${fit.w.map((w) => w.toFixed(3)).join(", ")} + ${fit.b.toFixed(3)}`);
      console.log(row("validation", z(vl, vc, vs), val));
      console.log(row("held out", z(hl, hc, hs), held));
      console.log(row("held out, detector crops", z(hdl, hc, hds), heldDet));
    }
  }
}
