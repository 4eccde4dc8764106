// A scene's noise sources (`noise: [...]` in scene.json): type, diffuse or placed, level, and
// the files babble and recordings play, all checked before anything renders.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Raw, SceneFields } from "../scene-fields.ts";
import { NOISE_TYPES, type NoiseType } from "./noise.ts";
import type { Vec3 } from "./room-geometry.ts";

/** Speech clips shipped with the project (Speech Commands, CC BY 4.0): babble's default voices. */
export const BUNDLED_SPEECH_DIR = fileURLToPath(new URL("./speech/", import.meta.url));
export const BUNDLED_SPEECH = ["yes_1000ms.wav", "no_1000ms.wav", "marvin_617de221_0.wav"];

export const PLACE_KEYS = ["position", "az", "dist", "elevation"];
const NOISE_KEYS = [
  "type",
  "diffuse",
  "level",
  "file",
  "files",
  "voices",
  "f0",
  "harmonics",
  ...PLACE_KEYS,
];

export interface SceneNoise {
  type: NoiseType;
  /** Point source position, or null for a diffuse field. */
  position: Vec3 | null;
  /** dB SPL (at 1 m for a point source, at each microphone for diffuse), or relative dB when the scene sets an SNR. */
  level: number;
  f0: number;
  harmonics: number;
  voices: number;
  /** Babble's speech clips (mono, file rate) or the recording's channels. */
  clips: { samples: Float64Array; rate: number }[];
  recording: { channels: Float64Array[]; rate: number } | null;
}

/** Checks `noise[i]`; `place` puts a point source in the room, `snr` (or null) sets what level means. */
export function parseNoise(
  f: SceneFields,
  n: unknown,
  where: string,
  micCount: number,
  snr: number | null,
  place: (o: Raw, where: string) => Vec3,
): SceneNoise {
  const o = f.obj(n, where);
  f.keys(o, NOISE_KEYS, `${where}.`);
  const type = o.type;
  if (typeof type !== "string" || !(NOISE_TYPES as readonly string[]).includes(type))
    f.fail(
      `${where}.type: unknown noise type ${JSON.stringify(type)} (known: ${NOISE_TYPES.join(", ")})`,
    );
  const pointLike = o.position !== undefined || o.az !== undefined || o.dist !== undefined;
  const diffuse = f.bool(o.diffuse, `${where}.diffuse`, !pointLike);
  if (diffuse && pointLike) f.fail(`${where}: a diffuse noise has no position`);
  const position = diffuse ? null : place(o, where);
  const noiseType = type as NoiseType;
  let clips: SceneNoise["clips"] = [];
  let recording: SceneNoise["recording"] = null;
  if (noiseType === "babble") {
    if (o.files !== undefined && (!Array.isArray(o.files) || o.files.length === 0))
      f.fail(`${where}.files must be a list of speech WAV files`);
    const files = o.files
      ? (o.files as unknown[]).map((file, j) => f.file(file, `${where}.files[${j}]`))
      : BUNDLED_SPEECH.map((file) => resolve(BUNDLED_SPEECH_DIR, file));
    clips = files.flatMap((file) => {
      const w = f.wav(file);
      return w.channels.map((c) => ({ samples: c, rate: w.sampleRate }));
    });
  } else if (o.files !== undefined) f.fail(`${where}.files is for babble only`);
  if (noiseType === "file") {
    const w = f.wav(f.file(o.file, `${where}.file`));
    if (diffuse && w.channels.length < micCount)
      f.fail(
        `${where}: ${o.file} has ${w.channels.length} channel(s) but the array has ${micCount} microphones (a diffuse recording needs one channel per microphone)`,
      );
    recording = {
      channels: diffuse ? w.channels.slice(0, micCount) : [w.channels[0]],
      rate: w.sampleRate,
    };
  } else if (o.file !== undefined) f.fail(`${where}.file is for type "file" only`);
  return {
    type: noiseType,
    position,
    level: f.num(
      o.level,
      `${where}.level`,
      snr === null ? 50 : 0,
      snr === null ? 0 : -60,
      snr === null ? 130 : 60,
    ),
    f0: f.num(o.f0, `${where}.f0`, 100, 10, 2000),
    harmonics: f.num(o.harmonics, `${where}.harmonics`, 10, 1, 50, { integer: true }),
    voices: f.num(o.voices, `${where}.voices`, 6, 1, 32, { integer: true }),
    clips,
    recording,
  };
}
