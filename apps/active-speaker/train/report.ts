// The training run's report: auROC per face-frame of the fused, video and audio heads on the
// held-out meetings (and the validation meetings, when the run keeps some), in float (tfjs) and
// int8 (TFLite's runtime), of the raw per-step output and of what the app reports (the
// probability smoothed per track, main.ts); the smoother the validation meetings choose; the
// mean fused probability per distractor.
import * as tf from "@tensorflow/tfjs-core";
import { AUDIO_SIZE, VIDEO_SIZE, type Samples } from "./dataset.ts";
import { AUDIO_SHAPE, AsdNet, VIDEO_SHAPE } from "./model.ts";
import type { Quantized } from "./quantize.ts";
import {
  HEADS,
  chooseSmoother,
  formatScores,
  logitsOf,
  quantizedInputs,
  scoreHeads,
  smoothedAuroc,
  tfliteOutputs,
  type HeadLogits,
  type HeadScores,
  type Meetings,
} from "./evaluate.ts";
import { APP_SMOOTH, STEP_MS, delaySteps, describeSmoother, sigmoid } from "./smoothing.ts";

export const v4 = (x: Float32Array, n: number) =>
  tf.tensor4d(x, [n, ...VIDEO_SHAPE] as [number, number, number, number]);
export const a4 = (x: Float32Array, n: number) =>
  tf.tensor4d(x, [n, ...AUDIO_SHAPE] as [number, number, number, number]);

/** The float net's three logits on every sample. */
export function floatLogits(net: AsdNet, s: Samples): HeadLogits {
  const out = logitsOf(s.count);
  for (let at = 0; at < s.count; at += 256) {
    const n = Math.min(256, s.count - at);
    tf.tidy(() => {
      const o = net.forward(
        v4(s.video.subarray(at * VIDEO_SIZE, (at + n) * VIDEO_SIZE), n),
        a4(s.audio.subarray(at * AUDIO_SIZE, (at + n) * AUDIO_SIZE), n),
      );
      for (const h of HEADS) out[h].set(o[h].dataSync() as Float32Array, at);
    });
  }
  return out;
}

const int8Logits = async (bytes: Uint8Array, q: Quantized, m: Meetings) =>
  (
    await tfliteOutputs(
      bytes,
      quantizedInputs(
        m.samples,
        Array.from({ length: m.samples.count }, (_, i) => i),
        q,
      ),
      { fused: q.outputs[0], video: q.outputs[1], audio: q.outputs[2] },
    )
  ).logits;

/** What the app reports: each head smoothed per track with the app's weight, and the choice. */
export interface SmoothedReport {
  smoother: string;
  delayMs: number;
  float: HeadScores;
  int8: HeadScores;
  validation?: { float: HeadScores; int8: HeadScores };
  /** The smoother with the best int8 fused auROC on the validation meetings. */
  chosen?: {
    smoother: string;
    delayMs: number;
    validationFused: number;
    float: HeadScores;
    int8: HeadScores;
  };
}

export interface Report {
  float: HeadScores;
  validation?: HeadScores;
  int8: HeadScores;
  smoothed: SmoothedReport;
  byCondition: Record<string, { frames: number; speaking: number; meanFused: number }>;
}

export async function report(
  net: AsdNet,
  bytes: Uint8Array,
  q: Quantized,
  held: Meetings,
  val: Meetings | null,
  log: (s: string) => void,
): Promise<Report> {
  const labels = held.samples.face;
  const app = { kind: "exponential" as const, weight: APP_SMOOTH };
  let validation: HeadScores | undefined;
  let valSmoothed: SmoothedReport["validation"];
  let chosen: SmoothedReport["chosen"];
  const fl = floatLogits(net, held.samples);
  const il = await int8Logits(bytes, q, held);
  const f = scoreHeads(fl, labels, held.tracks, app);
  const i8 = scoreHeads(il, labels, held.tracks, app);
  if (val) {
    const vf = floatLogits(net, val.samples);
    const vi = await int8Logits(bytes, q, val);
    const [sf, si] = [
      scoreHeads(vf, val.samples.face, val.tracks, app),
      scoreHeads(vi, val.samples.face, val.tracks, app),
    ];
    validation = sf.raw;
    valSmoothed = { float: sf.smoothed!, int8: si.smoothed! };
    log(
      `validation float auROC: ${formatScores(sf.raw)}; smoothed as the app: ${formatScores(sf.smoothed!)}`,
    );
    const c = chooseSmoother(vi, val.samples.face, val.tracks);
    chosen = {
      smoother: describeSmoother(c.smoother),
      delayMs: delaySteps(c.smoother) * STEP_MS,
      validationFused: c.fused,
      float: smoothedAuroc(fl, labels, held.tracks, c.smoother),
      int8: smoothedAuroc(il, labels, held.tracks, c.smoother),
    };
    log(
      `validation int8 fused auROC per smoother: ${c.all.map((x) => `${x.smoother} ${x.fused.toFixed(4)}`).join("; ")}\n` +
        `chosen on validation: ${chosen.smoother}; held-out float ${formatScores(chosen.float)}, int8 ${formatScores(chosen.int8)}`,
    );
  }
  log(
    `held-out float auROC: ${formatScores(f.raw)}; smoothed as the app: ${formatScores(f.smoothed!)}`,
  );
  log(
    `held-out int8 auROC (TFLite runtime): ${formatScores(i8.raw)}; smoothed as the app: ${formatScores(i8.smoothed!)}`,
  );
  // Per distractor: how the fused head does on the face-frames showing each.
  const cond = held.samples.condition;
  const byCondition: Report["byCondition"] = {};
  for (const c of [...new Set(cond)].sort()) {
    const idx = cond.flatMap((x, i) => (x === c ? [i] : []));
    byCondition[c || "none"] = {
      frames: idx.length,
      speaking: idx.filter((i) => labels[i] === 1).length,
      meanFused: idx.reduce((s, i) => s + sigmoid(il.fused[i]), 0) / idx.length,
    };
  }
  log(`per condition (held-out, int8 fused mean probability): ${JSON.stringify(byCondition)}`);
  return {
    float: f.raw,
    ...(validation ? { validation } : {}),
    int8: i8.raw,
    smoothed: {
      smoother: describeSmoother(app),
      delayMs: delaySteps(app) * STEP_MS,
      float: f.smoothed!,
      int8: i8.smoothed!,
      ...(valSmoothed ? { validation: valSmoothed } : {}),
      ...(chosen ? { chosen } : {}),
    },
    byCondition,
  };
}
