// SNR of voice-control's front end measured on the signal itself: the bench's far-field scenes
// (apps/voice-control/eval/scenes.ts) rendered once, their speech and noise at each microphone
// kept apart (the room renderer is linear: emulator/inputs/room/render.ts returns both), each
// component put through the front end on its own, SNR over the frames where the talker is
// active. Beams vs microphone 0: the superdirective beam (the app's BEAM=2) and delay-and-sum
// (BEAM=1), steered to the talker's true azimuth in the horizontal plane (what the firmware's
// DOA settles to, median error 3 degrees on the 3-microphone array), against the delay-and-sum
// filter on microphone 0 alone (BEAM=0).
// The noise suppressor is not linear: its SNR comes from Hagerman and Olofsson's phase-inversion
// method (process s + n and s - n; (a + b) / 2 is the speech, (a - b) / 2 the noise through the
// same gains). The DSP is the host reference of test/helpers/dsp-reference-filters.ts, held to
// the firmware's own code by test/firmware/dsp/filters.test.ts (within 80 dB for the beam,
// 60 dB for the suppressor). Bands: the same ratio after a 4th-order low-pass at 1 kHz and a
// 4th-order high-pass at 2 kHz, to show where an array of this size has directivity.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { loadMicArray, micLayout } from "../../emulator/peripherals/mic/array.ts";
import { loadScene } from "../../emulator/inputs/room/scene.ts";
import { renderScene } from "../../emulator/inputs/room/render.ts";
import { ACTIVITY_MARGIN_DB } from "../../emulator/inputs/room/active-speech.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import { trialScenes, type SceneSpec, type Talkers } from "../../apps/voice-control/eval/scenes.ts";
import { beamform, biquadCascade, noiseSuppress, rbj } from "../helpers/dsp-reference-filters.ts";
import {
  superdirective,
  calibrationTrajectory,
  SD_HOP,
  type GainTrajectory,
} from "../helpers/dsp-reference-superdirective.ts";
import { mvdr } from "../helpers/dsp-reference-mvdr.ts";
import { relativeGainsDb } from "../helpers/dsp-reference-mic-calibration.ts";
import { ROOT, median } from "./util.ts";

const FS = 16000;
const FRAME = 160; // 10 ms, as the renderer's active-speech measure
const NS_LATENCY = 160; // samples (firmware/dsp/noise-suppressor.ts)
/** The app's white-noise-gain floor of the superdirective beam (apps/voice-control/frontend.ts): lower with the microphone calibration. */
export const wngFloorDb = (mics: number, calibrated: boolean): number =>
  calibrated ? (mics === 2 ? -25 : -20) : mics === 2 ? -15 : -20;
const BANDS = {
  all: null,
  "below 1 kHz": [rbj(0, 1000, Math.SQRT1_2, FS), rbj(0, 1000, Math.SQRT1_2, FS)],
  "above 2 kHz": [rbj(1, 2000, Math.SQRT1_2, FS), rbj(1, 2000, Math.SQRT1_2, FS)],
} as const;
export type Band = keyof typeof BANDS;

export interface SceneSnr {
  spec: SceneSpec;
  az: number;
  /** SNR in dB over the talker's active frames, per band: microphone 0, delay-and-sum, superdirective, superdirective + suppressor. */
  mic0: Record<Band, number>;
  beam: Record<Band, number>;
  superdirective: Record<Band, number>;
  beamSuppressed: Record<Band, number>;
  /** The MVDR beam (BEAM=3, firmware/dsp/mvdr.ts) with the calibration, its weights adapted on the mixture and applied to speech and noise apart; NaN unless asked for. */
  mvdr: Record<Band, number>;
  /** Frames the MVDR learnt its noise coherence from, of the scene's frames. */
  mvdrNoiseFrames: number;
  /** The superdirective beam after the microphone calibration (firmware/dsp/mic-calibration.ts), learning from the scene's start. */
  calibrated: Record<Band, number>;
  /** ... with the calibration's final estimate from the start (what a board that has heard the room for a while applies). */
  calibratedSettled: Record<Band, number>;
  /** ... with matched microphones (no gain spread): the bound a perfect calibration reaches; NaN unless asked for. */
  matched: Record<Band, number>;
  /** Each microphone's true gain relative to the array mean, dB (the scene's mismatch draw). */
  trueGainsDb: number[];
  /** The calibration's estimate at the scene's end, per microphone, dB. */
  estimatedGainsDb: number[];
  /** Seconds until every microphone's estimate stays within 0.25 dB of the truth (Infinity: never in the scene). */
  convergedSeconds: number;
}

