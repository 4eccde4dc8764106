// Active speech level: the mean power of speech over the frames where someone is talking,
// so that an SNR does not depend on how much silence surrounds a word. After ITU-T P.56's
// idea: a frame counts as active when its power is within 15.9 dB of the active level
// itself, found by fixed-point iteration. Simplified: 10 ms frames, no hangover.

export const ACTIVITY_MARGIN_DB = 15.9;
export const FRAME_SECONDS = 0.01;

export interface ActiveSpeech {
  /** Mean power (mean square, full-scale or Pa²) over the active frames. */
  power: number;
  /** Active frames / all frames. */
  activity: number;
  /** First and last active sample (end exclusive); [0, 0] for silence. */
  start: number;
  end: number;
}

export function activeSpeech(x: Float64Array, sampleRate: number): ActiveSpeech {
  const frame = Math.max(1, Math.round(FRAME_SECONDS * sampleRate));
  const frames = Math.floor(x.length / frame) || (x.length > 0 ? 1 : 0);
  const power = new Float64Array(frames);
  let total = 0;
  for (let f = 0; f < frames; f++) {
    let acc = 0;
    const end = Math.min(x.length, (f + 1) * frame);
    for (let i = f * frame; i < end; i++) acc += x[i] * x[i];
    power[f] = acc / (end - f * frame);
    total += power[f];
  }
  if (frames === 0 || total === 0) return { power: 0, activity: 0, start: 0, end: 0 };
  const margin = Math.pow(10, -ACTIVITY_MARGIN_DB / 10);
  let level = total / frames;
  let active = frames;
  for (let iter = 0; iter < 50; iter++) {
    let sum = 0;
    let count = 0;
    const threshold = level * margin;
    for (let f = 0; f < frames; f++)
      if (power[f] >= threshold) {
        sum += power[f];
        count++;
      }
    const next = sum / count;
    active = count;
    if (Math.abs(next - level) <= 1e-9 * level) {
      level = next;
      break;
    }
    level = next;
  }
  const threshold = level * margin;
  let first = -1,
    last = -1;
  for (let f = 0; f < frames; f++)
    if (power[f] >= threshold) {
      if (first < 0) first = f;
      last = f;
    }
  return {
    power: level,
    activity: active / frames,
    start: first * frame,
    end: Math.min(x.length, (last + 1) * frame),
  };
}

export function meanPower(x: Float64Array, from = 0, to = x.length): number {
  let acc = 0;
  for (let i = from; i < to; i++) acc += x[i] * x[i];
  return to > from ? acc / (to - from) : 0;
}
