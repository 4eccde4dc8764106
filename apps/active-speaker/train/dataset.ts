// Generated meetings for training and evaluation: random rooms, seats, looks, lighting,
// turn-taking (overlaps, silences), distractors (silent mouthing, chewing, smiles, a hand
// over a talking mouth, a turned head) and off-screen talkers, rendered through the same
// av-scene code as `--input scene=`. Training uses the eSpeak NG voices; held-out scenes use
// the Flite voices, other seeds, rooms and noise. One sample per face per camera frame.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAvScene, type AvScene } from "../../../emulator/inputs/av-scene/scene.ts";
import { renderFrame } from "../../../emulator/inputs/av-scene/face-render.ts";
import { faceState } from "../../../emulator/inputs/av-scene/face-state.ts";
import { faceTruth } from "../../../emulator/inputs/av-scene/truth.ts";
import { renderScene } from "../../../emulator/inputs/room/render.ts";
import { FORMAT_GREY8, toSensorFormat } from "../../../emulator/inputs/optics.ts";
import {
  AUDIO_HOPS,
  CROP_H,
  CROP_W,
  FPS,
  FRAME_H,
  FRAME_W,
  HISTORY,
  MEL_BANDS,
  audioWindow,
  logMelHops,
  mouthCrop,
  type SeatBox,
} from "./features.ts";
import { seededRandom } from "../../fan-monitor/train/dataset.ts";
import { DetectorBoxes, type loadDetector } from "./detector-boxes.ts";
import { JITTERS, jitterBoxes } from "./jitter-boxes.ts";

/** The committed face detector, loaded (detector-boxes.ts): with it a meeting's samples also
 *  hold the mouth crops at the boxes the app's detector and tracker give. */
export type Detector = Awaited<ReturnType<typeof loadDetector>>;

export const SPEECH_DIR = fileURLToPath(new URL("../scenes/speech/", import.meta.url));
export const VIDEO_SIZE = CROP_H * CROP_W * HISTORY;
export const AUDIO_SIZE = AUDIO_HOPS * MEL_BANDS;

export interface Samples {
  count: number;
  video: Float32Array;
  /** The same crops at the face detector's tracked boxes (detector-boxes.ts), when rendered with it. */
  videoDetector?: Float32Array;
  /** Per sample, the newest frame's detector box against the true head box: centre offset
   *  (x, y) in true half widths and half width over the true one (3 values a sample). */
  detectorError?: Float32Array;
  /** With the detector's crops, the same crops at JITTERS boxes per face placed as badly as the
   *  detector places them (jitter-boxes.ts): sample k's jitter j at (k * JITTERS + j) * VIDEO_SIZE. */
  videoJitter?: Float32Array;
  audio: Float32Array;
  /** This face speaks (the fused and video targets). */
  face: Float32Array;
  /** Some face speaks (the audio target). */
  any: Float32Array;
  /** Which distractor, if any, this face shows ("" for none); for per-condition figures. */
  condition: string[];
}

export interface SetSpec {
  name: "train" | "heldout";
  scenes: number;
  seconds: number;
  seed: number;
}
export const TRAIN_SET: SetSpec = { name: "train", scenes: 24, seconds: 10, seed: 11 };
export const HELD_OUT_SET: SetSpec = { name: "heldout", scenes: 5, seconds: 10, seed: 9001 };

const clips = (heldOut: boolean) =>
  readdirSync(SPEECH_DIR)
    .filter((f) => f.endsWith(".wav") && f.startsWith("fl-") === heldOut)
    .sort();

