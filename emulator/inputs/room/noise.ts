// Noise signals for room scenes, each returned at unit mean power (the scene sets its level):
// white, pink (−3 dB per octave), babble (several voices made from speech clips), fan (blade
// hum with harmonics over airflow noise) and music-like (melody, chords, bass, drums).
import { Convolver, firFromResponse } from "./convolve.ts";
import { activeSpeech, meanPower } from "./active-speech.ts";
import { resample } from "../resample.ts";
import type { Rng } from "./prng.ts";

export const NOISE_TYPES = ["white", "pink", "babble", "fan", "music", "file"] as const;
export type NoiseType = (typeof NOISE_TYPES)[number];

export interface FanParams {
  /** Blade-passing frequency in Hz (rpm / 60 × blades). */
  f0: number;
  harmonics: number;
}

export interface BabbleParams {
  voices: number;
  /** Mono speech clips at the scene's rate. */
  clips: Float64Array[];
}

export function normalise(x: Float64Array): Float64Array {
  const p = meanPower(x);
  if (p > 0) {
    const g = 1 / Math.sqrt(p);
    for (let i = 0; i < x.length; i++) x[i] *= g;
  }
  return x;
}

export function whiteNoise(n: number, rng: Rng): Float64Array {
  return rng.fillGaussian(new Float64Array(n));
}

const PINK_FLOOR_HZ = 20; // flat below: a finite filter cannot follow 1/f to DC

/** Gaussian noise with power density ∝ 1/f above 20 Hz. */
export function pinkNoise(n: number, fs: number, rng: Rng): Float64Array {
  const taps = 2 * Math.ceil(fs / PINK_FLOOR_HZ) + 1; // resolves the 20 Hz corner
  const h = firFromResponse((f) => 1 / Math.sqrt(Math.max(f, PINK_FLOOR_HZ)), fs, taps);
  const white = whiteNoise(n + taps, rng);
  const out = new Float64Array(n);
  // Skip the filter's warm-up: output sample i sees taps of fully random input.
  new Convolver(h).addInto(out, white, -(taps - 1));
  return normalise(out);
}

/** Fan noise: blade-passing hum with 1/k harmonics, slowly wobbling speed, pink airflow noise 6 dB below. */
export function fanNoise(n: number, fs: number, rng: Rng, p: FanParams): Float64Array {
  const out = new Float64Array(n);
  const count = Math.min(p.harmonics, Math.ceil(fs / 2 / p.f0) - 1); // below Nyquist
  // Each harmonic k is the fundamental's phasor to the power k times a random start phase;
  // the fundamental advances by the (wobbling) blade-passing frequency each sample.
  const startRe = new Float64Array(count),
    startIm = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const ph = rng.between(0, 2 * Math.PI);
    startRe[k] = Math.cos(ph);
    startIm[k] = Math.sin(ph);
  }
  // Speed wobble: a random walk pulled back to 0, about ±0.3 % over seconds.
  let wobble = 0;
  const pull = 1 / fs; // ~1 s memory
  const step = 0.003 * Math.sqrt(2 * pull);
  let phase = 0;
  let tonal = 0;
  for (let i = 0; i < n; i++) {
    wobble += -pull * wobble + step * rng.gaussian();
    phase += (2 * Math.PI * p.f0 * (1 + wobble)) / fs;
    if (phase > 2 * Math.PI) phase -= 2 * Math.PI;
    const c = Math.cos(phase),
      s1 = Math.sin(phase);
    let zr = 1,
      zi = 0,
      s = 0;
    for (let k = 0; k < count; k++) {
      const t = zr * c - zi * s1; // z = e^(j(k+1)·phase)
      zi = zr * s1 + zi * c;
      zr = t;
      s += (zi * startRe[k] + zr * startIm[k]) / (k + 1); // sin((k+1)·phase + start_k)
    }
    out[i] = s;
    tonal += s * s;
  }
  tonal /= n || 1;
  const air = pinkNoise(n, fs, rng);
  const g = Math.sqrt(tonal / 4); // −6 dB
  for (let i = 0; i < n; i++) out[i] += g * air[i];
  return normalise(out);
}

