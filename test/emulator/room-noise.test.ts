// Noise colours and the microphones' own imperfections, measured on the generated signals.
import test from "ava";
import FFT from "fft.js";
import { babbleNoise, fanNoise, pinkNoise, whiteNoise } from "../../emulator/inputs/room/noise.ts";
import { rngFor } from "../../emulator/inputs/room/prng.ts";
import { meanPower } from "../../emulator/inputs/room/active-speech.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { openRoomScene } from "../../emulator/inputs/room/room-source.ts";
import { loadScene } from "../../emulator/inputs/room/scene.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";

const FS = 16000;

/** Averaged power spectrum (Hann, 1024 points), one value per bin of FS/1024 Hz. */
function spectrum(x: Float64Array): Float64Array {
  const n = 1024;
  const fft = new FFT(n);
  const frame = new Float64Array(n),
    out = new Float64Array(2 * n),
    p = new Float64Array(n / 2);
  for (let at = 0; at + n <= x.length; at += n / 2) {
    for (let i = 0; i < n; i++)
      frame[i] = x[at + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
    fft.realTransform(out, frame);
    for (let k = 0; k < n / 2; k++) p[k] += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
  }
  return p;
}

function bandDb(p: Float64Array, lo: number, hi: number): number {
  let s = 0;
  for (let k = Math.ceil((lo * 1024) / FS); k < (hi * 1024) / FS; k++) s += p[k];
  return 10 * Math.log10(s);
}

test("white noise has equal power in equal bandwidths; pink has equal power per octave", (t) => {
  const w = spectrum(whiteNoise(10 * FS, rngFor(1, "w")));
  t.true(Math.abs(bandDb(w, 1000, 2000) - bandDb(w, 5000, 6000)) < 0.5);
  const p = spectrum(pinkNoise(10 * FS, FS, rngFor(1, "p")));
  const octaves = [125, 250, 500, 1000, 2000, 4000].map((f) => bandDb(p, f, 2 * f));
  const spread = Math.max(...octaves) - Math.min(...octaves);
  t.true(spread < 1, `octave band powers ${octaves.map((v) => v.toFixed(1)).join(", ")} dB`);
  // and it is not white: 1 kHz bandwidth at 1 kHz vs at 6 kHz differs by 10·log10(6.5/1.5) ≈ 6.4 dB
  const tilt = bandDb(p, 1000, 2000) - bandDb(p, 6000, 7000);
  t.true(
    Math.abs(tilt - 10 * Math.log10(Math.log(2) / Math.log(7 / 6))) < 1,
    `tilt ${tilt.toFixed(2)} dB`,
  );
});

test("fan noise is a hum at the blade-passing frequency and its harmonics", (t) => {
  const f0 = 120;
  const p = spectrum(fanNoise(10 * FS, FS, rngFor(2, "f"), { f0, harmonics: 8 }));
  for (const k of [1, 2, 3]) {
    const peak = bandDb(p, k * f0 - 10, k * f0 + 10);
    const between = bandDb(p, (k + 0.5) * f0 - 10, (k + 0.5) * f0 + 10);
    t.true(peak - between > 15, `harmonic ${k}: ${(peak - between).toFixed(1)} dB above the floor`);
  }
});

test("babble is several voices at once: far fewer quiet frames than one talker", (t) => {
  const clips = ["yes_1000ms.wav", "no_1000ms.wav", "marvin_617de221_0.wav"].map(
    (f) => readWav(`emulator/inputs/room/speech/${f}`).channels[0],
  );
  const quietFraction = (x: Float64Array) => {
    const mean = meanPower(x);
    let quiet = 0,
      frames = 0;
    for (let at = 0; at + 160 <= x.length; at += 160, frames++)
      if (meanPower(x, at, at + 160) < mean / 100) quiet++;
    return quiet / frames;
  };
  const b = babbleNoise(10 * FS, FS, rngFor(3, "b"), { voices: 6, clips });
  t.true(Math.abs(meanPower(b) - 1) < 1e-9);
  const single = quietFraction(clips[0]);
  const babble = quietFraction(b);
  t.log(
    `quiet 10 ms frames: one clip ${(single * 100).toFixed(0)} %, babble ${(babble * 100).toFixed(1)} %`,
  );
  t.true(single > 0.3 && babble < 0.02);
});

test("microphone self-noise sits at sensitivity - SNR (-91 dBFS by default)", (t) => {
  const src = openRoomScene("scene:duration=2", {
    positionsMm: [
      [0, 0, 0],
      [20, 0, 0],
    ],
  });
  for (const c of [0, 1]) {
    const x = new Float64Array(32000);
    src.read(c, 0, x);
    const db = 10 * Math.log10(meanPower(x));
    t.true(Math.abs(db + 91) < 0.1, `mic ${c}: ${db.toFixed(2)} dBFS`);
  }
});

test("gain mismatch: each microphone's gain is within the tolerance, and they differ", (t) => {
  const geometry = {
    positionsMm: [
      [-52.5, 0, 0],
      [-17.5, 0, 0],
      [17.5, 0, 0],
      [52.5, 0, 0],
    ] as [number, number, number][],
  };
  const scene = loadScene(
    "scene:speech=emulator/inputs/room/speech/yes_1000ms.wav,az=90,dist=1.5",
    geometry,
  );
  const r = renderScene({ ...scene, gainTolerance: 1.5 });
  const db = r.gains.map((g) => 20 * Math.log10(g));
  t.true(
    db.every((g) => Math.abs(g) <= 1.5),
    db.join(", "),
  );
  t.true(Math.max(...db) - Math.min(...db) > 0.1);
});
