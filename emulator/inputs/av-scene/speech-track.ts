// What one person's own (dry) speech says about their face over time, on a 10 ms grid:
//  - speaking: the ground truth, active speech (within 30 dB of the track's loudest 10 ms,
//    gaps shorter than 250 ms bridged as a listener hears one utterance, blips under 60 ms
//    dropped);
//  - openness 0..1: the jaw follows the energy envelope (attack 30 ms, release 70 ms: jaw
//    and lips are slower than the sound) on a 30 dB range below the peak;
//  - spread 0..1: a coarse viseme class per 10 ms from the zero-crossing rate (fricatives and
//    /i/-like sounds spread the lips, low-frequency vowels round them).
// Values between grid points are read at t + lead: the mouth moves before the sound it
// makes (audio-visual asynchrony of tens of ms in natural speech).
import { resample } from "../resample.ts";

export const HOP_SECONDS = 0.01;
const RANGE_DB = 30;
const BRIDGE_S = 0.25;
const MIN_SEGMENT_S = 0.06;

export interface SpeechClip {
  samples: Float64Array;
  rate: number;
  /** Start in scene seconds. */
  start: number;
}

export class SpeechTrack {
  readonly speaking: Uint8Array;
  readonly openness: Float32Array;
  readonly spread: Float32Array;

  constructor(
    clips: SpeechClip[],
    seconds: number,
    readonly lead: number,
  ) {
    const fs = 16000;
    const hop = Math.round(HOP_SECONDS * fs);
    const frames = Math.ceil(seconds / HOP_SECONDS) + 1;
    const x = new Float64Array(frames * hop);
    for (const c of clips) {
      const s = c.rate === fs ? c.samples : resample(c.samples, c.rate, fs);
      const at = Math.round(c.start * fs);
      for (let i = 0; i < s.length && at + i < x.length; i++) x[at + i] += s[i];
    }
    const db = new Float32Array(frames);
    const zcr = new Float32Array(frames);
    let peak = -200;
    for (let f = 0; f < frames; f++) {
      let acc = 0,
        crossings = 0;
      for (let i = f * hop; i < (f + 1) * hop; i++) {
        acc += x[i] * x[i];
        if (i > f * hop && x[i] >= 0 !== x[i - 1] >= 0) crossings++;
      }
      db[f] = 10 * Math.log10(acc / hop + 1e-12);
      zcr[f] = crossings / hop;
      peak = Math.max(peak, db[f]);
    }
    const floor = Math.max(peak - RANGE_DB, -70);
    const speaking = new Uint8Array(frames);
    for (let f = 0; f < frames; f++) speaking[f] = db[f] > floor ? 1 : 0;
    fillGaps(speaking, Math.round(BRIDGE_S / HOP_SECONDS), 0);
    fillGaps(speaking, Math.round(MIN_SEGMENT_S / HOP_SECONDS), 1);
    const openness = new Float32Array(frames);
    const spread = new Float32Array(frames);
    const attack = 1 - Math.exp(-HOP_SECONDS / 0.03),
      release = 1 - Math.exp(-HOP_SECONDS / 0.07);
    let o = 0;
    for (let f = 0; f < frames; f++) {
      const target = Math.min(1, Math.max(0, (db[f] - floor) / RANGE_DB)) ** 0.8;
      o += (target - o) * (target > o ? attack : release);
      openness[f] = o;
      // ZCR of voiced vowels sits near 0.02-0.08 per sample at 16 kHz; fricatives above 0.2.
      spread[f] = Math.min(1, Math.max(0, (zcr[f] - 0.04) / 0.2));
    }
    this.speaking = speaking;
    this.openness = openness;
    this.spread = spread;
  }

  private index(t: number): number {
    return Math.min(this.openness.length - 1, Math.max(0, Math.round(t / HOP_SECONDS)));
  }

  /** Ground truth at scene time t: is this person's speech active. */
  speakingAt(t: number): boolean {
    return this.speaking[this.index(t)] === 1;
  }

  /** Mouth opening and lip spread at scene time t (the mouth leads the sound). */
  mouthAt(t: number): { open: number; spread: number } {
    const k = this.index(t + this.lead);
    return { open: this.openness[k], spread: this.spread[k] };
  }
}

/** Turns runs of `value` shorter than `minRun` frames (bounded on both sides) into the other value. */
function fillGaps(x: Uint8Array, minRun: number, value: number): void {
  let f = 0;
  while (f < x.length) {
    if (x[f] !== value) {
      f++;
      continue;
    }
    let g = f;
    while (g < x.length && x[g] === value) g++;
    if (f > 0 && g < x.length && g - f < minRun) x.fill(1 - value, f, g);
    f = g;
  }
}
