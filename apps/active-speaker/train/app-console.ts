// The active-speaker app's output as eval-app.ts reads it: each step's face record (face-record.ts,
// f32 through debug.report) checked against the step's console line, with the line's 0.01 values
// of the video and audio heads and the cue added; and t0, the board time of the app's clock zero.
export interface AppStepFace {
  /** Track id (detector) or seat number. */
  id: number;
  x: number;
  y: number;
  hw: number;
  raw: number;
  smoothed: number;
  /** The fusion's inputs as the firmware had them (f32): the model's fused logit, the relative
   *  cue (0 without a cue) and the audio head's logit. */
  fused: number;
  relCue: number;
  audioLogit: number;
  /** From the console line (0.01 steps): the model's video and audio heads, the relative cue. */
  video?: number;
  audio?: number;
  cue?: number;
}
export interface AppStep {
  tMs: number;
  faces: AppStepFace[];
}

/** Record header and per-face fields (face-record.ts RECORD_HEAD, RECORD_FACE). */
const RECORD_HEAD = 2,
  RECORD_FACE = 9;

/** One step's face record (face-record.ts): f32 [t_ms, faces, per face id, raw, smoothed, x, y,
 *  hw, fused logit, relative cue, audio logit]. */
export function parseFaceRecord(bytes: Uint8Array): AppStep {
  const f = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const n = f[1];
  if (f.length !== RECORD_HEAD + RECORD_FACE * n)
    throw new Error(`a face record of ${bytes.length} B does not hold ${n} faces`);
  const faces = Array.from({ length: n }, (_, i) => {
    const r = f.subarray(RECORD_HEAD + RECORD_FACE * i);
    return {
      id: r[0],
      raw: r[1],
      smoothed: r[2],
      x: r[3],
      y: r[4],
      hw: r[5],
      fused: r[6],
      relCue: r[7],
      audioLogit: r[8],
    };
  });
  return { tMs: f[0], faces };
}

/** The app's console and face records: its steps, and the board time of its t0 (from the status
 *  lines). Each step line has its record (sent just before the line). */
export function parseAppConsole(
  lines: { text: string; timeUs: number }[],
  records: AppStep[],
): {
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
    const printed = [
      ...step[2].matchAll(
        / (\S+)@(\d+),(\d+) (\d+\.\d+) \(v (\d+\.\d+) a (\d+\.\d+)(?: c (-?\d+\.\d+))?\)/g,
      ),
    ];
    const r = records[steps.length];
    // The record and the line are the same step: same time, same faces, the same smoothed value to 0.01.
    if (
      !r ||
      Math.abs(r.tMs - Number(step[1]) * 1000) > 0.5 ||
      r.faces.length !== printed.length ||
      r.faces.some((f, i) => Math.abs(f.smoothed - Number(printed[i][4])) > 0.0051)
    )
      throw new Error(
        `step ${steps.length} at ${step[1]} s: its face record does not match the line`,
      );
    r.faces.forEach((f, i) => {
      f.video = Number(printed[i][5]);
      f.audio = Number(printed[i][6]);
      if (printed[i][7] !== undefined) f.cue = Number(printed[i][7]);
    });
    steps.push(r);
  }
  return { steps, t0Us, degraded };
}
