// The direction cue (apps/active-speaker/train/direction-cue.ts): with one talker at a known
// seat and a silent face at the mirrored seat, the talker's face gets the higher cue on both
// arrays (sln-local2-tri and RT1170's 20 mm pair turned broadside); with the sound rendered
// from the mirrored seats (the scene's audio mirrored left-right, the faces where they were)
// the silent face gets it. A cue that ignored direction, or mapped the image the wrong way
// round, fails one of the two.
import test from "ava";
import { parseAvScene } from "../../emulator/inputs/av-scene/scene.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";
import { SPEECH_DIR } from "../../apps/active-speaker/train/dataset.ts";
import {
  cameraFrameMics,
  faceAzimuthDeg,
  faceCue,
  hopSrp,
  relativeCues,
} from "../../apps/active-speaker/train/direction-cue.ts";
import { boardArray, boardArrayMm } from "../../apps/active-speaker/train/measure-direction.ts";
import { twoPersonMeeting } from "../helpers/two-person-meeting.ts";
import { loadTarget } from "../../emulator/board.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";

const meeting = twoPersonMeeting;

/** Mean cue of each face over the scene's frames from 0.8 s (the talker speaks from 0.2 s). */
function cues(micsMm: ReturnType<typeof cameraFrameMics>, mirrored: boolean): number[] {
  const seen = parseAvScene(meeting(18, -18), "seen", SPEECH_DIR, { positionsMm: micsMm });
  const heard = mirrored
    ? parseAvScene(meeting(-18, 18), "mirrored", SPEECH_DIR, { positionsMm: micsMm })
    : seen;
  const az = seen.people.map((p) => faceAzimuthDeg(p.box.cx, seen.camera.fov));
  const srp = hopSrp(renderScene(heard.room!).channels, micsMm, az);
  const out = [0, 0];
  let n = 0;
  for (let t = 0.8; t < 2.4; t += 1 / 15, n++)
    for (let k = 0; k < 2; k++) out[k] += faceCue(srp, 2, k, t);
  return out.map((v) => v / n);
}

for (const array of ["tri", "rt1170"] as const) {
  test(`direction cue (${array}): the talking face's direction, not the mirrored one`, (t) => {
    const mics = cameraFrameMics(boardArrayMm(array));
    const [talker, silent] = cues(mics, false);
    t.log(`${array}: talker ${talker.toFixed(3)}, silent face ${silent.toFixed(3)}`);
    t.true(talker > silent + 0.2, `talker ${talker} against silent ${silent}`);
    const [talkerM, silentM] = cues(mics, true);
    t.log(
      `${array}, audio mirrored: talker ${talkerM.toFixed(3)}, silent face ${silentM.toFixed(3)}`,
    );
    t.true(silentM > talkerM + 0.2, `mirrored: talker ${talkerM} against silent ${silentM}`);
    // Against the other face (what the fusion takes): positive for the talker, then for the silent face.
    t.true(relativeCues([talker, silent])[0] > 0.2 && relativeCues([talker, silent])[1] < -0.2);
    t.true(relativeCues([talkerM, silentM])[0] < -0.2 && relativeCues([talkerM, silentM])[1] > 0.2);
  });
}

test("relative cue: against the highest other face; a lone face keeps its own", (t) => {
  const r = relativeCues([0.5, 0.2, -0.1]).map((v) => Number(v.toFixed(6)));
  t.deepEqual(r, [0.3, -0.3, -0.6]);
  t.deepEqual(relativeCues([0.4]), [0.4]);
});

test("the renderer mounts the microphones by the board's camera axis (RT1170: 90 degrees)", (t) => {
  // The board's frame turned by cameraAxisDeg renders what the camera's frame at axis 0 renders.
  const board = boardArray("rt1170");
  t.is(board.cameraAxisDeg, 90);
  const a = renderScene(parseAvScene(meeting(18, -18), "board frame", SPEECH_DIR, board).room!);
  const b = renderScene(
    parseAvScene(meeting(18, -18), "camera frame", SPEECH_DIR, {
      positionsMm: cameraFrameMics(board.positionsMm, 90),
    }).room!,
  );
  let worst = 0;
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < a.channels[c].length; i++)
      worst = Math.max(worst, Math.abs(a.channels[c][i] - b.channels[c][i]));
  t.true(worst < 1e-6, `largest sample difference ${worst}`);
  // ... and not what the pair along the camera's axis hears.
  const along = renderScene(
    parseAvScene(meeting(18, -18), "along", SPEECH_DIR, { ...board, cameraAxisDeg: 0 }).room!,
  );
  let apart = 0;
  for (let i = 0; i < along.channels[1].length; i++)
    apart = Math.max(apart, Math.abs(along.channels[1][i] - a.channels[1][i]));
  t.true(apart > 1e-3, `the axis moved nothing (${apart})`);
});

test("the host's five-microphone RT1170 (pair + triangle add-on) is the emulator's, in its order and axis", (t) => {
  // fusion.txt's five-microphone line is fitted on this geometry; the firmware steers with the
  // emulator's (micLayout: the board's own microphones, then the add-on's, turned by its axis).
  const host = boardArray("rt1170tri");
  const emu = micLayout(loadTarget("rt1170").board, loadMicArray("sln-local2-tri"));
  t.is(host.positionsMm.length, 5);
  t.deepEqual(host.positionsMm, emu.positionsMm);
  t.is(host.cameraAxisDeg, emu.cameraAxisDeg ?? 0);
});

test("face azimuth from the box centre is the seat's azimuth; a line array is turned broadside", (t) => {
  const s = parseAvScene(meeting(18, -18), "seen", SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
  t.true(Math.abs(faceAzimuthDeg(s.people[0].box.cx, s.camera.fov) - 18) < 1e-6);
  t.true(Math.abs(faceAzimuthDeg(s.people[1].box.cx, s.camera.fov) + 18) < 1e-6);
  // RT1170's pair lies along the board's x; by its camera axis (90) it lies across the camera's view (along y).
  const pair = cameraFrameMics(boardArrayMm("rt1170"));
  t.true(Math.abs(pair[1][0] - pair[0][0]) < 1e-9 && Math.abs(pair[1][1] - pair[0][1]) === 20);
});
