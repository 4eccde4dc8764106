// The app's front end on the host, for training and scoring the wake-word verifier on what the
// firmware feeds it: the scene rendered at every microphone of the array (emulator/inputs/room/,
// full-scale units, as the microphone peripheral reads them), the superdirective beam steered to
// the talker's true azimuth with each microphone's gain corrected by the calibration the
// firmware runs inside the beam (firmware/dsp/mic-calibration.ts, the app's MIC_CALIBRATION
// default; float64 reference in test/helpers/dsp-reference-mic-calibration.ts), learning from
// the first sample on (the firmware steers to its GCC-PHAT estimate, median error 3
// degrees on this array: test/bench/voice-frontend-snr.ts), the AGC as firmware/dsp/agc.ts with
// the app's start at its +30 dB ceiling (frontend.ts agcInitAt), then int16 as the history
// holds it (x 32767, rounded), with the microphones' self-noise at the microphone peripheral's
// level. The beam is the float64 reference of
// test/helpers/dsp-reference-superdirective.ts, held to the firmware by
// test/firmware/dsp/superdirective.test.ts. PDM decimation (RT1060) is left out.
import { loadMicArray } from "../../../emulator/peripherals/mic/array.ts";
import { loadScene } from "../../../emulator/inputs/room/scene.ts";
import { renderScene } from "../../../emulator/inputs/room/render.ts";
import { MEMS_MIC, SELF_NOISE_DBFS } from "../../../emulator/peripherals/mic/channel-path.ts";
import {
  SD_HOP,
  calibrationTrajectory,
  superdirective,
} from "../../../test/helpers/dsp-reference-superdirective.ts";
import { beamform } from "../../../test/helpers/dsp-reference-filters.ts";
import { mvdr } from "../../../test/helpers/dsp-reference-mvdr.ts";

const RATE = 16000;
const BLOCK = 160;
/**
 * The microphone peripheral's self-noise per 16 kHz sample (emulator/peripherals/mic/
 * channel-path.ts: SELF_NOISE_DBFS over a 20 kHz band, white, so 10 log10(8 / 20) dB of it
 * below 8 kHz).
 */
const PERIPHERAL_SELF_NOISE_DBFS =
  SELF_NOISE_DBFS + 10 * Math.log10(RATE / 2 / MEMS_MIC.noiseBandHz);
const PRE_ROLL = 480;
/** frontend.ts SD_WNG_MIN_DB (3+ microphones) and the array rt1060 / mcxn947 use (app.json). */
const WNG_MIN_DB = -20;
/** frontend.ts SD_WNG_MIN_DB_PAIR with the calibration on (-15 without). */
const WNG_MIN_DB_PAIR = -25;
export const FRONTEND_ARRAY = "sln-local2-tri";
/** firmware/dsp/agc.ts AgcConfig defaults. */
const AGC = { target: -20, max: 30, min: -20, gate: -65, attack: 0.5, release: 0.05 };

/** firmware/dsp/agc.ts agcProcess over blocks of 160, started at `startDb` (frontend.ts: the ceiling). */
export function agcFrom(x: ArrayLike<number>, startDb = AGC.max): Float64Array {
  const out = new Float64Array(x.length);
  let g = startDb,
    from = 10 ** (g / 20);
  for (let at = 0; at + BLOCK <= x.length; at += BLOCK) {
    let e = 0;
    for (let i = 0; i < BLOCK; i++) e += x[at + i] ** 2;
    const level = 10 * Math.log10(e / BLOCK + 1e-12);
    if (level > AGC.gate) {
      const want = Math.max(AGC.min, Math.min(AGC.max, AGC.target - level));
      g += (want < g ? AGC.attack : AGC.release) * (want - g);
    }
    const to = 10 ** (g / 20);
    for (let i = 0; i < BLOCK; i++)
      out[at + i] = Math.max(-1, Math.min(1, x[at + i] * (from + ((to - from) * (i + 1)) / BLOCK)));
    from = to;
  }
  return out;
}

/** Which of the app's beams the host front end runs. */
export type HostBeam = "superdirective" | "mic0" | "mvdr";

/** Where the beam points from time `at` (s) on: the talker speaking then (the firmware's DOA follows the talker). */
export interface Steer {
  at: number;
  azDeg: number;
}

/**
 * The front end's output (int16, sample k as the firmware's history holds it) for a scene file,
 * the beam steered as `steer` says (switching on 10 ms block boundaries; before the first entry
 * it points as the first). Like the firmware's, it lags the scene by the beam's 160 samples, so
 * hops and verifier windows fall on the same samples as there.
 */
export function renderFrontEnd(
  sceneFile: string,
  steer: Steer[],
  opts: {
    calibrate?: boolean;
    positionsMm?: [number, number, number][];
    /** The app's BEAM: "superdirective" (2, the default), "mvdr" (3; one steering only: it learns over the whole scene) or "mic0" (0: microphone 0 through the delay-and-sum filter alone). */
    beam?: HostBeam;
  } = {},
): Int16Array {
  // Another array (e.g. RT1170's on-board pair) by its microphone positions; a pair takes the
  // pair's white-noise-gain floor as frontend.ts does.
  const mics = opts.positionsMm ?? loadMicArray(FRONTEND_ARRAY).mics.map((m) => m.positionMm);
  const positions = mics.map((p) => [...p]);
  const scene = loadScene(sceneFile, { positionsMm: mics }, process.cwd());
  // Self-noise as the microphone peripheral adds it (the scene's own, 65 dB SNR over 8 kHz, is
  // 3 dB louder): through the beam's low-frequency gain on uncorrelated noise it is what
  // separates host and firmware most below 250 Hz.
  const x = renderScene({ ...scene, selfNoise: PERIPHERAL_SELF_NOISE_DBFS }).channels.map((c) =>
    Float64Array.from(c),
  );
  const n = x[0].length;
  if (opts.beam === "mic0")
    return Int16Array.from(agcFrom(beamform([positions[0]], [x[0]], 0, RATE)), (v) =>
      Math.round(v * 32767),
    );
  // The calibration runs on every frame from boot, whatever the beam is steered to.
  const gains =
    opts.calibrate === false ? null : calibrationTrajectory(x.map((c) => c.slice())).gains;
  const floor = mics.length === 2 ? (opts.calibrate === false ? -15 : WNG_MIN_DB_PAIR) : WNG_MIN_DB;
  if (opts.beam === "mvdr") {
    if (steer.length !== 1) throw new Error("host front end: the MVDR beam takes one steering");
    const y = mvdr(positions, x, (steer[0].azDeg * Math.PI) / 180, RATE, floor, {
      gains: gains ?? undefined,
    }).out;
    return Int16Array.from(agcFrom(y), (v) => Math.round(v * 32767));
  }
  const beam = new Float64Array(n);
  const at = steer.map((s) => Math.round((s.at * RATE) / BLOCK) * BLOCK);
  at[0] = 0;
  for (let k = 0; k < steer.length; k++) {
    const a = Math.min(n, at[k]),
      b = k + 1 < steer.length ? Math.min(n, at[k + 1]) : n;
    if (b <= a) continue;
    // The beam's frames reach 320 samples back and its output lags 160: 480 of run-in.
    const from = Math.max(0, a - PRE_ROLL);
    const y = superdirective(
      positions,
      x.map((c) => c.subarray(from, b)),
      (steer[k].azDeg * Math.PI) / 180,
      RATE,
      floor,
      gains?.slice(from / SD_HOP),
    );
    beam.set(y.subarray(a - from), a);
  }
  return Int16Array.from(agcFrom(beam), (v) => Math.round(v * 32767));
}
