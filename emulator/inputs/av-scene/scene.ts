// The audio-visual scene format (meeting.json): a room (emulator/inputs/room/) with a device
// (camera and microphone array in one housing), people at seats, each with speech clips on a
// shared timeline, their looks, and distractor events; talkers out of view; noise. One
// timeline drives the camera (face-render.ts) and the microphones (the room render), so lips
// and sound stay in sync to the sample. Validation happens here, before anything renders:
// every error is one InputError line naming the scene and the field.
// The device's pose: `device.azimuth` is where the camera looks (room degrees); the microphones
// sit around the camera in the board's frame, turned so that the camera's axis lies at the
// board's microphones.cameraAxisDeg (boards/*.json; 0 when absent: along the board's +x). That
// angle is the product's mounting choice (RT1170: 90, so its pair lies across the image).
import { resolve } from "node:path";
import { InputError } from "../accel-source.ts";
import type { MicGeometry } from "../mic-source.ts";
import { readSceneObject } from "../scene-file.ts";
import { readWav } from "../wav.ts";
import { parseScene, type Scene } from "../room/scene.ts";
import {
  apply,
  insideRoom,
  pointFromArray,
  rotation,
  type Orientation,
  type Vec3,
} from "../room/room-geometry.ts";
import { SpeechTrack, type SpeechClip } from "./speech-track.ts";

