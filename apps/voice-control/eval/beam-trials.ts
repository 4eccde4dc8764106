// Wake words and commands per trial on the host, through one of the app's beams: the far-field
// bench's trial scenes (scenes.ts: "marvin" then a command, twice; the real clip and a synthetic
// voice neither model was trained on; the commands from synthetic voices) rendered at a board's
// microphones, the front end of host-frontend.ts (beam steered to the talker, calibration, AGC,
// int16), then the app's decisions as main.ts takes them:
// - wake word: the first stage on every 32 ms hop (wake-scores.ts, the window's own scaling),
//   a candidate at >= WAKE_CANDIDATE_PCT verified on the firmware's windows (wake-verify.ts
//   detections, app.json's rule);
// - command: from the wake line on, the KWS model on the command path's window (firmware-
//   window.ts: fixed-scale MFCCs, the recipe's scaling on coefficient 0) first 36 steps of 20 ms
//   after it (main.ts FIRST_SCORE_STEPS + 1), then every 100 ms while listening (3 s); a command
//   is the same word >= 0.70 on two scorings in a row (command.ts THRESHOLD).
// A trial counts as the emulator's benches count it (test/bench/voice-trial.ts): the wake in
// time (from "marvin" to 0.5 s after the command starts), the first command after it the word said.
// Results are cached per scene, beam, microphones and models in the OS temp folder.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadReference, type ReferenceModel } from "../../../test/helpers/tflite-reference.ts";
import { renderFrontEnd, type HostBeam } from "./host-frontend.ts";
import { detections, verifierScore, VERIFY_STRIDE, MAX_VERIFY_SCORINGS } from "./wake-verify.ts";
import { appRule } from "./real-clip-detection.ts";
import { firmwareVerifierInput, kwsWindowEnd, KWS_STEP } from "./firmware-window.ts";
import { wakeScores, RATE } from "./wake-scores.ts";
import { TRIALS, type TrialScene } from "./scenes.ts";

const CACHE = path.join(os.tmpdir(), "tinyboard-beam-trials");
const VERIFIER = fileURLToPath(new URL("../model/wake_verifier_int8.tflite", import.meta.url));
const KWS = fileURLToPath(new URL("../model/kws_ref_model.tflite", import.meta.url));
/** command.ts WORDS: the ten commands, then silence and unknown. */
const WORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"];
const COMMAND_THRESHOLD = 0.7; // command.ts THRESHOLD
const FIRST_SCORE_STEPS = 36; // main.ts: sinceScore starts at SCORE_EVERY - 1 - 35
const SCORE_STEPS = 5; // command.ts SCORE_EVERY: 100 ms
const LISTEN_S = 3; // main.ts LISTEN_MS
const LATE_WAKE_S = 0.5; // voice-trial.ts

export interface HostTrial {
  woke: boolean;
  /** The command heard after the wake word, or null. */
  heard: string | null;
  commandRight: boolean;
  /**
   * The command heard when listening starts CUE_S before the word, wake word or not (the clean
   * test's timing, command-voices.ts): the command path alone, and the word said.
   */
  cued?: { heard: string | null; right: boolean };
}

/** The cued listening starts this long before the command (command-voices.ts LEAD_S). */
export const CUE_S = 0.4;

let kws: ReferenceModel | null = null;

/** The command the app takes after a wake word at sample `wakeEnd` of pcm, or null. */
export async function commandAfter(pcm: Int16Array, wakeEnd: number): Promise<string | null> {
  kws ??= await loadReference(new Uint8Array(readFileSync(KWS)));
  const e0 = Math.floor(wakeEnd / KWS_STEP) * KWS_STEP;
  let candidate = -1;
  for (let e = e0 + FIRST_SCORE_STEPS * KWS_STEP; e <= pcm.length; e += SCORE_STEPS * KWS_STEP) {
    const out = kws.run([firmwareVerifierInput(pcm, e)])[0] as Int8Array;
    let best = 0;
    for (let c = 1; c < out.length; c++) if (out[c] > out[best]) best = c;
    const hit = best < WORDS.length && (out[best] + 128) / 256 >= COMMAND_THRESHOLD;
    if (hit && best === candidate) return WORDS[best];
    if (e >= wakeEnd + LISTEN_S * RATE) return null;
    candidate = hit ? best : -1;
  }
  return null;
}

/** The app's wake detections (s) on pcm, first stage and verifier as app.json sets them. */
async function wakeTimes(pcm: Int16Array, model: Uint8Array): Promise<number[]> {
  const rule = appRule();
  const s = await wakeScores(pcm, "window");
  const verifier: number[][] = [];
  for (let i = 0; i < s.t.length; i++) {
    const row: number[] = [];
    if (s.score[i] >= rule.candidate) {
      const e0 = kwsWindowEnd(Math.round(s.t[i] * RATE));
      for (let j = 0; j < Math.min(MAX_VERIFY_SCORINGS, rule.scorings ?? 1); j++)
        row.push(await verifierScore(model, pcm, e0 + j * VERIFY_STRIDE * KWS_STEP));
    }
    verifier.push(row);
  }
  return detections({ t: Array.from(s.t), score: Array.from(s.score), verifier }, rule);
}

const hash = (x: string | Uint8Array) => createHash("sha256").update(x).digest("hex").slice(0, 16);

/** Both trials of a scene through `beam` at microphones `positionsMm`. */
export async function hostTrials(
  t: TrialScene,
  beam: HostBeam,
  positionsMm: [number, number, number][],
  dir: string,
): Promise<HostTrial[]> {
  mkdirSync(CACHE, { recursive: true });
  const model = new Uint8Array(readFileSync(VERIFIER));
  const key = hash(
    JSON.stringify({ scene: t.scene, beam, positionsMm, v: 2, app: appRule() }) +
      hash(model) +
      hash(new Uint8Array(readFileSync(KWS))),
  );
  const file = path.join(CACHE, `trials-${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  const sceneFile = path.join(dir, `beam-trial-${key}.json`);
  writeFileSync(sceneFile, JSON.stringify(t.scene));
  // The beam follows the talker (one azimuth per scene here), as the firmware's DOA settles on it.
  const pcm = renderFrontEnd(sceneFile, [{ at: 0, azDeg: t.az }], { positionsMm, beam });
  const wakes = await wakeTimes(pcm, model);
  const out: HostTrial[] = [];
  for (let i = 0; i < TRIALS.length; i++) {
    const w = wakes.find((x) => x >= TRIALS[i].wake && x <= TRIALS[i].command + LATE_WAKE_S);
    const heard = w === undefined ? null : await commandAfter(pcm, Math.round(w * RATE));
    const cuedHeard = await commandAfter(pcm, Math.round((TRIALS[i].command - CUE_S) * RATE));
    out.push({
      woke: w !== undefined,
      heard,
      commandRight: heard === t.words[i],
      cued: { heard: cuedHeard, right: cuedHeard === t.words[i] },
    });
  }
  writeFileSync(file, JSON.stringify(out));
  return out;
}
