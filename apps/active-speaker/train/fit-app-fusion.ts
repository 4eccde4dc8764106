// Refits a board's fusion line (fusion.txt) on what the firmware sees: the app as built for the
// board plays the training run's 4 validation meetings (eval-app.ts --validation: the face
// detector, the box refiner if on, the firmware's model and cue), and each face-frame's record
// gives the model's fused logit, the relative cue and the audio logit as the firmware had them.
// The same two fusions as measure-direction.ts are fitted on the matched face-frames
// (train/logistic.ts): [fused, cue] and [fused, cue, cue x relu(audio)]; each is scored on the
// same meetings smoothed per track as the app smooths, and the higher one is chosen (within
// 0.001 the one with fewer numbers). Validation only: held-out meetings play no part in the choice.
//
//   npx tsx apps/active-speaker/train/fit-app-fusion.ts [--board rt1170] [--mics N] [--save FILE] [--from FILE] [--write]
//   --mics N: the line refitted (default the board's own microphones; 3 for RT1060 and MCX N947's add-on);
//   --save FILE keeps the face-frames as JSON, --from FILE fits on kept ones without the emulator;
//   --write puts the chosen line into fusion.txt (the other arrays' lines stay).
import { readFileSync, writeFileSync } from "node:fs";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadTarget } from "../../../emulator/board.ts";
import { auroc } from "./auroc.ts";
import { evalApp, type FaceFrame } from "./eval-app.ts";
import { fitLogistic, logisticLogit, type Logistic } from "./logistic.ts";
import {
  FUSION_HEADER,
  fuseWithCue,
  fusionWeightsFor,
  readFusionFile,
  writeFusionFile,
  type FusionWeights,
} from "./fusion-weights.ts";
import { APP_SMOOTH, sigmoid } from "./smoothing.ts";

/** The app's output for each face-frame under fusion logits z: sigmoid, then per track
 *  smoothed from its first score (main.ts SMOOTH), in f32 as the app computes it. */
export function appSmoothed(frames: FaceFrame[], z: (f: FaceFrame) => number): number[] {
  const last = new Map<number, number>();
  const w = Math.fround(APP_SMOOTH);
  return frames.map((f) => {
    const p = Math.fround(sigmoid(Math.fround(z(f))));
    const prev = last.get(f.track);
    const s =
      prev === undefined ? p : Math.fround(Math.fround(w * p) + Math.fround((1 - w) * prev));
    last.set(f.track, s);
    return s;
  });
}

/** Smoothed auROC over the matched face-frames (false faces are smoothed, not scored). */
export function smoothedAuroc(frames: FaceFrame[], z: (f: FaceFrame) => number): number {
  const s = appSmoothed(frames, z);
  const keep = frames.map((f, i) => i).filter((i) => frames[i].label >= 0);
  return auroc(
    keep.map((i) => s[i]),
    keep.map((i) => frames[i].label),
  );
}

export interface FusionChoice {
  two: { fit: Logistic; auroc: number };
  three: { fit: Logistic; auroc: number };
  pick: FusionWeights;
}

/** Fits [fused, cue] and [fused, cue, cue x relu(audio)] and picks one by smoothed auROC. */
export function chooseFusion(frames: FaceFrame[], mics: number): FusionChoice {
  const matched = frames.filter((f) => f.label >= 0);
  const x3 = (f: FaceFrame) => [f.fused, f.cue, f.cue * Math.max(0, f.audio)];
  const x2 = (f: FaceFrame) => [f.fused, f.cue];
  const labels = matched.map((f) => f.label);
  const fit2 = fitLogistic(matched.map(x2), labels);
  const fit3 = fitLogistic(matched.map(x3), labels);
  const two = smoothedAuroc(frames, (f) => logisticLogit(fit2, x2(f)));
  const three = smoothedAuroc(frames, (f) => logisticLogit(fit3, x3(f)));
  const p = three > two + 0.001 ? fit3 : { w: [...fit2.w, 0], b: fit2.b };
  return {
    two: { fit: fit2, auroc: two },
    three: { fit: fit3, auroc: three },
    pick: { mics, wFused: p.w[0], wCue: p.w[1], wCueAudio: p.w[2], bias: p.b },
  };
}

const fmt = (f: Logistic) => `${f.w.map((w) => w.toFixed(3)).join(", ")} + ${f.b.toFixed(3)}`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseScriptArgs("fit-app-fusion", {
    options: {
      board: { type: "string", default: "rt1170" },
      save: { type: "string" },
      from: { type: "string" },
      write: { type: "boolean" },
      mics: { type: "string" },
    },
  });
  try {
    const board = values.board!;
    const mics = Number(values.mics ?? loadTarget(board).board.microphones?.mics?.length ?? 0);
    let kept: { refiner: boolean; frames: FaceFrame[] };
    if (values.from) kept = JSON.parse(readFileSync(values.from, "utf8"));
    else {
      const r = await evalApp(board, {
        validation: true,
        frames: true,
        log: (s) => console.error(s),
      });
      console.log(`app on the validation meetings: smoothed auROC ${r.smoothed.toFixed(4)}`);
      kept = { refiner: r.refiner, frames: r.frames! };
      if (values.save) writeFileSync(values.save, JSON.stringify(kept));
    }
    const { refiner, frames } = kept;
    const committed = fusionWeightsFor(mics);
    const now = smoothedAuroc(frames, (f) => fuseWithCue(committed, f.fused, f.cue, f.audio));
    // The firmware's own smoothed output, recomputed here: checks the record and the smoothing copy.
    console.log(
      `${board} (${mics} microphones), ${frames.filter((f) => f.label >= 0).length} matched face-frames; committed line: smoothed auROC ${now.toFixed(4)}`,
    );
    const c = chooseFusion(frames, mics);
    console.log(`  [fused, cue]: ${fmt(c.two.fit)}, smoothed auROC ${c.two.auroc.toFixed(4)}`);
    console.log(
      `  [fused, cue, cue x relu(audio)]: ${fmt(c.three.fit)}, smoothed auROC ${c.three.auroc.toFixed(4)}`,
    );
    const w = c.pick;
    console.log(
      `  chosen: ${[w.wFused, w.wCue, w.wCueAudio, w.bias].map((v) => v.toFixed(5)).join(" ")}`,
    );
    if (values.write) {
      const lines = readFusionFile().map((l) =>
        l.weights.mics !== mics
          ? l
          : {
              weights: w,
              comment: `${l.comment.replace(/, (?:[^,]*crops:|refitted on ).*$/, "")}, refitted on the app's own face-frames (fit-app-fusion.ts --board ${board}: face detector${refiner ? " + box refiner" : ""}, emulated): validation smoothed auROC ${c.two.auroc.toFixed(4)} [fused, cue], ${c.three.auroc.toFixed(4)} [fused, cue, cue x relu(audio)]`,
            },
      );
      writeFusionFile(lines, FUSION_HEADER);
      console.log("wrote apps/active-speaker/fusion.txt");
    }
  } catch (e) {
    console.error(`fit-app-fusion: ${(e as Error).message.split("\n")[0]}`);
    process.exit(1);
  }
}
