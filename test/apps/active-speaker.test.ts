// apps/active-speaker on one board (RT1170, its own microphones) with the short two-person
// demo scene: a console line per camera step with both seats' probabilities, checked against
// the scene's ground truth (who speaks when, emulator/inputs/av-scene/truth.ts), LED 0 while
// someone speaks, no dropped frames, /ASD/LOG0001.CSV with a row per step with a speaker; a
// bad scene file is one line and exit 1.
import test from "ava";
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { ensureCard } from "../../emulator/state.ts";
import { built, tempDir, hasTool, sh } from "../helpers/tools.ts";
import { cli, ROOT } from "../faults/helpers.ts";
import { loadAvScene } from "../../emulator/inputs/av-scene/scene.ts";
import { faceTruth } from "../../emulator/inputs/av-scene/truth.ts";

const APP = "apps/active-speaker";
const SEATS = ["ana", "ben"] as const;
/** Steps this close after a change of who speaks are not scored: the 0.53 s mouth history and the smoothing still hold the past. */
const SETTLE_S = 0.6;

interface Step {
  t: number;
  ana: number;
  ben: number;
  who: string;
}

/** One 5 s run of the demo scene on RT1170, shared by the tests below. */
let run: Promise<{
  fault: unknown;
  text: string;
  leds: string[];
  steps: Step[];
  card: string;
}> | null = null;
function demoRun() {
  run ??= (async () => {
    const card = path.join(tempDir("tinyboard-asd-"), "card.img");
    ensureCard(card);
    const { image } = await built(APP, "rt1170");
    const machine = new Machine({
      target: loadTarget("rt1170"),
      image,
      sdcard: card,
      inputs: { scene: path.resolve(APP, "scenes/demo.json") },
    });
    let text = "";
    const leds: string[] = [];
    machine.events.on("console", (s) => (text += s));
    machine.events.on("gpio", (e) => leds.push(`${e.led}:${e.on ? 1 : 0}`));
    const summary = await machine.run({ seconds: 5 });
    const steps = [
      ...text.matchAll(
        /\[([\d.]+) s\] ana ([\d.]+) \(v [\d.]+ a [\d.]+\) ben ([\d.]+) \(v [\d.]+ a [\d.]+\) \| (\w+)/g,
      ),
    ].map((m) => ({ t: Number(m[1]), ana: Number(m[2]), ben: Number(m[3]), who: m[4] }));
    return { fault: summary.fault, text, leds, steps, card };
  })();
  return run;
}

test("two seats on the demo scene: a line per step, LED and /ASD log agree, no dropped frames", async (t) => {
  const { fault, text, leds, steps, card } = await demoRun();
  t.is(fault, null);
  t.true(steps.length > 50, `${steps.length} steps`);
  // Every step scores both seats with probabilities in 0..1 and names a speaker or nobody.
  t.true(
    steps.every(
      (s) =>
        s.ana >= 0 && s.ana <= 1 && s.ben >= 0 && s.ben <= 1 && /^(ana|ben|nobody)$/.test(s.who),
    ),
  );
  // LED 0 changes exactly where the step lines go from nobody to someone and back.
  const changes = steps.filter(
    (s, i) => (s.who !== "nobody") !== (i > 0 && steps[i - 1].who !== "nobody"),
  ).length;
  t.deepEqual(
    leds.filter((l) => l.startsWith("0:")),
    Array.from({ length: changes }, (_, i) => (i % 2 === 0 ? "0:1" : "0:0")),
  );
  t.regex(text, /dropped frames 0/);
  t.notRegex(text, /dropped frames [1-9]/);
  if (hasTool("mcopy")) {
    const out = path.join(path.dirname(card), "log.csv");
    t.is(sh("mcopy", ["-o", "-i", card, "::/ASD/LOG0001.CSV", out]).status, 0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    t.is(rows[0], "t_ms,face,probability_pct,x,y,w,h");
    // The app syncs the log with its once-a-second status line; rows of the steps after the
    // last one are still in RAM when the run stops. The card holds a row per step with a
    // speaker up to the last status line, which counts the steps and the rows.
    const status = [...text.matchAll(/\] (\d+) steps, .*, log rows (\d+)/g)].at(-1)!;
    t.truthy(status, "a status line");
    const [stepsThen, rowsThen] = [Number(status[1]), Number(status[2])];
    t.true(stepsThen >= steps.length - 16, `${stepsThen} of ${steps.length} steps synced`);
    t.is(rowsThen, steps.slice(0, stepsThen).filter((s) => s.who !== "nobody").length);
    t.is(rows.length - 1, rowsThen, "a row per step with a speaker");
    t.true(
      rows.slice(1).every((r) => /^\d+,(ana|ben),\d+,\d+,\d+,\d+,\d+$/.test(r)),
      rows.slice(1, 4).join(" | "),
    );
  }
});

