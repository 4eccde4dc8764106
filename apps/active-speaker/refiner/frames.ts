// Data for the face-box refiner: random meeting rooms from the face detector's generator
// (detector/frames.ts randomRoom: the same av-scene renderer as `--input scene=`), each face's
// true box from the scene's ground truth (truth.ts), and crops at boxes perturbed like the
// detector's errors (its tracked boxes sit a median 0.33 and a p90 0.70 half widths from the
// true centre and 10-15 % off in size: README "Face detector and tracker"): the centre moved up
// to one true half width in each direction, the size x 0.7-1.3, and one crop in eight at the
// true box so that a good box stays put. Training and held-out rooms come from different
// seeds. Held-out rooms are also rendered as short runs of consecutive frames, so that the
// committed detector and the firmware tracker's copy (train/detector-boxes.ts) give the boxes
// the app would really start from.
import { parseAvScene, type AvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { renderFrame } from "../../../emulator/inputs/av-scene/face-render.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import { FORMAT_GREY8, toSensorFormat } from "../../../emulator/inputs/optics.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { FRAME_H, FRAME_W, randomRoom } from "../detector/frames.ts";
import { CROP, correction, cropInput, type Box } from "./crop.ts";

export interface RoomSet {
  name: string;
  rooms: number;
  /** Frames per room: random instants (training) or consecutive frames (held out). */
  frames: number;
  /** Perturbed crops per face and frame. */
  perturbations: number;
  seed: number;
}
export const TRAIN_ROOMS: RoomSet = {
  name: "train",
  rooms: 500,
  frames: 2,
  perturbations: 8,
  seed: 61,
};
export const HELD_OUT_ROOMS: RoomSet = {
  name: "heldout",
  rooms: 40,
  frames: 12,
  perturbations: 2,
  seed: 9061,
};

/** Largest centre move (true half widths, each axis) and size factor range of a perturbation. */
export const MAX_SHIFT = 1;
export const SIZE_RANGE: [number, number] = [0.7, 1.3];
const EXACT_SHARE = 1 / 8;

export interface Crops {
  count: number;
  /** int8 crops (pixel - 128), count x CROP x CROP. */
  pixels: Int8Array;
  /** Corrections (dx, dy, log size), count x 3. */
  targets: Float32Array;
  boxes: Box[];
  truths: Box[];
}

/** One rendered frame: its grey pixels and true face boxes. */
export interface Frame {
  grey: Uint8Array;
  faces: Box[];
}

export function truthBoxes(scene: AvScene, t: number, frame: number): Box[] {
  return faceTruth(scene, t, FRAME_W, FRAME_H, frame).map((r) => ({
    cx: r.box[0] + r.box[2] / 2,
    cy: r.box[1] + r.box[3] / 2,
    hw: r.box[2] / 2,
  }));
}

export function renderAt(scene: AvScene, frame: number): Frame {
  const t = frame / 15;
  const grey = toSensorFormat(renderFrame(scene, t, FRAME_W, FRAME_H, frame), FORMAT_GREY8);
  return { grey, faces: truthBoxes(scene, t, frame) };
}

/** A room the parser accepts (one that puts people on top of each other is drawn again). */
export function drawRoom(rnd: () => number, set: RoomSet, index: number): AvScene {
  for (let attempt = 0; ; attempt++) {
    const raw = randomRoom(rnd, set.seed * 1000 + index * 10 + attempt);
    try {
      return parseAvScene(raw, `${set.name} room ${index}`, ".", { positionsMm: [[0, 0, 0]] });
    } catch {
      // overlapping people: draw again
    }
  }
}

/** A box around `t` moved and resized like the detector's errors (or `t` itself, one in eight). */
export function perturb(t: Box, rnd: () => number): Box {
  if (rnd() < EXACT_SHARE) return { ...t };
  const [lo, hi] = SIZE_RANGE;
  return {
    cx: t.cx + (2 * rnd() - 1) * MAX_SHIFT * t.hw,
    cy: t.cy + (2 * rnd() - 1) * MAX_SHIFT * t.hw,
    hw: t.hw * (lo + (hi - lo) * rnd()),
  };
}

export class CropBuilder {
  private pixels: Int8Array[] = [];
  private targets: number[] = [];
  readonly boxes: Box[] = [];
  readonly truths: Box[] = [];

  add(f: Frame, box: Box, truth: Box): void {
    this.pixels.push(cropInput(f.grey, FRAME_W, FRAME_H, box));
    this.targets.push(...correction(box, truth));
    this.boxes.push(box);
    this.truths.push(truth);
  }

  build(): Crops {
    const count = this.pixels.length;
    const pixels = new Int8Array(count * CROP * CROP);
    this.pixels.forEach((p, k) => pixels.set(p, k * CROP * CROP));
    return {
      count,
      pixels,
      targets: Float32Array.from(this.targets),
      boxes: this.boxes,
      truths: this.truths,
    };
  }
}

/** Training or held-out crops at perturbed true boxes; `each` sees every rendered frame (held-out sequences). */
export function renderCrops(
  set: RoomSet,
  log: (s: string) => void = () => {},
  each?: (room: number, frame: number, f: Frame) => void,
): Crops {
  const rnd = seededRandom(set.seed);
  const crops = new CropBuilder();
  for (let r = 0; r < set.rooms; r++) {
    const scene = drawRoom(rnd, set, r);
    // Training: random instants; held out: consecutive frames from a random start.
    const start = Math.floor(rnd() * (44 - set.frames));
    for (let k = 0; k < set.frames; k++) {
      const frame = each ? start + k : Math.floor(rnd() * 44);
      const f = renderAt(scene, frame);
      each?.(r, k, f);
      for (const t of f.faces)
        for (let p = 0; p < set.perturbations; p++) crops.add(f, perturb(t, rnd), t);
    }
    if ((r + 1) % 50 === 0) log(`  ${set.name}: ${r + 1}/${set.rooms} rooms rendered`);
  }
  return crops.build();
}
