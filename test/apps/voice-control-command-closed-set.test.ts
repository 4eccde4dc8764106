// apps/voice-control's closed-set command decision (app option COMMAND_CLOSED_SET,
// command-decision.ts): per command word its probability summed over the scorings from the
// talker's direction; the leader taken once it has COMMAND_EVIDENCE_MS and beats the runner-up.
// Two scenes on RT1060's triangle, each against a contrast that shows the scene decides:
// - the espeak-ng "go" at 3 m in a 0.6 s room with fan noise at 10 dB after the real "marvin":
//   the model puts "go" on top at some scorings, never at >= 0.60 twice in a row, so the old rule
//   (the option off) takes nothing; over the window "go" is clearly the best of the ten and the
//   closed set takes it;
// - "marvin", then only diffuse babble of command words at 10 dB (no command): the closed set
//   takes nothing; with its evidence and margin at their floor (any leader at all) it would take
//   one. Not every babble is refused: another seed's makes both rules take a word (README).
import test from "ava";
import path from "node:path";
import { writeFileSync } from "node:fs";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";
import { tempDir } from "../helpers/tools.ts";
import { marvinTalker, runVoiceControl } from "../helpers/voice-control-run.ts";

const APP = path.resolve("apps/voice-control");
const BOARD = "rt1060";
const audio = (name: string) => path.join(APP, "audio", name);
const SPEECH = path.resolve("emulator/inputs/room/speech");
const CLOSED: AppOptions = { COMMAND_CLOSED_SET: true };

/** The bench's room (eval/scenes.ts roomScene): "marvin" at 1 m from 60 degrees, then `command` (or none). */
function scene(
  name: string,
  command: object | null,
  noise: object[],
  snr: number,
  seed: number,
): string {
  const file = path.join(tempDir("tinyboard-voice-closed-"), `${name}.json`);
  const marvin = marvinTalker();
  writeFileSync(
    file,
    JSON.stringify({
      seed,
      sampleRate: 16000,
      duration: 5,
      room: { size: [8, 7, 2.7], rt60: 0.6 },
      array: { position: [4, 3.5, 0.9], azimuth: 0 },
      talkers: command ? [marvin, command] : [marvin],
      noise,
      snr,
    }),
  );
  return file;
}

async function run(mic: string, appOptions: AppOptions) {
  const { summary, text } = await runVoiceControl(BOARD, mic, appOptions);
  return {
    summary,
    text,
    wakes: [...text.matchAll(/wake marvin/g)].length,
    commands: [...text.matchAll(/command (\w+) \d+% doa/g)].map((m) => m[1]),
  };
}

test(`${BOARD}: the closed set takes a word the old rule misses (on top, never twice at 0.60)`, async (t) => {
  const fan = [
    { type: "fan", az: 200, dist: 1.5, f0: 80, harmonics: 10 },
    { type: "pink", level: -10 },
  ];
  const go = { file: audio("espeak_go.wav"), channel: 0, start: 1.8, az: 60, dist: 3, level: 62 };
  const mic = scene("go-far", go, fan, 10, 7);
  const closed = await run(mic, CLOSED);
  t.is(closed.summary.fault, null);
  t.is(closed.wakes, 1, closed.text);
  t.deepEqual(closed.commands, ["go"], closed.text);
  const old = await run(mic, { COMMAND_CLOSED_SET: false });
  t.is(old.wakes, 1, old.text);
  t.deepEqual(old.commands, [], old.text);
});

test(`${BOARD}: the closed set takes nothing from babble after the wake word`, async (t) => {
  const babble = [
    {
      type: "babble",
      files: [
        path.join(SPEECH, "yes_1000ms.wav"),
        path.join(SPEECH, "no_1000ms.wav"),
        ...["go", "left", "off", "on"].map((w) => audio(`espeak_${w}.wav`)),
      ],
      voices: 4,
    },
  ];
  // Seed 9: with seed 7 both rules take a babble word ("down", a confusion; README).
  const mic = scene("babble", null, babble, 10, 9);
  const closed = await run(mic, CLOSED);
  t.is(closed.summary.fault, null);
  t.is(closed.wakes, 1, closed.text);
  t.deepEqual(closed.commands, [], closed.text);
  t.regex(closed.text, /no command within 3 s/);
  // Any leader at all: the babble's words are there to be taken.
  const floor = await run(mic, { ...CLOSED, COMMAND_EVIDENCE_MS: 1, COMMAND_RUNNER_UP_PCT: 100 });
  t.true(floor.commands.length > 0, floor.text);
});
