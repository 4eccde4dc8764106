// What the wake-word verifier rejects in the 10-minute session (test/bench/voice-session.ts), on
// the host: the session's own scenes through the app's front end (host-frontend.ts, the board's
// microphones, the beam steered to each talker as it starts), the first stage on every 32 ms hop
// and the verifier on the windows the firmware scores after each candidate (wake-verify.ts).
// Per request: who said "marvin" (the real clip or a bench voice), distance, RT60, SNR, noise,
// the first stage's candidate (score >= 0.9) relative to the end of the word, the verifier's
// scores on the 10 windows and their best mean of 3, and whether the app's rule and the first
// stage alone wake in time. Measurement only: nothing is chosen on these scenes.
//
//   npx tsx apps/voice-control/eval/session-candidates.ts [--board rt1170] [--minutes 4]
//     [--model F]... [--fa-minutes 6] [--json out.json]
// --fa-minutes: also the bench's no-wake-word scenes (voice-false-accepts.ts, same seeds), wake lines counted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadTarget } from "../../../emulator/board.ts";
import { loadMicArray, micLayout } from "../../../emulator/peripherals/mic/array.ts";
import { COMMAND_AFTER, sessionPlan } from "../../../test/bench/voice-session.ts";
import { falseAcceptScenes, speechEnd } from "./scenes.ts";
import { renderFrontEnd, FRONTEND_ARRAY } from "./host-frontend.ts";
import { wakeScores, RATE } from "./wake-scores.ts";
import { firmwareVerifierInput, kwsWindowEnd, KWS_STEP } from "./firmware-window.ts";
import { detections, VERIFY_STRIDE, type Trace } from "./wake-verify.ts";
import { loadReference } from "../../../test/helpers/tflite-reference.ts";

const CACHE = path.join(os.tmpdir(), "tinyboard-session-candidates");
const MODEL = fileURLToPath(new URL("../model/wake_verifier_int8.tflite", import.meta.url));
/** The app's rule (app.json): candidate 0.9, mean of 3 of up to 10 windows >= 0.4. */
const APP_RULE = { candidate: 0.9, verify: 0.4, every: 1, scorings: 10, smooth: 3 };
/** The first stage alone (WAKE_VERIFIER=false): 0.95 on two scorings in a row. */
const FIRST_STAGE = { candidate: 0.95, verify: -1, run: 2, every: 1 };
const LATE_WAKE_S = 0.5; // voice-trial.ts

/** The front end's output for one segment (cached by scene and microphones). */
/** The first stage's scores on a segment's output (cached beside it). */
async function segmentScores(scene: object, positionsMm: [number, number, number][]) {
  const pcm = segmentPcm(scene, positionsMm);
  const key = createHash("sha256").update(new Uint8Array(pcm.buffer)).digest("hex").slice(0, 16);
  const file = path.join(CACHE, `ww-${key}.json`);
  if (existsSync(file))
    return { pcm, ww: JSON.parse(readFileSync(file, "utf8")) as { t: number[]; score: number[] } };
  const s = await wakeScores(pcm, "window");
  const ww = { t: Array.from(s.t), score: Array.from(s.score) };
  writeFileSync(file, JSON.stringify(ww));
  return { pcm, ww };
}

/** Verifier scores on the windows the firmware scores after each hop at or above the app's candidate threshold. */
async function verifierTrace(
  bytes: Uint8Array,
  pcm: Int16Array,
  ww: { t: number[] },
  score: number[],
) {
  const ref = await loadReference(bytes);
  const memo = new Map<number, number>();
  const at = (e: number) => {
    if (!memo.has(e))
      memo.set(e, ((ref.run([firmwareVerifierInput(pcm, e)])[0] as Int8Array)[0] + 128) / 256);
    return memo.get(e)!;
  };
  const out = ww.t.map((x, j) =>
    score[j] >= APP_RULE.candidate
      ? Array.from({ length: APP_RULE.scorings }, (_, s) =>
          at(kwsWindowEnd(Math.round(x * RATE)) + s * VERIFY_STRIDE * KWS_STEP),
        )
      : [],
  );
  ref.dispose();
  return out;
}

