// The people of a meeting scene (`people`, seen by the camera) and the talkers out of view
// (`offscreen`): seats, looks, speech clips and distractor events, checked so that every face
// is whole in the image and no two faces overlap.
import type { Raw, SceneFields } from "../scene-fields.ts";
import type { Vec3 } from "../room/room-geometry.ts";
import type { CameraView } from "./camera-view.ts";
import {
  EVENT_TYPES,
  HAIR_COLOURS,
  HAIR_STYLES,
  MAX_SECONDS,
  SKIN_TONES,
  type Person,
  type SceneEvent,
} from "./scene-types.ts";
import type { SpeechClip, SpeechTrack } from "./speech-track.ts";

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

export type SceneClip = SpeechClip & { file: string; channel: number };

/** A person before the scene's duration is known: the speech track is built afterwards. */
export type PersonDraft = Omit<Person, "track"> & { clips: SceneClip[]; level: number };

export interface OffscreenTalker {
  clip: SceneClip;
  position: Vec3;
  level: number;
}

/** One speech clip: a channel of a WAV file, starting at `start` seconds. */
function readClip(f: SceneFields, o: Raw, where: string): SceneClip {
  if (typeof o.file !== "string" || o.file.trim() === "")
    f.fail(`${where}.file must be a WAV file name`);
  const w = f.wav(f.file(o.file, `${where}.file`), where);
  const channel = f.num(o.channel, `${where}.channel`, 0, 0, 63, { integer: true });
  if (channel >= w.channels.length)
    f.fail(`${where}: ${o.file} has ${w.channels.length} channel(s), no channel ${channel}`);
  return {
    file: o.file,
    channel,
    samples: w.channels[channel],
    rate: w.sampleRate,
    start: f.num(o.start, `${where}.start`, 0, 0, MAX_SECONDS),
  };
}

function parsePerson(
  f: SceneFields,
  v: unknown,
  i: number,
  view: CameraView,
  seed: number,
): PersonDraft {
  const where = `people[${i}]`;
  const o = f.obj(v, where);
  f.keys(o, PERSON_KEYS, `${where}.`);
  if (o.name !== undefined && !(typeof o.name === "string" && /^[\w-]{1,16}$/.test(o.name)))
    f.fail(`${where}.name must be 1-16 letters, digits, - or _`);
  const name = (o.name as string | undefined) ?? `P${i + 1}`;
  const position = view.seat(o, where);
  const box = view.project(position);
  if (!box) return f.fail(`${where} (${name}) is behind the camera or closer than 0.3 m to it`);
  if (box.hh > 0.3)
    f.fail(
      `${where} (${name}) is too close: the face fills ${(box.hh * 200).toFixed(0)} % of the frame height (at most 60 %)`,
    );
  if (box.cx - box.hw < 0 || box.cx + box.hw > 1 || box.cy - box.hh < 0 || box.cy + box.hh > 1)
    f.fail(
      `${where} (${name}) is not fully in the camera's view (face box x ${(box.cx - box.hw).toFixed(2)}..${(box.cx + box.hw).toFixed(2)}, y ${(box.cy - box.hh).toFixed(2)}..${(box.cy + box.hh).toFixed(2)} of the frame; put a talker out of view in offscreen)`,
    );
  const shirt = o.shirt ?? [60 + ((i * 70) % 150), 70 + ((i * 40) % 120), 110 + ((i * 90) % 120)];
  if (!Array.isArray(shirt) || shirt.length !== 3)
    f.fail(`${where}.shirt must be [r, g, b] (0..255)`);
  (shirt as unknown[]).forEach((c, k) => f.num(c, `${where}.shirt[${k}]`, undefined, 0, 255));
  const clips = f.list(o.speech, `${where}.speech`).map((c, k) => {
    const co = f.obj(c, `${where}.speech[${k}]`);
    f.keys(co, CLIP_KEYS, `${where}.speech[${k}].`);
    return readClip(f, co, `${where}.speech[${k}]`);
  });
  const events = f.list(o.events, `${where}.events`).map((e, k): SceneEvent => {
    const ew = `${where}.events[${k}]`;
    const eo = f.obj(e, ew);
    f.keys(eo, EVENT_KEYS, `${ew}.`);
    const type = f.oneOf(eo.type, `${ew}.type`, EVENT_TYPES);
    const start = f.num(eo.start, `${ew}.start`, undefined, 0, MAX_SECONDS);
    const end = f.num(eo.end, `${ew}.end`, undefined, 0, MAX_SECONDS);
    if (end <= start) f.fail(`${ew}: end (${end}) must be after start (${start})`);
    return { type, start, end };
  });
  return {
    name,
    position,
    box,
    clips,
    events,
    skin: f.num(o.skin, `${where}.skin`, i % SKIN_TONES.length, 0, SKIN_TONES.length - 1, {
      integer: true,
    }),
    hair: f.oneOf(o.hair, `${where}.hair`, HAIR_COLOURS, HAIR_COLOURS[i % HAIR_COLOURS.length]),
    hairStyle: f.oneOf(
      o.hairStyle,
      `${where}.hairStyle`,
      HAIR_STYLES,
      i % 3 === 1 ? "long" : "short",
    ),
    glasses: f.bool(o.glasses, `${where}.glasses`, false),
    shirt: shirt as [number, number, number],
    level: f.num(o.level, `${where}.level`, 60, 30, 90),
    phase: ((seed * 7919 + i * 104729) % 1000) / 1000,
  };
}

/** `people`: every face whole in view, names unique, faces (with a hair margin) apart. */
export function parsePeople(
  f: SceneFields,
  v: unknown,
  view: CameraView,
  seed: number,
): PersonDraft[] {
  const people = f.list(v, "people").map((p, i) => parsePerson(f, p, i, view, seed));
  const names = new Set<string>();
  people.forEach((p, i) => {
    if (names.has(p.name)) f.fail(`people[${i}]: the name '${p.name}' is used twice`);
    names.add(p.name);
    for (let j = 0; j < i; j++) {
      const q = people[j];
      if (
        Math.abs(p.box.cx - q.box.cx) < 1.25 * (p.box.hw + q.box.hw) &&
        Math.abs(p.box.cy - q.box.cy) < 1.15 * (p.box.hh + q.box.hh)
      )
        f.fail(
          `people[${i}] (${p.name}) and people[${j}] (${q.name}) overlap in the image: seat them further apart`,
        );
    }
  });
  return people;
}

/** `offscreen`: talkers the camera must not see. */
export function parseOffscreen(f: SceneFields, v: unknown, view: CameraView): OffscreenTalker[] {
  return f.list(v, "offscreen").map((t, i) => {
    const where = `offscreen[${i}]`;
    const o = f.obj(t, where);
    f.keys(o, OFFSCREEN_KEYS, `${where}.`);
    const position = view.seat(o, where);
    const box = view.project(position);
    if (
      box &&
      box.cx + box.hw > 0 &&
      box.cx - box.hw < 1 &&
      box.cy + box.hh > 0 &&
      box.cy - box.hh < 1
    )
      f.fail(
        `${where} is in the camera's view (az ${o.az}); an off-screen talker must be outside the ${view.camera.fov} degree field of view`,
      );
    return {
      clip: readClip(f, o, where),
      position,
      level: f.num(o.level, `${where}.level`, 60, 30, 90),
    };
  });
}

/** The person as the renderers see it: speech as one track on the scene's timeline. */
export function withTrack(p: PersonDraft, track: SpeechTrack): Person {
  const { clips: _c, level: _l, ...person } = p;
  return { ...person, track };
}
