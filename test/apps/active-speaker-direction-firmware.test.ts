// The direction cue as the firmware computes it (firmware/dsp/srp-cue.ts, the code the app's
// direction.ts links, run on an emulated board through the dsp-probe firmware app) against the host's
// measurement (apps/active-speaker/train/direction-cue.ts), and on its own: the talker's face
// gets the higher cue, audio mirrored left-right moves it to the silent face, and RT1170's pair
// mounted along the camera's axis (cameraAxisDeg 0) is end-fire to both faces, so the cue cannot
// tell them apart. Microphones as the emulator mounts them (boards/*.json, cameraAxisDeg).
import test from "ava";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAvScene } from "../../emulator/inputs/av-scene/scene.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";
import { SPEECH_DIR, randomMeeting } from "../../apps/active-speaker/train/dataset.ts";
import {
  cameraFrameMics,
  faceAzimuthDeg,
  faceCue,
  hopSrp,
  relativeCues,
  type HopSrp,
} from "../../apps/active-speaker/train/direction-cue.ts";
import { boardArray, type BoardArray } from "../../apps/active-speaker/train/measure-direction.ts";
import { firmwareHopSrp } from "../../apps/active-speaker/train/firmware-cue.ts";
import { FPS, HISTORY } from "../../apps/active-speaker/train/features.ts";
import { ROOT } from "../faults/helpers.ts";
import { twoPersonMeeting } from "../helpers/two-person-meeting.ts";

const BOARDS = [
  ["rt1170", "rt1170"],
  ["tri", "rt1060"],
] as const;

/** Relative cues of every face-frame from a scene's frames (dataset.ts's order). */
function frameCues(s: HopSrp, faces: number, seconds: number): number[] {
  const out: number[] = [];
  for (let f = HISTORY - 1; f < Math.floor(seconds * FPS); f++)
    out.push(
      ...relativeCues(Array.from({ length: faces }, (_, k) => faceCue(s, faces, k, f / FPS))),
    );
  return out;
}

for (const [which, board] of BOARDS) {
  test(`firmware cue equals the host's on held-out meeting 0 (${which} on ${board})`, async (t) => {
    const training = JSON.parse(
      readFileSync(path.join(ROOT, "apps/active-speaker/model/training.json"), "utf8"),
    );
    const array = boardArray(which);
    const scene = parseAvScene(
      randomMeeting(training.heldOutSet, 0),
      "held-out 0",
      SPEECH_DIR,
      array,
    );
    const channels = renderScene(scene.room!).channels;
    const mics = cameraFrameMics(array.positionsMm, array.cameraAxisDeg);
    const az = scene.people.map((p) => faceAzimuthDeg(p.box.cx, scene.camera.fov));
    const host = hopSrp(channels, mics, az);
    const fw = await firmwareHopSrp(channels, mics, az, board);
    t.is(fw.hops, host.hops);
    // Every hop's responses, grid mean and maximum within 1e-4 of the meeting's largest span
    // (grid maximum - mean; quiet hops have none), f32 against f64.
    let worstAbs = 0,
      span = 0;
    for (let k = 0; k < host.hops; k++) {
      span = Math.max(span, host.max[k] - host.mean[k]);
      worstAbs = Math.max(
        worstAbs,
        Math.abs(fw.mean[k] - host.mean[k]),
        Math.abs(fw.max[k] - host.max[k]),
        ...az.map((_, f) => Math.abs(fw.face[k * az.length + f] - host.face[k * az.length + f])),
      );
    }
    const worst = worstAbs / span;
    const hc = frameCues(host, az.length, scene.duration),
      fc = frameCues(fw, az.length, scene.duration);
    const cueDiff = Math.max(...hc.map((v, i) => Math.abs(v - fc[i])));
    t.log(
      `${which} on ${board}: ${host.hops} hops, worst response difference ${worst.toExponential(2)} of the largest span; ` +
        `${hc.length} face-frames, largest cue difference ${cueDiff.toExponential(2)}; ${(fw.cycles / fw.hops).toFixed(0)} cycles a hop (windows, FFTs, cue)`,
    );
    t.true(worst < 1e-4, `worst ${worst}`);
    t.true(cueDiff < 1e-3, `cue difference ${cueDiff}`);
  });
}

const meeting = twoPersonMeeting;

/** The firmware's mean cue of each face over 0.8-2.4 s (the talker speaks from 0.2 s). */
async function firmwareCues(array: BoardArray, board: string, mirrored: boolean) {
  const seen = parseAvScene(meeting(18, -18), "seen", SPEECH_DIR, array);
  const heard = mirrored ? parseAvScene(meeting(-18, 18), "mirrored", SPEECH_DIR, array) : seen;
  const az = seen.people.map((p) => faceAzimuthDeg(p.box.cx, seen.camera.fov));
  const mics = cameraFrameMics(array.positionsMm, array.cameraAxisDeg);
  const srp = await firmwareHopSrp(renderScene(heard.room!).channels, mics, az, board);
  const out = [0, 0];
  let n = 0;
  for (let t = 0.8; t < 2.4; t += 1 / 15, n++)
    for (let k = 0; k < 2; k++) out[k] += faceCue(srp, 2, k, t);
  return out.map((v) => v / n);
}

for (const [which, board] of BOARDS) {
  test(`firmware cue (${which} on ${board}): the talking face, and the silent one when the audio is mirrored`, async (t) => {
    const array = boardArray(which);
    const [talker, silent] = await firmwareCues(array, board, false);
    const [talkerM, silentM] = await firmwareCues(array, board, true);
    t.log(
      `${which}: talker ${talker.toFixed(3)}, silent ${silent.toFixed(3)}; mirrored: talker ${talkerM.toFixed(3)}, silent ${silentM.toFixed(3)}`,
    );
    t.true(talker > silent + 0.2, `talker ${talker} against silent ${silent}`);
    t.true(silentM > talkerM + 0.2, `mirrored: talker ${talkerM} against silent ${silentM}`);
  });
}

test("firmware cue: RT1170's pair along the camera's axis (cameraAxisDeg 0) cannot tell the faces apart", async (t) => {
  const along: BoardArray = { ...boardArray("rt1170"), cameraAxisDeg: 0 };
  const [talker, silent] = await firmwareCues(along, "rt1170", false);
  t.log(`pair end-fire: talker ${talker.toFixed(4)}, silent ${silent.toFixed(4)}`);
  // Faces at +-18 degrees give the end-fire pair the same delay: the same response.
  t.true(Math.abs(talker - silent) < 0.02, `talker ${talker} against silent ${silent}`);
});