function segmentPcm(scene: object, positionsMm: [number, number, number][]): Int16Array {
  const key = createHash("sha256")
    .update(JSON.stringify({ scene, positionsMm, v: 1 }))
    .digest("hex")
    .slice(0, 16);
  const file = path.join(CACHE, `pcm-${key}.raw`);
  if (existsSync(file)) return new Int16Array(new Uint8Array(readFileSync(file)).buffer);
  const sceneFile = path.join(CACHE, `scene-${key}.json`);
  writeFileSync(sceneFile, JSON.stringify(scene));
  const talkers = (scene as { talkers: { start: number; az: number }[] }).talkers;
  const steer = [...talkers]
    .sort((a, b) => a.start - b.start)
    .map((t) => ({ at: t.start, azDeg: t.az }));
  const pcm = renderFrontEnd(sceneFile, steer, { positionsMm });
  writeFileSync(file, new Uint8Array(pcm.buffer));
  return pcm;
}

async function main() {
  const { values } = parseScriptArgs("session-candidates", {
    options: {
      board: { type: "string", default: "rt1170" },
      minutes: { type: "string", default: "4" },
      model: { type: "string", multiple: true },
      json: { type: "string" },
      "fa-minutes": { type: "string" },
    },
  });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) {
    console.error(`session-candidates: --minutes must be positive, got '${values.minutes}'`);
    process.exit(2);
  }
  mkdirSync(CACHE, { recursive: true });
  const board = loadTarget(values.board!).board;
  const addOn = board.microphones?.mics.length ? null : loadMicArray(FRONTEND_ARRAY);
  const positionsMm = micLayout(board, addOn).positionsMm.map(
    (p) => [p[0], p[1], p[2]] as [number, number, number],
  );
  const models = (values.model ?? [MODEL]).map((f) => ({
    f,
    bytes: new Uint8Array(readFileSync(f)),
  }));
  const { segments, requests } = sessionPlan(CACHE, minutes);
  const rows: Record<string, unknown>[] = requests.map((q) => ({ ...q }));
  const totals = models.map(() => ({ inTime: 0, stray: 0 }));
  let firstInTime = 0,
    firstStray = 0;
  for (const seg of segments) {
    const { pcm, ww } = await segmentScores(seg.scene, positionsMm);
    const t = Array.from(ww.t, (x) => x + seg.offset);
    const inSeg = requests
      .map((q, i) => [q, i] as const)
      .filter(([q]) => q.wake >= seg.offset && q.wake < seg.offset + seg.seconds);
    const inTime = (d: number[], q: (typeof requests)[number]) =>
      d.find((x) => x >= q.wake && x <= q.wake + COMMAND_AFTER + LATE_WAKE_S);
    const stray = (d: number[]) =>
      d.filter(
        (x) => !requests.some((q) => x >= q.wake && x <= q.wake + COMMAND_AFTER + LATE_WAKE_S),
      ).length;
    const first = detections({ t, score: Array.from(ww.score), verifier: [] }, FIRST_STAGE);
    firstStray += stray(first);
    for (const [q, i] of inSeg) {
      const hit = inTime(first, q);
      if (hit !== undefined) firstInTime++;
      const end = q.wake + speechEnd(q.marvinFile);
      const k = t.findIndex(
        (x, j) =>
          ww.score[j] >= APP_RULE.candidate &&
          x >= q.wake &&
          x <= q.wake + COMMAND_AFTER + LATE_WAKE_S,
      );
      let best = 0;
      for (let j = 0; j < t.length; j++)
        if (t[j] >= q.wake && t[j] <= q.wake + COMMAND_AFTER + LATE_WAKE_S)
          best = Math.max(best, ww.score[j]);
      Object.assign(rows[i], {
        wordEnd: Number((end - q.wake).toFixed(2)),
        firstBest: Number(best.toFixed(3)),
        firstStage: hit !== undefined,
        candidateAfterEnd: k >= 0 ? Number((t[k] - end).toFixed(3)) : null,
      });
    }
    for (let m = 0; m < models.length; m++) {
      const verifier = await verifierTrace(models[m].bytes, pcm, ww, ww.score);
      const tr: Trace = { t, score: Array.from(ww.score), verifier };
      const d = detections(tr, APP_RULE);
      totals[m].stray += stray(d);
      for (const [q, i] of inSeg) {
        const hit = inTime(d, q);
        if (hit !== undefined) totals[m].inTime++;
        const k = t.findIndex(
          (x, j) =>
            ww.score[j] >= APP_RULE.candidate &&
            x >= q.wake &&
            x <= q.wake + COMMAND_AFTER + LATE_WAKE_S,
        );
        const v = k >= 0 ? verifier[k] : [];
        const means = v.slice(2).map((_, s) => (v[s] + v[s + 1] + v[s + 2]) / 3);
        Object.assign(rows[i], {
          [`verifier${m}`]: v.map((x) => Number(x.toFixed(2))),
          [`bestMean${m}`]: means.length ? Number(Math.max(...means).toFixed(3)) : null,
          [`app${m}`]: hit !== undefined,
        });
      }
    }
    process.stderr.write(`segment at ${seg.offset} s done\n`);
  }
  console.log(
    `board ${values.board}, ${minutes} min, ${requests.length} requests (host front end)`,
  );
  console.log(`first stage alone (0.95 twice): ${firstInTime} in time, ${firstStray} stray`);
  models.forEach((m, i) =>
    console.log(
      `verifier ${i} (${path.basename(m.f)}): ${totals[i].inTime} in time, ${totals[i].stray} stray`,
    ),
  );
  for (const r of rows) {
    const q = r as Record<string, unknown>;
    console.log(
      [
        `${q.wake} s`,
        q.marvin,
        `${q.dist} m`,
        `rt60 ${q.rt60}`,
        `${q.snr} dB ${q.noise}`,
        `first best ${q.firstBest}${q.firstStage ? " (wakes alone)" : ""}`,
        `candidate ${q.candidateAfterEnd === null ? "none" : `${q.candidateAfterEnd} s after the word`}`,
        ...models.map(
          (_, m) =>
            `v${m}: ${q[`app${m}`] ? "WAKE" : "miss"} best mean ${q[`bestMean${m}`]} [${(q[`verifier${m}`] as number[] | undefined)?.join(" ") ?? ""}]`,
        ),
      ].join(" | "),
    );
  }
  // The bench's no-wake-word scenes (voice-false-accepts.ts, the same seeds): wake lines per scene.
  const faMinutes = Number(values["fa-minutes"] ?? 0);
  if (faMinutes > 0) {
    const fa = falseAcceptScenes(CACHE, faMinutes);
    const rowsFa: string[] = [];
    const sums = [0, ...models.map(() => 0)];
    for (const sc of fa) {
      const { pcm, ww } = await segmentScores(sc.scene, positionsMm);
      const t = ww.t;
      const counts = [detections({ t, score: ww.score, verifier: [] }, FIRST_STAGE).length];
      for (const m of models)
        counts.push(
          detections(
            { t, score: ww.score, verifier: await verifierTrace(m.bytes, pcm, ww, ww.score) },
            APP_RULE,
          ).length,
        );
      counts.forEach((c, i) => (sums[i] += c));
      rowsFa.push(counts.join(" / "));
    }
    console.log(
      `no-wake-word scenes, ${faMinutes} min: first stage alone ${sums[0]}, ${models.map((m, i) => `verifier ${i} ${sums[i + 1]}`).join(", ")} (per scene, same order: ${rowsFa.join(" | ")})`,
    );
  }
  if (values.json)
    writeFileSync(values.json, JSON.stringify({ rows, totals, firstInTime, firstStray }, null, 2));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  await main();
