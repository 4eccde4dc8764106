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
import { InputError } from "../accel-source.ts";
import type { MicGeometry } from "../mic-source.ts";
import { readSceneObject } from "../scene-file.ts";
import { SceneFields, type Raw } from "../scene-fields.ts";
import { parseScene, type Scene } from "../room/scene.ts";
import { apply, type Vec3 } from "../room/room-geometry.ts";
import { CameraView } from "./camera-view.ts";
import { parseOffscreen, parsePeople, withTrack } from "./people.ts";
import { MAX_SECONDS, type AvScene } from "./scene-types.ts";
import { SpeechTrack } from "./speech-track.ts";

export * from "./scene-types.ts";

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
  const f = new SceneFields(label, baseDir);
  f.keys(raw, TOP_KEYS, "");
  const seed = f.num(raw.seed, "seed", 1, 0, 2 ** 32, { integer: true });
  const lead = f.num(raw.avLead, "avLead", 0.04, -0.2, 0.2);
  const view = new CameraView(f, raw);
  const { center, orientation } = view;
  const people = parsePeople(f, raw.people, view, seed);
  const offscreen = parseOffscreen(f, raw.offscreen, view);

  const clipEnd = Math.max(
    0,
    ...people.flatMap((p) => p.clips.map((c) => c.start + c.samples.length / c.rate)),
    ...offscreen.map((o) => o.clip.start + o.clip.samples.length / o.clip.rate),
  );
  if (raw.duration === undefined && clipEnd === 0)
    f.fail("duration is required when nobody speaks");
  const duration = f.num(
    raw.duration,
    "duration",
    Math.ceil(clipEnd * 10) / 10 + 0.3,
    0.1,
    MAX_SECONDS,
  );
  const tracks = people.map((p) => {
    for (const e of p.events)
      if (e.start >= duration)
        f.fail(
          `${p.name}: event ${e.type} at ${e.start} s starts after the scene's end (${duration} s)`,
        );
    return new SpeechTrack(p.clips, duration, lead);
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
    camera: view.camera,
    people: people.map((p, i) => withTrack(p, tracks[i])),
    room,
  };
}

/** Unit vector of a direction. */
export function unit(v: Vec3): Vec3 {
  const n = Math.hypot(...v);
  return [v[0] / n, v[1] / n, v[2] / n];
}
export { apply };
