// The far-field scene format (scene.json, or the inline `scene:key=value,...` form) and its
// validation. Everything a render needs is checked here, before anything is built: numbers,
// noise types, files (read and decoded), channel counts, and that every source and
// microphone is inside the room. Errors are InputErrors: one line naming the scene.
import type { MicGeometry } from "../mic-source.ts";
import { readSceneObject } from "../scene-file.ts";
import { SceneFields, type Raw } from "../scene-fields.ts";
import { inlineToRaw } from "./inline-scene.ts";
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
import { parseNoise, PLACE_KEYS, type SceneNoise } from "./scene-noise.ts";

export { BUNDLED_SPEECH, BUNDLED_SPEECH_DIR, type SceneNoise } from "./scene-noise.ts";

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
const TALKER_KEYS = ["file", "channel", "start", "level", ...PLACE_KEYS];
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

export function parseScene(raw: Raw, label: string, baseDir: string, geometry: MicGeometry): Scene {
  const f = new SceneFields(label, baseDir);
  f.keys(raw, TOP_KEYS, "");
  const seed = f.num(raw.seed, "seed", 1, 0, 2 ** 53, { integer: true });
  const sampleRate = f.num(raw.sampleRate, "sampleRate", 16000, 8000, 96000, { integer: true });

  const room = f.obj(raw.room, "room");
  f.keys(room, ROOM_KEYS, "room.");
  const size = room.size === undefined ? ([5, 4, 2.8] as Vec3) : f.vec(room.size, "room.size");
  size.forEach((d, i) => f.num(d, `room.size[${i}]`, undefined, 1, 50));
  let absorption: Walls;
  if (room.absorption !== undefined && room.rt60 !== undefined)
    f.fail("give room.rt60 or room.absorption, not both");
  if (room.absorption !== undefined) {
    const a = room.absorption;
    const list = Array.isArray(a) ? a : [a, a, a, a, a, a];
    if (list.length !== 6)
      f.fail(`room.absorption must be one number or six (walls x0, x1, y0, y1, floor, ceiling)`);
    absorption = list.map((v, i) =>
      f.num(v, `room.absorption${Array.isArray(a) ? `[${i}]` : ""}`, undefined, 0, 1, {
        above: true,
      }),
    ) as Walls;
    if (absorption.some((v) => v >= 1))
      f.fail("room.absorption must be below 1 (1 is an open window: no reflection at all)");
  } else {
    const rt60 = f.num(room.rt60, "room.rt60", 0.4, 0.05, 1.5);
    const a = sabineAbsorption(size, rt60);
    if (a >= 1)
      f.fail(
        `room.rt60 ${rt60} s is too short for a ${size.join(" x ")} m room (Sabine needs absorption ${a.toFixed(2)} >= 1)`,
      );
    absorption = [a, a, a, a, a, a];
  }
  const rt60 = sabineRt60(size, absorption);
  if (rt60 > 1.5) f.fail(`the room's RT60 is ${rt60.toFixed(2)} s; at most 1.5 s is supported`);

  const arr = f.obj(raw.array, "array");
  f.keys(arr, ARRAY_KEYS, "array.");
  const center =
    arr.position === undefined
      ? ([size[0] / 2, size[1] / 2, Math.min(1, size[2] / 2)] as Vec3)
      : f.vec(arr.position, "array.position");
  const orientation: Orientation = {
    azimuth: f.num(arr.azimuth, "array.azimuth", 0, -360, 360),
    elevation: f.num(arr.elevation, "array.elevation", 0, -90, 90),
    roll: f.num(arr.roll, "array.roll", 0, -360, 360),
  };
  if (geometry.positionsMm.length === 0) f.fail("the board has no microphones");
  const mics = placeMicrophones(geometry, center, orientation);
  mics.forEach((m, i) => {
    if (!insideRoom(m, size))
      f.fail(
        `microphone ${i} at [${m.map((v) => v.toFixed(2)).join(", ")}] is outside the ${size.join(" x ")} m room (check array.position)`,
      );
  });

  const place = (o: Raw, where: string): Vec3 => {
    let p: Vec3;
    if (o.position !== undefined) {
      if (o.az !== undefined || o.dist !== undefined || o.elevation !== undefined)
        f.fail(`${where}: give position or az/dist/elevation, not both`);
      p = f.vec(o.position, `${where}.position`);
    } else {
      const az = f.num(o.az, `${where}.az`, undefined, -360, 360);
      const dist = f.num(o.dist, `${where}.dist`, undefined, 0, 100, { above: true });
      const el = f.num(o.elevation, `${where}.elevation`, 0, -90, 90);
      p = pointFromArray(center, orientation, az, el, dist);
    }
    if (!insideRoom(p, size))
      f.fail(
        `${where} at [${p.map((v) => v.toFixed(2)).join(", ")}] is outside the ${size.join(" x ")} m room`,
      );
    mics.forEach((m, i) => {
      if (distance(m, p) < 0.05) f.fail(`${where} is within 5 cm of microphone ${i}`);
    });
    return p;
  };

  const talkers = f.list(raw.talkers, "talkers").map((t, i): SceneTalker => {
    const where = `talkers[${i}]`;
    const o = f.obj(t, where);
    f.keys(o, TALKER_KEYS, `${where}.`);
    const path = f.file(o.file, `${where}.file`);
    const w = f.wav(path);
    const channel = f.num(o.channel, `${where}.channel`, 0, 0, 63, { integer: true });
    if (channel >= w.channels.length)
      f.fail(`${where}: ${o.file} has ${w.channels.length} channel(s), no channel ${channel}`);
    if (w.channels[channel].every((v) => v === 0))
      f.fail(`${where}: ${o.file} is silent (channel ${channel} is all zeros)`);
    return {
      file: path,
      samples: w.channels[channel],
      fileRate: w.sampleRate,
      start: f.num(o.start, `${where}.start`, 0, 0, MAX_SECONDS),
      level: f.num(o.level, `${where}.level`, 60, 0, 130),
      position: place(o, where),
    };
  });

  const snr =
    raw.snr === undefined || raw.snr === null ? null : f.num(raw.snr, "snr", undefined, -30, 60);
  const noise = f
    .list(raw.noise, "noise")
    .map((n, i) => parseNoise(f, n, `noise[${i}]`, mics.length, snr, place));
  if (snr !== null && talkers.length === 0) f.fail("snr needs at least one talker");
  if (snr !== null && noise.length === 0) f.fail("snr needs at least one noise source");

  const referenceMic = f.num(raw.referenceMic, "referenceMic", 0, 0, mics.length - 1, {
    integer: true,
  });
  const micRaw = f.obj(raw.microphones, "microphones");
  f.keys(micRaw, MIC_KEYS, "microphones.");
  const sensitivity = f.num(micRaw.sensitivity, "microphones.sensitivity", -26, -80, 0);
  f.bool(micRaw.selfNoise, "microphones.selfNoise", true);
  const micSnr = f.num(micRaw.snr, "microphones.snr", 65, 20, 140);
  const selfNoise = micRaw.selfNoise === false ? null : sensitivity - micSnr;
  const gainTolerance = f.num(micRaw.gainTolerance, "microphones.gainTolerance", 1, 0, 6);

  const talkerEnd = Math.max(0, ...talkers.map((t) => t.start + t.samples.length / t.fileRate));
  if (raw.duration === undefined && talkers.length === 0)
    f.fail("duration is required when there is no talker");
  const duration = f.num(raw.duration, "duration", talkerEnd + rt60, 0.01, MAX_SECONDS, {
    above: true,
  });
  const length = Math.round(duration * sampleRate);
  if (length * mics.length > MAX_RENDER_SAMPLES) {
    f.fail(
      `${duration.toFixed(1)} s x ${mics.length} microphones at ${sampleRate} Hz is more than the ${MAX_RENDER_SAMPLES} samples a scene renders at once (use a shorter duration with loop: true)`,
    );
  }
  const loop = f.bool(raw.loop, "loop", false);

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
    loop,
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
