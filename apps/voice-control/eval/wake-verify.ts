// The two-stage wake word on the host: the MLPerf wake-word model (first stage, window scaling
// as wake.ts) on every 32 ms hop, and wherever it scores >= MIN_CANDIDATE the verifier
// (model/wake_verifier_int8.tflite, trained by train/wake-train.ts) on the firmware's own
// window (firmware-window.ts) and the windows after it, both in TFLite's own runtime.
//
// The rule (as main.ts and verifier.ts): a candidate is a first-stage score >= candidate
// threshold; it is a detection at the first of up to `scorings` verifier windows where the mean
// of the last `smooth` scores is >= the verifier threshold; then 1.5 s deaf. Rule and thresholds
// are chosen on the VALIDATION scenes (eval/scenes.ts with voices neither the verifier's
// training nor the bench uses; the app took the best validation detection with <= 1 false
// accept in `--val-fa-minutes 20`), then measured on the bench's scenes. Scores are cached per
// scene (and per verifier model), so re-runs take seconds.
//
// `npx tsx apps/voice-control/eval/wake-verify.ts [--audio frontend|mic0] [--snr 20,10,5,0] [--val-fa-minutes 60]
//   [--fa-minutes 10] [--every 1|2] [--model F] [--json out.json]`
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadReference, type ReferenceModel } from "../../../test/helpers/tflite-reference.ts";
import { WAKE_VALIDATION_VOICES } from "../train/wake-dataset.ts";
import { falseAcceptScenes, trialScenes, TRIALS, type Talkers } from "./scenes.ts";
import { renderReferenceMic, wakeScores, RATE } from "./wake-scores.ts";
import { firmwareVerifierInput, kwsWindowEnd, KWS_STEP } from "./firmware-window.ts";
import { renderFrontEnd, type Steer } from "./host-frontend.ts";

const CACHE = path.join(os.tmpdir(), "tinyboard-wake-eval");
const MODEL = fileURLToPath(new URL("../model/wake_verifier_int8.tflite", import.meta.url));
/** kws_ref_model.tflite's input quantisation, which the verifier shares (firmware/dsp/mlperf-kws.ts). */
/** Below this first-stage score the verifier is not run (no candidate threshold goes lower). */
export const MIN_CANDIDATE = 0.5;
const REFRACTORY = 1.5;

export const VALIDATION_TALKERS: Talkers = {
  voices: WAKE_VALIDATION_VOICES.map((v) => ({ engine: v.engine, voice: v.name })),
  real: false,
  seedOffset: 20000,
};

/** Verifier scorings after a candidate are this many KWS steps apart (40 ms). */
export const VERIFY_STRIDE = 2;
/** At most this many verifier scorings per candidate (the candidate's window and 480 ms after it). */
export const MAX_VERIFY_SCORINGS = 13;

/**
 * Per hop: end time (s), first-stage score, and where the hop is a possible candidate the
 * verifier's "marvin" scores on the firmware's window (firmware-window.ts) and on the
 * MAX_VERIFY_SCORINGS - 1 windows after it, VERIFY_STRIDE KWS steps apart (empty elsewhere).
 */
export interface Trace {
  t: number[];
  score: number[];
  verifier: number[][];
}

export interface TwoStageRule {
  candidate: number;
  /** -1: no verifier (the first stage decides alone). */
  verify: number;
  /** First-stage scorings in a row at or above `candidate` (1 with the verifier). */
  run?: number;
  /** First stage scored every `every`-th hop (2 on MCX N947). */
  every: number;
  /** Verifier scorings per candidate (1: the candidate's window only). */
  scorings?: number;
  /** Consecutive verifier scorings averaged (1: any single one). */
  smooth?: number;
  /** Deaf time after a detection, s (wake.ts REFRACTORY_MS: 1.5). */
  refractory?: number;
}

/**
 * Detection times of a rule. With the verifier, a candidate is scored on up to `scorings`
 * windows; it is a detection at the first where the mean of the last `smooth` scores reaches
 * `verify`; while a candidate is being verified, the first stage names no other.
 */
export function detections(tr: Trace, rule: TwoStageRule): number[] {
  const out: number[] = [];
  const scorings = rule.scorings ?? 1,
    smooth = rule.smooth ?? 1;
  const stride = (VERIFY_STRIDE * KWS_STEP) / RATE;
  let deafUntil = -1,
    above = 0;
  for (let i = rule.every - 1; i < tr.t.length; i += rule.every) {
    above = tr.score[i] >= rule.candidate ? above + 1 : 0;
    if (tr.t[i] < deafUntil || above < (rule.run ?? 1)) continue;
    if (rule.verify >= 0) {
      const v = tr.verifier[i];
      let at = -1;
      for (let j = smooth - 1; j < scorings && at < 0; j++) {
        let sum = 0;
        for (let k = j - smooth + 1; k <= j; k++) sum += v[k];
        if (sum / smooth >= rule.verify) at = j;
      }
      if (at < 0) {
        deafUntil = tr.t[i] + (scorings - 1) * stride + 1e-9; // busy verifying this candidate
        above = 0;
        continue;
      }
      above = 0;
      out.push(tr.t[i] + at * stride);
      deafUntil = tr.t[i] + at * stride + (rule.refractory ?? REFRACTORY);
      continue;
    }
    above = 0;
    out.push(tr.t[i]);
    deafUntil = tr.t[i] + (rule.refractory ?? REFRACTORY);
  }
  return out;
}

