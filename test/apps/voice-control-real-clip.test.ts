// Issue 14's detection scenes (apps/voice-control/eval/real-clip-scenes.ts): the figure quoted as
// "real-clip detection" is only that if every "marvin" in them is the real Speech Commands clip,
// the issue's cell holds the trials the README counts, and the set thresholds are chosen on
// (tuning) never shares a scene with the set that is quoted (test). Plus the Wilson interval the
// tables print, and the refractory time the operating-point sweep varies.
import test from "ava";
import path from "node:path";
import { realClipScenes, wilson } from "../../apps/voice-control/eval/real-clip-scenes.ts";
import { REAL_MARVIN } from "../../apps/voice-control/eval/scenes.ts";
import { detections } from "../../apps/voice-control/eval/wake-verify.ts";
import { missingTools } from "../../apps/voice-control/train/synth.ts";
import { tempDir } from "../helpers/tools.ts";

interface Scene {
  seed: number;
  talkers: { file: string; start: number; az: number; dist: number }[];
  snr: number;
  room: { rt60: number };
}

const tools = missingTools(["espeak-ng", "flite"]);
(tools.length ? test.skip : test)(
  `real-clip scenes: only the real "marvin", 40 trials at 5 dB / 3 m, tuning and test apart${tools.length ? ` (skipped: no ${tools.join(", ")})` : ""}`,
  (t) => {
    const dir = tempDir("tinyboard-real-clip-");
    const test = realClipScenes(dir, "test");
    const tuning = realClipScenes(dir, "tuning");
    // 28 sub-cells x 2 scenes + the target cell's 4 sub-cells x 5, two trials each.
    t.is(test.length, 28 * 2 + 4 * 5);
    let target = 0;
    for (const s of test) {
      const sc = s.scene as Scene;
      t.is(sc.snr, s.spec.snr);
      t.is(sc.room.rt60, s.spec.rt60);
      const wake = sc.talkers.filter((x) => x.start === 0.5 || x.start === 4.5);
      t.deepEqual(
        wake.map((x) => x.file),
        [REAL_MARVIN, REAL_MARVIN],
      );
      for (const x of sc.talkers) {
        t.is(x.dist, s.spec.dist);
        t.false(
          path.basename(x.file).includes("marvin") && x.file !== REAL_MARVIN,
          "no synthetic marvin",
        );
      }
      if (s.spec.snr === 5 && s.spec.dist === 3) target += wake.length;
    }
    t.is(target, 40);
    const seeds = (set: typeof test) => set.map((s) => (s.scene as Scene).seed);
    t.is(new Set(seeds(test)).size, test.length, "every scene its own seed");
    t.false(
      seeds(tuning).some((x) => seeds(test).includes(x)),
      "tuning and test share no scene",
    );
  },
);

test("Wilson interval: published values (9 of 10, 0 of 40)", (t) => {
  const [lo, hi] = wilson(9, 10);
  t.true(Math.abs(lo - 0.5958) < 1e-3 && Math.abs(hi - 0.9821) < 1e-3, `${lo} ${hi}`);
  const [lo0, hi0] = wilson(0, 40);
  t.is(lo0, 0);
  t.true(Math.abs(hi0 - 0.0876) < 1e-3, `${hi0}`);
});

test("the sweep's refractory time: a longer one merges candidates a shorter one counts twice", (t) => {
  // First stage alone, candidates at 0.0 s and 2.0 s.
  const tr = { t: [0, 1, 2], score: [0.99, 0.1, 0.99], verifier: [[], [], []] };
  const rule = { candidate: 0.9, verify: -1, every: 1 };
  t.deepEqual(detections(tr, { ...rule, refractory: 1.5 }), [0, 2]);
  t.deepEqual(detections(tr, { ...rule, refractory: 3 }), [0]);
  t.deepEqual(detections(tr, rule), [0, 2]);
});