/** A random meeting as a scene object (the meeting.json format). */
export function randomMeeting(set: SetSpec, index: number): Record<string, unknown> {
  const rnd = seededRandom(set.seed * 1000 + index);
  const between = (a: number, b: number) => a + (b - a) * rnd();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const pool = clips(set.name === "heldout");
  const n = rnd() < 0.3 ? 2 : 3;
  const azs =
    n === 2
      ? [between(8, 20), between(-20, -8)]
      : [between(15, 22), between(-4, 4), between(-22, -15)];
  const people = azs.map((az, i) => ({
    name: `p${i}`,
    az,
    dist: between(1.4, 2.3),
    skin: Math.floor(rnd() * 6),
    hair: pick(["black", "brown", "blonde", "grey", "red"]),
    hairStyle: pick(["short", "short", "long", "bald"]),
    glasses: rnd() < 0.3,
    level: between(56, 66),
    speech: [] as object[],
    events: [] as object[],
  }));
  // Turn-taking: a talker at a time, with gaps and occasional overlaps.
  let t = between(0, 0.8);
  let last = -1;
  while (t < set.seconds - 1) {
    let who = Math.floor(rnd() * n);
    if (who === last) who = (who + 1) % n;
    people[who].speech.push({ file: pick(pool), start: Number(t.toFixed(3)) });
    last = who;
    t += between(1.4, 2.6) + between(-0.6, 1.2); // overlap when negative remainder
    if (rnd() < 0.25) t += between(0.5, 1.5); // a silence
  }
  // Distractors on random people at random times.
  for (let k = 0; k < 3; k++) {
    const start = between(0, set.seconds - 1.5);
    pick(people).events.push({
      type: pick(["mouthing", "chewing", "smile", "hand", "turned", "mouthing"]),
      start: Number(start.toFixed(2)),
      end: Number((start + between(1, 2.5)).toFixed(2)),
    });
  }
  const offscreen =
    rnd() < 0.5
      ? [
          {
            file: pick(pool),
            start: Number(between(0, set.seconds - 2).toFixed(2)),
            az: pick([-1, 1]) * between(55, 80),
            dist: between(1.2, 2),
          },
        ]
      : [];
  return {
    seed: set.seed * 1000 + index,
    duration: set.seconds,
    room: { size: [between(4, 7), between(3.5, 6), 2.7], rt60: between(0.2, 0.6) },
    device: { position: [2, 0.3, between(0.95, 1.2)], azimuth: 90 },
    camera: {
      noise: between(1, 5),
      blur: between(0.3, 1.2),
      light: [between(-1, 1), between(0.2, 1), between(0.4, 1)],
      ambient: between(0.2, 0.5),
      exposure: between(0.8, 1.2),
    },
    people,
    offscreen,
    noise: [{ type: pick(["babble", "fan", "pink", "music"]) }],
    snr: between(8, 25),
  };
}