let verifier: ReferenceModel | null = null;
/** The verifier's "marvin" probability on the firmware's window ending at sample `end`. */
export async function verifierScore(model: Uint8Array, pcm: Int16Array, end: number) {
  verifier ??= await loadReference(model);
  return ((verifier.run([firmwareVerifierInput(pcm, end)])[0] as Int8Array)[0] + 128) / 256;
}

const hash = (x: string | Uint8Array) => createHash("sha256").update(x).digest("hex").slice(0, 16);

/** The scene's trace: first-stage scores cached per scene, verifier scores per scene and model. */
export async function sceneTrace(
  scene: object,
  model: Uint8Array,
  dir: string,
  withPcm = false,
  source: AudioSource = AUDIO_SOURCE,
  positionsMm?: [number, number, number][],
): Promise<Trace & { pcm?: Int16Array }> {
  // v 5: the front end's self-noise at the microphone peripheral's level (3 dB below v 4's).
  // Another board's microphones (positionsMm, e.g. RT1170's pair) key their own cache.
  const key = hash(
    JSON.stringify(
      source === "mic0"
        ? { scene, v: 3 }
        : { scene, v: 5, source, ...(positionsMm ? { positionsMm } : {}) },
    ),
  );
  const wwFile = path.join(CACHE, `ww-${key}.json`);
  const verFile = path.join(CACHE, `verfw-${key}-${hash(model)}.json`);
  let pcm: Int16Array | null = null;
  // The rendered reference microphone is cached too: a new verifier needs it again.
  const pcmFile = path.join(CACHE, `pcm-${key}.raw`);
  const render = () => {
    if (pcm) return pcm;
    if (existsSync(pcmFile))
      return (pcm = new Int16Array(new Uint8Array(readFileSync(pcmFile)).buffer));
    const file = path.join(dir, `scene-${key}.json`);
    writeFileSync(file, JSON.stringify(scene));
    pcm =
      source === "mic0"
        ? renderReferenceMic(file, undefined, true)
        : renderFrontEnd(file, steering(scene), { positionsMm });
    writeFileSync(pcmFile, new Uint8Array(pcm.buffer));
    return pcm;
  };
  let ww: { t: number[]; score: number[] };
  if (existsSync(wwFile)) ww = JSON.parse(readFileSync(wwFile, "utf8"));
  else {
    const s = await wakeScores(render(), "window");
    ww = { t: Array.from(s.t), score: Array.from(s.score) };
    writeFileSync(wwFile, JSON.stringify(ww));
  }
  let ver: number[][];
  if (model.length === 0)
    ver = ww.t.map(() => []); // first stage only (warming the cache)
  else if (existsSync(verFile)) ver = JSON.parse(readFileSync(verFile, "utf8"));
  else {
    ver = [];
    const memo = new Map<number, number>(); // windows overlap from hop to hop
    const at = async (end: number) => {
      if (!memo.has(end)) memo.set(end, await verifierScore(model, render(), end));
      return memo.get(end)!;
    };
    for (let i = 0; i < ww.t.length; i++) {
      const row: number[] = [];
      const e0 = kwsWindowEnd(Math.round(ww.t[i] * RATE));
      if (ww.score[i] >= MIN_CANDIDATE)
        for (let j = 0; j < MAX_VERIFY_SCORINGS; j++)
          row.push(await at(e0 + j * VERIFY_STRIDE * KWS_STEP));
      ver.push(row);
    }
    writeFileSync(verFile, JSON.stringify(ver));
  }
  return { ...ww, verifier: ver, ...(withPcm ? { pcm: render() } : {}) };
}

/**
 * What the models hear: "frontend", the app's front end on the host (host-frontend.ts: all
 * microphones, superdirective beam steered to each talker as it starts, AGC), or "mic0", the
 * reference microphone alone at one gain (the evaluation until the verifier was trained on the
 * front end's output).
 */
export type AudioSource = "frontend" | "mic0";
export let AUDIO_SOURCE: AudioSource = "frontend";

/** The beam follows each talker from its start (the firmware's DOA settles on the talker). */
function steering(scene: object): Steer[] {
  const talkers = (scene as { talkers: { start: number; az: number }[] }).talkers;
  const out = [...talkers]
    .sort((a, b) => a.start - b.start)
    .map((t) => ({ at: t.start, azDeg: t.az }));
  return out.length ? out : [{ at: 0, azDeg: 90 }];
}

interface SetTraces {
  trials: { snr: number; dist: number; trace: Trace }[];
  fa: Trace[];
  faHours: number;
}

