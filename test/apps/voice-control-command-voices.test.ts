// The ten-word command test set (apps/voice-control/eval/command-voices.ts): the rule that picks
// each word's voices from clean results, the committed pools it wrote (their "down", "stop" and
// "no" heard right clean through the KWS model with the app's command rule), and the scenes that
// draw on them (every word, the pool's voices, deterministic).
import test from "ava";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CANDIDATES,
  cleanCommand,
  commandClip,
  loadPools,
  pickPools,
  TEN_WORDS,
  type CleanResult,
} from "../../apps/voice-control/eval/command-voices.ts";
import { poolWord, trialScenes, VOICES } from "../../apps/voice-control/eval/scenes.ts";
import { benchTalkers, commandWords } from "../bench/voice-control.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "tb-command-voices-"));

test("the rule: a voice joins a word's pool only when that word was heard right, in the candidates' order", (t) => {
  const r = (voice: string, word: string, heard: string | null): CleanResult => ({
    engine: "espeak-ng",
    voice,
    word,
    heard,
  });
  const pools = pickPools([
    r("a", "down", "down"),
    r("a", "no", "go"),
    r("b", "no", "no"),
    r("b", "down", null),
    r("c", "down", "down"),
    r("c", "stop", "unknown"),
  ]);
  t.deepEqual(pools, {
    down: [
      { engine: "espeak-ng", voice: "a" },
      { engine: "espeak-ng", voice: "c" },
    ],
    no: [{ engine: "espeak-ng", voice: "b" }],
  });
});

test("the committed pools: all ten words, candidates only, and their down / stop / no heard right clean", async (t) => {
  const pools = loadPools();
  t.deepEqual(Object.keys(pools).sort(), [...TEN_WORDS].sort());
  const isCandidate = (v: { engine: string; voice: string }) =>
    CANDIDATES.some((c) => c.engine === v.engine && c.voice === v.voice);
  for (const w of TEN_WORDS) t.true(pools[w].every(isCandidate), w);
  // The three words the bench's own voices did not give: each pool's first voice, clean.
  for (const w of ["down", "stop", "no"]) {
    const v = pools[w][0];
    t.is(await cleanCommand(commandClip(dir, v, w)), w, `${v.engine} ${v.voice} "${w}"`);
  }
  // And the rule can say no: the "stop" voice's "down" is not heard as "stop".
  const v = pools.stop[0];
  t.not(await cleanCommand(commandClip(dir, v, "down")), "stop");
});

test("poolWord: word k mod 10, that word's voices in turn", (t) => {
  const pools = Object.fromEntries(
    TEN_WORDS.map((w) => [
      w,
      [
        { engine: "flite", voice: `${w}-1` },
        { engine: "flite", voice: `${w}-2` },
      ],
    ]),
  );
  t.deepEqual(poolWord(pools, 3), { word: "no", engine: "flite", voice: "no-1" });
  t.deepEqual(poolWord(pools, 13), { word: "no", engine: "flite", voice: "no-2" });
  t.deepEqual(poolWord(pools, 23), { word: "no", engine: "flite", voice: "no-1" });
  // A word without voices is skipped: nine words cycle.
  const { stop: _, ...nine } = pools;
  t.is(poolWord(nine, 7).word, "up");
  t.throws(() => poolWord({}, 0), { message: /no word has a voice/ });
});

test("ten-word scenes: 5 sets of 16 trials say each word 8 times, from its pool", (t) => {
  const pools = loadPools();
  const said = new Map<string, number>();
  for (let set = 0; set < 5; set++) {
    const scenes = trialScenes(dir, [5], {
      voices: VOICES,
      real: true,
      seedOffset: set * 1000,
      commandPools: { pools, firstTrial: set * 16 },
    });
    for (const s of scenes)
      s.words.forEach((w, i) => {
        said.set(w, (said.get(w) ?? 0) + 1);
        const file = path.basename(s.wordFiles[i]);
        t.true(
          pools[w].some(
            (v) => file === `${v.engine}-${v.voice.replace(/[^a-z0-9]/gi, "_")}-${w}.wav`,
          ),
          `${w}: ${file}`,
        );
      });
  }
  t.deepEqual(
    [...said].sort(),
    TEN_WORDS.map((w) => [w, 8]),
  );
});

test("the far-field bench says the ten words: every SNR column of its grid has each of them", (t) => {
  const snrs = [20, 10, 5, 0];
  const scenes = trialScenes(dir, snrs, benchTalkers());
  for (const snr of snrs) {
    const words = new Set(scenes.filter((s) => s.spec.snr === snr).flatMap((s) => s.words));
    t.deepEqual([...words].sort(), [...TEN_WORDS].sort(), `${snr} dB`);
  }
  // The grid's 64 trials: each word 6 or 7 times.
  const said = scenes.flatMap((s) => s.words);
  for (const w of TEN_WORDS)
    t.true([6, 7].includes(said.filter((x) => x === w).length), `${w} said ${said.length}`);
  const r = { commandsByWord: { up: { right: 1, woke: 2 }, down: { right: 0, woke: 3 } } };
  t.is(commandWords(r), "down 0 / 3, up 1 / 2");
});
