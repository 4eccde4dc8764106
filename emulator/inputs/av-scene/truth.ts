// Ground truth of an audio-visual scene per face per frame: is the person speaking (their
// own active speech, speech-track.ts), can the mouth be seen, and the face's bounding box in
// pixels at a given frame size (the head ellipse after its sway). Written beside an exported
// scene as CSV; training and evaluation read the same rows.
import { faceState } from "./face-state.ts";
import type { AvScene } from "./scene.ts";

export interface FaceTruth {
  frame: number;
  t: number;
  person: string;
  speaking: boolean;
  mouthVisible: boolean;
  /** Left, top, width, height in pixels. */
  box: [number, number, number, number];
}

export function faceTruth(
  scene: AvScene,
  t: number,
  width: number,
  height: number,
  frame = 0,
): FaceTruth[] {
  return scene.people.map((p) => {
    const s = faceState(p, t);
    const hw = p.box.hw * width;
    const cx = p.box.cx * width + s.dx * hw,
      cy = p.box.cy * height + s.dy * hw;
    const hh = p.box.hh * height;
    return {
      frame,
      t,
      person: p.name,
      speaking: s.speaking,
      mouthVisible: !s.hand && s.yaw < 0.5,
      box: [Math.round(cx - hw), Math.round(cy - hh), Math.round(2 * hw), Math.round(2 * hh)],
    };
  });
}

export function truthCsv(scene: AvScene, fps: number, width: number, height: number): string {
  const rows = ["frame,t,person,speaking,mouth_visible,x,y,w,h"];
  const frames = Math.floor(scene.duration * fps);
  for (let f = 0; f < frames; f++) {
    for (const r of faceTruth(scene, f / fps, width, height, f))
      rows.push(
        `${f},${r.t.toFixed(4)},${r.person},${r.speaking ? 1 : 0},${r.mouthVisible ? 1 : 0},${r.box.join(",")}`,
      );
  }
  return rows.join("\n") + "\n";
}
