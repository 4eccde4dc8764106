// The synchrony cue (apps/active-speaker/train/sync-cue.ts): in a two-person scene where one
// person talks and the other mouths silently at the same time, the talker's mouth follows the
// sound and the mouther's does not, so the talker gets the higher cue (0.43 against 0.21);
// with the audio moved 1.3 s in time against the pictures (every step's log-mel window taken
// from half the scene later, round the end) the talker's lead is gone (0.20 against 0.27).
// A cue that ignored the mouth or the sound's timing fails one of the two.
import test from "ava";
import { SPEECH_DIR, AUDIO_SIZE, sceneSamples } from "../../apps/active-speaker/train/dataset.ts";
import { FPS, HISTORY } from "../../apps/active-speaker/train/features.ts";
import { sampleSyncCues, SYNC_DEFAULT } from "../../apps/active-speaker/train/sync-cue.ts";
import { parseAvScene } from "../../emulator/inputs/av-scene/scene.ts";

const SECONDS = 3;
const scene = {
  seed: 7,
  duration: SECONDS,
  room: { size: [5, 4.5, 2.7], rt60: 0.4 },
  device: { position: [2, 0.3, 1.1], azimuth: 90 },
  people: [
    { name: "talker", az: 18, dist: 1.8, speech: [{ file: "es-cb-m2-0.wav", start: 0.2 }] },
    {
      name: "mouther",
      az: -18,
      dist: 1.8,
      events: [{ type: "mouthing", start: 0, end: SECONDS }],
    },
  ],
  noise: [{ type: "babble" }],
  snr: 15,
};

const { samples } = sceneSamples(scene, "sync test");
const steps = Math.floor(SECONDS * FPS) - HISTORY + 1;

/** Each face's mean absolute cue over the steps from 1.2 s (the window is then full of speech). */
function meanCues(s: typeof samples): [number, number] {
  const c = sampleSyncCues(s, s.video, [{ people: 2, steps }], { ...SYNC_DEFAULT, absolute: true });
  const out: [number, number] = [0, 0];
  let n = 0;
  for (let step = 0; step < steps; step++) {
    if ((HISTORY - 1 + step) / FPS < 1.2) continue;
    out[0] += c[2 * step];
    out[1] += c[2 * step + 1];
    n++;
  }
  return [out[0] / n, out[1] / n];
}

test("sync cue: the talker's mouth follows the sound, a silent mouther's does not", (t) => {
  // The scene is what it says: the mouther's event covers the talker's speech.
  const parsed = parseAvScene(scene, "sync test", SPEECH_DIR, { positionsMm: [[0, 0, 0]] });
  t.is(parsed.people[1].events[0].type, "mouthing");
  const [talker, mouther] = meanCues(samples);
  t.log(`talker ${talker.toFixed(3)}, mouther ${mouther.toFixed(3)}`);
  t.true(talker > mouther + 0.15, `talker ${talker} against mouther ${mouther}`);
  // The audio half the scene later against the same pictures.
  const shifted = { ...samples, audio: new Float32Array(samples.audio.length) };
  const half = Math.floor(steps / 2);
  for (let step = 0; step < steps; step++)
    for (let p = 0; p < 2; p++) {
      const from = (((step + half) % steps) * 2 + p) * AUDIO_SIZE;
      shifted.audio.set(
        samples.audio.subarray(from, from + AUDIO_SIZE),
        (step * 2 + p) * AUDIO_SIZE,
      );
    }
  const [talkerS, moutherS] = meanCues(shifted);
  t.log(`audio shifted: talker ${talkerS.toFixed(3)}, mouther ${moutherS.toFixed(3)}`);
  t.true(talkerS < moutherS + 0.1, `shifted: talker ${talkerS} against mouther ${moutherS}`);
});
