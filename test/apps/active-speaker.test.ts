// apps/active-speaker on one board (RT1170, its own microphones) with the short two-person
// demo scene: a console line per camera step with both seats' probabilities, LED 0 while
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

const APP = "apps/active-speaker";

test("two seats on the demo scene: a line per step, LED and /ASD log agree, no dropped frames", async (t) => {
  const dir = tempDir("tinyboard-asd-");
  const card = path.join(dir, "card.img");
  ensureCard(card);
  const { image } = await built(APP, "rt1170");
  const machine = new Machine({ target: loadTarget("rt1170"), image, sdcard: card, inputs: { scene: path.resolve(APP, "scenes/demo.json") } });
  let text = "";
  const leds: string[] = [];
  machine.events.on("console", (s) => (text += s));
  machine.events.on("gpio", (e) => leds.push(`${e.led}:${e.on ? 1 : 0}`));
  const summary = await machine.run({ seconds: 5 });
  t.is(summary.fault, null);
  const steps = [...text.matchAll(/\[([\d.]+) s\] ana ([\d.]+) \(v [\d.]+ a [\d.]+\) ben ([\d.]+) \(v [\d.]+ a [\d.]+\) \| (\w+)/g)]
    .map((m) => ({ t: Number(m[1]), ana: Number(m[2]), ben: Number(m[3]), who: m[4] }));
  t.true(steps.length > 50, `${steps.length} steps`);
  // Every step scores both seats with probabilities in 0..1 and names a speaker or nobody.
  t.true(steps.every((s) => s.ana >= 0 && s.ana <= 1 && s.ben >= 0 && s.ben <= 1 && /^(ana|ben|nobody)$/.test(s.who)));
  // Which seat speaks when (ana 0.2-2.5 s, ben 2.9-4.6 s) is not asserted yet: the committed
  // model is the training pipeline's smoke run (see the app's README).
  const speaks = steps.filter((s) => s.who !== "nobody").length;
  t.is(leds.includes("0:1"), speaks > 0, "LED 0 lights exactly when someone speaks");
  t.regex(text, /dropped frames 0/);
  t.notRegex(text, /dropped frames [1-9]/);
  if (hasTool("mcopy")) {
    const out = path.join(dir, "log.csv");
    t.is(sh("mcopy", ["-o", "-i", card, "::/ASD/LOG0001.CSV", out]).status, 0);
    const rows = readFileSync(out, "utf8").trim().split("\n");
    t.is(rows[0], "t_ms,face,probability_pct,x,y,w,h");
    t.is(rows.length - 1, speaks, "a row per step with a speaker");
    t.true(rows.slice(1).every((r) => /^\d+,(ana|ben),\d+,\d+,\d+,\d+,\d+$/.test(r)), rows.slice(1, 4).join(" | "));
  }
});

test("a bad scene file is one line and exit code 1 before anything is built", (t) => {
  const dir = tempDir("tinyboard-asd-bad-");
  const r = cli(["run", APP, "--board", "rt1170", "--state", path.join(dir, "state"), "--input", "scene=" + path.join(ROOT, APP, "scenes/nothing.json")], 400_000);
  t.is(r.status, 1);
  t.regex(r.stderr.trim(), /^tinyboard: .*nothing\.json: scene file not found$/);
  const both = cli(["run", APP, "--board", "rt1170", "--state", path.join(dir, "state"), "--input", "scene=x.json", "--input", "camera=y.png"], 400_000);
  t.is(both.status, 1);
  t.regex(both.stderr, /drives both the camera and the microphones/);
});
