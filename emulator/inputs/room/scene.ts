// The far-field scene format (scene.json, or the inline `scene:key=value,...` form) and its
// validation. Everything a render needs is checked here, before anything is built: numbers,
// noise types, files (read and decoded), channel counts, and that every source and
// microphone is inside the room. Errors are InputErrors: one line naming the scene.
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../accel-source.ts";
import type { MicGeometry } from "../mic-source.ts";
import { readSceneObject } from "../scene-file.ts";
import { readWav } from "../wav.ts";
import { NOISE_TYPES, type NoiseType } from "./noise.ts";
import {
  distance,
  insideRoom,
  placeMicrophones,
  pointFromArray,
  sabineAbsorption,
  sabineRt60,
  type Orientation,
  type Vec3,
  type Walls,
} from "./room-geometry.ts";

/** Speech clips shipped with the project (Speech Commands, CC BY 4.0): babble's default voices. */
export const BUNDLED_SPEECH_DIR = fileURLToPath(new URL("./speech/", import.meta.url));
export const BUNDLED_SPEECH = ["yes_1000ms.wav", "no_1000ms.wav", "marvin_617de221_0.wav"];

/** Rendering keeps every microphone's samples (float32): at most this many in all (32 MiB). */
export const MAX_RENDER_SAMPLES = 2 ** 23;
const MAX_SECONDS = 600;

export interface SceneTalker {
  file: string;
  /** Mono samples (the chosen channel), at the file's own rate. */
  samples: Float64Array;
  fileRate: number;
  start: number;
  /** Active speech level in dB SPL at 1 m. */
  level: number;
  position: Vec3;
}

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

export interface Scene {
  label: string;
  seed: number;
  sampleRate: number;
  /** Rendered length in samples. */
  length: number;
  loop: boolean;
  size: Vec3;
  absorption: Walls;
  /** Sabine RT60 of the room in seconds. */
  rt60: number;
  center: Vec3;
  orientation: Orientation;
  mics: Vec3[];
  talkers: SceneTalker[];
  noise: SceneNoise[];
  snr: number | null;
  referenceMic: number;
  /** dBFS at 94 dB SPL (1 Pa). */
  sensitivity: number;
  /** Self-noise level in dBFS, or null for none. */
  selfNoise: number | null;
  /** Gains are drawn uniformly from ±this many dB. */
  gainTolerance: number;
  /** Impulse response length in samples. */
  irLength: number;
}

type Raw = Record<string, unknown>;

const TOP_KEYS = [
  "seed",
  "sampleRate",
  "duration",
  "loop",
  "room",
  "array",
  "talkers",
  "noise",
  "snr",
  "referenceMic",
  "microphones",
  "$comment",
];
const ROOM_KEYS = ["size", "rt60", "absorption"];
const ARRAY_KEYS = ["position", "azimuth", "elevation", "roll"];
const PLACE_KEYS = ["position", "az", "dist", "elevation"];
const TALKER_KEYS = ["file", "channel", "start", "level", ...PLACE_KEYS];
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
const MIC_KEYS = ["sensitivity", "snr", "selfNoise", "gainTolerance"];

export function isRoomSceneSpec(spec: string): boolean {
  const s = spec.trim();
  return s.startsWith("scene:") || s.toLowerCase().endsWith(".json");
}

/** Reads and validates a scene (`scene.json` or `scene:...`) for these microphones. */
export function loadScene(spec: string, geometry: MicGeometry, cwd = process.cwd()): Scene {
  const s = spec.trim();
  if (s.startsWith("scene:"))
    return parseScene(
      inlineToRaw(s),
      `scene '${s.length > 100 ? s.slice(0, 97) + "..." : s}'`,
      cwd,
      geometry,
    );
  const { raw, baseDir } = readSceneObject(s, cwd);
  return parseScene(raw, s, baseDir, geometry);
}

// Inline keys -> scene.json fields.
const INLINE_KEYS = [
  "speech",
  "az",
  "dist",
  "elev",
  "start",
  "level",
  "room",
  "rt60",
  "absorption",
  "noise",
  "noiselevel",
  "snr",
  "seed",
  "duration",
  "rate",
  "loop",
  "at",
];

