// 5. apps/fan-monitor on each board: a 10-minute session on the looping demo input with a
// fresh card (wall time, real-time factor, CPU load, overruns, fsck of the card), the
// inference latency the firmware itself measures (median and worst over the session), flash
// and SRAM from the build, model and arena size, and the model alone on mcxn947 CPU-only for
// the NPU's speed-up. NXP's published figures for its state monitor stand beside them.
// Also writes the figures into apps/fan-monitor/README.md. Nothing here asserts a timing.
import path from "node:path";
import { readFileSync } from "node:fs";
import { loadTarget } from "../../emulator/board.ts";
import { ensureCard } from "../../emulator/state.ts";
import { runModel } from "../../emulator/model/runner.ts";
import { buildApp } from "../../emulator/toolchain/build.ts";
import { BOARDS, ROOT, median, runOnce, sig, type Built, writeBenchBlock } from "./util.ts";
import { hasTool, sh } from "../helpers/tools.ts";

const APP = "apps/fan-monitor";
const SESSION_SECONDS = 600;
const MODEL = path.join(ROOT, APP, "model/fan_state_int8.tflite");

export interface FanMonitorBoard {
  board: string;
  flashBytes: number;
  sramBytes: number;
  sramPeakBytes: number;
  arenaBytes: number;
  npuLayers: number;
  layers: number;
  inferences: number;
  latencyUsMedian: number;
  latencyUsMax: number;
  cpuLoad: number;
  wallSeconds: number;
  realTimeFactor: number;
  overruns: number;
  stateChanges: number;
  fsck: "clean" | "errors" | "not run";
}

export interface FanMonitorResult {
  sessionSeconds: number;
  modelBytes: number;
  boards: FanMonitorBoard[];
  /** The model alone on mcxn947's CPU (runner firmware), for the NPU's speed-up. */
  mcxn947CpuOnlyUs: number;
}

export async function benchFanMonitor(cardDir: string): Promise<FanMonitorResult> {
  const boards: FanMonitorBoard[] = [];
  for (const board of BOARDS) {
    const target = loadTarget(board);
    const { app, image, report } = await buildApp(path.join(ROOT, APP), target);
    const b: Built = {
      app,
      target,
      image,
      inputs: { accel: `${path.join(ROOT, APP, "data/demo.csv")},loop` },
    };
    const card = path.join(cardDir, `fan-monitor-${board}.img`);
    ensureCard(card);
    const { summary: s, console: text } = await runOnce(b, SESSION_SECONDS, { sdcard: card });
    const us = [...text.matchAll(/\) (\d+) us; state/g)].map((m) => Number(m[1]));
    const arena = /arena (\d+) B, (\d+) layers \((\d+) on the NPU\)/.exec(text);
    const fsck = hasTool("fsck.fat")
      ? sh("fsck.fat", ["-n", card]).status === 0
        ? "clean"
        : "errors"
      : "not run";
    boards.push({
      board,
      flashBytes: report.flash.used,
      sramBytes: report.sram.used,
      sramPeakBytes: s.sramPeakBytes,
      arenaBytes: Number(arena?.[1] ?? 0),
      layers: Number(arena?.[2] ?? 0),
      npuLayers: Number(arena?.[3] ?? 0),
      inferences: us.length,
      latencyUsMedian: median(us),
      latencyUsMax: Math.max(...us),
      cpuLoad: s.cpuLoad,
      wallSeconds: s.wallSeconds,
      realTimeFactor: s.realTimeFactor,
      overruns: s.peripherals.accel?.accelOverruns ?? -1,
      stateChanges: (text.match(/^state -> /gm) ?? []).length,
      fsck,
    });
  }
  const model = readFileSync(MODEL);
  const cpu = await runModel(model, [new Uint8Array(128 * 3)], loadTarget("mcxn947"), {
    cpuOnly: true,
  });
  const mcxn947CpuOnlyUs = (cpu.inferences[0].cycles / cpu.summary.clockHz) * 1e6;
  return {
    sessionSeconds: SESSION_SECONDS,
    modelBytes: model.length,
    boards,
    mcxn947CpuOnlyUs: sig(mcxn947CpuOnlyUs, 3),
  };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export function fanMonitorMarkdown(r: FanMonitorResult): string {
  return [
    `Fan monitor (\`apps/fan-monitor\`, ${r.sessionSeconds / 60}-minute session per board on the looping demo input; model ${kb(r.modelBytes)} int8; latency as the firmware measures it around \`invoke()\`):`,
    "",
    "| board | inference (median / worst) | CPU load | flash | SRAM (static + heap + stack) | arena | real-time factor | overruns | card |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...r.boards.map(
      (b) =>
        `| ${b.board}${b.npuLayers ? ` (NPU: ${b.npuLayers} of ${b.layers} layers)` : ""} | ${b.latencyUsMedian} / ${b.latencyUsMax} µs | ${(b.cpuLoad * 100).toFixed(2)} % | ${kb(b.flashBytes)} | ${kb(b.sramPeakBytes)} | ${kb(b.arenaBytes)} | ${Math.round(b.realTimeFactor)}x | ${b.overruns} | fsck ${b.fsck} |`,
    ),
    "",
    `mcxn947 without its NPU: ${Math.round(r.mcxn947CpuOnlyUs)} µs per inference. NXP's state monitor (docs/references.md): model 15.8 KB int8, arena about 4 KB, inference in the hundreds of µs.`,
  ].join("\n");
}

export function fanMonitorTable(r: FanMonitorResult): string {
  return [
    `5. fan-monitor: ${r.sessionSeconds} s session per board, model ${r.modelBytes} B`,
    ...r.boards.map(
      (b) =>
        `   ${b.board.padEnd(8)} ${String(b.latencyUsMedian).padStart(5)} us (max ${b.latencyUsMax})  load ${(b.cpuLoad * 100).toFixed(2)} %  flash ${b.flashBytes} B  SRAM peak ${b.sramPeakBytes} B  arena ${b.arenaBytes} B  ${b.inferences} inferences  wall ${b.wallSeconds.toFixed(2)} s  RTF ${Math.round(b.realTimeFactor)}x  overruns ${b.overruns}  ${b.stateChanges} changes  fsck ${b.fsck}`,
    ),
    `   mcxn947 CPU only: ${r.mcxn947CpuOnlyUs} us`,
  ].join("\n");
}

/** Puts the figures between the bench markers of the app's README. */
export function updateAppReadme(r: FanMonitorResult): void {
  writeBenchBlock(`${APP}/README.md`, fanMonitorMarkdown(r));
}

// `npx tsx test/bench/fan-monitor.ts`: this section alone.
if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === path.join(ROOT, "test/bench/fan-monitor.ts")
) {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const os = await import("node:os");
  const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-fan-"));
  try {
    const r = await benchFanMonitor(dir);
    console.log(fanMonitorTable(r));
    console.log(`\n${fanMonitorMarkdown(r)}`);
    updateAppReadme(r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
