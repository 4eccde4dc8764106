// The voice-control app built with app options and run for a few seconds on one microphone input
// (a WAV file played to the board's array), its console kept: the command tests' common run.
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { appMicArray, loadApp } from "../../emulator/toolchain/app.ts";
import type { AppOptions } from "../../emulator/toolchain/app-options.ts";

export const VOICE_APP = path.resolve("apps/voice-control");

export async function runVoiceControl(
  board: string,
  mic: string,
  appOptions: AppOptions = {},
  seconds = 5,
) {
  const target = loadTarget(board);
  const { image } = await buildApp(VOICE_APP, target, { appOptions });
  const machine = new Machine({
    target,
    image,
    sdcard: null,
    inputs: { mic },
    micArray: appMicArray(loadApp(VOICE_APP), board) ?? null,
  });
  let text = "";
  machine.events.on("console", (s) => (text += s));
  const summary = await machine.run({ seconds });
  return { summary, text };
}