/** `scene:speech=yes.wav,az=30,dist=2.5,rt60=0.4,noise=babble,snr=5` as a raw scene object. */
function inlineToRaw(spec: string): Raw {
  const label = `scene '${spec}'`;
  const kv = new Map<string, string>();
  for (const part of spec
    .slice("scene:".length)
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p)) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    if (!INLINE_KEYS.includes(key))
      throw new InputError(`${label}: unknown key '${key}' (known: ${INLINE_KEYS.join(", ")})`);
    kv.set(key, eq < 0 ? "true" : part.slice(eq + 1).trim());
  }
  const num = (k: string): unknown => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    return v !== "" && Number.isFinite(n) ? n : v; // the validator names a bad value
  };
  const triple = (k: string): unknown => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const parts = v.split(/[x:]/).map((p) => Number(p));
    return parts.length === 3 && parts.every((p) => Number.isFinite(p)) ? parts : v;
  };
  const raw: Raw = {
    seed: num("seed"),
    sampleRate: num("rate"),
    duration: num("duration"),
    snr: num("snr"),
  };
  if (kv.has("loop")) raw.loop = kv.get("loop") === "true" || kv.get("loop") === "1";
  raw.room = { size: triple("room"), rt60: num("rt60"), absorption: num("absorption") };
  if (kv.has("at")) raw.array = { position: triple("at") };
  if (kv.has("speech"))
    raw.talkers = [
      {
        file: kv.get("speech"),
        az: num("az") ?? 0,
        dist: num("dist") ?? 1,
        elevation: num("elev"),
        start: num("start"),
        level: num("level"),
      },
    ];
  else
    for (const k of ["az", "dist", "elev", "start", "level"])
      if (kv.has(k)) throw new InputError(`${label}: '${k}' needs speech=FILE`);
  if (kv.has("noise")) raw.noise = [{ type: kv.get("noise"), level: num("noiselevel") }];
  return raw;
}

