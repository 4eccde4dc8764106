// Renders a validated scene to the signal at every microphone: each talker and point noise
// convolved with its image-source impulse response per microphone, diffuse noise with the
// right inter-microphone coherence, noise scaled to the scene's SNR at the reference
// microphone, then each microphone's sensitivity, gain mismatch and self-noise.
//
// Memory: the result is kept as float32 (4 B per sample per microphone, at most
// MAX_RENDER_SAMPLES in all = 32 MiB); while rendering, speech and noise are float64 per
// microphone, plus a diffuse field's sources and their mix: about 8x the result at the peak
// (the CLI rendering 4 microphones x 130 s peaks at 363 MB RSS, 118 MB for 2 s).
import { activeSpeech, meanPower } from "./active-speech.ts";
import { Convolver } from "./convolve.ts";
import { mixDiffuse, MIXING_TAPS } from "./diffuse.ts";
import { roomImpulseResponse } from "./image-source.ts";
import { babbleNoise, fanNoise, musicNoise, normalise, pinkNoise, whiteNoise } from "./noise.ts";
import { rngFor } from "./prng.ts";
import { reflectionCoefficients, type Vec3 } from "./room-geometry.ts";
import type { Scene, SceneNoise } from "./scene.ts";
import { resample } from "../resample.ts";

export interface RenderedScene {
  /** Microphone outputs in full-scale units (what MicSource.read gives). */
  channels: Float32Array[];
  /** Sound pressure in Pa at each microphone from the talkers, and from the noise (after SNR scaling). */
  speech: Float64Array[];
  noise: Float64Array[];
  /** Each microphone's gain (linear) from the mismatch draw. */
  gains: number[];
  /** SNR at the reference microphone in dB as rendered (active speech over noise), or null. */
  snr: number | null;
}

/** RMS pressure in Pa of a level in dB SPL (94 dB SPL = 1 Pa). */
const pascals = (spl: number) => Math.pow(10, (spl - 94) / 20);

/** The impulse response from a room position to each microphone. */
export function impulseResponses(scene: Scene, from: Vec3): Float64Array[] {
  const room = { size: scene.size, beta: reflectionCoefficients(scene.absorption) };
  return scene.mics.map((m) =>
    roomImpulseResponse(room, from, m, { sampleRate: scene.sampleRate, length: scene.irLength }),
  );
}

export function renderScene(scene: Scene): RenderedScene {
  const { sampleRate: fs, length: n, mics } = scene;
  const speech = mics.map(() => new Float64Array(n));
  const noise = mics.map(() => new Float64Array(n));

  scene.talkers.forEach((t) => {
    const dry = t.fileRate === fs ? t.samples.slice() : resample(t.samples, t.fileRate, fs);
    const level = activeSpeech(dry, fs).power;
    const g = level > 0 ? pascals(t.level) / Math.sqrt(level) : 0;
    const at = Math.round(t.start * fs);
    impulseResponses(scene, t.position).forEach((h, m) =>
      new Convolver(h).addInto(speech[m], dry, at, g),
    );
  });

  scene.noise.forEach((spec, i) => {
    const g = pascals(spec.level + (scene.snr === null ? 0 : 94)); // relative levels when an SNR is set
    if (spec.position) {
      // Start in steady state: the reverberation of noise from before t = 0 is already there.
      const src = noiseSignal(spec, scene, i, 0, n + scene.irLength);
      impulseResponses(scene, spec.position).forEach((h, m) =>
        new Convolver(h).addInto(noise[m], src, -scene.irLength, g),
      );
    } else if (spec.recording) {
      spec.recording.channels.forEach((c, m) => {
        const x = normalise(
          loopTo(spec.recording!.rate === fs ? c : resample(c, spec.recording!.rate, fs), n),
        );
        for (let k = 0; k < n; k++) noise[m][k] += g * x[k];
      });
    } else {
      const sources = diffuseSources(spec, scene, i, n + MIXING_TAPS);
      mixDiffuse(mics, fs, sources, n).forEach((x, m) => {
        for (let k = 0; k < n; k++) noise[m][k] += g * x[k];
      });
    }
  });

  let snr: number | null = null;
  if (scene.snr !== null) {
    const ref = scene.referenceMic;
    const ps = activeSpeech(speech[ref], fs).power;
    const pn = meanPower(noise[ref]);
    if (ps > 0 && pn > 0) {
      const g = Math.sqrt(ps / (pn * Math.pow(10, scene.snr / 10)));
      for (const x of noise) for (let k = 0; k < n; k++) x[k] *= g;
      snr = 10 * Math.log10(ps / meanPower(noise[ref]));
    }
  }

  const gainRng = rngFor(scene.seed, "microphone gains");
  const gains = mics.map(() =>
    Math.pow(10, gainRng.between(-scene.gainTolerance, scene.gainTolerance) / 20),
  );
  const fullScalePerPa = Math.pow(10, scene.sensitivity / 20);
  const channels = mics.map((_, m) => {
    const out = new Float32Array(n);
    const g = gains[m] * fullScalePerPa;
    const self = scene.selfNoise === null ? null : rngFor(scene.seed, `self-noise ${m}`);
    const selfRms = scene.selfNoise === null ? 0 : Math.pow(10, scene.selfNoise / 20);
    for (let k = 0; k < n; k++)
      out[k] = g * (speech[m][k] + noise[m][k]) + (self ? selfRms * self.gaussian() : 0);
    return out;
  });
  return { channels, speech, noise, gains, snr };
}

