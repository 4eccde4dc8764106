// Measures the direction cue (direction-cue.ts) on the host before anything goes into the
// firmware: the validation and held-out meetings rendered with every microphone of a board's
// array, each face's box centre mapped to an azimuth, the cue per face-frame, and its auROC
// alone and in a late fusion with the committed model's int8 fused logit (TFLite's runtime),
// a logistic regression fitted on the validation meetings only, scored held out raw and
// smoothed as the app smooths (exponential 0.5 per track), on all face-frames and where some
// visible face speaks.
//
//   npx tsx apps/active-speaker/train/measure-direction.ts [--array tri|rt1170|rt1170tri|both] [--khi 240] [--camera-axis DEG]
//   (rt1170tri: RT1170's U40/U41 with the triangle add-on beside them, five microphones)
//   [--absolute: each face's cue alone, not against the highest other face's]
//   [--write: the fusion chosen on validation per array into fusion.txt, the firmware's fusion partition;
//    the lines of arrays not measured stay]
//   [--crops seat|detector|both: the validation mouth crops the fusion is fitted on: at the seat
//    boxes, at the face detector's tracked boxes (detector-boxes.ts; the app's default faces), or
//    both (default both: the app ships both ways of finding faces); held out is scored on each]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { renderScene } from "../../../emulator/inputs/room/render.ts";
import { SPEECH_DIR, TRAIN_SET, concat, randomMeeting, type SetSpec } from "./dataset.ts";
import { loadDetector } from "./detector-boxes.ts";
import { loadMeetings, quantizedInputs, tfliteOutputs, type Meetings } from "./evaluate.ts";
import { FPS, HISTORY } from "./features.ts";
import { auroc } from "./auroc.ts";
import { APP_SMOOTH, smoothPerTrack } from "./smoothing.ts";
import {
  K_HI,
  cameraFrameMics,
  faceAzimuthDeg,
  faceCue,
  hopSrp,
  relativeCues,
  type HopSrp,
  type Mm,
} from "./direction-cue.ts";
import { fitLogistic, logisticLogit, type Logistic } from "./logistic.ts";
import {
  FUSION_HEADER,
  readFusionFile,
  writeFusionFile,
  type FusionWeights,
} from "./fusion-weights.ts";
import type { QuantParams } from "./quantize.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MODEL_DIR = path.join(ROOT, "apps/active-speaker/model");
export const VALIDATION_SET: SetSpec = { ...TRAIN_SET, scenes: 36 };
export const VALIDATION_RANGE = [32, 36] as const;

/** The validation meetings (crops at the seat and the detector's boxes) and the training
 *  run's held-out meetings, rendered or from the cache. */
export function validationAndHeldOut(
  t: Training,
  detector: Parameters<typeof loadMeetings>[4],
): { valBoth: Meetings; held: Meetings } {
  return {
    valBoth: loadMeetings(
      VALIDATION_SET,
      VALIDATION_RANGE[0],
      VALIDATION_RANGE[1],
      () => {},
      detector,
    ),
    held: loadMeetings(t.heldOutSet, 0, t.heldOutSet.scenes, () => {}, detector),
  };
}

/** A board's array in the board's frame (board file, or the app's add-on array) and where the
 *  camera looks in it (the board's microphones.cameraAxisDeg, the product's mounting choice). */
export interface BoardArray {
  positionsMm: Mm;
  cameraAxisDeg: number;
}

export type ArrayName = "tri" | "rt1170" | "rt1170tri";

export function boardArray(which: ArrayName): BoardArray {
  // The triangle is the add-on array of RT1060 and MCX N947 (app.json micArray): their boards
  // place the camera (neither sets cameraAxisDeg: along +x). On RT1170 an add-on's microphones
  // follow the board's own (emulator/peripherals/mic/array.ts micLayout), all turned by its axis.
  const board = JSON.parse(
    readFileSync(path.join(ROOT, `boards/${which === "tri" ? "rt1060" : "rt1170"}.json`), "utf8"),
  );
  const tri = JSON.parse(
    readFileSync(path.join(ROOT, "boards/mic-arrays/sln-local2-tri.json"), "utf8"),
  );
  const mics = [
    ...(which === "tri" ? [] : board.microphones.mics),
    ...(which === "rt1170" ? [] : tri.mics),
  ] as { positionMm: [number, number, number] }[];
  return {
    positionsMm: mics.map((m) => m.positionMm),
    cameraAxisDeg: board.microphones?.cameraAxisDeg ?? 0,
  };
}

