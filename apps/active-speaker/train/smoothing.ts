// What the app outputs per face is not the model's per-step probability but that probability
// smoothed over time, per track (main.ts: SMOOTH, starting at a face's first score). These are
// the host's copies of that smoothing and of a causal window, so that the held-out figures can
// be measured on what a product would report, and the weight chosen on validation meetings.
// Scores arrive in the datasets' order: step by step, every track of a meeting within a step
// (dataset.ts), so a track's own scores are in time order when read front to back.

/** The app's weight of the newest probability (main.ts SMOOTH; a test holds the two equal). */
export const APP_SMOOTH = 0.5;
/** The app's step: one camera frame at 15 fps (main.ts FPS). */
export const STEP_MS = 1000 / 15;

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A way to smooth per track: an exponential with the newest step's weight, or the mean of the last k steps. */
export type Smoother = { kind: "exponential"; weight: number } | { kind: "mean"; steps: number };

export const describeSmoother = (s: Smoother) =>
  s.kind === "exponential"
    ? `exponential, weight ${s.weight}`
    : `mean of the last ${s.steps} step${s.steps === 1 ? "" : "s"}`;

/** Mean delay the smoother adds, in steps: the centre of mass of its impulse response
 *  (exponential: (1 - w) / w; a k-step mean: (k - 1) / 2). */
export const delaySteps = (s: Smoother) =>
  s.kind === "exponential" ? (1 - s.weight) / s.weight : (s.steps - 1) / 2;

/** Logits to probabilities smoothed per track in f32, as the app computes them. */
export function smoothPerTrack(
  logits: ArrayLike<number>,
  tracks: Int32Array,
  s: Smoother,
): Float32Array {
  if (tracks.length !== logits.length) throw new Error("smoothing: a track per score needed");
  const out = new Float32Array(logits.length);
  const f = Math.fround;
  if (s.kind === "exponential") {
    const last = new Map<number, number>();
    const w = f(s.weight);
    for (let i = 0; i < logits.length; i++) {
      const p = f(sigmoid(logits[i]));
      const before = last.get(tracks[i]);
      const v = before === undefined ? p : f(f(w * p) + f(f(1 - w) * before));
      last.set(tracks[i], v);
      out[i] = v;
    }
    return out;
  }
  const recent = new Map<number, number[]>();
  for (let i = 0; i < logits.length; i++) {
    const r = recent.get(tracks[i]) ?? [];
    r.push(sigmoid(logits[i]));
    if (r.length > s.steps) r.shift();
    recent.set(tracks[i], r);
    out[i] = r.reduce((a, b) => a + b, 0) / r.length;
  }
  return out;
}

/** The smoothers the validation meetings choose from: exponential weights 0.1..1 (1 is no
 *  smoothing) and means of the last 2..8 steps (up to the 0.53 s the mouth history spans). */
export const CANDIDATES: Smoother[] = [
  ...[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((weight) => ({
    kind: "exponential" as const,
    weight,
  })),
  ...[2, 3, 4, 5, 6, 8].map((steps) => ({ kind: "mean" as const, steps })),
];