/** A unit-power noise signal of `len` samples for noise source `index`, stream `m` (one per microphone for diffuse fields). */
function noiseSignal(
  spec: SceneNoise,
  scene: Scene,
  index: number,
  m: number,
  len: number,
): Float64Array {
  const rng = rngFor(scene.seed, `noise ${index} ${m}`);
  const fs = scene.sampleRate;
  switch (spec.type) {
    case "white":
      return whiteNoise(len, rng);
    case "pink":
      return pinkNoise(len, fs, rng);
    case "fan":
      return fanNoise(len, fs, rng, { f0: spec.f0, harmonics: spec.harmonics });
    case "music":
      return musicNoise(len, fs, rng);
    case "babble":
      return babbleNoise(len, fs, rng, {
        voices: spec.voices,
        clips: spec.clips.map((c) => (c.rate === fs ? c.samples : resample(c.samples, c.rate, fs))),
      });
    case "file": {
      const r = spec.recording!;
      return normalise(
        loopTo(r.rate === fs ? r.channels[0] : resample(r.channels[0], r.rate, fs), len),
      );
    }
  }
}

/** Decay time constant of the diffusion filters that spread one fan or music signal over a field. */
const DIFFUSION_TAU_SECONDS = 0.03;

/**
 * One unit-power signal per microphone for a diffuse field, mutually uncorrelated. Noise-like
 * types (white, pink, babble) draw independent signals. A fan or music is one signal: a
 * diffuse field of it is that signal arriving from everywhere with random delays, so each
 * stream is the same signal through its own random, exponentially decaying filter (like a
 * short reverberation tail), which decorrelates the streams but keeps the tune and the hum.
 */
function diffuseSources(
  spec: SceneNoise,
  scene: Scene,
  index: number,
  len: number,
): Float64Array[] {
  if (spec.type !== "fan" && spec.type !== "music")
    return scene.mics.map((_, m) => noiseSignal(spec, scene, index, m, len));
  const fs = scene.sampleRate;
  const taps = Math.round(5 * DIFFUSION_TAU_SECONDS * fs);
  const signal = noiseSignal(spec, scene, index, 0, len + taps);
  return scene.mics.map((_, m) => {
    const rng = rngFor(scene.seed, `noise ${index} diffusion ${m}`);
    const h = new Float64Array(taps);
    for (let k = 0; k < taps; k++)
      h[k] = rng.gaussian() * Math.exp(-k / (DIFFUSION_TAU_SECONDS * fs));
    const out = new Float64Array(len);
    new Convolver(h).addInto(out, signal, -taps);
    return normalise(out);
  });
}

/** `x` repeated to exactly `len` samples. */
function loopTo(x: Float64Array, len: number): Float64Array {
  const out = new Float64Array(len);
  if (x.length === 0) return out;
  for (let i = 0; i < len; i++) out[i] = x[i % x.length];
  return out;
}
