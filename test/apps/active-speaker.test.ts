// apps/active-speaker on one board (RT1170, its own microphones) with the short two-person
// demo scene: a console line per camera step with both faces' probabilities (found by the face
// detector and tracker, the app's default; each track given to the nearest true face), checked against
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
import { buildApp } from "../../emulator/toolchain/build.ts";
import { cli, ROOT } from "../faults/helpers.ts";
import { loadAvScene } from "../../emulator/inputs/av-scene/scene.ts";
import { faceTruth } from "../../emulator/inputs/av-scene/truth.ts";
import { REPORT_KIND } from "../../emulator/hal-constants.ts";
import {
  parseAppConsole,
  parseFaceRecord,
  type AppStep,
} from "../../apps/active-speaker/train/eval-app.ts";
import { fuseWithCue, fusionWeightsFor } from "../../apps/active-speaker/train/fusion-weights.ts";

const APP = "apps/active-speaker";
const SEATS = ["ana", "ben"] as const;
/** Steps this close after a change of who speaks are not scored: the 0.53 s mouth history and the smoothing still hold the past. */
const SETTLE_S = 0.6;

interface Step {
  t: number;
  ana: number;
  ben: number;
  /** Each face's direction cue against the other's, as the app prints it (c). */
  cue: Record<string, number>;
  who: string;
}

/** One 5 s run of the demo scene on RT1170 per face mode (the detector, the app's default, or the
 *  fixed seats of seats.txt), shared by the tests below. */
type DemoRun = Promise<{
  fault: unknown;
  text: string;
  leds: string[];
  steps: Step[];
  card: string;
  owners: Map<string, Set<string>>;
  /** The console's lines with their board time, and each step's face record (face-record.ts). */
  lines: { text: string; timeUs: number }[];
  records: AppStep[];
}>;
const runs = new Map<string, DemoRun>();
function demoRun(faces: "detector" | "seats" = "detector"): DemoRun {
  if (!runs.has(faces)) runs.set(faces, startDemoRun(faces));
  return runs.get(faces)!;
}
function startDemoRun(faces: "detector" | "seats"): DemoRun {
  return (async () => {
    const card = path.join(tempDir("tinyboard-asd-"), "card.img");
    ensureCard(card);
    const { image } =
      faces === "detector"
        ? await built(APP, "rt1170")
        : await buildApp(APP, loadTarget("rt1170"), { appOptions: { FACE_DETECTOR: false } });
    const machine = new Machine({
      target: loadTarget("rt1170"),
      image,
      sdcard: card,
      inputs: { scene: path.resolve(APP, "scenes/demo.json") },
    });
    let text = "";
    const leds: string[] = [];
    const lines: { text: string; timeUs: number }[] = [];
    const records: AppStep[] = [];
    machine.events.on("console", (s, timeUs) => {
      text += s;
      for (const l of s.split("\n").slice(0, -1)) lines.push({ text: l, timeUs });
    });
    machine.events.on("report", (kind, bytes) => {
      if (kind === REPORT_KIND.output) records.push(parseFaceRecord(bytes));
    });
    machine.events.on("gpio", (e) => leds.push(`${e.led}:${e.on ? 1 : 0}`));
    const summary = await machine.run({ seconds: 5 });
    // Faces are the detector's tracks (f1, f2, ...): each is given to the person whose true
    // face centre is nearest its box centre at that step; a track that changes person fails below.
    const scene = loadAvScene(path.resolve(APP, "scenes/demo.json"), { positionsMm: [[0, 0, 0]] });
    const owners = new Map<string, Set<string>>();
    const personAt = (name: string, t: number, x: number, y: number) => {
      const truth = faceTruth(scene, t, 320, 240);
      const person = truth
        .map((f) => ({
          p: f.person,
          d: Math.hypot(x - f.box[0] - f.box[2] / 2, y - f.box[1] - f.box[3] / 2),
        }))
        .sort((a, b) => a.d - b.d)[0].p;
      if (!owners.has(name)) owners.set(name, new Set());
      owners.get(name)!.add(person);
      return person;
    };
    const steps: Step[] = [];
    for (const m of text.matchAll(
      /^\[([\d.]+) s\]((?: \w+@\d+,\d+ [\d.]+ \(v [\d.]+ a [\d.]+(?: c -?[\d.]+)?\))*)(?: no faces)? \| (\w+)/gm,
    )) {
      const t = Number(m[1]);
      const byPerson: Record<string, number> = {};
      const track: Record<string, string> = {};
      const cue: Record<string, number> = {};
      for (const f of m[2].matchAll(/(\w+)@(\d+),(\d+) ([\d.]+) \([^)]*?(?: c (-?[\d.]+))?\)/g)) {
        const person = personAt(f[1], t, Number(f[2]), Number(f[3]));
        byPerson[person] = Number(f[4]);
        if (f[5] !== undefined) cue[person] = Number(f[5]);
        track[f[1]] = person;
      }
      if (!("ana" in byPerson && "ben" in byPerson)) continue;
      steps.push({
        t,
        ana: byPerson.ana,
        ben: byPerson.ben,
        cue,
        who: m[3] === "nobody" ? "nobody" : (track[m[3]] ?? m[3]),
      });
    }
    return { fault: summary.fault, text, leds, steps, card, owners, lines, records };
  })();
}