/** The scene and every face-frame sample in it. */
export function sceneSamples(
  raw: Record<string, unknown>,
  label: string,
  detector?: Detector,
): { scene: AvScene; samples: Samples } {
  const scene = parseAvScene(raw, label, SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
  const audio = renderScene(scene.room!).channels[0];
  const hops = logMelHops(audio);
  const frames = Math.floor(scene.duration * FPS);
  const people = scene.people;
  const count = Math.max(0, frames - HISTORY + 1) * people.length;
  const s: Samples = {
    count,
    video: new Float32Array(count * VIDEO_SIZE),
    audio: new Float32Array(count * AUDIO_SIZE),
    face: new Float32Array(count),
    any: new Float32Array(count),
    condition: [],
    ...(detector
      ? {
          videoDetector: new Float32Array(count * VIDEO_SIZE),
          detectorError: new Float32Array(count * 3),
          videoJitter: new Float32Array(count * JITTERS * VIDEO_SIZE),
        }
      : {}),
  };
  // Crops per face per frame, in a ring of HISTORY frames (and at the detector's boxes).
  const newRing = () =>
    people.map(() =>
      Array.from({ length: HISTORY }, () => new Float32Array(CROP_H * CROP_W * HISTORY)),
    );
  const ring = newRing();
  const ringDet = detector ? newRing() : null;
  const jitters = detector
    ? jitterBoxes(
        scene.seed,
        people.map((p) => p.box),
      )
    : [];
  const ringJit = jitters.map(() => Array.from({ length: JITTERS }, () => newRing()[0]));
  const boxes = detector ? new DetectorBoxes(detector.ref, detector.obj, detector.box) : null;
  let truth: { cx: number; cy: number; hw: number }[] = [];
  let detBoxes: SeatBox[] = [];
  let k = 0;
  const audioBuf = new Float32Array(AUDIO_SIZE);
  for (let f = 0; f < frames; f++) {
    const t = f / FPS;
    const grey = toSensorFormat(renderFrame(scene, t, FRAME_W, FRAME_H, f), FORMAT_GREY8);
    people.forEach((p, i) => mouthCrop(grey, FRAME_W, FRAME_H, p.box, ring[i][f % HISTORY], 0));
    if (boxes && ringDet) {
      truth = faceTruth(scene, t, FRAME_W, FRAME_H).map((r) => ({
        cx: r.box[0] + r.box[2] / 2,
        cy: r.box[1] + r.box[3] / 2,
        hw: r.box[2] / 2,
      }));
      const seats = people.map((p) => p.box);
      detBoxes = boxes.next(grey, FRAME_W, FRAME_H, truth, seats);
      detBoxes.forEach((b, i) => mouthCrop(grey, FRAME_W, FRAME_H, b, ringDet[i][f % HISTORY], 0));
      jitters.forEach((bs, i) =>
        bs.forEach((b, j) => mouthCrop(grey, FRAME_W, FRAME_H, b, ringJit[i][j][f % HISTORY], 0)),
      );
    }
    if (f < HISTORY - 1) continue;
    audioWindow(hops, t, audioBuf);
    const states = people.map((p) => faceState(p, t));
    const any = states.some((st) => st.speaking) ? 1 : 0;
    people.forEach((p, i) => {
      // Channel j = frame f - HISTORY + 1 + j (oldest first).
      const v = s.video.subarray(k * VIDEO_SIZE, (k + 1) * VIDEO_SIZE);
      for (let j = 0; j < HISTORY; j++) {
        const crop = ring[i][(f - HISTORY + 1 + j) % HISTORY];
        for (let q = 0; q < CROP_H * CROP_W; q++) v[q * HISTORY + j] = crop[q * HISTORY];
      }
      if (ringDet && s.videoDetector) {
        const vd = s.videoDetector.subarray(k * VIDEO_SIZE, (k + 1) * VIDEO_SIZE);
        for (let j = 0; j < HISTORY; j++) {
          const crop = ringDet[i][(f - HISTORY + 1 + j) % HISTORY];
          for (let q = 0; q < CROP_H * CROP_W; q++) vd[q * HISTORY + j] = crop[q * HISTORY];
        }
        const b = detBoxes[i],
          tr = truth[i];
        s.detectorError!.set(
          [
            (b.cx * FRAME_W - tr.cx) / tr.hw,
            (b.cy * FRAME_H - tr.cy) / tr.hw,
            (b.hw * FRAME_W) / tr.hw,
          ],
          3 * k,
        );
        for (let jj = 0; jj < JITTERS; jj++) {
          const at = (k * JITTERS + jj) * VIDEO_SIZE;
          const vj = s.videoJitter!.subarray(at, at + VIDEO_SIZE);
          for (let j = 0; j < HISTORY; j++) {
            const crop = ringJit[i][jj][(f - HISTORY + 1 + j) % HISTORY];
            for (let q = 0; q < CROP_H * CROP_W; q++) vj[q * HISTORY + j] = crop[q * HISTORY];
          }
        }
      }
      s.audio.set(audioBuf, k * AUDIO_SIZE);
      s.face[k] = states[i].speaking ? 1 : 0;
      s.any[k] = any;
      const ev = p.events.find((e) => t >= e.start && t < e.end);
      s.condition.push(ev ? ev.type : "");
      k++;
    });
  }
  return { scene, samples: s };
}

export function concat(parts: Samples[]): Samples {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const out: Samples = {
    count,
    video: new Float32Array(count * VIDEO_SIZE),
    audio: new Float32Array(count * AUDIO_SIZE),
    face: new Float32Array(count),
    any: new Float32Array(count),
    condition: [],
  };
  // Detector crops only when every part has them.
  if (parts.length > 0 && parts.every((p) => p.videoDetector)) {
    out.videoDetector = new Float32Array(count * VIDEO_SIZE);
    out.detectorError = new Float32Array(count * 3);
    out.videoJitter = new Float32Array(count * JITTERS * VIDEO_SIZE);
  }
  let at = 0;
  for (const p of parts) {
    out.video.set(p.video, at * VIDEO_SIZE);
    if (out.videoDetector) {
      out.videoDetector.set(p.videoDetector!, at * VIDEO_SIZE);
      out.detectorError!.set(p.detectorError!, at * 3);
      out.videoJitter!.set(p.videoJitter!, at * JITTERS * VIDEO_SIZE);
    }
    out.audio.set(p.audio, at * AUDIO_SIZE);
    out.face.set(p.face, at);
    out.any.set(p.any, at);
    out.condition.push(...p.condition);
    at += p.count;
  }
  return out;
}

export { path };
