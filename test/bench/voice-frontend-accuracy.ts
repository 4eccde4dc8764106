// Wake words and commands at one SNR, beam against microphone 0 on the same scenes, with enough
// trials for a test of the difference: the far-field bench's scene grid (apps/voice-control/
// eval/scenes.ts: 1 / 3 m, RT60 0.3 / 0.6 s, babble / fan; 2 trials per scene) repeated with
// other seeds (other talker directions, noise and microphone-gain draws; the same voices), each
// front end an app build option (test/bench/voice-frontend.ts FRONT_ENDS). A trial counts as in
// test/bench/voice-control.ts (voice-trial.ts scoreTrial): the wake line in time, the command
// line after it naming the word said.
// Significance: one-sided Fisher exact test (hypergeometric tail) that the beam's count is no
// better than microphone 0's.
// `npx tsx test/bench/voice-frontend.ts --board rt1060 --accuracy-sets 3 --snr 5 --no-signal`.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runScene, VOICE_APP } from "./voice-control.ts";
import { build, ROOT } from "./util.ts";
import { scoreTrial } from "./voice-trial.ts";
import {
  trialScenes,
  TRIALS,
  VOICES,
  SCENE_SECONDS,
  type SceneSpec,
  type Talkers,
} from "../../apps/voice-control/eval/scenes.ts";
import { loadPools } from "../../apps/voice-control/eval/command-voices.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";

/** Seed offset between scene sets: past the bench grid's 32 scenes, far from the validation set's 20000. */
export const SET_SEEDS = 1000;

/** Scenes in one seed set at one SNR (trialScenes: 2 distances x 2 RT60 x 2 noises). */
export const SCENES_PER_SET = 8;

/**
 * Who speaks in seed set `set`: the bench's voices and real clips, other seeds; the commands
 * either the seven words from the bench's voices or the ten-word set (eval/command-voices.ts),
 * its trials numbered on across sets so every word meets every scene kind.
 */
export function setTalkers(set: number, commands: "ten" | "seven"): Talkers {
  return {
    voices: VOICES,
    real: true,
    seedOffset: set * SET_SEEDS,
    ...(commands === "ten" && {
      commandPools: { pools: loadPools(), firstTrial: set * SCENES_PER_SET * TRIALS.length },
    }),
  };
}

export interface AccuracyTrial {
  set: number;
  spec: SceneSpec;
  woke: boolean;
  commandRight: boolean;
}

export async function frontEndTrials(
  board: string,
  options: AppOptions,
  snr: number,
  sets: number,
  log: (s: string) => void = () => undefined,
  commands: "ten" | "seven" = "seven",
  /** The first seed set (sets firstSet..firstSet + sets - 1). */
  firstSet = 0,
): Promise<AccuracyTrial[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-accuracy-"));
  const b = await build(path.join(ROOT, VOICE_APP), board, { appOptions: options });
  const out: AccuracyTrial[] = [];
  for (let set = firstSet; set < firstSet + sets; set++) {
    const scenes = trialScenes(dir, [snr], setTalkers(set, commands));
    for (let s = 0; s < scenes.length; s++) {
      const { spec, scene, words } = scenes[s];
      const p = await runScene(b, scene, dir, `acc-${set}-${s}`, SCENE_SECONDS);
      TRIALS.forEach((t, i) => {
        const { wake, heard } = scoreTrial(p.lines, t.wake, t.command);
        out.push({ set, spec, woke: !!wake, commandRight: heard === words[i] });
      });
      log(
        `${board} ${JSON.stringify(options)} set ${set} scene ${s + 1}/${scenes.length}: ` +
          out
            .slice(-2)
            .map((x) => `${x.woke ? "wake" : "miss"} ${x.commandRight ? "right" : "-"}`)
            .join("; "),
      );
    }
  }
  return out;
}

const logFactorial = (n: number): number => {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
};
const logChoose = (n: number, k: number): number =>
  logFactorial(n) - logFactorial(k) - logFactorial(n - k);

/**
 * One-sided Fisher exact test: P(X >= a) for a of n successes in group A against b of m in
 * group B, X hypergeometric (a + b successes drawn into A's n of the n + m trials).
 */
export function fisherOneSided(a: number, n: number, b: number, m: number): number {
  const k = a + b;
  let p = 0;
  for (let x = a; x <= Math.min(n, k); x++)
    p += Math.exp(logChoose(n, x) + logChoose(m, k - x) - logChoose(n + m, k));
  return Math.min(1, p);
}
