// App options (emulator/toolchain/app-options.ts): app.json "options" reach the firmware as
// constants of firmware/app-options, a build can override them, and bad ones are one-line errors.
import test from "ava";
import path from "node:path";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { Machine } from "../../emulator/machine.ts";
import {
  appOptionsModule,
  parseAppOptions,
  parseOptionFlag,
  resolveAppOptions,
} from "../../emulator/toolchain/app-options.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";

const APP = path.join(PROJECT_ROOT, "test/fixtures/apps/app-options");

async function consoleOf(options?: Record<string, boolean | number>): Promise<string> {
  const target = loadTarget("rt1060");
  const { image } = await buildApp(APP, target, { appOptions: options });
  const machine = new Machine({ target, image, sdcard: null });
  let text = "";
  machine.events.on("console", (s) => {
    text += s;
  });
  const summary = await machine.run({ seconds: 1 });
  if (summary.exitCode !== 0) throw new Error(`exit ${summary.exitCode}: ${text}`);
  return text;
}

test("the firmware sees app.json's options, and a build's overrides in their place", async (t) => {
  t.is(await consoleOf(), "option line\noption line\n");
  t.is(await consoleOf({ REPEAT: 3, LOUD: true }), "OPTION LINE\nOPTION LINE\nOPTION LINE\n");
});

test("options are checked: names, values, overrides of undeclared or differently typed options", (t) => {
  const fail = (why: string) => new Error(why);
  t.deepEqual(parseAppOptions({ BEAM: true, N: 3 }, fail), { BEAM: true, N: 3 });
  t.deepEqual(parseAppOptions(undefined, fail), {});
  t.throws(() => parseAppOptions({ beam: true }, fail), { message: /upper-case constant name/ });
  t.throws(() => parseAppOptions({ GAIN: 0.5 }, fail), { message: /true, false or an integer/ });
  t.throws(() => parseAppOptions([1], fail), { message: /must be an object/ });
  t.deepEqual(parseOptionFlag("BEAM=false"), { BEAM: false });
  t.deepEqual(parseOptionFlag("N=-4"), { N: -4 });
  t.throws(() => parseOptionFlag("BEAM"), { message: /expected NAME=VALUE/ });
  t.throws(() => parseOptionFlag("N=1.5"), { message: /true, false or an integer/ });
  t.throws(() => resolveAppOptions("app", { BEAM: true }, { BEEM: false }), {
    message: "app: no option 'BEEM' (options: BEAM)",
  });
  t.throws(() => resolveAppOptions("app", { BEAM: true }, { BEAM: 1 }), {
    message: /option 'BEAM' is boolean, got 1/,
  });
  t.is(
    appOptionsModule({ BEAM: false, N: 3 }).split("\n").slice(1).join("\n"),
    "export const BEAM: bool = false;\nexport const N: i32 = 3;\n",
  );
});