test("two faces on the demo scene: a line per step, LED and /ASD log agree, no dropped frames", async (t) => {
  const { fault, text, leds, steps, card, owners } = await demoRun();
  t.is(fault, null);
  // The detector and tracker find both people, one track each for the whole run.
  t.is(owners.size, 2, [...owners.keys()].join(", "));
  t.deepEqual([...owners.values()].map((v) => [...v].join("/")).sort(), ["ana", "ben"]);
  t.true(steps.length > 50, `${steps.length} steps`);
  // Every step scores both seats with probabilities in 0..1 and names a speaker or nobody.
  t.true(
    steps.every(
      (s) =>
        s.ana >= 0 && s.ana <= 1 && s.ben >= 0 && s.ben <= 1 && /^(ana|ben|nobody)$/.test(s.who),
    ),
  );
  // LED 0 changes exactly where the step lines go from nobody to someone and back.
  const allSteps = [...text.matchAll(/^\[[\d.]+ s\][^|\n]*\| (\w+)/gm)].map((m) => ({ who: m[1] }));
  t.is(allSteps.length, steps.length, "both faces in every step");
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
      rows.slice(1).every((r) => /^\d+,f\d+,\d+,\d+,\d+,\d+,\d+$/.test(r)),
      rows.slice(1, 4).join(" | "),
    );
  }
});

test("each step's face record holds the printed faces in full precision, raw and smoothed", async (t) => {
  const { fault, lines, records } = await demoRun();
  t.is(fault, null);
  // parseAppConsole throws when a record's time, faces or smoothed values disagree with its line.
  const { steps } = parseAppConsole(lines, records);
  t.true(steps.length > 50, `${steps.length} steps`);
  t.is(records.length, steps.length, "a record per step line");
  // The smoothed value is the app's exponential (weight 0.5, f32) of the raw ones, per track.
  const f = Math.fround;
  const last = new Map<number, number>();
  let checked = 0,
    unrounded = 0;
  for (const st of steps)
    for (const face of st.faces) {
      t.true(face.raw >= 0 && face.raw <= 1 && face.hw > 4, JSON.stringify(face));
      const before = last.get(face.id);
      const want = before === undefined ? face.raw : f(f(0.5 * face.raw) + f(f(0.5) * before));
      t.is(face.smoothed, want, `track ${face.id} at ${st.tMs} ms`);
      if (Math.abs(face.smoothed * 100 - Math.round(face.smoothed * 100)) > 1e-3) unrounded++;
      last.set(face.id, face.smoothed);
      checked++;
    }
  t.true(unrounded > checked / 2, `${unrounded} of ${checked} values finer than 0.01`);
  // The fusion's inputs (what train/fit-app-fusion.ts refits on): through the committed line for
  // RT1170's pair they give the raw probability, and they agree with the line's a and c values.
  const w = fusionWeightsFor(2);
  for (const st of steps)
    for (const face of st.faces) {
      const z = fuseWithCue(w, face.fused, face.relCue, face.audioLogit);
      t.true(Math.abs(1 / (1 + Math.exp(-z)) - face.raw) < 1e-5, JSON.stringify(face));
      t.true(Math.abs(1 / (1 + Math.exp(-face.audioLogit)) - face.audio!) < 0.0051);
      t.true(Math.abs(face.relCue - face.cue!) < 0.0051, JSON.stringify(face));
    }
});