// Music-like: A minor pentatonic melody over an Am–F–C–G progression, bass on the roots,
// kick drum on beats 1 and 3 and closed hi-hats on the off-beats.
const CHORDS = [
  [220.0, 261.63, 329.63],
  [174.61, 220.0, 261.63],
  [261.63, 329.63, 392.0],
  [196.0, 246.94, 293.66],
];
const PENTATONIC = [0, 3, 5, 7, 10, 12, 15, 17, 19, 22].map((s) => 220 * Math.pow(2, s / 12));

export function musicNoise(n: number, fs: number, rng: Rng): Float64Array {
  const out = new Float64Array(n);
  const beat = 60 / rng.between(90, 130);
  const beatSamples = Math.round(beat * fs);
  const tone = (
    start: number,
    len: number,
    f: number,
    amp: number,
    harmonics: number,
    decay: number,
  ) => {
    const attack = Math.round(0.01 * fs);
    for (let k = 1; k <= harmonics && k * f < fs / 2; k++) {
      const w = (2 * Math.PI * k * f) / fs;
      const a = amp / Math.pow(k, 1.5);
      for (let i = 0; i < len && start + i < n; i++) {
        const env = Math.min(1, i / attack) * Math.exp(-i / (decay * fs));
        out[start + i] += a * env * Math.sin(w * i);
      }
    }
  };
  for (let b = 0, at = 0; at < n; b++, at += beatSamples) {
    const chord = CHORDS[Math.floor(b / 4) % 4];
    if (b % 4 === 0) for (const f of chord) tone(at, 4 * beatSamples, f, 0.15, 4, 2 * beat); // pad
    if (b % 2 === 0) tone(at, 2 * beatSamples, chord[0] / 2, 0.4, 6, beat); // bass
    if (rng.uniform() < 0.8)
      tone(at, beatSamples, PENTATONIC[rng.below(PENTATONIC.length)], 0.3, 6, 0.4 * beat); // melody
    if (b % 2 === 0) {
      // kick: a falling sine, 100 -> 50 Hz
      let ph = 0;
      for (let i = 0; i < 0.15 * fs && at + i < n; i++) {
        ph += (2 * Math.PI * (50 + 50 * Math.exp(-i / (0.03 * fs)))) / fs;
        out[at + i] += 0.6 * Math.exp(-i / (0.05 * fs)) * Math.sin(ph);
      }
    }
    // hi-hat: differenced (high-passed) white noise, 20 ms decay
    const hat = at + Math.round(beatSamples / 2);
    let prev = 0;
    for (let i = 0; i < 0.08 * fs && hat + i < n; i++) {
      const w = rng.gaussian();
      out[hat + i] += 0.08 * Math.exp(-i / (0.02 * fs)) * (w - prev);
      prev = w;
    }
  }
  return normalise(out);
}

/**
 * Babble: `voices` talkers at once, each a stream of the clips (trimmed to their active part,
 * levelled, played 0.8–1.25x faster or slower so the same words make different voices)
 * separated by short random pauses, each voice starting at a random point.
 */
export function babbleNoise(n: number, fs: number, rng: Rng, p: BabbleParams): Float64Array {
  const words = p.clips
    .map((c) => {
      const a = activeSpeech(c, fs);
      const w = c.slice(a.start, a.end);
      const g = a.power > 0 ? 1 / Math.sqrt(a.power) : 0;
      for (let i = 0; i < w.length; i++) w[i] *= g;
      return w;
    })
    .filter((w) => w.length > 0);
  const out = new Float64Array(n);
  if (words.length === 0) return out;
  const speeds = [0.8, 0.9, 1.0, 1.1, 1.25];
  const variants = new Map<string, Float64Array>();
  const variant = (w: number, s: number) => {
    const key = `${w}:${s}`;
    let v = variants.get(key);
    if (!v) {
      // Played back faster: fewer samples at the same rate (pitch and tempo both change).
      v = resample(words[w], Math.round((fs * speeds[s]) / 100) * 100, fs);
      variants.set(key, v);
    }
    return v;
  };
  for (let voice = 0; voice < p.voices; voice++) {
    const s = rng.below(speeds.length);
    let at = -rng.below(Math.round(fs)); // start mid-word
    while (at < n) {
      const v = variant(rng.below(words.length), s);
      const g = Math.pow(10, rng.between(-3, 3) / 20);
      for (let i = Math.max(0, -at); i < v.length && at + i < n; i++) out[at + i] += g * v[i];
      at += v.length + Math.round(rng.between(0.05, 0.3) * fs);
    }
  }
  return normalise(out);
}
