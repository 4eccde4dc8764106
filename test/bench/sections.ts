// The benchmark's sections, in the order `npm run bench` runs them. A new benchmark is one
// file exporting a BenchSection (section.ts) and one line in this list.
import os from "node:os";
import path from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { BOARDS, build, runOnce, sig } from "./util.ts";
import { grid, mega, pct, secs, section, x, type BenchSection } from "./section.ts";
import { benchRealtime, type RealtimeResult } from "./realtime.ts";
import { benchCompute, COMPUTE_APP, type ComputeResult } from "./compute.ts";
import { benchMetering, type MeteringResult } from "./metering.ts";
import { benchInference, inferenceMarkdown, inferenceTable } from "./inference.ts";
import {
  benchMeteringInference,
  METERING_INFERENCE_BOARD,
  meteringInferenceTable,
} from "./metering-inference.ts";
import { architecturesTable, benchArchitectures } from "./architectures.ts";
import {
  benchFanMonitor,
  fanMonitorMarkdown,
  fanMonitorTable,
  updateAppReadme as updateFanReadme,
} from "./fan-monitor.ts";
import {
  benchPersonDetector,
  personDetectorMarkdown,
  personDetectorTable,
  updateAppReadme as updateDetectorReadme,
} from "./person-detector.ts";
import { benchDebugOverhead, debugOverheadLine } from "./debug-overhead.ts";
import { benchMicroFrontend, microFrontendMarkdown, microFrontendTable } from "./micro-frontend.ts";
import { benchMic, micLine } from "./mic.ts";
import { benchRoom, roomMarkdown, roomTable } from "./room.ts";
import { benchMicroSpeech, microSpeechTable } from "./micro-speech.ts";
import { benchDsp, dspMarkdown, dspTable, updateDspDoc } from "./dsp.ts";
import { benchBuildTimes, buildTimesTable } from "./build-times.ts";
import { benchOps, opsTable, updateOpsDoc } from "./ops.ts";
import { arenaMarkdown, arenaTable, benchArena } from "./arena.ts";
import { benchNpu, npuMarkdown } from "./npu.ts";
import {
  benchMemoryHierarchy,
  memoryHierarchyMarkdown,
  updateCostModelDoc,
} from "./memory-hierarchy.ts";
import { benchScenarios, scenariosTable } from "./scenarios.ts";
import {
  benchVoiceControl,
  updateAppReadme as updateVoiceReadme,
  voiceControlTable,
} from "./voice-control.ts";
import { benchVoiceSession, voiceSessionTable } from "./voice-session.ts";
import {
  benchActiveSpeaker,
  activeSpeakerTable,
  updateAppReadme as updateActiveSpeakerReadme,
} from "./active-speaker.ts";
import { benchDebugLines, debugLinesTable, debugLinesMarkdown } from "./debug-lines.ts";

/** Floors are reported beside the figures, never enforced. */
export const FLOORS = { realTimeFactor: 100, meteringRatio: 1.5 };
const REALTIME_SECONDS = 600; // emulated seconds per sensor-logger run: long enough to time well
const REALTIME_RUNS = 3;
const COMPUTE_RUNS = 3;
const METERING_BOARD = "rt1060";
const METERING_RUNS = 9;
const CEILING_BOARD = "rt1170"; // issue 16 §4: 30x real time there
const METERING_INFERENCE_ROUNDS = 5;

