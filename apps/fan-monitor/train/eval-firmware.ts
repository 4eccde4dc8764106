// Held-out accuracy through the firmware: every held-out recording is fed, as its generator
// spec, to apps/fan-monitor running on an emulated board; the firmware's own per-inference
// console lines ("window N: STATE") are scored against the recording's state. This is the
// whole product path: sensor model, FIFO, windowing and normalisation in firmware, the int8
// engine (and the NPU on MCX N947).
//
//   npm run eval:fan-monitor [-- --board mcxn947] [--per-state N]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseScriptArgs } from "../../../emulator/cli/script-args.ts";
import { loadTarget } from "../../../emulator/board.ts";
import { buildApp } from "../../../emulator/toolchain/build.ts";
import { Machine } from "../../../emulator/machine.ts";
import {
  CLASSES,
  HELD_OUT_SET,
  conditions,
  windowCount,
  RATE_HZ,
  type Condition,
} from "./dataset.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const LINE_RE = /\] window (\d+): (\w+) /g;

export interface FirmwareEval {
  board: string;
  windows: number;
  correct: number;
  accuracy: number;
  /** confusion[true][predicted] */
  confusion: number[][];
  /** Worst recordings first: spec and accuracy. */
  worst: { spec: string; accuracy: number }[];
  wallSeconds: number;
}

/** Runs `conds` through the firmware on `board` and scores every window. */
export async function evalFirmware(board: string, conds: Condition[]): Promise<FirmwareEval> {
  const target = loadTarget(board);
  const { image, report } = await buildApp(APP_DIR, target);
  if (!report.fits)
    throw new Error(`fan-monitor does not fit ${board}: ${report.problems.join("; ")}`);
  const confusion = CLASSES.map(() => CLASSES.map(() => 0));
  const perRecording: { spec: string; accuracy: number }[] = [];
  let windows = 0;
  let correct = 0;
  const started = Date.now();
  for (const c of conds) {
    const expected = windowCount(Math.round(c.seconds * RATE_HZ));
    const machine = new Machine({ target, image, inputs: { accel: c.spec }, sdcard: null });
    let text = "";
    machine.events.on("console", (t) => {
      text += t;
    });
    // The last window is complete at c.seconds; give the FIFO's wake-up and the inference time.
    const summary = await machine.run({ seconds: c.seconds + 0.25 });
    if (summary.fault)
      throw new Error(`${board}: ${c.spec}: ${summary.fault.kind}: ${summary.fault.message}`);
    const found = [...text.matchAll(LINE_RE)].filter((m) => Number(m[1]) < expected);
    if (found.length !== expected)
      throw new Error(`${board}: ${c.spec}: ${found.length} inferences, expected ${expected}`);
    const truth = CLASSES.indexOf(c.state);
    let ok = 0;
    for (const m of found) {
      const p = CLASSES.indexOf(m[2] as (typeof CLASSES)[number]);
      confusion[truth][p]++;
      if (p === truth) ok++;
    }
    windows += expected;
    correct += ok;
    perRecording.push({ spec: c.spec, accuracy: ok / expected });
  }
  perRecording.sort((a, b) => a.accuracy - b.accuracy);
  return {
    board,
    windows,
    correct,
    accuracy: correct / windows,
    confusion,
    worst: perRecording.slice(0, 5),
    wallSeconds: (Date.now() - started) / 1000,
  };
}

export function formatEval(e: FirmwareEval): string {
  const rows = CLASSES.map(
    (c, i) => `    ${c.padEnd(9)} ${e.confusion[i].map((v) => String(v).padStart(5)).join("")}`,
  );
  return [
    `${e.board}: ${e.correct}/${e.windows} held-out windows right through the firmware = ${(e.accuracy * 100).toFixed(2)} % (${e.wallSeconds.toFixed(1)} s wall)`,
    `    true \\ predicted ${CLASSES.join(" ")}`,
    ...rows,
    `    worst recording: ${e.worst[0].spec} ${(e.worst[0].accuracy * 100).toFixed(1)} %`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { values } = parseScriptArgs("eval:fan-monitor", {
    options: { board: { type: "string", multiple: true }, "per-state": { type: "string" } },
  });
  const perState = Number(values["per-state"] ?? HELD_OUT_SET.perState);
  if (!Number.isInteger(perState) || perState < 1) {
    console.error(`eval: --per-state must be a positive integer, got '${values["per-state"]}'`);
    process.exit(2);
  }
  const conds = conditions(
    "heldout",
    HELD_OUT_SET.perState,
    HELD_OUT_SET.seconds,
    HELD_OUT_SET.seed,
  ).slice(0, perState * CLASSES.length);
  for (const board of values.board ?? ["rt1060", "rt1170", "mcxn947"]) {
    console.log(formatEval(await evalFirmware(board, conds)));
  }
}