export interface BoardSnr {
  board: string;
  array: string;
  mics: number;
  scenes: SceneSnr[];
  /** Medians over the scenes, dB: delay-and-sum minus microphone 0, superdirective minus microphone 0, suppressor minus superdirective, per band. */
  beamGainDb: Record<Band, number>;
  superdirectiveGainDb: Record<Band, number>;
  suppressorGainDb: Record<Band, number>;
  /** Medians over the scenes, dB: the calibrated superdirective beam (learning from the start / settled / matched microphones) minus microphone 0. */
  calibratedGainDb: Record<Band, number>;
  /** Median over the scenes: the MVDR (calibrated) minus microphone 0, per band. */
  mvdrGainDb: Record<Band, number>;
  settledGainDb: Record<Band, number>;
  matchedGainDb: Record<Band, number>;
  /** Median over the scenes of the calibration's convergence time, s, and the largest final error, dB. */
  convergedSeconds: number;
  worstEstimateErrorDb: number;
}

/** Within this many dB the calibration counts as converged. */
export const CONVERGED_DB = 0.25;

/** First time (s) after which every estimate stays within CONVERGED_DB of the truth. */
function convergence(gains: GainTrajectory, truthDb: number[]): number {
  let last = -1;
  gains.forEach((g, f) => {
    for (let m = 0; m < g.length; m++)
      if (Math.abs(-20 * Math.log10(g[m]) - truthDb[m]) > CONVERGED_DB) last = f;
  });
  return last === gains.length - 1 ? Infinity : ((last + 1) * SD_HOP) / FS;
}

const frames = (n: number) => Math.floor(n / FRAME);
function framePowers(x: ArrayLike<number>, shift = 0): Float64Array {
  const p = new Float64Array(frames(x.length - shift));
  for (let f = 0; f < p.length; f++) {
    let s = 0;
    for (let i = 0; i < FRAME; i++) s += x[shift + f * FRAME + i] ** 2;
    p[f] = s;
  }
  return p;
}

/** Frames where the talker is active at microphone 0: within ACTIVITY_MARGIN_DB of the active level (render.ts' rule). */
function activeFrames(speech: ArrayLike<number>): boolean[] {
  const p = framePowers(speech);
  let level = p.reduce((a, b) => a + b, 0) / Math.max(1, p.length);
  const margin = 10 ** (-ACTIVITY_MARGIN_DB / 10);
  for (let it = 0; it < 50; it++) {
    const on = p.filter((v) => v >= level * margin);
    const next = on.reduce((a, b) => a + b, 0) / Math.max(1, on.length);
    if (Math.abs(next - level) <= 1e-9 * level) break;
    level = next;
  }
  return Array.from(p, (v) => v >= level * margin);
}

function snrDb(s: ArrayLike<number>, n: ArrayLike<number>, mask: boolean[], shift = 0): number {
  const ps = framePowers(s, shift),
    pn = framePowers(n, shift);
  let a = 0,
    b = 0;
  for (let f = 0; f < Math.min(mask.length, ps.length); f++)
    if (mask[f]) {
      a += ps[f];
      b += pn[f];
    }
  return 10 * Math.log10(a / b);
}

