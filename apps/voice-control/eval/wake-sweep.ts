// Sweeps the wake word's operating point on the host (wake-scores.ts): for each way of scaling
// the window and each decision rule (threshold on the mean of the last k scores, n scorings in
// a row, 1.5 s refractory), detection rate on the bench's trial scenes vs false accepts per
// hour on its false-accept scenes (tuning) and on further false-accept scenes with other seeds
// (held out) — a DET curve per rule. Scores are cached per scene (tmp dir), so a sweep re-runs
// in seconds.
// `npx tsx apps/voice-control/eval/wake-sweep.ts [--snr 20,10,5,0] [--fa-minutes 10] [--held-out-minutes 30] [--json out.json]`
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { falseAcceptScenes, trialScenes, TRIALS } from "./scenes.ts";
import { MODES, kwsAnswer, renderReferenceMic, wakeScores, type ScaleMode } from "./wake-scores.ts";

export interface Rule {
  threshold: number;
  smooth: number; // mean of the last `smooth` scores
  run: number; // that many scorings in a row at or above the threshold
  refractory: number; // s
  /** Second stage: a candidate is dropped when the KWS model hears a command word at or above this (1: off). */
  veto: number;
}
/** Per hop: time, wake score, and where the wake score is >= KWS_AT, the KWS model's class and score. */
type Trace = { t: number[]; score: number[]; kwsClass: number[]; kwsScore: number[] };
const KWS_AT = 0.5;

/** Detection times (s) of a rule on one score trace. */
export function detections(tr: Trace, rule: Rule): number[] {
  const out: number[] = [];
  let above = 0,
    deafUntil = -1;
  for (let i = 0; i < tr.score.length; i++) {
    let s = 0;
    const k = Math.min(rule.smooth, i + 1);
    for (let j = 0; j < k; j++) s += tr.score[i - j];
    above = s / k >= rule.threshold ? above + 1 : 0;
    const vetoed = tr.kwsClass[i] >= 0 && tr.kwsClass[i] < 10 && tr.kwsScore[i] >= rule.veto;
    if (above >= rule.run && tr.t[i] >= deafUntil && !vetoed) {
      out.push(tr.t[i]);
      deafUntil = tr.t[i] + rule.refractory;
      above = 0;
    }
  }
  return out;
}

const VETOES = [1.01, 0.9, 0.7, 0.5, 0.3];
const CACHE = path.join(os.tmpdir(), "tinyboard-wake-eval");

async function traces(sceneFile: string, scene: object): Promise<Record<ScaleMode, Trace>> {
  const key = createHash("sha256")
    .update(JSON.stringify({ scene, v: 2 }))
    .digest("hex")
    .slice(0, 16);
  const file = path.join(CACHE, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  writeFileSync(sceneFile, JSON.stringify(scene));
  const pcm = renderReferenceMic(sceneFile);
  const out = {} as Record<ScaleMode, Trace>;
  for (const mode of MODES) {
    const { t, score } = await wakeScores(pcm, mode);
    const kwsClass = new Array<number>(t.length).fill(-1),
      kwsScore = new Array<number>(t.length).fill(0);
    for (let i = 0; i < t.length; i++)
      if (score[i] >= KWS_AT)
        [kwsClass[i], kwsScore[i]] = await kwsAnswer(pcm, Math.round(t[i] * 16000));
    out[mode] = { t: Array.from(t), score: Array.from(score), kwsClass, kwsScore };
  }
  writeFileSync(file, JSON.stringify(out));
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
  const snrs = opt("--snr", "20,10,5,0").split(",").map(Number);
  const dir = path.join(CACHE, "scenes");
  mkdirSync(dir, { recursive: true });
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const trials = trialScenes(dir, snrs);
  const tune = falseAcceptScenes(dir, Number(opt("--fa-minutes", "10")));
  const held = falseAcceptScenes(dir, Number(opt("--held-out-minutes", "30")), 7000);
  const trialTraces: Record<ScaleMode, Trace>[] = [];
  for (let i = 0; i < trials.length; i++) {
    trialTraces.push(await traces(path.join(dir, `trial-${i}.json`), trials[i].scene));
    log(`trial scene ${i + 1}/${trials.length}`);
  }
  const faTraces = async (set: typeof tune, name: string) => {
    const out = [];
    for (let i = 0; i < set.length; i++) {
      out.push(await traces(path.join(dir, `${name}-${i}.json`), set[i].scene));
      log(`${name} scene ${i + 1}/${set.length}`);
    }
    return out;
  };
  const tuneTraces = await faTraces(tune, "fa");
  const heldTraces = await faTraces(held, "fa-held");
  const hours = (set: typeof tune) => set.reduce((s, x) => s + x.seconds, 0) / 3600;

  const rows = [];
  for (const mode of MODES)
    for (const smooth of [1, 2, 3, 4])
      for (const run of [1, 2, 3])
        for (const veto of VETOES)
          for (let th = 0.5; th <= 0.995; th += 0.01) {
            const rule: Rule = {
              threshold: Math.round(th * 100) / 100,
              smooth,
              run,
              refractory: 1.5,
              veto,
            };
            let hit = 0,
              n = 0,
              hit53 = 0,
              n53 = 0;
            trials.forEach((tr, i) =>
              TRIALS.forEach((w) => {
                const d = detections(trialTraces[i][mode], rule).some(
                  (t) => t >= w.wake && t <= w.command + 0.5,
                );
                n++;
                hit += +d;
                if (tr.spec.snr === 5 && tr.spec.dist === 3) {
                  n53++;
                  hit53 += +d;
                }
              }),
            );
            const fa = (ts: Record<ScaleMode, Trace>[]) =>
              ts.reduce((s, x) => s + detections(x[mode], rule).length, 0);
            const faTune = fa(tuneTraces),
              faHeld = fa(heldTraces);
            rows.push({
              mode,
              ...rule,
              detection: hit / n,
              detection5dB3m: n53 ? hit53 / n53 : NaN,
              faTune,
              faTunePerHour: faTune / hours(tune),
              faHeld,
              faHeldPerHour: faHeld / hours(held),
            });
          }
  if (args.includes("--json")) writeFileSync(opt("--json", "sweep.json"), JSON.stringify(rows));
  // Per mode and rule: the best detection at <= 1, <= 6, <= 30 false accepts per hour (tuning set).
  for (const mode of MODES)
    for (const smooth of [1, 2, 3, 4])
      for (const run of [1, 2, 3]) {
        for (const veto of VETOES) {
          const rs = rows.filter(
            (r) => r.mode === mode && r.smooth === smooth && r.run === run && r.veto === veto,
          );
          const at = (lim: number) => {
            const ok = rs.filter((r) => r.faTunePerHour <= lim);
            const best = ok.sort(
              (a, b) => b.detection - a.detection || a.threshold - b.threshold,
            )[0];
            return best
              ? `${lim}/h: th ${best.threshold} det ${(best.detection * 100).toFixed(0)}% (5dB3m ${(best.detection5dB3m * 100).toFixed(0)}%) held ${best.faHeldPerHour.toFixed(1)}/h`
              : `${lim}/h: none`;
          };
          console.log(
            `${mode} smooth ${smooth} run ${run} veto ${veto} | ${at(1)} | ${at(6)} | ${at(30)}`,
          );
        }
      }
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)
)
  await main();
