// Rendered room scenes: SNR at the reference microphone, time differences of arrival,
// diffuse-field coherence, determinism by seed, and the MicSource contract.
import test from "ava";
import FFT from "fft.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeSpeech, meanPower } from "../../emulator/inputs/room/active-speech.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";
import { openRoomScene } from "../../emulator/inputs/room/room-source.ts";
import { loadScene } from "../../emulator/inputs/room/scene.ts";
import { distance, SPEED_OF_SOUND } from "../../emulator/inputs/room/room-geometry.ts";
import { diffuseCoherence } from "../../emulator/inputs/room/diffuse.ts";
import type { MicGeometry } from "../../emulator/inputs/mic-source.ts";
import { gccPhat } from "./room-helpers.ts";

const YES = "emulator/inputs/room/speech/yes_1000ms.wav";
const LINEAR4: MicGeometry = {
  positionsMm: [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ],
};
const dir = mkdtempSync(join(tmpdir(), "tinyboard-room-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function sceneFile(name: string, scene: object): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(scene));
  return p;
}

const snrCases: [string, number, object][] = [
  ["diffuse babble", 5, { type: "babble" }],
  ["diffuse pink", 0, { type: "pink" }],
  ["a fan in the corner", 10, { type: "fan", position: [0.4, 0.4, 2.4] }],
  ["music from a speaker", 5, { type: "music", az: -60, dist: 1.5 }],
  ["white + babble", -5, { type: "white", level: -6 }],
];

for (const [name, snr, noise] of snrCases) {
  test(`SNR at the reference microphone is within 0.5 dB of the request: ${name}, ${snr} dB`, (t) => {
    const noiseList = name === "white + babble" ? [noise, { type: "babble" }] : [noise];
    const scene = loadScene(
      sceneFile(`snr-${snr}.json`, {
        seed: 3,
        duration: 2.5,
        referenceMic: 1,
        microphones: { selfNoise: false, gainTolerance: 1 },
        room: { size: [5, 4, 2.8], rt60: 0.4 },
        talkers: [{ file: join(process.cwd(), YES), az: 30, dist: 2, start: 0.5 }],
        noise: noiseList,
        snr,
      }),
      LINEAR4,
    );
    const r = renderScene(scene);
    // Measured from the rendered components at the reference microphone.
    const ref = 1;
    const speechPower = activeSpeech(r.speech[ref], scene.sampleRate).power;
    const measured = 10 * Math.log10(speechPower / meanPower(r.noise[ref]));
    t.log(`measured ${measured.toFixed(3)} dB`);
    t.true(Math.abs(measured - snr) < 0.5, `measured SNR ${measured} dB`);
    // And the microphone output is exactly gain x sensitivity x (speech + noise) (no self-noise here).
    const fsPerPa = Math.pow(10, -26 / 20);
    let worst = 0;
    for (let k = 0; k < scene.length; k += 97)
      worst = Math.max(
        worst,
        Math.abs(
          r.channels[ref][k] - r.gains[ref] * fsPerPa * (r.speech[ref][k] + r.noise[ref][k]),
        ),
      );
    t.true(worst < 1e-6, `output differs from gain x (speech + noise) by ${worst}`);
  });
}

test("active speech level ignores the silence around a word", (t) => {
  const fs = 16000;
  const x = new Float64Array(3 * fs);
  // 0.4 s of a 0.1-amplitude 500 Hz tone, twice, in 3 s of silence.
  for (const at of [0.5, 1.8])
    for (let i = 0; i < 0.4 * fs; i++)
      x[Math.round(at * fs) + i] = 0.1 * Math.sin((2 * Math.PI * 500 * i) / fs);
  const a = activeSpeech(x, fs);
  const db = 10 * Math.log10(a.power / 0.005); // tone power 0.1^2 / 2
  t.true(Math.abs(db) < 0.2, `active level off by ${db.toFixed(2)} dB`);
  t.true(Math.abs(a.activity - 0.8 / 3) < 0.02, `activity ${a.activity}`);
});

test("the time difference of arrival of a talker at az=30° matches the geometry (GCC-PHAT)", (t) => {
  const pair: MicGeometry = {
    positionsMm: [
      [-50, 0, 0],
      [50, 0, 0],
    ],
  };
  // An 8 x 6 m room keeps the talker 2 m from the walls: a wall within a metre of the talker
  // gives a reflection strong enough to rival the direct path's GCC-PHAT peak (real, but not
  // what this test is about).
  for (const az of [30, 90, 150]) {
    const scene = loadScene(`scene:speech=${YES},az=${az},dist=2,room=8x6x3,rt60=0.3,seed=5`, pair);
    const r = renderScene({ ...scene, selfNoise: null, gainTolerance: 0 });
    const [m0, m1] = scene.mics;
    const p = scene.talkers[0].position;
    const want = ((distance(p, m1) - distance(p, m0)) / SPEED_OF_SOUND) * scene.sampleRate;
    const got = gccPhat(Float64Array.from(r.channels[0]), Float64Array.from(r.channels[1]), 8);
    t.log(`az ${az}: TDOA ${got.toFixed(3)} samples, geometry ${want.toFixed(3)}`);
    t.true(Math.abs(got - want) < 0.25, `az ${az}: TDOA ${got} vs ${want} samples`);
  }
  // 100 mm at az 30°: the far-field value d·cos(az)/c·fs is 4.04 samples; the mic nearer the talker leads.
  const s30 = loadScene(`scene:speech=${YES},az=30,dist=2`, pair);
  t.true(
    distance(s30.talkers[0].position, s30.mics[1]) < distance(s30.talkers[0].position, s30.mics[0]),
  );
});

test("diffuse noise has the coherence of a spherically isotropic field between microphones", (t) => {
  const pair: MicGeometry = {
    positionsMm: [
      [-40, 0, 0],
      [40, 0, 0],
    ],
  };
  const scene = loadScene(
    sceneFile("diffuse.json", {
      duration: 20,
      noise: [{ type: "white", level: 60 }],
      microphones: { selfNoise: false },
    }),
    pair,
  );
  const r = renderScene(scene);
  const fs = scene.sampleRate;
  // Welch estimate of the real part of the coherence, 256-point Hann frames, 50 % overlap.
  const n = 256;
  const fft = new FFT(n);
  const s11 = new Float64Array(n / 2),
    s22 = new Float64Array(n / 2),
    s12 = new Float64Array(n / 2);
  const f1 = new Float64Array(n),
    f2 = new Float64Array(n),
    o1 = new Float64Array(2 * n),
    o2 = new Float64Array(2 * n);
  for (let at = 0; at + n <= scene.length; at += n / 2) {
    for (let i = 0; i < n; i++) {
      const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
      f1[i] = w * r.noise[0][at + i];
      f2[i] = w * r.noise[1][at + i];
    }
    fft.realTransform(o1, f1);
    fft.realTransform(o2, f2);
    for (let k = 0; k < n / 2; k++) {
      s11[k] += o1[2 * k] ** 2 + o1[2 * k + 1] ** 2;
      s22[k] += o2[2 * k] ** 2 + o2[2 * k + 1] ** 2;
      s12[k] += o1[2 * k] * o2[2 * k] + o1[2 * k + 1] * o2[2 * k + 1];
    }
  }
  const d = distance(scene.mics[0], scene.mics[1]);
  let worst = 0;
  for (let k = 2; k < n / 2; k += 4) {
    const f = (k * fs) / n;
    const err = Math.abs(s12[k] / Math.sqrt(s11[k] * s22[k]) - diffuseCoherence(d, f));
    worst = Math.max(worst, err);
  }
  t.true(worst < 0.1, `coherence differs from sin(kd)/kd by up to ${worst.toFixed(3)}`);
  // And it is a real constraint: at 4 kHz the two mics are nearly incoherent (first zero c/2d = 2.1 kHz).
  t.true(Math.abs(diffuseCoherence(d, 4000)) < 0.25);
});

test("same seed, same samples; another seed, other noise", (t) => {
  const spec = (seed: number) =>
    `scene:speech=${YES},az=30,dist=2.5,rt60=0.3,noise=babble,snr=5,seed=${seed}`;
  const read = (seed: number) => {
    const src = openRoomScene(spec(seed), LINEAR4);
    return [0, 1, 2, 3].map((c) => {
      const out = new Float64Array(20000);
      src.read(c, 0, out);
      return out;
    });
  };
  const a = read(11),
    b = read(11),
    c = read(12);
  t.deepEqual(a, b);
  t.notDeepEqual(a[0], c[0]);
});

test("MicSource contract: one channel per microphone, silence past the end, or a loop", (t) => {
  const src = openRoomScene(`scene:speech=${YES},az=0,dist=1.5,duration=1.5`, LINEAR4);
  t.is(src.channels, 4);
  t.is(src.sampleRate, 16000);
  t.regex(src.description, /RT60 0\.40 s/);
  const past = new Float64Array(100);
  src.read(2, 24000, past);
  t.true(past.every((v) => v === 0));
  const looped = openRoomScene(`scene:speech=${YES},az=0,dist=1.5,duration=1.5,loop`, LINEAR4);
  const first = new Float64Array(100),
    again = new Float64Array(100);
  looped.read(2, 5000, first);
  looped.read(2, 5000 + 24000, again);
  t.deepEqual(first, again);
  t.true(first.some((v) => v !== 0));
  const level = (c: number) => {
    const out = new Float64Array(24000);
    src.read(c, 0, out);
    return meanPower(out);
  };
  t.true(level(0) > 0 && level(3) > 0);
});

test("raising the SNR by 10 dB lowers the noise by exactly 10 dB and leaves the speech alone", (t) => {
  const at = (snr: number) =>
    renderScene(
      loadScene(`scene:speech=${YES},az=-20,dist=1.8,noise=pink,snr=${snr},duration=2`, LINEAR4),
    );
  const a = at(0),
    b = at(10);
  t.deepEqual(a.speech[2], b.speech[2]);
  const drop = 10 * Math.log10(meanPower(a.noise[2]) / meanPower(b.noise[2]));
  t.true(Math.abs(drop - 10) < 1e-6, `noise dropped ${drop} dB`);
  // The far microphones' SNR differs from the reference's only by what the room does (< 3 dB here).
  const snr3 = 10 * Math.log10(activeSpeech(b.speech[3], 16000).power / meanPower(b.noise[3]));
  t.true(Math.abs(snr3 - 10) < 3, `mic 3 SNR ${snr3}`);
});

test("turning the array turns the room around it: a talker given by az/dist keeps its distances to the microphones", (t) => {
  const d = (arrayAz: number) => {
    const s = loadScene(
      sceneFile(`turn-${arrayAz}.json`, {
        room: { size: [8, 6, 3] },
        array: { position: [4, 3, 1], azimuth: arrayAz, elevation: 10 },
        talkers: [{ file: join(process.cwd(), YES), az: 40, dist: 2, elevation: 20 }],
      }),
      LINEAR4,
    );
    return s.mics.map((m) => distance(m, s.talkers[0].position));
  };
  const a = d(0),
    b = d(75);
  a.forEach((v, i) => t.true(Math.abs(v - b[i]) < 1e-9));
  t.true(Math.abs(a[0] - 2) < 0.06 && a[0] !== a[3]);
});
