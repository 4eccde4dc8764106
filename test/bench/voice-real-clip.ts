// Issue 14's detection figure through the emulator: the real "marvin" scenes of
// apps/voice-control/eval/real-clip-scenes.ts (its test set; by default the cell, 5 dB at
// 3 m: RT60 0.3 / 0.6 s, babble / fan, 40 trials) run on a board with the app as built, each
// trial scored from the console as the far-field bench scores it (voice-trial.ts). Prints
// detected / trials per sub-cell and the cell's Wilson 95 % interval; the host's figure for the
// same scenes is eval/real-clip-detection.ts.
// Run alone: `npx tsx test/bench/voice-real-clip.ts --board rt1170 [--snr 5] [--dist 3]
// [--target-per-cell 5] [--option K=V]... [--partition NAME=FILE]... [--json out.json]`
// (--partition dtln=apps/voice-control/model/dtln_noise_suppression.tflite: the app with TFLM's
// DTLN suppressor.)
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { realClipScenes, wilson } from "../../apps/voice-control/eval/real-clip-scenes.ts";
import { SCENE_SECONDS, TRIALS } from "../../apps/voice-control/eval/scenes.ts";
import { parseOptionFlag, type AppOptions } from "../../emulator/toolchain/app-options.ts";
import { parsePartitionFlag } from "../../emulator/toolchain/app.ts";
import { build } from "./util.ts";
import { runScene, VOICE_APP } from "./voice-control.ts";
import { scoreTrial } from "./voice-trial.ts";

export interface RealClipTrial {
  dist: number;
  rt60: number;
  snr: number;
  noise: string;
  az: number;
  woke: boolean;
  wakeAt: number | null;
}

/** Runs the real-clip scenes of the test set on `board`; one row per trial. */
export async function realClipTrials(
  board: string,
  opts: { snrs: number[]; dists: number[]; perCell: number; targetPerCell: number },
  appOptions: AppOptions = {},
  log: (s: string) => void = () => undefined,
  partitions: { name: string; file: string }[] = [],
): Promise<{ trials: RealClipTrial[]; overruns: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-voice-real-"));
  const scenes = realClipScenes(dir, "test", opts);
  const b = await build(VOICE_APP, board, { appOptions, partitions });
  const trials: RealClipTrial[] = [];
  let overruns = 0;
  for (let i = 0; i < scenes.length; i++) {
    const { spec, scene, az } = scenes[i];
    const p = await runScene(b, scene, dir, `real-${i}`, SCENE_SECONDS);
    overruns += p.overruns;
    TRIALS.forEach((t, k) => {
      const { wake } = scoreTrial(p.lines, t.wake, t.command);
      trials.push({ ...spec, az: az[k], woke: !!wake, wakeAt: wake ? wake.t : null });
    });
    log(
      `${board} scene ${i + 1}/${scenes.length} (${spec.dist} m, RT60 ${spec.rt60} s, ${spec.snr} dB ${spec.noise}): ` +
        `${trials
          .slice(-TRIALS.length)
          .map((t) => (t.woke ? "wake" : "miss"))
          .join(" ")}`,
    );
  }
  return { trials, overruns };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bad = (s: string) => {
    console.error(`voice-real-clip: ${s}`);
    process.exit(2);
  };
  let values: Record<string, string | string[] | undefined> = {};
  try {
    values = parseArgs({
      options: {
        board: { type: "string", default: "rt1170" },
        snr: { type: "string", default: "5" },
        dist: { type: "string", default: "3" },
        "per-cell": { type: "string", default: "2" },
        "target-per-cell": { type: "string", default: "5" },
        option: { type: "string", multiple: true },
        partition: { type: "string", multiple: true },
        json: { type: "string" },
      },
    }).values;
  } catch (e) {
    bad((e as Error).message);
  }
  let appOptions: AppOptions = {};
  let partitions: { name: string; file: string }[] = [];
  try {
    for (const o of (values.option as string[] | undefined) ?? [])
      appOptions = { ...appOptions, ...parseOptionFlag(o) };
    partitions = ((values.partition as string[] | undefined) ?? []).map(parsePartitionFlag);
  } catch (e) {
    bad((e as Error).message);
  }
  const board = values.board as string;
  const { trials, overruns } = await realClipTrials(
    board,
    {
      snrs: (values.snr as string).split(",").map(Number),
      dists: (values.dist as string).split(",").map(Number),
      perCell: Number(values["per-cell"]),
      targetPerCell: Number(values["target-per-cell"]),
    },
    appOptions,
    (s) => process.stderr.write(`${s}\n`),
    partitions,
  );
  const groups = new Map<string, RealClipTrial[]>();
  for (const t of trials) {
    for (const key of [
      `${t.dist} m, ${t.snr} dB`,
      `${t.dist} m, ${t.snr} dB, RT60 ${t.rt60} s, ${t.noise}`,
    ])
      groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  for (const [key, ts] of groups) {
    const k = ts.filter((t) => t.woke).length;
    const [lo, hi] = wilson(k, ts.length);
    console.log(
      `${board} real "marvin" ${key}: ${k} / ${ts.length} detected (Wilson 95 % ${Math.round(lo * 100)}-${Math.round(hi * 100)} %)`,
    );
  }
  console.log(`${board}: microphone overruns ${overruns}`);
  if (values.json)
    writeFileSync(
      values.json as string,
      JSON.stringify({ board, appOptions, partitions, trials, overruns }, null, 2),
    );
}