const ARRAY_LABEL: Record<ArrayName, string> = {
  tri: "sln-local2-tri, 50 mm (RT1060, MCX N947)",
  rt1170: "RT1170's U40/U41, 20 mm",
  rt1170tri: "RT1170's U40/U41 and the sln-local2-tri add-on",
};

/** The board's array in the camera's frame, as the emulator mounts it. */
export const boardArrayMm = (which: ArrayName): Mm => {
  const a = boardArray(which);
  return cameraFrameMics(a.positionsMm, a.cameraAxisDeg);
};

/** Per-hop steered responses of a meeting's channels (the host's hopSrp, or the firmware's). */
export type SrpOf = (
  channels: ArrayLike<number>[],
  micsMm: Mm,
  faceAz: number[],
) => HopSrp | Promise<HopSrp>;

/** The cue for every sample of meetings from..to-1 of a set, in dataset.ts's sample order. */
export async function meetingCues(
  set: SetSpec,
  from: number,
  to: number,
  array: BoardArray,
  kHi: number,
  log: (s: string) => void,
  absolute = false,
  srpOf: SrpOf = (c, m, a) => hopSrp(c, m, a, kHi),
): Promise<Float64Array> {
  const out: number[] = [];
  for (let i = from; i < to; i++) {
    const raw = randomMeeting(set, i);
    // Rendered as the emulator renders it (the board's frame, turned by the camera's axis); the
    // cue steers in the camera's frame.
    const scene = parseAvScene(raw, `${set.name} ${i}`, SPEECH_DIR, array);
    const micsMm = cameraFrameMics(array.positionsMm, array.cameraAxisDeg);
    const channels = renderScene(scene.room!).channels;
    const az = scene.people.map((p) => faceAzimuthDeg(p.box.cx, scene.camera.fov));
    // The box-centre azimuth must be the seat's own (the convention in direction-cue.ts).
    (raw.people as { az: number }[]).forEach((p, k) => {
      if (Math.abs(p.az - az[k]) > 0.01)
        throw new Error(`${set.name} ${i}: face ${k} at ${az[k]} degrees, seat at ${p.az}`);
    });
    const srp = await srpOf(channels, micsMm, az);
    const frames = Math.floor(scene.duration * FPS);
    for (let f = HISTORY - 1; f < frames; f++) {
      const c = az.map((_, k) => faceCue(srp, az.length, k, f / FPS));
      out.push(...(absolute ? c : relativeCues(c)));
    }
    log(`  ${set.name} ${i}: faces at ${az.map((a) => a.toFixed(1)).join(", ")} degrees`);
  }
  return Float64Array.from(out);
}

export interface Training {
  heldOutSet: SetSpec;
  input: { video: QuantParams; audio: QuantParams };
  outputs: Record<"fused" | "video" | "audio", QuantParams>;
}

export async function modelLogits(t: Training, m: Meetings) {
  const model = new Uint8Array(readFileSync(path.join(MODEL_DIR, "asd_int8.tflite")));
  const all = Array.from({ length: m.samples.count }, (_, i) => i);
  return (await tfliteOutputs(model, quantizedInputs(m.samples, all, t.input), t.outputs)).logits;
}

export type Crops = "seat" | "detector" | "both";
export const CROPS: Crops = "both";

/** Meetings with the mouth crops at the seat boxes, at the detector's boxes, or both (the
 *  detector's copy after the seat one, its tracks numbered on). */
export function cropView(m: Meetings, crops: Crops): Meetings {
  if (crops === "seat") return m;
  const det = { ...m.samples, video: m.samples.videoDetector! };
  if (!det.video) throw new Error("these meetings were rendered without the detector's crops");
  if (crops === "detector") return { samples: det, tracks: m.tracks };
  const next = Math.max(...m.tracks) + 1;
  return {
    samples: concat([m.samples, det]),
    tracks: Int32Array.from([...m.tracks, ...Array.from(m.tracks, (k) => k + next)]),
  };
}

