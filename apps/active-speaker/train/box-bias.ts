// Where the app's face boxes sit against the true heads, and what a global box correction would
// do: the committed detector and the tracker (detector-boxes.ts) on every frame of the training
// meetings (frames only, no audio: about 5 s a meeting), each person's confirmed track against
// their true head box (truth.ts). The correction is fitted on the 32 meetings trained on, never
// on the validation or held-out ones: the centre offset as the mean of (true - tracked) /
// tracked half width, the scale as the mean of true / tracked half width; the script prints the
// boxes' error without and with it on the training and the validation meetings. (The app does
// not apply it: crops at corrected boxes scored lower on validation, README "Box bias".)
//
//   npx tsx apps/active-speaker/train/box-bias.ts [--meetings 36] [--validation 4]
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { renderFrame } from "../../../emulator/inputs/av-scene/face-render.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import { FORMAT_GREY8, toSensorFormat } from "../../../emulator/inputs/optics.ts";
import { SPEECH_DIR, TRAIN_SET, randomMeeting } from "./dataset.ts";
import { DetectorBoxes, loadDetector } from "./detector-boxes.ts";
import { FPS, FRAME_H, FRAME_W } from "./features.ts";

/** A person's tracked box (uncorrected) and true head, in pixels. */
export interface BoxPair {
  track: { cx: number; cy: number; hw: number };
  truth: { cx: number; cy: number; hw: number };
}

/** Every frame's tracked box for every person a confirmed track covers, in one meeting. */
export function meetingBoxes(
  raw: Record<string, unknown>,
  detector: Awaited<ReturnType<typeof loadDetector>>,
): BoxPair[] {
  const scene = parseAvScene(raw, "meeting", SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
  const boxes = new DetectorBoxes(detector.ref, detector.obj, detector.box);
  const seats = scene.people.map((p) => p.box);
  const out: BoxPair[] = [];
  for (let f = 0; f < Math.floor(scene.duration * FPS); f++) {
    const t = f / FPS;
    const grey = toSensorFormat(renderFrame(scene, t, FRAME_W, FRAME_H, f), FORMAT_GREY8);
    const truth = faceTruth(scene, t, FRAME_W, FRAME_H).map((r) => ({
      cx: r.box[0] + r.box[2] / 2,
      cy: r.box[1] + r.box[3] / 2,
      hw: r.box[2] / 2,
    }));
    boxes.next(grey, FRAME_W, FRAME_H, truth, seats).forEach((b, p) => {
      if (b === seats[p]) return; // no confirmed track near this person
      out.push({
        track: { cx: b.cx * FRAME_W, cy: b.cy * FRAME_H, hw: b.hw * FRAME_W },
        truth: truth[p],
      });
    });
  }
  return out;
}

/** A tracked box moved by (dx, dy) tracked half widths and its half width scaled. */
export interface BoxCorrection {
  dx: number;
  dy: number;
  scale: number;
}
const NO_CORRECTION: BoxCorrection = { dx: 0, dy: 0, scale: 1 };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function fitCorrection(pairs: BoxPair[]): BoxCorrection {
  return {
    dx: mean(pairs.map((q) => (q.truth.cx - q.track.cx) / q.track.hw)),
    dy: mean(pairs.map((q) => (q.truth.cy - q.track.cy) / q.track.hw)),
    scale: mean(pairs.map((q) => q.truth.hw / q.track.hw)),
  };
}

/** The corrected boxes against the true heads, in true half widths (measure-crops.ts's terms). */
export function boxError(pairs: BoxPair[], c: BoxCorrection) {
  const at = pairs.map(({ track: k, truth: t }) => ({
    x: (k.cx + c.dx * k.hw - t.cx) / t.hw,
    y: (k.cy + c.dy * k.hw - t.cy) / t.hw,
    size: (k.hw * c.scale) / t.hw,
  }));
  return {
    medianCentre: median(at.map((e) => Math.hypot(e.x, e.y))),
    meanDy: mean(at.map((e) => e.y)),
    meanSize: mean(at.map((e) => e.size)),
    medianSizeError: median(at.map((e) => Math.abs(e.size - 1))),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseScriptArgs("box-bias", {
    options: {
      meetings: { type: "string", default: "36" },
      validation: { type: "string", default: "4" },
    },
  });
  const meetings = Number(values.meetings),
    validation = Number(values.validation);
  const detector = await loadDetector();
  const set = { ...TRAIN_SET, scenes: meetings };
  const train: BoxPair[] = [],
    val: BoxPair[] = [];
  for (let i = 0; i < meetings; i++) {
    (i < meetings - validation ? train : val).push(
      ...meetingBoxes(randomMeeting(set, i), detector),
    );
    console.error(`  meeting ${i + 1}/${meetings}`);
  }
  detector.ref.dispose();
  const fit = fitCorrection(train);
  const f3 = (x: number) => x.toFixed(3);
  console.log(
    `fitted on ${meetings - validation} training meetings (${train.length} face-frames): shift x ${f3(fit.dx)}, y ${f3(fit.dy)} tracked half widths, scale ${f3(fit.scale)}`,
  );
  for (const [name, pairs] of [
    ["training", train],
    ["validation", val],
  ] as const)
    for (const [what, c] of [
      ["uncorrected", NO_CORRECTION],
      ["corrected", fit],
    ] as const) {
      const e = boxError(pairs, c);
      console.log(
        `  ${name} ${what}: centre error median ${f3(e.medianCentre)} half widths, mean vertical offset ${f3(e.meanDy)} (+ = below), mean size ${f3(e.meanSize)} of the true, size error median ${(100 * e.medianSizeError).toFixed(1)} %`,
      );
    }
}
