// Bench section: the debug-lines build (statement hooks, emulator/toolchain/line-hooks.ts) against
// the release build of the same app on rt1060, with no debugger interested in lines (the
// hooks' switch off, as in `tinyboard debug` with no line breakpoints): wall time of the same
// emulated run (minimum of ROUNDS after a warm-up run, compile excluded: Machine's wallSeconds)
// and the cycles, which must be identical.
import path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { loadTarget } from "../../emulator/board.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { loadApp, resolveInput } from "../../emulator/toolchain/app.ts";
import { Machine } from "../../emulator/machine.ts";
import { createFat32Image } from "../../emulator/sdcard/format-fat32.ts";
import { PROJECT_ROOT } from "../../emulator/paths.ts";
import { grid, x } from "./section.ts";

const BOARD = "rt1060";
const ROUNDS = 5;
/** Two model apps busy for the whole run: a camera model and an audio front end + model. */
const APPS: { name: string; seconds: number }[] = [
  { name: "person-detector", seconds: 6 },
  { name: "micro-speech", seconds: 4 },
];

export interface DebugLinesRow {
  app: string;
  seconds: number;
  releaseWallS: number;
  hookedWallS: number;
  ratio: number;
  releaseCycles: number;
  hookedCycles: number;
  codeBytes: { release: number; hooked: number };
}

export async function benchDebugLines(log: (m: string) => void): Promise<DebugLinesRow[]> {
  const target = loadTarget(BOARD);
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-lines-"));
  try {
    const rows: DebugLinesRow[] = [];
    for (const { name, seconds } of APPS) {
      const app = loadApp(path.join(PROJECT_ROOT, "apps", name));
      const inputs = Object.fromEntries(
        Object.entries(app.inputs).map(([k, v]) => [k, resolveInput(app, v)]),
      );
      // Both images run once unmeasured (V8 compiles the emulator's JavaScript and tiers up the
      // wasm on the first run), then the rounds alternate so a change in host load falls on both.
      const images = {
        release: (await buildApp(app.dir, target, { debugLines: false })).image,
        hooked: (await buildApp(app.dir, target, { debugLines: true })).image,
      };
      const runOnce = async (which: "release" | "hooked", round: number) => {
        const image = images[which];
        const card = path.join(dir, `${name}-${which}-${round}.img`);
        createFat32Image(card, 64 * 1024 * 1024);
        return new Machine({
          target,
          image,
          inputs,
          sdcard: card,
          micArray: image.manifest.defaults.micArray,
        }).run({ seconds });
      };
      const walls = { release: [] as number[], hooked: [] as number[] };
      const cycles = { release: 0, hooked: 0 };
      for (let round = -1; round < ROUNDS; round++) {
        for (const which of ["release", "hooked"] as const) {
          const s = await runOnce(which, round);
          cycles[which] = s.cycles;
          if (round >= 0) walls[which].push(s.wallSeconds);
        }
      }
      const summary = (which: "release" | "hooked") => ({
        wall: Math.min(...walls[which]),
        cycles: cycles[which],
        code: images[which].manifest.usage.codeBytes,
      });
      const release = summary("release");
      const hooked = summary("hooked");
      log(`${name}: release ${release.wall.toFixed(3)} s, debug-lines ${hooked.wall.toFixed(3)} s`);
      rows.push({
        app: name,
        seconds,
        releaseWallS: release.wall,
        hookedWallS: hooked.wall,
        ratio: hooked.wall / release.wall,
        releaseCycles: release.cycles,
        hookedCycles: hooked.cycles,
        codeBytes: { release: release.code, hooked: hooked.code },
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function debugLinesTable(rows: DebugLinesRow[]): string {
  return grid([
    [
      "app (rt1060)",
      "emulated",
      "release wall",
      "debug-lines wall",
      "overhead",
      "cycles equal",
      "code release / debug-lines",
    ],
    ...rows.map((r) => [
      r.app,
      `${r.seconds} s`,
      `${r.releaseWallS.toFixed(3)} s`,
      `${r.hookedWallS.toFixed(3)} s`,
      x(r.ratio),
      r.hookedCycles === r.releaseCycles
        ? `yes (${r.releaseCycles})`
        : `NO: ${r.releaseCycles} vs ${r.hookedCycles}`,
      `${r.codeBytes.release} / ${r.codeBytes.hooked} B`,
    ]),
  ]);
}

export function debugLinesMarkdown(rows: DebugLinesRow[]): string {
  return [
    "| app (rt1060) | emulated | release wall | debug-lines wall | overhead (target ≤ 2x) | cycles identical |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.app} | ${r.seconds} s | ${r.releaseWallS.toFixed(3)} s | ${r.hookedWallS.toFixed(3)} s | ${x(r.ratio)} | ${r.hookedCycles === r.releaseCycles ? "yes" : "**no**"} (${r.releaseCycles}) |`,
    ),
  ].join("\n");
}