function perBand(
  s: Float64Array,
  n: Float64Array,
  mask: boolean[],
  shift = 0,
): Record<Band, number> {
  const out = {} as Record<Band, number>;
  for (const [band, sections] of Object.entries(BANDS) as [Band, number[][] | null][]) {
    const f = (x: Float64Array) =>
      sections ? biquadCascade(sections.flat(), sections.length, x) : x;
    out[band] = snrDb(f(s), f(n), mask, shift);
  }
  return out;
}

/** Every trial scene of the bench at these SNRs through board's microphones. */
export function measureFrontEndSnr(
  board: string,
  dir: string,
  snrs: number[],
  log: (s: string) => void = () => undefined,
  opts: {
    /** The noise suppressor (the slow part, which a test of the beams does not need); else its SNR is NaN. */
    suppressor?: boolean;
    /** The calibrated beam with the calibration's final gains from the start, and the beam on matched microphones (the bound); else NaN. */
    bounds?: boolean;
    /** The MVDR beam (BEAM=3); else NaN. */
    mvdr?: boolean;
    /** Only microphone 0 and the calibrated beam (the app's default); the rest NaN. */
    lean?: boolean;
    /** Whose scenes (eval/scenes.ts Talkers; default the bench's). */
    talkers?: Talkers;
  } = {},
): BoardSnr {
  const app = loadApp(path.join(ROOT, "apps/voice-control"));
  const target = loadTarget(board);
  const arrayName = appMicArray(app, board);
  const layout = micLayout(target.board, arrayName ? loadMicArray(arrayName) : null);
  const positions = layout.positionsMm.map((p) => [...p]);
  const scenes: SceneSnr[] = [];
  trialScenes(dir, snrs, opts.talkers).forEach(({ spec, scene, az }, k) => {
    const file = path.join(dir, `snr-${board}-${k}.json`);
    writeFileSync(file, JSON.stringify(scene));
    const sc = loadScene(file, layout);
    const r = renderScene(sc);
    // Each microphone's own gain (the mismatch draw) applies to both components; the noise
    // includes the microphones' self-noise (what the channels hold beyond speech and noise).
    const perPa = 10 ** (sc.sensitivity / 20);
    const s = r.speech.map((x, m) => x.map((v) => v * r.gains[m]));
    const n = r.channels.map((x, m) => Float64Array.from(x, (v, i) => v / perPa - s[m][i]));
    const mask = activeFrames(s[0]);
    // The calibration learns from what the microphones hear (speech + noise) ...
    const { gains: trajectory, cal } = calibrationTrajectory(
      s.map((x, m) => x.map((v, i) => v + n[m][i])),
    );
    const settled = trajectory.map(() => cal.gain);
    const ones = trajectory.map(() => new Float64Array(positions.length).fill(1));
    const trueGainsDb = relativeGainsDb(r.gains);
    const steer = (az * Math.PI) / 180;
    const one = (x: Float64Array[]) => beamform([positions[0]], [x[0]], 0, FS);
    const all = (x: Float64Array[]) => beamform(positions, x, steer, FS);
    const sd = (x: Float64Array[], g?: GainTrajectory) =>
      superdirective(positions, x, steer, FS, wngFloorDb(positions.length, !!g), g);
    const nan = { all: NaN, "below 1 kHz": NaN, "above 2 kHz": NaN };
    const nothing = () => new Float64Array(s[0].length).fill(NaN);
    const bs = opts.lean ? nothing() : all(s),
      bn = opts.lean ? nothing() : all(n),
      ds = opts.lean ? nothing() : sd(s),
      dn = opts.lean ? nothing() : sd(n);
    const suppress = (x: ArrayLike<number>) =>
      opts.suppressor ? noiseSuppress(x) : new Float64Array(x.length).fill(NaN);
    const plus = suppress(ds.map((v, i) => v + dn[i]));
    const minus = suppress(ds.map((v, i) => v - dn[i]));
    const ss = plus.map((v, i) => (v + minus[i]) / 2),
      sn = plus.map((v, i) => (v - minus[i]) / 2);
    const mv = opts.mvdr
      ? mvdr(
          positions,
          s.map((x, m) => x.map((v, i) => v + n[m][i])),
          steer,
          FS,
          wngFloorDb(positions.length, true),
          { gains: trajectory, shadows: [s, n] },
        )
      : null;
    const row: SceneSnr = {
      spec,
      az,
      mic0: perBand(one(s), one(n), mask),
      beam: perBand(bs, bn, mask),
      // The superdirective beam's output is one hop late, the suppressor's one more: frames are compared from there.
      superdirective: perBand(ds, dn, mask, SD_HOP),
      beamSuppressed: perBand(ss, sn, mask, SD_HOP + NS_LATENCY),
      // ... and its gains, frame by frame, apply to speech and noise alike.
      calibrated: perBand(sd(s, trajectory), sd(n, trajectory), mask, SD_HOP),
      mvdr: mv ? perBand(mv.shadows[0], mv.shadows[1], mask, SD_HOP) : nan,
      mvdrNoiseFrames: mv ? mv.noiseFrames : NaN,
      calibratedSettled: opts.bounds ? perBand(sd(s, settled), sd(n, settled), mask, SD_HOP) : nan,
      matched: opts.bounds
        ? perBand(
            sd(r.speech, ones),
            sd(
              n.map((x, m) => x.map((v) => v / r.gains[m])),
              ones,
            ),
            mask,
            SD_HOP,
          )
        : nan,
      trueGainsDb,
      estimatedGainsDb: Array.from(cal.gain, (_, m) => cal.estimateDb(m)),
      convergedSeconds: convergence(trajectory, trueGainsDb),
    };
    scenes.push(row);
    log(
      `${board} snr scene ${k + 1}: ${spec.dist} m rt60 ${spec.rt60} ${spec.noise} ${spec.snr} dB az ${az}: ` +
        `mic0 ${row.mic0.all.toFixed(1)} delay-and-sum ${row.beam.all.toFixed(1)} superdirective ${row.superdirective.all.toFixed(1)} ` +
        `calibrated ${row.calibrated.all.toFixed(1)} mvdr ${row.mvdr.all.toFixed(1)} (${row.mvdrNoiseFrames} noise frames) (settled ${row.calibratedSettled.all.toFixed(1)}, matched ${row.matched.all.toFixed(1)}) +ns ${row.beamSuppressed.all.toFixed(1)} dB; ` +
        `gains ${trueGainsDb.map((g) => g.toFixed(2)).join(" ")} dB, estimated ${row.estimatedGainsDb.map((e) => e.toFixed(2)).join(" ")}, converged ${row.convergedSeconds.toFixed(2)} s`,
    );
  });
  const gain = (
    a:
      | "beam"
      | "superdirective"
      | "beamSuppressed"
      | "calibrated"
      | "calibratedSettled"
      | "matched"
      | "mvdr",
    b: "mic0" | "superdirective",
  ) => {
    const out = {} as Record<Band, number>;
    for (const band of Object.keys(BANDS) as Band[])
      out[band] = Math.round(median(scenes.map((x) => x[a][band] - x[b][band])) * 100) / 100;
    return out;
  };
  return {
    board,
    array: arrayName ?? `${board}'s own`,
    mics: positions.length,
    scenes,
    beamGainDb: gain("beam", "mic0"),
    superdirectiveGainDb: gain("superdirective", "mic0"),
    suppressorGainDb: gain("beamSuppressed", "superdirective"),
    calibratedGainDb: gain("calibrated", "mic0"),
    mvdrGainDb: gain("mvdr", "mic0"),
    settledGainDb: gain("calibratedSettled", "mic0"),
    matchedGainDb: gain("matched", "mic0"),
    convergedSeconds: median(scenes.map((x) => x.convergedSeconds)),
    worstEstimateErrorDb: Math.max(
      ...scenes.flatMap((x) => x.estimatedGainsDb.map((e, m) => Math.abs(e - x.trueGainsDb[m]))),
    ),
  };
}
