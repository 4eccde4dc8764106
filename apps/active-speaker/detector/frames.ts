// Generated camera frames for the face detector: random meeting rooms (1-4 people anywhere in
// the camera's view at 1.2-3.2 m, at different heights; looks, lighting, blur, sensor noise;
// smiles, chewing, silent mouthing, a hand over the mouth, turned heads; some empty rooms),
// rendered by the av-scene renderer that `--input scene=` uses, at QVGA grey, downscaled 4 x 4
// to the detector's 80 x 60 input exactly as the firmware does it (face-detector.ts), with each
// face's box from the scene's ground truth (truth.ts). Training and held-out sets draw
// from different seeds, so no held-out room, face or pose was trained on.
import { parseAvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { renderFrame } from "../../../emulator/inputs/av-scene/face-render.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import { FORMAT_GREY8, toSensorFormat } from "../../../emulator/inputs/optics.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";

export const FRAME_W = 320;
export const FRAME_H = 240;
/** The detector's input: the grey frame area-averaged over 4 x 4 blocks. */
export const DOWN = 4;
export const IN_W = FRAME_W / DOWN;
export const IN_H = FRAME_H / DOWN;
/** Output grid: one cell per 16 x 16 frame pixels (two stride-2 layers on the 80 x 60 input). */
export const CELL = 16;
export const GRID_W = FRAME_W / CELL;
export const GRID_H = FRAME_H / CELL;
/** Head half-height over half-width in pixels (HEAD_HALF 0.11 / 0.08 m on a 4:3 sensor's square pixels). */
export const HEAD_ASPECT = 1.375;

export interface Face {
  /** Centre and half width in frame pixels. */
  cx: number;
  cy: number;
  hw: number;
}

export interface Frames {
  count: number;
  /** Detector inputs, grey 0..255 as floats, count x IN_H x IN_W. */
  pixels: Float32Array;
  faces: Face[][];
}

export interface FrameSet {
  name: string;
  scenes: number;
  framesPerScene: number;
  seed: number;
}
export const TRAIN_FRAMES: FrameSet = { name: "train", scenes: 160, framesPerScene: 6, seed: 41 };
export const HELD_OUT_FRAMES: FrameSet = {
  name: "heldout",
  scenes: 40,
  framesPerScene: 4,
  seed: 9041,
};

const EVENTS = ["mouthing", "chewing", "smile", "hand", "turned"];

/** A random room with people in view, as a scene object (meeting.json's format, no sound). */
export function randomRoom(rnd: () => number, seed: number): Record<string, unknown> {
  const between = (a: number, b: number) => a + (b - a) * rnd();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const n = rnd() < 0.06 ? 0 : 1 + Math.floor(rnd() * 4);
  const people = Array.from({ length: n }, (_, i) => ({
    name: `p${i}`,
    az: between(-26, 26),
    dist: between(1.2, 3.2),
    height: between(1.0, 1.35),
    skin: Math.floor(rnd() * 6),
    hair: pick(["black", "brown", "blonde", "grey", "red"]),
    hairStyle: pick(["short", "long", "bald"]),
    glasses: rnd() < 0.3,
    shirt: [between(20, 230), between(20, 230), between(20, 230)].map(Math.round),
    events:
      rnd() < 0.5
        ? [{ type: pick(EVENTS), start: 0, end: 3 }]
        : ([] as { type: string; start: number; end: number }[]),
  }));
  return {
    seed,
    duration: 3,
    room: { size: [between(4, 7), between(3.5, 6), 2.7], rt60: 0.3 },
    device: { position: [2, 0.3, between(0.95, 1.25)], azimuth: 90 },
    camera: {
      noise: between(1, 6),
      blur: between(0.3, 1.4),
      light: [between(-1, 1), between(0.2, 1), between(0.4, 1)],
      ambient: between(0.15, 0.55),
      exposure: between(0.7, 1.3),
    },
    people,
  };
}

/** Area average of DOWN x DOWN blocks, as the firmware's face-detector.ts computes it (integer mean, truncated). */
export function downscale(grey: Uint8Array, out: Float32Array, at = 0): void {
  for (let y = 0; y < IN_H; y++)
    for (let x = 0; x < IN_W; x++) {
      let acc = 0;
      for (let dy = 0; dy < DOWN; dy++)
        for (let dx = 0; dx < DOWN; dx++) acc += grey[(y * DOWN + dy) * FRAME_W + x * DOWN + dx];
      out[at + y * IN_W + x] = acc >> 4;
    }
}

/** Renders a set: per scene a few frames at random times; a scene the parser refuses (people overlapping) is drawn again. */
export function renderFrames(set: FrameSet, log: (s: string) => void = () => {}): Frames {
  const count = set.scenes * set.framesPerScene;
  const out: Frames = { count, pixels: new Float32Array(count * IN_W * IN_H), faces: [] };
  const rnd = seededRandom(set.seed);
  let k = 0;
  for (let s = 0; s < set.scenes; s++) {
    let scene = null;
    for (let attempt = 0; scene === null; attempt++) {
      const raw = randomRoom(rnd, set.seed * 1000 + s * 10 + attempt);
      try {
        scene = parseAvScene(raw, `${set.name} room ${s}`, ".", { positionsMm: [[0, 0, 0]] });
      } catch {
        scene = null;
      }
    }
    for (let f = 0; f < set.framesPerScene; f++) {
      const t = rnd() * 2.9;
      const frame = Math.floor(t * 15);
      const grey = toSensorFormat(renderFrame(scene, t, FRAME_W, FRAME_H, frame), FORMAT_GREY8);
      downscale(grey, out.pixels, k * IN_W * IN_H);
      out.faces.push(
        faceTruth(scene, t, FRAME_W, FRAME_H, frame).map((r) => ({
          cx: r.box[0] + r.box[2] / 2,
          cy: r.box[1] + r.box[3] / 2,
          hw: r.box[2] / 2,
        })),
      );
      k++;
    }
    if ((s + 1) % 20 === 0) log(`  ${set.name}: ${s + 1}/${set.scenes} rooms rendered`);
  }
  return out;
}
