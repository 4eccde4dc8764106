// The meeting scene's parsed form (what meeting.json becomes once checked): people with their
// looks, speech and distractor events, and the camera's look; the renderers read these.
import type { Scene } from "../room/scene.ts";
import type { Vec3 } from "../room/room-geometry.ts";
import type { SpeechTrack } from "./speech-track.ts";

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
/** The longest scene, in seconds. */
export const MAX_SECONDS = 120;

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