// Per seat against the scene's ground truth, with the fixed seats (FACE_DETECTOR=false) and with
// the face detector. Older models passed narrowly or not at all with the seats (ben 0.603, then
// 0.585 against 0.6) and failed with the detector, whose boxes sit off the seat boxes (ana's
// smile scored as speech: 0.71-0.78 not speaking). The committed model also trained on the
// detector's crops (README "Crops at the detector's boxes"): seats ana 0.930 / 0.001, ben
// 0.857 / 0.023 (speaking / not), 41 of 41 steps right; detector ana 0.936 / 0.033, ben
// 0.683 / 0.032; with the box refiner (the default since) ana 0.933 / 0.011, ben 0.855 / 0.018;
// with RT1170's fusion line refitted on the app's face-frames (lower bias) ana 0.889 / 0.009,
// ben 0.757 / 0.018 (seats 0.889 / 0.001, 0.757 / 0.019; 40 of 41 steps right).
test("the demo scene's speaking seat is named while it speaks (ground truth per seat)", async (t) => {
  const withDetector = await demoRun("detector");
  const { steps } = await demoRun("seats");
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
    const d = withDetector.steps.filter((s) => settled.some((x) => Math.abs(x.t - s.t) < 0.034));
    const dOn = d.filter((s) => truthAt(s.t)[seat]).map((s) => s[seat]);
    const dOff = d.filter((s) => !truthAt(s.t)[seat]).map((s) => s[seat]);
    t.log(
      `${seat} with the detector: mean ${mean(dOn).toFixed(3)} speaking, ${mean(dOff).toFixed(3)} not`,
    );
    t.true(
      dOn.length > 10 && mean(dOn) > 0.6 && mean(dOff) < 0.4,
      `${seat} with the detector: ${mean(dOn).toFixed(2)} speaking, ${mean(dOff).toFixed(2)} not`,
    );
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

// The firmware's direction cue (direction.ts) on RT1170's pair, mounted across the camera's view
// (boards/rt1170.json cameraAxisDeg 90): while one person alone has spoken for the settle time,
// that person's face gets the higher cue in nearly every step. It fails with the camera axis at 0
// (the pair end-fire to both faces: equal cues), the image mapped the wrong way round, or the
// steering delays' sign flipped (test/apps/active-speaker-direction-firmware.test.ts checks
// those against the host one by one).
test("the direction cue points at the one who speaks (fixed seats, RT1170's pair)", async (t) => {
  const { steps, text } = await demoRun("seats");
  t.regex(text, /2 microphones PCM, direction cue fused/);
  const scene = loadAvScene(path.resolve(APP, "scenes/demo.json"), { positionsMm: [[0, 0, 0]] });
  const speakers = (at: number) =>
    faceTruth(scene, at, 320, 240)
      .filter((f) => f.speaking)
      .map((f) => f.person);
  const alone = steps.filter((s) => {
    const now = speakers(s.t);
    if (now.length !== 1) return false;
    for (let d = 0.05; d <= SETTLE_S; d += 0.05) {
      const then = speakers(Math.max(0, s.t - d));
      if (then.length !== 1 || then[0] !== now[0]) return false;
    }
    return true;
  });
  const right = alone.filter((s) => {
    const who = speakers(s.t)[0];
    const other = SEATS.find((p) => p !== who)!;
    return s.cue[who] > s.cue[other];
  });
  t.log(`the talker's face has the higher cue in ${right.length} of ${alone.length} steps`);
  t.true(alone.length > 20, `${alone.length} steps with one settled talker`);
  t.true(right.length >= 0.9 * alone.length, `${right.length} of ${alone.length}`);
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