export const EVENT_TYPES = ["mouthing", "chewing", "smile", "hand", "turned"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const HAIR_COLOURS = ["black", "brown", "blonde", "grey", "red"] as const;
export const HAIR_STYLES = ["short", "long", "bald"] as const;
/** Skin tones, light to dark (sRGB albedo, roughly Fitzpatrick I..VI). */
export const SKIN_TONES: readonly (readonly [number, number, number])[] = [
  [250, 220, 196],
  [236, 192, 160],
  [220, 170, 132],
  [190, 130, 94],
  [138, 88, 58],
  [92, 60, 42],
];
/** Head half-width and half-height in metres (a 16 x 22 cm head). */
export const HEAD_HALF: readonly [number, number] = [0.08, 0.11];
const MAX_SECONDS = 120;

export interface SceneEvent {
  type: EventType;
  start: number;
  end: number;
}

export interface Person {
  name: string;
  /** Head centre in the room (m). */
  position: Vec3;
  /** Head box in the image as fractions of width/height: centre and half sizes. */
  box: { cx: number; cy: number; hw: number; hh: number };
  skin: number;
  hair: (typeof HAIR_COLOURS)[number];
  hairStyle: (typeof HAIR_STYLES)[number];
  glasses: boolean;
  shirt: [number, number, number];
  track: SpeechTrack;
  events: SceneEvent[];
  /** Per-person phase for head motion and blinks. */
  phase: number;
}

export interface CameraLook {
  /** Horizontal field of view in degrees. */
  fov: number;
  /** Sensor noise, standard deviation in 8-bit codes. */
  noise: number;
  /** Lens blur radius in pixels at 160 px width (scales with the resolution). */
  blur: number;
  /** Light direction (towards the light) in the camera frame: x right, y up, z towards the camera. */
  light: Vec3;
  ambient: number;
  exposure: number;
}

export interface AvScene {
  label: string;
  seed: number;
  duration: number;
  camera: CameraLook;
  people: Person[];
  /** The audio side: a room scene (people's speech and off-screen talkers as talkers), or null without microphones. */
  room: Scene | null;
}

type Raw = Record<string, unknown>;
const TOP_KEYS = [
  "$comment",
  "seed",
  "duration",
  "avLead",
  "room",
  "device",
  "camera",
  "people",
  "offscreen",
  "noise",
  "snr",
  "microphones",
];
const CAMERA_KEYS = ["fov", "noise", "blur", "light", "ambient", "exposure"];
const PERSON_KEYS = [
  "name",
  "az",
  "dist",
  "height",
  "skin",
  "hair",
  "hairStyle",
  "glasses",
  "shirt",
  "level",
  "speech",
  "events",
];
const CLIP_KEYS = ["file", "start", "channel"];
const EVENT_KEYS = ["type", "start", "end"];
const OFFSCREEN_KEYS = ["file", "start", "channel", "az", "dist", "height", "level"];

export function isAvSceneSpec(spec: string): boolean {
  return spec.trim().toLowerCase().endsWith(".json");
}

/** Reads and validates meeting.json; `geometry` places the microphones (none: no audio side). */
export function loadAvScene(spec: string, geometry: MicGeometry, cwd = process.cwd()): AvScene {
  const s = spec.trim();
  if (!isAvSceneSpec(s))
    throw new InputError(
      `scene input '${s}': expected a .json scene file (see emulator/inputs/av-scene/)`,
    );
  const { raw, baseDir } = readSceneObject(s, cwd);
  return parseAvScene(raw, s, baseDir, geometry);
}

export function parseAvScene(
  raw: Raw,
  label: string,
  baseDir: string,
  geometry: MicGeometry,
): AvScene {
  const fail = (msg: string): never => {
    throw new InputError(`${label}: ${msg}`);
  };
  const keys = (o: Raw, known: string[], where: string) => {
    for (const k of Object.keys(o))
      if (!known.includes(k)) fail(`unknown key '${where}${k}' (known: ${known.join(", ")})`);
  };
  const obj = (v: unknown, where: string): Raw => {
    if (v === undefined) return {};
    if (!v || typeof v !== "object" || Array.isArray(v)) return fail(`${where} must be an object`);
    return v as Raw;
  };
  const list = (v: unknown, where: string): unknown[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail(`${where} must be a list`);
    return v;
  };
  const num = (
    v: unknown,
    where: string,
    def: number | undefined,
    min: number,
    max: number,
    integer = false,
  ): number => {
    if (v === undefined) return def === undefined ? fail(`${where} is required`) : def;
    if (typeof v !== "number" || !Number.isFinite(v))
      return fail(`${where} must be a number (got ${JSON.stringify(v)})`);
    if (integer && !Number.isInteger(v)) fail(`${where} must be a whole number (got ${v})`);
    if (v < min || v > max) fail(`${where} must be between ${min} and ${max} (got ${v})`);
    return v;
  };
  const oneOf = <T extends string>(v: unknown, where: string, known: readonly T[], def: T): T => {
    if (v === undefined) return def;
    if (typeof v !== "string" || !known.includes(v as T))
      return fail(`${where} must be one of ${known.join(", ")} (got ${JSON.stringify(v)})`);
    return v as T;
  };
  const readClip = (o: Raw, where: string): SpeechClip & { file: string; channel: number } => {
    if (typeof o.file !== "string" || o.file.trim() === "")
      return fail(`${where}.file must be a WAV file name`);
    const path = resolve(baseDir, o.file);
    let w;
    try {
      w = readWav(path);
    } catch (e) {
      if (e instanceof InputError) return fail(`${where}: ${e.message.split(path).join(o.file)}`);
      throw e;
    }
    const channel = num(o.channel, `${where}.channel`, 0, 0, 63, true);
    if (channel >= w.channels.length)
      fail(`${where}: ${o.file} has ${w.channels.length} channel(s), no channel ${channel}`);
    return {
      file: o.file,
      channel,
      samples: w.channels[channel],
      rate: w.sampleRate,
      start: num(o.start, `${where}.start`, 0, 0, MAX_SECONDS),
    };
  };

  keys(raw, TOP_KEYS, "");
  const seed = num(raw.seed, "seed", 1, 0, 2 ** 32, true);
  const lead = num(raw.avLead, "avLead", 0.04, -0.2, 0.2);
  const roomRaw = obj(raw.room, "room");
  const size = (Array.isArray(roomRaw.size) ? roomRaw.size : [5, 4, 2.8]) as Vec3;
  const device = obj(raw.device, "device");
  keys(device, ["position", "azimuth", "elevation"], "device.");
  const center = (device.position ?? [size[0] / 2, 0.3, 1.0]) as Vec3;
  if (
    !Array.isArray(center) ||
    center.length !== 3 ||
    center.some((c) => typeof c !== "number" || !Number.isFinite(c))
  )
    fail("device.position must be [x, y, z] in metres");
  if (
    Array.isArray(size) &&
    size.length === 3 &&
    size.every((c) => typeof c === "number") &&
    !insideRoom(center, size)
  )
    fail(`device.position [${center.join(", ")}] is outside the ${size.join(" x ")} m room`);
  const orientation: Orientation = {
    azimuth: num(device.azimuth, "device.azimuth", 90, -360, 360),
    elevation: num(device.elevation, "device.elevation", 0, -45, 45),
    roll: 0,
  };
  const rot = rotation(orientation);

  const cam = obj(raw.camera, "camera");
  keys(cam, CAMERA_KEYS, "camera.");
  let light: Vec3 = [-0.5, 0.6, 0.8];
  if (cam.light !== undefined) {
    if (!Array.isArray(cam.light) || cam.light.length !== 3)
      fail(
        "camera.light must be [x, y, z] (towards the light: x right, y up, z towards the camera)",
      );
    light = (cam.light as unknown[]).map((v, i) =>
      num(v, `camera.light[${i}]`, undefined, -10, 10),
    ) as Vec3;
    if (Math.hypot(...light) === 0) fail("camera.light must not be [0, 0, 0]");
  }
  const camera: CameraLook = {
    fov: num(cam.fov, "camera.fov", 62, 20, 120),
    noise: num(cam.noise, "camera.noise", 2, 0, 40),
    blur: num(cam.blur, "camera.blur", 0.6, 0, 4),
    light,
    ambient: num(cam.ambient, "camera.ambient", 0.35, 0, 1),
    exposure: num(cam.exposure, "camera.exposure", 1, 0.2, 3),
  };
  const focal = 0.5 / Math.tan((camera.fov * Math.PI) / 360); // in image widths
  const aspect = 4 / 3; // every sensor mode is 4:3
  /** Camera-frame (forward, left, up) of a room point. */
  const toCamera = (p: Vec3): Vec3 => {
    const d = [p[0] - center[0], p[1] - center[1], p[2] - center[2]];
    return [
      rot[0] * d[0] + rot[3] * d[1] + rot[6] * d[2],
      rot[1] * d[0] + rot[4] * d[1] + rot[7] * d[2],
      rot[2] * d[0] + rot[5] * d[1] + rot[8] * d[2],
    ];
  };
  const seat = (o: Raw, where: string): Vec3 => {
    const az = num(o.az, `${where}.az`, undefined, -180, 180);
    const dist = num(o.dist, `${where}.dist`, undefined, 0.3, 20);
    const height = num(o.height, `${where}.height`, 1.15, 0.3, 2.5);
    const flat = pointFromArray(center, { ...orientation, elevation: 0 }, az, 0, dist);
    const p: Vec3 = [flat[0], flat[1], height];
    if (!insideRoom(p, size))
      fail(
        `${where} at [${p.map((v) => v.toFixed(2)).join(", ")}] is outside the ${size.join(" x ")} m room`,
      );
    return p;
  };
  const project = (p: Vec3) => {
    const [f, l, u] = toCamera(p);
    if (f <= 0.3) return null;
    return {
      cx: 0.5 - (focal * l) / f,
      cy: 0.5 - (focal * aspect * u) / f,
      hw: (focal * HEAD_HALF[0]) / f,
      hh: (focal * aspect * HEAD_HALF[1]) / f,
    };
  };

  const duration0 = raw.duration;
  const people = list(raw.people, "people").map(
    (
      v,
      i,
    ): Person & { clips: (SpeechClip & { file: string; channel: number })[]; level: number } => {
      const where = `people[${i}]`;
      const o = obj(v, where);
      keys(o, PERSON_KEYS, `${where}.`);
      const name =
        o.name === undefined
          ? `P${i + 1}`
          : typeof o.name === "string" && /^[\w-]{1,16}$/.test(o.name)
            ? o.name
            : fail(`${where}.name must be 1-16 letters, digits, - or _`);
      const position = seat(o, where);
      const box = project(position);
      if (!box) return fail(`${where} (${name}) is behind the camera or closer than 0.3 m to it`);
      if (box.hh > 0.3)
        fail(
          `${where} (${name}) is too close: the face fills ${(box.hh * 200).toFixed(0)} % of the frame height (at most 60 %)`,
        );
      if (
        box.cx - box.hw < 0 ||
        box.cx + box.hw > 1 ||
        box.cy - box.hh < 0 ||
        box.cy + box.hh > 1
      ) {
        fail(
          `${where} (${name}) is not fully in the camera's view (face box x ${(box.cx - box.hw).toFixed(2)}..${(box.cx + box.hw).toFixed(2)}, y ${(box.cy - box.hh).toFixed(2)}..${(box.cy + box.hh).toFixed(2)} of the frame; put a talker out of view in offscreen)`,
        );
      }
      const shirt =
        o.shirt === undefined
          ? ([60 + ((i * 70) % 150), 70 + ((i * 40) % 120), 110 + ((i * 90) % 120)] as [
              number,
              number,
              number,
            ])
          : o.shirt;
      if (!Array.isArray(shirt) || shirt.length !== 3)
        fail(`${where}.shirt must be [r, g, b] (0..255)`);
      (shirt as unknown[]).forEach((c, k) => num(c, `${where}.shirt[${k}]`, undefined, 0, 255));
      const clips = list(o.speech, `${where}.speech`).map((c, k) => {
        const co = obj(c, `${where}.speech[${k}]`);
        keys(co, CLIP_KEYS, `${where}.speech[${k}].`);
        return readClip(co, `${where}.speech[${k}]`);
      });
      const events = list(o.events, `${where}.events`).map((e, k): SceneEvent => {
        const ew = `${where}.events[${k}]`;
        const eo = obj(e, ew);
        keys(eo, EVENT_KEYS, `${ew}.`);
        const type = oneOf(eo.type, `${ew}.type`, EVENT_TYPES, undefined as unknown as EventType);
        if (eo.type === undefined) fail(`${ew}.type is required (${EVENT_TYPES.join(", ")})`);
        const start = num(eo.start, `${ew}.start`, undefined, 0, MAX_SECONDS);
        const end = num(eo.end, `${ew}.end`, undefined, 0, MAX_SECONDS);
        if (end <= start) fail(`${ew}: end (${end}) must be after start (${start})`);
        return { type, start, end };
      });
      return {
        name,
        position,
        box,
        clips,
        events,
        skin: num(o.skin, `${where}.skin`, i % SKIN_TONES.length, 0, SKIN_TONES.length - 1, true),
        hair: oneOf(o.hair, `${where}.hair`, HAIR_COLOURS, HAIR_COLOURS[i % HAIR_COLOURS.length]),
        hairStyle: oneOf(
          o.hairStyle,
          `${where}.hairStyle`,
          HAIR_STYLES,
          i % 3 === 1 ? "long" : "short",
        ),
        glasses:
          o.glasses === undefined
            ? false
            : typeof o.glasses === "boolean"
              ? o.glasses
              : fail(`${where}.glasses must be true or false`),
        shirt: shirt as [number, number, number],
        level: num(o.level, `${where}.level`, 60, 30, 90),
        phase: ((seed * 7919 + i * 104729) % 1000) / 1000,
        track: null as unknown as SpeechTrack,
      };
    },
  );
  const names = new Set<string>();
  people.forEach((p, i) => {
    if (names.has(p.name)) fail(`people[${i}]: the name '${p.name}' is used twice`);
    names.add(p.name);
    for (let j = 0; j < i; j++) {
      const q = people[j];
      // Faces (with a hair margin) must not overlap in the image.
      if (
        Math.abs(p.box.cx - q.box.cx) < 1.25 * (p.box.hw + q.box.hw) &&
        Math.abs(p.box.cy - q.box.cy) < 1.15 * (p.box.hh + q.box.hh)
      ) {
        fail(
          `people[${i}] (${p.name}) and people[${j}] (${q.name}) overlap in the image: seat them further apart`,
        );
      }
    }
  });

  const offscreen = list(raw.offscreen, "offscreen").map((v, i) => {
    const where = `offscreen[${i}]`;
    const o = obj(v, where);
    keys(o, OFFSCREEN_KEYS, `${where}.`);
    const position = seat(o, where);
    const box = project(position);
    if (
      box &&
      box.cx + box.hw > 0 &&
      box.cx - box.hw < 1 &&
      box.cy + box.hh > 0 &&
      box.cy - box.hh < 1
    )
      fail(
        `${where} is in the camera's view (az ${o.az}); an off-screen talker must be outside the ${camera.fov} degree field of view`,
      );
    return {
      clip: readClip(o, where),
      position,
      level: num(o.level, `${where}.level`, 60, 30, 90),
    };
  });

  const clipEnd = Math.max(
    0,
    ...people.flatMap((p) => p.clips.map((c) => c.start + c.samples.length / c.rate)),
    ...offscreen.map((o) => o.clip.start + o.clip.samples.length / o.clip.rate),
  );
  if (duration0 === undefined && clipEnd === 0) fail("duration is required when nobody speaks");
  const duration = num(duration0, "duration", Math.ceil(clipEnd * 10) / 10 + 0.3, 0.1, MAX_SECONDS);
  people.forEach((p) => {
    for (const e of p.events)
      if (e.start >= duration)
        fail(
          `${p.name}: event ${e.type} at ${e.start} s starts after the scene's end (${duration} s)`,
        );
    p.track = new SpeechTrack(p.clips, duration, lead);
  });

  // The audio side: the room scene of the same timeline (people speak from their mouths, 7 cm below the head centre).
  let room: Scene | null = null;
  if (geometry.positionsMm.length > 0) {
    const talkers = [
      ...people.flatMap((p) =>
        p.clips.map((c) => ({
          file: c.file,
          channel: c.channel,
          start: c.start,
          level: p.level,
          position: [p.position[0], p.position[1], p.position[2] - 0.07],
        })),
      ),
      ...offscreen.map((o) => ({
        file: o.clip.file,
        channel: o.clip.channel,
        start: o.clip.start,
        level: o.level,
        position: o.position,
      })),
    ];
    const roomLabel = `${label} (audio)`;
    room = parseScene(
      {
        seed,
        sampleRate: 16000,
        duration,
        room: raw.room,
        // The camera looks along device.azimuth; the microphones' frame is turned so that the
        // camera's axis lies at cameraAxisDeg in it (boards/*.json microphones.cameraAxisDeg).
        array: {
          position: center,
          azimuth: orientation.azimuth - (geometry.cameraAxisDeg ?? 0),
          elevation: orientation.elevation,
        },
        talkers,
        noise: raw.noise,
        snr: raw.snr,
        microphones: raw.microphones,
      } as Raw,
      roomLabel,
      baseDir,
      geometry,
    );
  } else if (raw.room !== undefined) {
    parseScene(
      {
        seed,
        duration,
        room: raw.room,
        array: { position: center },
        microphones: raw.microphones,
      } as Raw,
      label,
      baseDir,
      { positionsMm: [[0, 0, 0]] },
    );
  }
  return {
    label,
    seed,
    duration,
    camera,
    people: people.map(({ clips: _c, level: _l, ...p }) => p),
    room,
  };
}

/** Unit vector of a direction. */
export function unit(v: Vec3): Vec3 {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}
export { apply };