async function setTraces(
  name: string,
  who: Talkers | undefined,
  snrs: number[],
  faMinutes: number,
  faSeed: number,
  model: Uint8Array,
  dir: string,
  log: (s: string) => void,
): Promise<SetTraces> {
  const trials = trialScenes(dir, snrs, who);
  const fa = falseAcceptScenes(dir, faMinutes, faSeed, who);
  const out: SetTraces = { trials: [], fa: [], faHours: 0 };
  for (let i = 0; i < trials.length; i++) {
    const { spec, scene } = trials[i];
    out.trials.push({ snr: spec.snr, dist: spec.dist, trace: await sceneTrace(scene, model, dir) });
    log(`${name} trial scene ${i + 1}/${trials.length}`);
  }
  for (let i = 0; i < fa.length; i++) {
    out.fa.push(await sceneTrace(fa[i].scene, model, dir));
    out.faHours += fa[i].seconds / 3600;
    log(`${name} false-accept scene ${i + 1}/${fa.length}`);
  }
  return out;
}

/** Detection (all trials, and at 5 dB, 3 m) and false accepts of a rule on a set. */
export function measure(set: SetTraces, rule: TwoStageRule) {
  let hit = 0,
    n = 0,
    hit53 = 0,
    n53 = 0;
  for (const tr of set.trials) {
    const d = detections(tr.trace, rule);
    for (const w of TRIALS) {
      const ok = d.some((t) => t >= w.wake && t <= w.command + 0.5);
      n++;
      hit += +ok;
      if (tr.snr === 5 && tr.dist === 3) {
        n53++;
        hit53 += +ok;
      }
    }
  }
  const fa = set.fa.reduce((s, tr) => s + detections(tr, rule).length, 0);
  return {
    detection: hit / n,
    detection5dB3m: n53 ? hit53 / n53 : NaN,
    falseAccepts: fa,
    perHour: fa / set.faHours,
  };
}

const fmt = (m: ReturnType<typeof measure>) =>
  `det ${(m.detection * 100).toFixed(0)} % (5 dB 3 m ${(m.detection5dB3m * 100).toFixed(0)} %), ${m.falseAccepts} FA = ${m.perHour.toFixed(1)}/h`;

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
  const snrs = opt("--snr", "20,10,5,0").split(",").map(Number);
  const source = opt("--audio", "frontend");
  if (source !== "frontend" && source !== "mic0") {
    console.error(`wake-verify: --audio must be frontend or mic0, got '${source}'`);
    process.exit(2);
  }
  AUDIO_SOURCE = source;
  const every = Number(opt("--every", "1"));
  // --model none: first-stage scores only (fills the cache while a verifier trains).
  const modelFile = opt("--model", MODEL);
  const model = modelFile === "none" ? new Uint8Array(0) : new Uint8Array(readFileSync(modelFile));
  const dir = path.join(CACHE, "scenes");
  mkdirSync(dir, { recursive: true });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const val = await setTraces(
    "validation",
    VALIDATION_TALKERS,
    snrs,
    Number(opt("--val-fa-minutes", "60")),
    11000,
    model,
    dir,
    log,
  );
  const bench = await setTraces(
    "bench",
    undefined,
    snrs,
    Number(opt("--fa-minutes", "10")),
    5000,
    model,
    dir,
    log,
  );
  const rows = [];
  for (const candidate of [0.5, 0.7, 0.9, 0.95])
    for (const scorings of [1, 4, 7, 10, 13])
      for (const smooth of [1, 2, 3, 4].filter((k) => k <= scorings))
        for (let v = 10; v <= 99; v++) {
          const rule = { candidate, verify: v / 100, every, scorings, smooth };
          rows.push({ ...rule, val: measure(val, rule), bench: measure(bench, rule) });
        }
  if (args.includes("--json")) writeFileSync(opt("--json", "verify.json"), JSON.stringify(rows));
  for (const run of [1, 2]) {
    const first = { candidate: 0.95, verify: -1, run, every };
    console.log(
      `first stage alone at 0.95, ${run} in a row: validation ${fmt(measure(val, first))} | bench ${fmt(measure(bench, first))}`,
    );
  }
  const name = (r: TwoStageRule) =>
    `candidate ${r.candidate}, verify ${r.verify}, ${r.scorings} scorings, mean of ${r.smooth}`;
  // Per false-accept limit on validation: the rule with the best validation detection, and what the bench says.
  for (const lim of [0, 1, 3, 6, 30]) {
    const ok = rows.filter((r) => r.val.perHour <= lim);
    const best = ok.sort(
      (a, b) =>
        b.val.detection - a.val.detection ||
        b.val.detection5dB3m - a.val.detection5dB3m ||
        b.verify - a.verify,
    )[0];
    console.log(
      best
        ? `validation <= ${lim}/h: ${name(best)}: validation ${fmt(best.val)} | bench ${fmt(best.bench)}`
        : `validation <= ${lim}/h: none`,
    );
  }
  // The app's earlier point (one scoring) and each smoothing at the same candidate.
  for (const r of rows.filter((x) => x.candidate === 0.95 && [0.5, 0.7, 0.9].includes(x.verify)))
    console.log(`${name(r)}: validation ${fmt(r.val)} | bench ${fmt(r.bench)}`);
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)
)
  await main();