export function parseScene(raw: Raw, label: string, baseDir: string, geometry: MicGeometry): Scene {
  const fail = (msg: string): never => {
    throw new InputError(`${label}: ${msg}`);
  };
  const checkKeys = (obj: Raw, known: string[], where: string) => {
    for (const k of Object.keys(obj))
      if (!known.includes(k)) fail(`unknown key '${where}${k}' (known: ${known.join(", ")})`);
  };
  const obj = (v: unknown, where: string): Raw => {
    if (v === undefined) return {};
    if (!v || typeof v !== "object" || Array.isArray(v)) return fail(`${where} must be an object`);
    return v as Raw;
  };
  const num = (
    v: unknown,
    where: string,
    def: number | undefined,
    min: number,
    max: number,
    opts: { integer?: boolean; above?: boolean } = {},
  ): number => {
    if (v === undefined || v === null) {
      if (def === undefined) return fail(`${where} is required`);
      return def;
    }
    if (typeof v !== "number" || !Number.isFinite(v))
      return fail(`${where} must be a number (got ${JSON.stringify(v)})`);
    if (opts.integer && !Number.isInteger(v)) fail(`${where} must be a whole number (got ${v})`);
    if (opts.above ? !(v > min) : v < min)
      fail(`${where} must be ${opts.above ? ">" : ">="} ${min} (got ${v})`);
    if (v > max) fail(`${where} must be <= ${max} (got ${v})`);
    return v;
  };
  const vec = (v: unknown, where: string): Vec3 => {
    if (!Array.isArray(v) || v.length !== 3)
      return fail(`${where} must be [x, y, z] in metres (got ${JSON.stringify(v)})`);
    return v.map((c, i) => num(c, `${where}[${i}]`, undefined, -1e3, 1e3)) as Vec3;
  };
  const shown = new Map<string, string>(); // resolved path -> as the user wrote it, for messages
  const file = (v: unknown, where: string): string => {
    if (typeof v !== "string" || v.trim() === "") return fail(`${where} must be a file name`);
    const path = resolve(baseDir, v);
    shown.set(path, v);
    return path;
  };
  const wav = (path: string) => {
    try {
      return readWav(path);
    } catch (e) {
      if (e instanceof InputError) fail(e.message.split(path).join(shown.get(path) ?? path));
      throw e;
    }
  };

  checkKeys(raw, TOP_KEYS, "");
  const seed = num(raw.seed, "seed", 1, 0, 2 ** 53, { integer: true });
  const sampleRate = num(raw.sampleRate, "sampleRate", 16000, 8000, 96000, { integer: true });

  const room = obj(raw.room, "room");
  checkKeys(room, ROOM_KEYS, "room.");
  const size = room.size === undefined ? ([5, 4, 2.8] as Vec3) : vec(room.size, "room.size");
  size.forEach((d, i) => num(d, `room.size[${i}]`, undefined, 1, 50));
  let absorption: Walls;
  if (room.absorption !== undefined && room.rt60 !== undefined)
    fail("give room.rt60 or room.absorption, not both");
  if (room.absorption !== undefined) {
    const a = room.absorption;
    const list = Array.isArray(a) ? a : [a, a, a, a, a, a];
    if (list.length !== 6)
      fail(`room.absorption must be one number or six (walls x0, x1, y0, y1, floor, ceiling)`);
    absorption = list.map((v, i) =>
      num(v, `room.absorption${Array.isArray(a) ? `[${i}]` : ""}`, undefined, 0, 1, {
        above: true,
      }),
    ) as Walls;
    if (absorption.some((v) => v >= 1))
      fail("room.absorption must be below 1 (1 is an open window: no reflection at all)");
  } else {
    const rt60 = num(room.rt60, "room.rt60", 0.4, 0.05, 1.5);
    const a = sabineAbsorption(size, rt60);
    if (a >= 1)
      fail(
        `room.rt60 ${rt60} s is too short for a ${size.join(" x ")} m room (Sabine needs absorption ${a.toFixed(2)} >= 1)`,
      );
    absorption = [a, a, a, a, a, a];
  }
  const rt60 = sabineRt60(size, absorption);
  if (rt60 > 1.5) fail(`the room's RT60 is ${rt60.toFixed(2)} s; at most 1.5 s is supported`);

  const arr = obj(raw.array, "array");
  checkKeys(arr, ARRAY_KEYS, "array.");
  const center =
    arr.position === undefined
      ? ([size[0] / 2, size[1] / 2, Math.min(1, size[2] / 2)] as Vec3)
      : vec(arr.position, "array.position");
  const orientation: Orientation = {
    azimuth: num(arr.azimuth, "array.azimuth", 0, -360, 360),
    elevation: num(arr.elevation, "array.elevation", 0, -90, 90),
    roll: num(arr.roll, "array.roll", 0, -360, 360),
  };
  if (geometry.positionsMm.length === 0) fail("the board has no microphones");
  const mics = placeMicrophones(geometry, center, orientation);
  mics.forEach((m, i) => {
    if (!insideRoom(m, size))
      fail(
        `microphone ${i} at [${m.map((v) => v.toFixed(2)).join(", ")}] is outside the ${size.join(" x ")} m room (check array.position)`,
      );
  });

  const place = (o: Raw, where: string): Vec3 => {
    let p: Vec3;
    if (o.position !== undefined) {
      if (o.az !== undefined || o.dist !== undefined || o.elevation !== undefined)
        fail(`${where}: give position or az/dist/elevation, not both`);
      p = vec(o.position, `${where}.position`);
    } else {
      const az = num(o.az, `${where}.az`, undefined, -360, 360);
      const dist = num(o.dist, `${where}.dist`, undefined, 0, 100, { above: true });
      const el = num(o.elevation, `${where}.elevation`, 0, -90, 90);
      p = pointFromArray(center, orientation, az, el, dist);
    }
    if (!insideRoom(p, size))
      fail(
        `${where} at [${p.map((v) => v.toFixed(2)).join(", ")}] is outside the ${size.join(" x ")} m room`,
      );
    mics.forEach((m, i) => {
      if (distance(m, p) < 0.05) fail(`${where} is within 5 cm of microphone ${i}`);
    });
    return p;
  };

  if (raw.talkers !== undefined && !Array.isArray(raw.talkers)) fail("talkers must be a list");
  const talkers = ((raw.talkers ?? []) as unknown[]).map((t, i): SceneTalker => {
    const where = `talkers[${i}]`;
    const o = obj(t, where);
    checkKeys(o, TALKER_KEYS, `${where}.`);
    const path = file(o.file, `${where}.file`);
    const w = wav(path);
    const channel = num(o.channel, `${where}.channel`, 0, 0, 63, { integer: true });
    if (channel >= w.channels.length)
      fail(`${where}: ${o.file} has ${w.channels.length} channel(s), no channel ${channel}`);
    if (w.channels[channel].every((v) => v === 0))
      fail(`${where}: ${o.file} is silent (channel ${channel} is all zeros)`);
    return {
      file: path,
      samples: w.channels[channel],
      fileRate: w.sampleRate,
      start: num(o.start, `${where}.start`, 0, 0, MAX_SECONDS),
      level: num(o.level, `${where}.level`, 60, 0, 130),
      position: place(o, where),
    };
  });

  const snr =
    raw.snr === undefined || raw.snr === null ? null : num(raw.snr, "snr", undefined, -30, 60);
  if (raw.noise !== undefined && !Array.isArray(raw.noise)) fail("noise must be a list");
  const noise = ((raw.noise ?? []) as unknown[]).map((n, i): SceneNoise => {
    const where = `noise[${i}]`;
    const o = obj(n, where);
    checkKeys(o, NOISE_KEYS, `${where}.`);
    const type = o.type;
    if (typeof type !== "string" || !(NOISE_TYPES as readonly string[]).includes(type))
      fail(
        `${where}.type: unknown noise type ${JSON.stringify(type)} (known: ${NOISE_TYPES.join(", ")})`,
      );
    const pointLike = o.position !== undefined || o.az !== undefined || o.dist !== undefined;
    if (o.diffuse !== undefined && typeof o.diffuse !== "boolean")
      fail(`${where}.diffuse must be true or false`);
    const diffuse = o.diffuse === undefined ? !pointLike : (o.diffuse as boolean);
    if (diffuse && pointLike) fail(`${where}: a diffuse noise has no position`);
    const position = diffuse ? null : place(o, where);
    const noiseType = type as NoiseType;
    let clips: { samples: Float64Array; rate: number }[] = [];
    let recording: SceneNoise["recording"] = null;
    if (noiseType === "babble") {
      if (o.files !== undefined && (!Array.isArray(o.files) || o.files.length === 0))
        fail(`${where}.files must be a list of speech WAV files`);
      const files = o.files
        ? (o.files as unknown[]).map((f, j) => file(f, `${where}.files[${j}]`))
        : BUNDLED_SPEECH.map((f) => resolve(BUNDLED_SPEECH_DIR, f));
      clips = files.flatMap((f) => {
        const w = wav(f);
        return w.channels.map((c) => ({ samples: c, rate: w.sampleRate }));
      });
    } else if (o.files !== undefined) fail(`${where}.files is for babble only`);
    if (noiseType === "file") {
      const w = wav(file(o.file, `${where}.file`));
      if (diffuse && w.channels.length < mics.length)
        fail(
          `${where}: ${o.file} has ${w.channels.length} channel(s) but the array has ${mics.length} microphones (a diffuse recording needs one channel per microphone)`,
        );
      recording = {
        channels: diffuse ? w.channels.slice(0, mics.length) : [w.channels[0]],
        rate: w.sampleRate,
      };
    } else if (o.file !== undefined) fail(`${where}.file is for type "file" only`);
    return {
      type: noiseType,
      position,
      level: num(
        o.level,
        `${where}.level`,
        snr === null ? 50 : 0,
        snr === null ? 0 : -60,
        snr === null ? 130 : 60,
      ),
      f0: num(o.f0, `${where}.f0`, 100, 10, 2000),
      harmonics: num(o.harmonics, `${where}.harmonics`, 10, 1, 50, { integer: true }),
      voices: num(o.voices, `${where}.voices`, 6, 1, 32, { integer: true }),
      clips,
      recording,
    };
  });
  if (snr !== null && talkers.length === 0) fail("snr needs at least one talker");
  if (snr !== null && noise.length === 0) fail("snr needs at least one noise source");

  const referenceMic = num(raw.referenceMic, "referenceMic", 0, 0, mics.length - 1, {
    integer: true,
  });
  const micRaw = obj(raw.microphones, "microphones");
  checkKeys(micRaw, MIC_KEYS, "microphones.");
  const sensitivity = num(micRaw.sensitivity, "microphones.sensitivity", -26, -80, 0);
  if (micRaw.selfNoise !== undefined && typeof micRaw.selfNoise !== "boolean")
    fail("microphones.selfNoise must be true or false");
  const micSnr = num(micRaw.snr, "microphones.snr", 65, 20, 140);
  const selfNoise = micRaw.selfNoise === false ? null : sensitivity - micSnr;
  const gainTolerance = num(micRaw.gainTolerance, "microphones.gainTolerance", 1, 0, 6);

  const talkerEnd = Math.max(0, ...talkers.map((t) => t.start + t.samples.length / t.fileRate));
  if (raw.duration === undefined && talkers.length === 0)
    fail("duration is required when there is no talker");
  const duration = num(raw.duration, "duration", talkerEnd + rt60, 0.01, MAX_SECONDS, {
    above: true,
  });
  const length = Math.round(duration * sampleRate);
  if (length * mics.length > MAX_RENDER_SAMPLES) {
    fail(
      `${duration.toFixed(1)} s x ${mics.length} microphones at ${sampleRate} Hz is more than the ${MAX_RENDER_SAMPLES} samples a scene renders at once (use a shorter duration with loop: true)`,
    );
  }
  if (raw.loop !== undefined && typeof raw.loop !== "boolean") fail("loop must be true or false");

  const farthest = Math.max(
    0,
    ...[
      ...talkers.map((t) => t.position),
      ...noise.flatMap((n) => (n.position ? [n.position] : [])),
    ].flatMap((p) => mics.map((m) => distance(p, m))),
  );
  return {
    label,
    seed,
    sampleRate,
    length,
    loop: raw.loop === true,
    size,
    absorption,
    rt60,
    center,
    orientation,
    mics,
    talkers,
    noise,
    snr,
    referenceMic,
    sensitivity,
    selfNoise,
    gainTolerance,
    irLength: Math.ceil((rt60 + farthest / 343) * sampleRate) + 64,
  };
}
