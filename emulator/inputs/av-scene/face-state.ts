// A face's state at one instant of the scene: where the head is (small sway and nod), the
// eyes (blinks), the mouth (from the person's own speech, or from a distractor event), and
// whether the mouth can be seen. The ground truth ("speaking") is the person's own active
// speech only: mouthing, chewing and smiles are not speech; speech behind a hand or from a
// turned head is.
import type { Person, SceneEvent } from "./scene.ts";

export interface FaceState {
  /** Head centre offset from the seat, in head half-widths. */
  dx: number;
  dy: number;
  /** Head turn, -1..1 (1: turned fully to the camera's right, only hair and an ear in view). */
  yaw: number;
  /** Eye opening 0 (closed) .. 1. */
  eyes: number;
  open: number;
  spread: number;
  smile: number;
  hand: boolean;
  speaking: boolean;
}

const activeEvent = (events: SceneEvent[], type: string, t: number) =>
  events.find((e) => e.type === type && t >= e.start && t < e.end);

/** Syllable-rate jaw motion without sound: about 4-5 syllables a second, with pauses between phrases. */
function mouthing(t: number, phase: number): number {
  const syl = 0.5 - 0.5 * Math.cos(2 * Math.PI * (4.3 + phase) * t + 6 * phase);
  const phrase = Math.sin(2 * Math.PI * 0.45 * t + 9 * phase) > -0.4 ? 1 : 0.1;
  return 0.85 * syl * phrase;
}

export function faceState(p: Person, t: number): FaceState {
  const ph = p.phase;
  // Slow sway and nod (about 0.1 head widths), a little faster while speaking.
  const speaking = p.track.speakingAt(t);
  const motion = speaking ? 1.6 : 1;
  const dx =
    0.08 * Math.sin(2 * Math.PI * 0.23 * t + 10 * ph) +
    0.03 * Math.sin(2 * Math.PI * 0.71 * motion * t + 3 * ph);
  const dy =
    0.05 * Math.sin(2 * Math.PI * 0.31 * t + 7 * ph) +
    (speaking ? 0.03 * Math.sin(2 * Math.PI * 2.1 * t) : 0);
  // Blinks: one about every 3.5 s, 150 ms long.
  const period = 3.2 + 1.2 * ph;
  const inBlink = ((t + 5 * ph) % period) / 0.15;
  const eyes = inBlink < 1 ? Math.abs(1 - 2 * inBlink) : 1;
  let { open, spread } = p.track.mouthAt(t);
  let smile = 0;
  let yaw = 0.12 * Math.sin(2 * Math.PI * 0.17 * t + 4 * ph);
  if (activeEvent(p.events, "mouthing", t)) {
    open = Math.max(open, mouthing(t, ph));
    spread = 0.3 + 0.3 * Math.sin(2 * Math.PI * 2.2 * t);
  }
  if (activeEvent(p.events, "chewing", t)) {
    open = Math.max(open, 0.3 * (0.5 - 0.5 * Math.cos(2 * Math.PI * 1.6 * t)));
    spread = 0.2;
  }
  if (activeEvent(p.events, "smile", t)) {
    smile = 1;
    spread = 1;
    open = Math.max(open, 0.12);
  }
  const turned = activeEvent(p.events, "turned", t);
  if (turned) {
    // Turn away over 0.3 s and back over the last 0.3 s.
    const ramp = Math.min(1, (t - turned.start) / 0.3, (turned.end - t) / 0.3);
    yaw = Math.max(yaw, ramp);
  }
  return {
    dx,
    dy,
    yaw,
    eyes,
    open,
    spread,
    smile,
    hand: !!activeEvent(p.events, "hand", t),
    speaking,
  };
}