const withDir = async <T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> => {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const realtime = section({
  id: "realtime",
  title: `real-time factor and CPU load of apps/sensor-logger (${REALTIME_SECONDS} s emulated, median of ${REALTIME_RUNS})`,
  run: (log) =>
    withDir("tinyboard-bench-", async (cardDir) => {
      const out: RealtimeResult[] = [];
      for (const board of BOARDS) {
        log(`sensor-logger on ${board}: ${REALTIME_RUNS} x ${REALTIME_SECONDS} s emulated`);
        out.push(
          await benchRealtime(await build("apps/sensor-logger", board), {
            seconds: REALTIME_SECONDS,
            runs: REALTIME_RUNS,
            cardDir,
          }),
        );
      }
      return out.map((r) => ({
        ...r,
        wallSeconds: sig(r.wallSeconds),
        realTimeFactor: sig(r.realTimeFactor, 3),
        cpuLoad: sig(r.cpuLoad),
        meetsFloor: r.realTimeFactor >= FLOORS.realTimeFactor,
      }));
    }),
  table: (rs) =>
    grid([
      ["board", "wall", "real-time factor", "CPU load", `floor ${FLOORS.realTimeFactor}x`],
      ...rs.map((b) => [
        b.board,
        secs(b.wallSeconds),
        x(b.realTimeFactor),
        pct(b.cpuLoad),
        b.meetsFloor ? "ok" : "BELOW",
      ]),
    ]),
  markdown: (rs) =>
    [
      "| board | sensor-logger real-time factor | sensor-logger CPU load |",
      "|---|---:|---:|",
      ...rs.map((b) => `| ${b.board} | ${x(b.realTimeFactor)} | ${pct(b.cpuLoad)} |`),
    ].join("\n"),
});

const compute = section({
  id: "compute",
  title: `compute-bound firmware (${COMPUTE_APP}): time, cycles, MACs per cycle, median of ${COMPUTE_RUNS}`,
  async run(log) {
    const out: ComputeResult[] = [];
    for (const board of BOARDS) {
      log(`compute on ${board}: ${COMPUTE_RUNS} runs`);
      out.push(await benchCompute(await build(COMPUTE_APP, board), { runs: COMPUTE_RUNS }));
    }
    const sums = new Set(out.map((c) => c.checksum));
    if (sums.size !== 1)
      throw new Error(
        `the compute firmware's checksum differs between boards: ${[...sums].join(", ")}`,
      );
    return out.map((c) => ({
      ...c,
      wallSeconds: sig(c.wallSeconds),
      realTimeFactor: sig(c.realTimeFactor, 3),
    }));
  },
  table: (cs) =>
    [
      grid([
        [
          "board",
          "emulated",
          "busy cycles",
          "wall",
          "real-time factor",
          "matmul MAC/cycle",
          "FIR MAC/cycle",
          "CRC cycles/B",
        ],
        ...cs.map((b) => [
          b.board,
          secs(b.emulatedSeconds),
          mega(b.busyCycles),
          secs(b.wallSeconds),
          x(b.realTimeFactor),
          b.matmul.macsPerCycle.toFixed(3),
          b.fir.macsPerCycle.toFixed(3),
          b.crc32.cyclesPerByte.toFixed(2),
        ]),
      ]),
      `checksum ${cs[0].checksum} on every board`,
    ].join("\n"),
  markdown: (cs) =>
    [
      "| board | compute emulated | compute wall | compute real-time factor | matmul MAC/cycle |",
      "|---|---:|---:|---:|---:|",
      ...cs.map(
        (c) =>
          `| ${c.board} | ${secs(c.emulatedSeconds)} | ${secs(c.wallSeconds)} | ${x(c.realTimeFactor)} | ${c.matmul.macsPerCycle.toFixed(3)} |`,
      ),
    ].join("\n"),
});

const metering = section({
  id: "metering",
  title: `metering overhead: metered / unmetered wall time of the compute firmware on ${METERING_BOARD}`,
  async run(log) {
    log(
      `metering overhead on ${METERING_BOARD}: ${METERING_RUNS} runs each, metered and unmetered`,
    );
    const m: MeteringResult = await benchMetering(
      await build(COMPUTE_APP, METERING_BOARD),
      await build(COMPUTE_APP, METERING_BOARD, { unmetered: true }),
      { runs: METERING_RUNS },
    );
    // The unmetered build is the same wasm whatever the board (nothing is charged), so its
    // fastest run bounds the real-time factor any meter could give on the 30x target's board.
    const ceilingBoard = await build(COMPUTE_APP, CEILING_BOARD);
    const ceilingEmulated = (await runOnce(ceilingBoard, 3600)).summary.emulatedSeconds;
    const ceiling = ceilingEmulated / Math.min(...m.samples.unmetered);
    return {
      ...m,
      ratio: sig(m.ratio, 3),
      minRatio: sig(m.minRatio, 3),
      cpuRatio: sig(m.cpuRatio, 3),
      meetsFloor: m.ratio <= FLOORS.meteringRatio,
      ceiling: {
        board: CEILING_BOARD,
        emulatedSeconds: sig(ceilingEmulated, 4),
        realTimeFactor: sig(ceiling, 3),
      },
    };
  },
  table: (m) =>
    `${secs(m.meteredWallSeconds)} metered, ${secs(m.unmeteredWallSeconds)} unmetered: ${m.ratio.toFixed(2)}x (min/min ${m.minRatio.toFixed(2)}x, CPU time min/min ${m.cpuRatio?.toFixed(2) ?? "-"}x, floor ${FLOORS.meteringRatio}x: ${m.meetsFloor ? "ok" : "ABOVE"}); checksum ${m.checksum}` +
    `; unmetered on ${m.ceiling.board}: ${x(m.ceiling.realTimeFactor)} real time`,
  markdown: (m) =>
    `Metering overhead (compute firmware on ${m.board}): metered / unmetered wall time = **${m.ratio.toFixed(2)}x** (median of ${m.runs} runs each${m.cpuRatio ? `; process CPU time, min / min: ${m.cpuRatio.toFixed(2)}x` : ""}).` +
    ` A meter that cost nothing could reach at most **${x(m.ceiling.realTimeFactor)}** real time on ${m.ceiling.board} (its ${secs(m.ceiling.emulatedSeconds)} emulated over the unmetered build's fastest run).`,
});

export const SECTIONS: BenchSection[] = [
  realtime,
  compute,
  metering,
  section({
    id: "meteringInference",
    title: `metering on VWW inference (${METERING_INFERENCE_BOARD}): counted loops, per-iteration checks, unmetered`,
    run: (log) => {
      log(`metering on VWW inference: ${METERING_INFERENCE_ROUNDS} rounds of three builds`);
      return benchMeteringInference({ rounds: METERING_INFERENCE_ROUNDS });
    },
    table: meteringInferenceTable,
    markdown: (r) =>
      `Metering on VWW inference (${r.board}, ${r.emulatedMsPerInference} ms emulated): **${r.builds[0].realTimeFactor}x** real time; metered / unmetered host time **${r.countedRatio}x** with counted loops, ${r.perIterationRatio}x with every loop checked per iteration (min of ${r.rounds} rounds; process CPU ${r.cpuCountedRatio}x / ${r.cpuPerIterationRatio}x); unmetered, the most any meter could give: ${r.builds.find((b) => b.build === "unmetered")?.realTimeFactor ?? "-"}x.`,
  }),
  section({
    id: "inference",
    title: "fixture models on each board: latency, MACs/cycle, wall vs tfjs (also docs/models.md)",
    run: () => benchInference(),
    table: inferenceTable,
    markdown: inferenceMarkdown,
  }),
  section({
    id: "fanMonitor",
    title: "apps/fan-monitor on each board: latency, load, memory, a 10-minute session",
    run: () => withDir("tinyboard-bench-fan-", (dir) => benchFanMonitor(dir)),
    table: fanMonitorTable,
    markdown: fanMonitorMarkdown,
    publish: updateFanReadme,
  }),
  section({
    id: "personDetector",
    title: "the person detector on each board with both models",
    run: (log) => benchPersonDetector(log),
    table: personDetectorTable,
    markdown: personDetectorMarkdown,
    publish: updateDetectorReadme,
  }),
  section({
    id: "debugOverhead",
    title: "debugger hooks: their cost per VWW inference with no debugger attached",
    run: () => benchDebugOverhead(),
    table: (r) => debugOverheadLine(r).replace(/\*\*/g, ""),
    markdown: debugOverheadLine,
  }),
  section({
    id: "debugLines",
    title:
      "the debug-lines build (statement hooks) vs release: wall time with no line breakpoints, identical cycles",
    run: (log) => benchDebugLines(log),
    table: debugLinesTable,
    markdown: debugLinesMarkdown,
  }),
  section({
    id: "microFrontend",
    title: "the micro front end: cycles per 20 ms feature frame on each board",
    run: () => benchMicroFrontend(),
    table: microFrontendTable,
    markdown: microFrontendMarkdown,
  }),
  section({
    id: "mic",
    title: "microphones: host wall time per emulated second of 4-channel audio",
    run: async () => benchMic(),
    table: (r) => micLine(r).replace(/\*\*/g, ""),
    markdown: micLine,
  }),
  section({
    id: "room",
    title: "far-field room scenes: render time per second of 4-channel audio",
    run: async () => benchRoom(),
    table: roomTable,
    markdown: roomMarkdown,
  }),
  section({
    id: "microSpeech",
    title: "apps/micro-speech: CPU load, real-time factor, audio metering overhead",
    run: (log) => benchMicroSpeech(log),
    table: microSpeechTable,
    markdown: (r) =>
      ["Micro speech (`apps/micro-speech` on its demo input):", "", microSpeechTable(r)].join("\n"),
  }),
  section({
    id: "dsp",
    title: "firmware/dsp: cycles per 10 ms of audio per board (also docs/dsp.md)",
    run: (log) => benchDsp(log),
    table: dspTable,
    publish: updateDspDoc,
    markdown: (r) =>
      [
        "Audio DSP in firmware (firmware/dsp, details in docs/dsp.md), cycles per 10 ms of 16 kHz audio:",
        "",
        dspMarkdown(r),
      ].join("\n"),
  }),
  section({
    id: "ops",
    title:
      "operator kernels: cycles per output element of each op on each board (also docs/ops.md)",
    run: (log) => benchOps(log),
    table: opsTable,
    publish: updateOpsDoc,
  }),
  section({
    id: "arena",
    title:
      "engine memory: each fixture model's arena (head + tail, as TFLM counts it) beside TFLM's estimate, peak SRAM, start-up",
    run: (log) => benchArena(log),
    table: arenaTable,
    markdown: (r) =>
      [
        "Engine memory per fixture model (the arena as TFLM's arena_used_bytes counts it, beside an estimate of TFLM's; test/bench/arena.ts) and the engine's start-up:",
        "",
        arenaMarkdown(r),
      ].join("\n"),
  }),
  section({
    id: "npu",
    title:
      "NPU calibration: NXP's published MCX N947 + Neutron latencies beside ours (target ratio 0.75-1.25)",
    run: (log) => benchNpu(log),
    table: npuMarkdown,
    markdown: (r) =>
      [
        'NPU timing on mcxn947 against NXP\'s published latencies (docs/cost-model.md, "NPU"):',
        "",
        npuMarkdown(r),
      ].join("\n"),
  }),
  section({
    id: "memoryHierarchy",
    title:
      "memory hierarchy: NXP's person-detector shape (ShuffleNetV2 192x320) and VWW, activations in OCRAM vs SDRAM on rt1060/rt1170 beside NXP's ratio (target 0.8-1.2), realistic placements vs today",
    run: (log) => benchMemoryHierarchy(log),
    table: memoryHierarchyMarkdown,
    markdown: (r) =>
      [
        "Memory hierarchy (docs/cost-model.md, \"Memory hierarchy\"): NXP's person-detector shape (ShuffleNetV2 192x320, test/bench/models/) and our person detector's model with their activations placed in OCRAM or SDRAM:",
        "",
        memoryHierarchyMarkdown(r),
      ].join("\n"),
    publish: updateCostModelDoc,
  }),
  section({
    id: "scenarios",
    title: "scenarios/*.yaml on every board: wall vs emulated time",
    run: (log) => benchScenarios(log),
    table: scenariosTable,
  }),
  section({
    id: "voiceControl",
    title:
      "apps/voice-control in generated far-field scenes: detection, false accepts, DOA, latency, load",
    run: (log) => benchVoiceControl(log),
    table: voiceControlTable,
    publish: updateVoiceReadme,
  }),
  section({
    id: "voiceSession",
    title:
      "apps/voice-control: a 10-minute far-field session per board: overruns, CPU load, detections, real-time factor",
    run: (log) => benchVoiceSession(log),
    table: voiceSessionTable,
  }),
  section({
    id: "activeSpeaker",
    title:
      "apps/active-speaker: latency per face and frame with 1-3 faces, fps, CPU load, dropped frames, SRAM, flash, NPU on/off",
    run: (log) => benchActiveSpeaker(log),
    table: activeSpeakerTable,
    markdown: (r) =>
      [
        "Active speaker (`apps/active-speaker` on generated meetings with 1, 2 and 3 people):",
        "",
        activeSpeakerTable(r),
      ].join("\n"),
    publish: updateActiveSpeakerReadme,
  }),
  section({
    id: "buildTimes",
    title: "build times: cold and warm (build cache) builds and a warm `run`, per app",
    run: async (log) => benchBuildTimes(log),
    table: buildTimesTable,
  }),
  section({
    id: "architectures",
    title:
      "writer-built architectures (MobileNetV3 blocks, SVDF keywords, ...) on each board: latency, arena, peak SRAM (docs/models.md)",
    run: (log) => benchArchitectures(log),
    table: architecturesTable,
  }),
];
