// Issue 14's detection scenes: far-field rooms where the only "marvin" is the real Speech
// Commands clip (marvin_617de221_0.wav), its non-wake-word speech the Speech Commands "yes" and
// "no" (the commands said after it) and babble of real "yes" / "no" with synthetic command words
// (scenes.ts babbleFiles, never "marvin"). The grid is the issue's: 1 / 3 m, RT60 0.3 / 0.6 s,
// SNR 20 / 10 / 5 / 0 dB, babble or fan. Each scene says "marvin" and a command twice
// (scenes.ts TRIALS), each time from its own seeded azimuth; scenes differ in seed (the
// room's noise segment, babble talkers, microphone gains) and azimuths. One speaker only: the
// repository holds one real "marvin", so these are one voice in many rooms, not many voices.
// Two sets with their own seeds: "tuning" (operating points are chosen on it) and "test" (the
// figures quoted; nothing is chosen on it). The bench's trial scenes (scenes.ts) are neither.
import path from "node:path";
import {
  AUDIO,
  REAL_MARVIN,
  SCENE_SECONDS,
  TRIALS,
  babbleFiles,
  rng,
  roomScene,
  type SceneSpec,
} from "./scenes.ts";

const ROOT = path.resolve(AUDIO, "../../..");
/** The Speech Commands "yes" and "no" said as commands after each "marvin". */
const REAL_COMMANDS = [
  path.join(AUDIO, "yes_1000ms.wav"),
  path.join(ROOT, "emulator/inputs/room/speech/no_1000ms.wav"),
];
export const REAL_SETS = { tuning: 100000, test: 200000 } as const;
export type RealSet = keyof typeof REAL_SETS;
/** The cell: 5 dB at 3 m. */
export const TARGET_CELL = { snr: 5, dist: 3 };

export interface RealClipScene {
  spec: SceneSpec;
  /** Scene index within its sub-cell (distance, RT60, SNR, noise). */
  rep: number;
  scene: object;
  /** The talker's azimuth per trial (scenes.ts TRIALS). */
  az: number[];
}

/**
 * The grid's scenes of one set: `perCell` scenes per sub-cell (2 trials each), `targetPerCell`
 * in the sub-cells of the target cell (5 dB, 3 m: 4 sub-cells x 5 x 2 = 40 trials by default).
 */
export function realClipScenes(
  dir: string,
  set: RealSet,
  opts: { snrs?: number[]; dists?: number[]; perCell?: number; targetPerCell?: number } = {},
): RealClipScene[] {
  const snrs = opts.snrs ?? [20, 10, 5, 0];
  const babble = babbleFiles(dir);
  const out: RealClipScene[] = [];
  let s = 0;
  for (const dist of opts.dists ?? [1, 3])
    for (const rt60 of [0.3, 0.6])
      for (const snr of snrs)
        for (const noise of ["babble", "fan"] as const) {
          const spec: SceneSpec = { dist, rt60, snr, noise };
          const target = snr === TARGET_CELL.snr && dist === TARGET_CELL.dist;
          const reps = target ? (opts.targetPerCell ?? 5) : (opts.perCell ?? 2);
          for (let rep = 0; rep < reps; rep++, s++) {
            // Seeded by the sub-cell and repetition, so a cell's scenes do not change when
            // another cell gets more of them.
            const cell =
              (dist * 10 + Math.round(rt60 * 10)) * 100 + (snr + 10) * 2 + +(noise === "fan");
            const seed = REAL_SETS[set] + rep * 4000 + cell; // cell < 4000
            const r = rng(seed);
            const az = TRIALS.map(() => Math.round(r() * 360));
            const talkers = TRIALS.flatMap((t, i) => [
              { file: REAL_MARVIN, channel: 0, start: t.wake, az: az[i], dist, level: 62 },
              {
                file: REAL_COMMANDS[i % 2],
                channel: 0,
                start: t.command,
                az: az[i],
                dist,
                level: 62,
              },
            ]);
            const scene = roomScene(seed, spec, SCENE_SECONDS, talkers, babble);
            out.push({ spec, rep, scene, az });
          }
        }
  return out;
}

/** Wilson score interval (95 %) for k successes in n trials. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n,
    d = 1 + (z * z) / n,
    c = (p + (z * z) / (2 * n)) / d,
    h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}