// Per seat against the scene's ground truth (the committed model: held-out fused auROC 0.906;
// ben scored 0.785 while speaking, right speaker in 41 of 41 steps; the figures are logged).
test("the demo scene's speaking seat is named while it speaks (ground truth per seat)", async (t) => {
  const { steps } = await demoRun();
  // Ground truth at each step: ana speaks 0.2-2.53 s, ben 3.0-4.6 s while ana smiles.
  const scene = loadAvScene(path.resolve(APP, "scenes/demo.json"), { positionsMm: [[0, 0, 0]] });
  const truthAt = (at: number) =>
    Object.fromEntries(faceTruth(scene, at, 320, 240).map((f) => [f.person, f.speaking]));
  const settled = steps.filter((s) => {
    const now = truthAt(s.t);
    for (let d = 0.05; d <= SETTLE_S; d += 0.05) {
      const then = truthAt(Math.max(0, s.t - d));
      if (SEATS.some((p) => then[p] !== now[p])) return false;
    }
    return true;
  });
  t.true(settled.length > 30, `${settled.length} settled steps`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const seat of SEATS) {
    const on = settled.filter((s) => truthAt(s.t)[seat]).map((s) => s[seat]);
    const off = settled.filter((s) => !truthAt(s.t)[seat]).map((s) => s[seat]);
    t.true(
      on.length > 10 && off.length > 10,
      `${seat}: ${on.length} speaking and ${off.length} silent steps`,
    );
    // Speaking scores well above silent (for ana, silent includes her smile while ben talks).
    t.log(`${seat}: mean ${mean(on).toFixed(3)} speaking, ${mean(off).toFixed(3)} not`);
    t.true(
      mean(on) > 0.6 && mean(off) < 0.4,
      `${seat}: mean probability ${mean(on).toFixed(2)} speaking, ${mean(off).toFixed(2)} not`,
    );
  }
  // The named speaker is the one speaking (or nobody when nobody is) in most settled steps.
  const right = settled.filter((s) => {
    const truth = truthAt(s.t);
    const who = SEATS.filter((p) => truth[p]);
    return who.length === 0 ? s.who === "nobody" : who.includes(s.who as (typeof SEATS)[number]);
  });
  t.log(`the right speaker (or nobody) in ${right.length} of ${settled.length} settled steps`);
  t.true(
    right.length >= 0.8 * settled.length,
    `the right speaker (or nobody) in ${right.length} of ${settled.length} settled steps`,
  );
});

test("a bad scene file is one line and exit code 1 before anything is built", (t) => {
  const dir = tempDir("tinyboard-asd-bad-");
  const r = cli(
    [
      "run",
      APP,
      "--board",
      "rt1170",
      "--state",
      path.join(dir, "state"),
      "--input",
      "scene=" + path.join(ROOT, APP, "scenes/nothing.json"),
    ],
    400_000,
  );
  t.is(r.status, 1);
  t.regex(r.stderr.trim(), /^tinyboard: .*nothing\.json: scene file not found$/);
  const both = cli(
    [
      "run",
      APP,
      "--board",
      "rt1170",
      "--state",
      path.join(dir, "state"),
      "--input",
      "scene=x.json",
      "--input",
      "camera=y.png",
    ],
    400_000,
  );
  t.is(both.status, 1);
  t.regex(both.stderr, /drives both the camera and the microphones/);
});
