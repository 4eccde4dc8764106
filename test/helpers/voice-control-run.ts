// The voice-control app built with app options and run for a few seconds on one microphone input
// (a WAV file played to the board's array), its console and LED changes kept: the voice tests'
// common run.
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";
import type { Image } from "../../emulator/toolchain/image.ts";

export const VOICE_APP = path.resolve("apps/voice-control");

/** The real "marvin" (Speech Commands), from 60 degrees at 1 m, 62 dB, starting at 0.5 s: the
 *  wake word of the voice tests' room scenes. */
export const marvinTalker = () => ({
  file: path.join(VOICE_APP, "audio", "marvin_617de221_0.wav"),
  channel: 0,
  start: 0.5,
  az: 60,
  dist: 1,
  level: 62,
});

/** Runs a voice-control image on `board` with the add-on array its app.json names, `mic`
 *  played to it, on card image `sdcard` (or none). LED changes as "led:1" / "led:0". */
export async function runVoiceImage(
  board: string,
  image: Image,
  mic: string,
  seconds: number,
  sdcard: string | null = null,
) {
  const machine = new Machine({
    target: loadTarget(board),
    image,
    sdcard,
    inputs: { mic },
    micArray: appMicArray(loadApp(VOICE_APP), board) ?? null,
  });
  let text = "";
  const leds: string[] = [];
  machine.events.on("console", (s) => (text += s));
  machine.events.on("gpio", (e) => leds.push(`${e.led}:${e.on ? 1 : 0}`));
  const summary = await machine.run({ seconds });
  return { summary, text, leds };
}

/** Builds the app with `appOptions` for `board` and runs it (runVoiceImage). */
export async function runVoiceControl(
  board: string,
  mic: string,
  appOptions: AppOptions = {},
  seconds = 5,
  sdcard: string | null = null,
) {
  const { image } = await buildApp(VOICE_APP, loadTarget(board), { appOptions });
  return runVoiceImage(board, image, mic, seconds, sdcard);
}
