// Generated meetings as scene files the emulator plays (`--input scene=`), for running the
// whole app on them: the held-out meetings of the training run (eval-app.ts) and short meetings
// with 1, 2 and 3 people for the latency bench (test/bench/active-speaker.ts). The scene objects
// come from dataset.ts's generator; here their speech clips get absolute paths, so the file can
// sit in the cache folder, away from scenes/speech/.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SPEECH_DIR, randomMeeting, type SetSpec } from "./dataset.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const SCENE_FILE_DIR = path.join(ROOT, "node_modules/.cache/active-speaker-scenes");

type Raw = Record<string, any>;

function absoluteClips(raw: Raw): Raw {
  const fix = (c: Raw) => ({ ...c, file: path.join(SPEECH_DIR, c.file) });
  return {
    ...raw,
    people: raw.people.map((p: Raw) => ({ ...p, speech: p.speech.map(fix) })),
    offscreen: raw.offscreen.map(fix),
  };
}

function write(name: string, raw: Raw): string {
  mkdirSync(SCENE_FILE_DIR, { recursive: true });
  const file = path.join(SCENE_FILE_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(absoluteClips(raw), null, 1));
  return file;
}

/** Meeting `index` of a set (as training and evaluation render it), as a scene file. */
export function meetingSceneFile(set: SetSpec, index: number): { file: string; raw: Raw } {
  const raw = randomMeeting(set, index) as Raw;
  return { file: write(`${set.name}-${set.seed}-${index}`, raw), raw };
}

/** The bench's meetings: seeded like the held-out ones (Flite voices), other seeds. */
export const BENCH_SET: SetSpec = { name: "heldout", scenes: 1, seconds: 6, seed: 4242 };

/** A short meeting with `people` (1-3) at the table: the generator's first meeting of its seed
 * that seats 3, with the others left out (their speech and distractors with them). */
export function benchSceneFile(people: number, seconds = BENCH_SET.seconds): string {
  if (!(people >= 1 && people <= 3))
    throw new Error(`bench meetings seat 1-3 people, not ${people}`);
  let index = 0;
  let raw = randomMeeting({ ...BENCH_SET, seconds }, index) as Raw;
  while (raw.people.length < 3) raw = randomMeeting({ ...BENCH_SET, seconds }, ++index) as Raw;
  // Keep the outer seats first, so that two people sit apart as at a meeting table.
  const keep = people === 1 ? [1] : people === 2 ? [0, 2] : [0, 1, 2];
  const trimmed = { ...raw, people: keep.map((i) => raw.people[i]), duration: seconds };
  return write(`bench-${people}p-${seconds}s`, trimmed);
}