export const twice = (c: Float64Array, crops: Crops) => {
  if (crops !== "both") return c;
  const out = new Float64Array(2 * c.length);
  out.set(c);
  out.set(c, c.length);
  return out;
};

const subset = (x: ArrayLike<number>, keep: ArrayLike<number>) =>
  Float64Array.from(Array.from(x).filter((_, i) => keep[i] === 1));

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("measure-direction", {
    options: {
      array: { type: "string" },
      khi: { type: "string" },
      "camera-axis": { type: "string" },
      absolute: { type: "boolean" },
      write: { type: "boolean" },
      crops: { type: "string" },
    },
  });
  const crops = (values.crops ?? CROPS) as Crops;
  if (!["seat", "detector", "both"].includes(crops)) {
    console.error(`measure-direction: --crops must be seat, detector or both, not '${crops}'`);
    process.exit(2);
  }
  const written: { weights: FusionWeights; comment: string }[] = [];
  const kHi = Number(values.khi ?? K_HI);
  const arrays = values.array === "both" || !values.array ? ["tri", "rt1170"] : [values.array];
  const t = JSON.parse(readFileSync(path.join(MODEL_DIR, "training.json"), "utf8")) as Training;
  const log = (s: string) => console.log(s);
  const detector = await loadDetector();
  const { valBoth, held } = validationAndHeldOut(t, detector);
  detector.ref.dispose();
  const val = cropView(valBoth, crops);
  const heldDet = cropView(held, "detector");
  const [vl, hl, hdl] = [
    await modelLogits(t, val),
    await modelLogits(t, held),
    await modelLogits(t, heldDet),
  ];
  console.log(
    `fusion fitted on validation crops at the ${crops === "both" ? "seat and detector" : crops} boxes`,
  );
  const smooth = (x: ArrayLike<number>, m: Meetings) =>
    smoothPerTrack(x, m.tracks, { kind: "exponential", weight: APP_SMOOTH });
  const score = (name: string, x: ArrayLike<number>, m: Meetings, logit = true) => {
    const y = m.samples.face;
    const sm = logit ? smooth(x, m) : x;
    const r = auroc(x, y),
      s = auroc(sm, y),
      w = auroc(subset(sm, m.samples.any), subset(y, m.samples.any));
    console.log(
      `    ${name.padEnd(28)} raw ${r.toFixed(3)}  smoothed ${s.toFixed(3)}  smoothed where someone speaks ${w.toFixed(3)}`,
    );
  };
  for (const a of arrays) {
    // --camera-axis: another mounting than the board file's (0 on RT1170: the pair along the
    // camera's axis, end-fire to every face).
    if (!(a in ARRAY_LABEL)) {
      console.error(
        `measure-direction: --array must be tri, rt1170, rt1170tri or both, not '${a}'`,
      );
      process.exit(2);
    }
    const board = boardArray(a as ArrayName);
    const axis =
      values["camera-axis"] === undefined ? board.cameraAxisDeg : Number(values["camera-axis"]);
    const mounted: BoardArray = { positionsMm: board.positionsMm, cameraAxisDeg: axis };
    const mics = cameraFrameMics(board.positionsMm, axis);
    console.log(
      `array ${a}: microphones in the camera frame (mm) ${mics.map((p) => `[${p.map((v) => v.toFixed(1)).join(",")}]`).join(" ")}, band 312 Hz..${((kHi * 16000) / 512).toFixed(0)} Hz`,
    );
    const vc = twice(
      await meetingCues(
        VALIDATION_SET,
        VALIDATION_RANGE[0],
        VALIDATION_RANGE[1],
        mounted,
        kHi,
        log,
        values.absolute,
      ),
      crops,
    );
    const hc = await meetingCues(
      t.heldOutSet,
      0,
      t.heldOutSet.scenes,
      mounted,
      kHi,
      log,
      values.absolute,
    );
    const feats = (l: typeof vl, c: Float64Array) =>
      Array.from(c, (ci, i) => [l.fused[i], ci, ci * Math.max(0, l.audio[i])]);
    const fit = fitLogistic(feats(vl, vc), val.samples.face);
    console.log(
      `  late fusion fitted on validation: logit = ${fit.w.map((w) => w.toFixed(3)).join(", ")} . [fused, cue, cue x relu(audio)] + ${fit.b.toFixed(3)}`,
    );
    const fit2 = fitLogistic(
      Array.from(vc, (ci, i) => [vl.fused[i], ci]),
      val.samples.face,
    );
    console.log(
      `  2-number fusion: ${fit2.w.map((w) => w.toFixed(3)).join(", ")} . [fused, cue] + ${fit2.b.toFixed(3)}`,
    );
    const fit3 = fitLogistic(
      Array.from(vc, (ci, i) => [vl.fused[i], vl.video[i], ci]),
      val.samples.face,
    );
    console.log(
      `  3-number fusion: ${fit3.w.map((w) => w.toFixed(3)).join(", ")} . [fused, video, cue] + ${fit3.b.toFixed(3)}`,
    );
    // The same fusion without the cue: what the cue adds, apart from re-weighting the two heads.
    const fit0 = fitLogistic(
      Array.from(vc, (_, i) => [vl.fused[i], vl.video[i]]),
      val.samples.face,
    );
    // The firmware's fusion: [fused, cue] or [fused, cue, cue x relu(audio)], whichever scores
    // higher on validation smoothed as the app; within 0.001 the one with fewer numbers.
    const valSmoothed = (f: (i: number) => number) =>
      auroc(
        smooth(
          Float64Array.from(vc, (_, i) => f(i)),
          val,
        ),
        val.samples.face,
      );
    const two = valSmoothed((i) => logisticLogit(fit2, [vl.fused[i], vc[i]]));
    const fv = feats(vl, vc);
    const three = valSmoothed((i) => logisticLogit(fit, fv[i]));
    const pick: Logistic = three > two + 0.001 ? fit : { w: [...fit2.w, 0], b: fit2.b };
    written.push({
      weights: {
        mics: mics.length,
        wFused: pick.w[0],
        wCue: pick.w[1],
        wCueAudio: pick.w[2],
        bias: pick.b,
      },
      comment: `${ARRAY_LABEL[a as ArrayName]}, camera axis ${axis} degrees, ${crops === "both" ? "seat and detector" : crops} crops: validation smoothed auROC ${two.toFixed(4)} [fused, cue], ${three.toFixed(4)} [fused, cue, cue x relu(audio)]`,
    });
    for (const [name, m, l, c] of [
      ["validation", val, vl, vc],
      ["held-out", held, hl, hc],
      ["held-out, detector crops", heldDet, hdl, hc],
    ] as const) {
      console.log(`  ${name} (${m.samples.count} face-frames):`);
      score("cue alone", c, m, false);
      score("fused (model)", l.fused, m);
      score("video (model)", l.video, m);
      score(
        "fused + cue (2 numbers)",
        Float64Array.from(c, (ci, i) => logisticLogit(fit2, [l.fused[i], ci])),
        m,
      );
      score(
        "fused + video (no cue)",
        Float64Array.from(c, (_, i) => logisticLogit(fit0, [l.fused[i], l.video[i]])),
        m,
      );
      score(
        "fused + video + cue",
        Float64Array.from(c, (ci, i) => logisticLogit(fit3, [l.fused[i], l.video[i], ci])),
        m,
      );
      score(
        "fused + cue + cue x audio",
        Float64Array.from(feats(l, c), (x) => logisticLogit(fit, x)),
        m,
      );
    }
  }
  if (values.write) {
    // The arrays not measured in this run keep their lines (and comments).
    const measured = new Set(written.map((w) => w.weights.mics));
    const kept = readFusionFile().filter((l) => !measured.has(l.weights.mics));
    writeFusionFile([...kept, ...written], FUSION_HEADER);
    console.log("wrote apps/active-speaker/fusion.txt");
  }
}
