// Bench section: the debug-lines build (statement hooks, emulator/toolchain/line-hooks.ts) against
// the release build of the same app on rt1060, with no debugger interested in lines (the
// hooks' switch off, as in `tinyboard debug` with no line breakpoints): wall time of the same
// emulated run (median of ROUNDS, compile excluded: Machine's wallSeconds) and the cycles,
// which must be identical.
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
const ROUNDS = 3;
/** A model app (kernel loops: the most statements per emulated second) and the smallest app. */
const APPS: { name: string; seconds: number }[] = [
  { name: "person-detector", seconds: 2 },
  { name: "hello-model", seconds: 1.2 },
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
      const measure = async (debugLines: boolean) => {
        const { image } = await buildApp(app.dir, target, { debugLines });
        const walls: number[] = [];
        let cycles = 0;
        for (let i = 0; i < ROUNDS; i++) {
          const card = path.join(dir, `${name}-${debugLines}-${i}.img`);
          createFat32Image(card, 64 * 1024 * 1024);
          const s = await new Machine({
            target,
            image,
            inputs,
            sdcard: card,
            micArray: image.manifest.defaults.micArray,
          }).run({ seconds });
          walls.push(s.wallSeconds);
          cycles = s.cycles;
        }
        return { wall: median(walls), cycles, code: image.manifest.usage.codeBytes };
      };
      const release = await measure(false);
      const hooked = await measure(true);
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
