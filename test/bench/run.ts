// `npm run bench`: the emulator's speed figures, all measured in one run, as ratios.
//   1. real-time factor and CPU load of apps/sensor-logger on each board  (realtime.ts)
//   2. a compute-heavy firmware on each board: time, cycles, MACs/cycle   (compute.ts)
//   3. metering overhead: metered / unmetered wall time of that firmware  (metering.ts)
//   4. fixture models on each board: latency, MACs/cycle, wall vs tfjs     (inference.ts)
//      (also writes docs/models.md)
//   5. apps/fan-monitor on each board: latency, load, memory, 10-minute session (fan-monitor.ts)
//   6. the person detector on each board with both models                (person-detector.ts)
//      (5 and 6 also write their tables into the apps' READMEs)
//   7. debugger hooks: their cost per VWW inference with no debugger attached  (debug-overhead.ts)
//   8. the micro front end: cycles per 20 ms feature frame on each board       (micro-frontend.ts)
//   9. microphones: host wall time per emulated second of 4-channel audio      (mic.ts)
//  10. far-field room scenes: render time per second of 4-channel audio      (room.ts)
//  13. apps/micro-speech: CPU load, real-time factor, audio metering overhead (micro-speech.ts)
//  11. firmware/dsp: cycles per 10 ms of audio per board (PDM decimation, FFT, features,
//      beamformer, noise suppressor, ...)                                   (dsp.ts; also docs/dsp.md)
//  12. build times: cold and warm (build cache) builds and a warm `run`, per app  (build-times.ts)
//  14. apps/active-speaker: latency per face and frame, CPU load, dropped frames, NPU on/off (active-speaker.ts)
// Prints a table and a markdown snippet for the README, and writes test/bench/results.json.
// Nothing here asserts a timing: floors are reported, not enforced. Only correctness is
// checked (runs end as expected, metered and unmetered builds print the same checksum).
import os from "node:os";
import path from "node:path";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BOARDS, build, sig, type Built } from "./util.ts";
import { benchRealtime, type RealtimeResult } from "./realtime.ts";
import { benchCompute, COMPUTE_APP, type ComputeResult } from "./compute.ts";
import { benchMetering, type MeteringResult } from "./metering.ts";
import { benchInference, inferenceMarkdown, inferenceTable, type InferenceResult } from "./inference.ts";
import { benchFanMonitor, fanMonitorMarkdown, fanMonitorTable, updateAppReadme as updateFanReadme, type FanMonitorResult } from "./fan-monitor.ts";
import { benchPersonDetector, personDetectorJson, personDetectorMarkdown, personDetectorTable, updateAppReadme as updateDetectorReadme, type DetectorResult } from "./person-detector.ts";
import { benchDebugOverhead, debugOverheadLine, type DebugOverheadResult } from "./debug-overhead.ts";
import { benchMicroFrontend, microFrontendMarkdown, microFrontendTable, type MicroFrontendBoard } from "./micro-frontend.ts";
import { benchMic, micLine, type MicBenchResult } from "./mic.ts";
import { benchRoom, roomMarkdown, roomTable, type RoomBenchResult } from "./room.ts";
import { benchMicroSpeech, microSpeechTable, type MicroSpeechBenchResult } from "./micro-speech.ts";
import { benchDsp, dspMarkdown, dspTable, updateDspDoc, type DspResult } from "./dsp.ts";
import { benchActiveSpeaker, activeSpeakerTable, type ActiveSpeakerBoardResult } from "./active-speaker.ts";
import { benchBuildTimes, buildTimesTable, type BuildTimesResult } from "./build-times.ts";

const REALTIME_SECONDS = 600; // emulated seconds per sensor-logger run (10 minutes: long enough to time well)
const REALTIME_RUNS = 3;
const COMPUTE_RUNS = 3;
const METERING_BOARD = "rt1060";
const METERING_RUNS = 9;
const FLOORS = { realTimeFactor: 100, meteringRatio: 1.5 };

const RESULTS = fileURLToPath(new URL("./results.json", import.meta.url));

const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };

async function main(): Promise<void> {
  const started = Date.now();
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model.trim() ?? "unknown",
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage1m: sig(os.loadavg()[0], 3),
  };

  // Build everything first: binaryen's own compilation keeps the host busy for a while after
  // it first runs, and none of that should land inside a timed run.
  const loggers = new Map<string, Built>();
  const computes = new Map<string, Built>();
  for (const board of BOARDS) {
    log(`building sensor-logger and compute for ${board}`);
    loggers.set(board, await build("apps/sensor-logger", board));
    computes.set(board, await build(COMPUTE_APP, board));
  }
  log(`building compute unmetered for ${METERING_BOARD}`);
  const unmetered = await build(COMPUTE_APP, METERING_BOARD, { unmetered: true });

  const cardDir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-"));
  const realtime: RealtimeResult[] = [];
  const compute: ComputeResult[] = [];
  let metering: MeteringResult;
  try {
    for (const board of BOARDS) {
      log(`sensor-logger on ${board}: ${REALTIME_RUNS} x ${REALTIME_SECONDS} s emulated`);
      realtime.push(await benchRealtime(loggers.get(board)!, { seconds: REALTIME_SECONDS, runs: REALTIME_RUNS, cardDir }));
    }
    for (const board of BOARDS) {
      log(`compute on ${board}: ${COMPUTE_RUNS} runs`);
      compute.push(await benchCompute(computes.get(board)!, { runs: COMPUTE_RUNS }));
    }
    const sums = new Set(compute.map((c) => c.checksum));
    if (sums.size !== 1) throw new Error(`the compute firmware's checksum differs between boards: ${[...sums].join(", ")}`);
    log(`metering overhead on ${METERING_BOARD}: ${METERING_RUNS} runs each, metered and unmetered`);
    metering = await benchMetering(computes.get(METERING_BOARD)!, unmetered, { runs: METERING_RUNS });
  } finally {
    rmSync(cardDir, { recursive: true, force: true });
  }
  const inferenceStarted = Date.now();
  const inference = await benchInference();
  log(`inference section: ${sig((Date.now() - inferenceStarted) / 1000, 3)} s`);
  log("fan-monitor: a 10-minute session on each board");
  const fanDir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-bench-fan-"));
  let fanMonitor: FanMonitorResult;
  try {
    fanMonitor = await benchFanMonitor(fanDir);
  } finally {
    rmSync(fanDir, { recursive: true, force: true });
  }
  updateFanReadme(fanMonitor);
  const detectorStarted = Date.now();
  const personDetector = await benchPersonDetector(log);
  updateDetectorReadme(personDetector);
  log(`person detector section: ${sig((Date.now() - detectorStarted) / 1000, 3)} s`);
  log("debugger hook overhead (vww on rt1060)");
  const debugOverhead = await benchDebugOverhead();
  log("micro front end on each board");
  const microFrontend = await benchMicroFrontend();
  log("microphones: 4 channels through modulator and decimator");
  const mic = benchMic();
  log("room scenes: rendering 4-channel audio at RT60 0.3 and 0.6 s");
  const room = benchRoom();
  const microSpeech = await benchMicroSpeech(log);
  const activeSpeaker = await benchActiveSpeaker(log);
  const dspStarted = Date.now();
  const dsp = await benchDsp(log);
  updateDspDoc(dsp);
  log(`dsp section: ${sig((Date.now() - dspStarted) / 1000, 3)} s`);
  const buildTimes = benchBuildTimes(log);

  const results = {
    ...env,
    benchSeconds: sig((Date.now() - started) / 1000, 3),
    floors: FLOORS,
    realtime: {
      app: "sensor-logger",
      emulatedSecondsPerRun: REALTIME_SECONDS,
      runs: REALTIME_RUNS,
      boards: realtime.map((r) => ({
        board: r.board,
        emulatedSeconds: r.emulatedSeconds,
        wallSeconds: sig(r.wallSeconds),
        realTimeFactor: sig(r.realTimeFactor, 3),
        busyCycles: r.busyCycles,
        cpuLoad: sig(r.cpuLoad),
        meetsFloor: r.realTimeFactor >= FLOORS.realTimeFactor,
      })),
    },
    compute: {
      app: COMPUTE_APP,
      runs: COMPUTE_RUNS,
      checksum: compute[0].checksum,
      boards: compute.map((c) => ({
        board: c.board,
        emulatedSeconds: sig(c.emulatedSeconds),
        busyCycles: c.busyCycles,
        wallSeconds: sig(c.wallSeconds),
        realTimeFactor: sig(c.realTimeFactor, 3),
        matmul: { ...c.matmul, macsPerCycle: sig(c.matmul.macsPerCycle, 3) },
        fir: { ...c.fir, macsPerCycle: sig(c.fir.macsPerCycle, 3) },
        crc32: { ...c.crc32, cyclesPerByte: sig(c.crc32.cyclesPerByte, 3) },
      })),
    },
    metering: {
      app: COMPUTE_APP,
      board: metering.board,
      runs: metering.runs,
      meteredWallSeconds: sig(metering.meteredWallSeconds),
      unmeteredWallSeconds: sig(metering.unmeteredWallSeconds),
      ratio: sig(metering.ratio, 3),
      minRatio: sig(metering.minRatio, 3),
      meetsFloor: metering.ratio <= FLOORS.meteringRatio,
      checksum: metering.checksum,
      samples: { metered: metering.samples.metered.map((x) => sig(x)), unmetered: metering.samples.unmetered.map((x) => sig(x)) },
    },
    inferenceSeconds: sig((Date.now() - inferenceStarted) / 1000, 3),
    inference,
    fanMonitor,
    debugOverhead,
    microFrontend,
    mic,
    room,
    microSpeech,
    activeSpeaker,
    dsp,
    buildTimes,
    personDetector: personDetectorJson(personDetector),
    personDetectorRaw: personDetector,
  };

  console.log(table(results));
  console.log("\nREADME snippet:\n");
  console.log(markdown(results));
  const { personDetectorRaw: _raw, ...saved } = results;
  writeFileSync(RESULTS, JSON.stringify(saved, null, 2) + "\n");
  updateReadme(markdown(results));
  log(`wrote ${path.relative(process.cwd(), RESULTS)} (${results.benchSeconds} s)`);
}

type Results = {
  date: string; node: string; cpu: string; cores: number; loadAverage1m: number;
  floors: typeof FLOORS;
  realtime: { emulatedSecondsPerRun: number; runs: number; boards: { board: string; wallSeconds: number; realTimeFactor: number; cpuLoad: number; meetsFloor: boolean }[] };
  compute: { runs: number; checksum: string; boards: { board: string; emulatedSeconds: number; busyCycles: number; wallSeconds: number; realTimeFactor: number; matmul: { macs: number; macsPerCycle: number }; fir: { macs: number; macsPerCycle: number }; crc32: { bytes: number; cyclesPerByte: number } }[] };
  metering: { board: string; runs: number; meteredWallSeconds: number; unmeteredWallSeconds: number; ratio: number; minRatio: number; meetsFloor: boolean; checksum: string };
  inference: InferenceResult;
  fanMonitor: FanMonitorResult;
  debugOverhead: DebugOverheadResult;
  microFrontend: MicroFrontendBoard[];
  mic: MicBenchResult;
  room: RoomBenchResult;
  microSpeech: MicroSpeechBenchResult;
  activeSpeaker: ActiveSpeakerBoardResult[];
  dsp: DspResult;
  buildTimes: BuildTimesResult;
  personDetectorRaw: DetectorResult[];
};

const x = (f: number): string => `${f.toFixed(f >= 100 ? 0 : f >= 10 ? 1 : 2)}x`;
const pct = (f: number): string => `${(f * 100).toFixed(2)} %`;
const mega = (n: number): string => `${(n / 1e6).toFixed(1)} M`;
const secs = (s: number): string => `${s.toFixed(3)} s`;

function grid(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd()).join("\n");
}

function table(r: Results): string {
  const c0 = r.compute.boards[0];
  const m = r.metering;
  return [
    `tinyboard bench, ${r.date.slice(0, 10)}: node ${r.node}, ${r.cpu} (${r.cores} cores, load ${r.loadAverage1m})`,
    "",
    `1. sensor-logger: ${r.realtime.emulatedSecondsPerRun} s emulated per run, median wall of ${r.realtime.runs} runs (floor >= ${r.floors.realTimeFactor}x)`,
    grid([
      ["board", "wall", "real-time factor", "CPU load", "floor"],
      ...r.realtime.boards.map((b) => [b.board, secs(b.wallSeconds), x(b.realTimeFactor), pct(b.cpuLoad), b.meetsFloor ? "ok" : "BELOW"]),
    ]),
    "",
    `2. compute (${COMPUTE_APP}): int8 matmul ${mega(c0.matmul.macs)}MAC, FIR ${mega(c0.fir.macs)}MAC, CRC32 ${mega(c0.crc32.bytes)}B; median wall of ${r.compute.runs} runs`,
    grid([
      ["board", "emulated", "busy cycles", "wall", "real-time factor", "matmul MAC/cycle", "FIR MAC/cycle", "CRC cycles/B"],
      ...r.compute.boards.map((b) => [b.board, secs(b.emulatedSeconds), mega(b.busyCycles), secs(b.wallSeconds), x(b.realTimeFactor),
        b.matmul.macsPerCycle.toFixed(3), b.fir.macsPerCycle.toFixed(3), b.crc32.cyclesPerByte.toFixed(2)]),
    ]),
    `   checksum ${r.compute.checksum} on every board`,
    "",
    `3. metering overhead (compute on ${m.board}, median of ${m.runs} runs each, floor <= ${r.floors.meteringRatio}x)`,
    grid([
      ["build", "wall"],
      ["metered", secs(m.meteredWallSeconds)],
      ["unmetered", secs(m.unmeteredWallSeconds)],
    ]),
    `   metered / unmetered = ${m.ratio.toFixed(2)}x (min/min ${m.minRatio.toFixed(2)}x): ${m.meetsFloor ? "ok" : "ABOVE the floor"}; both print checksum ${m.checksum}`,
    "",
    inferenceTable(r.inference),
    "",
    fanMonitorTable(r.fanMonitor),
    "",
    personDetectorTable(r.personDetectorRaw),
    "",
    `7. ${debugOverheadLine(r.debugOverhead).replace(/\*\*/g, "")}`,
    "",
    microFrontendTable(r.microFrontend),
    "",
    `9. ${micLine(r.mic).replace(/\*\*/g, "")}`,
    "",
    roomTable(r.room),
    "",
    microSpeechTable(r.microSpeech),
    "",
    activeSpeakerTable(r.activeSpeaker),
    "",
    dspTable(r.dsp),
    "",
    `12. ${buildTimesTable(r.buildTimes)}`,
  ].join("\n");
}

function markdown(r: Results): string {
  const m = r.metering;
  return [
    `Measured ${r.date.slice(0, 10)} with \`npm run bench\` on ${r.cpu} (${r.cores} cores), node ${r.node}.`,
    "",
    `| board | sensor-logger real-time factor | sensor-logger CPU load | compute emulated | compute wall | compute real-time factor | matmul MAC/cycle |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    ...r.realtime.boards.map((b, i) => {
      const c = r.compute.boards[i];
      return `| ${b.board} | ${x(b.realTimeFactor)} | ${pct(b.cpuLoad)} | ${secs(c.emulatedSeconds)} | ${secs(c.wallSeconds)} | ${x(c.realTimeFactor)} | ${c.matmul.macsPerCycle.toFixed(3)} |`;
    }),
    "",
    `Metering overhead (compute firmware on ${m.board}): metered / unmetered wall time = **${m.ratio.toFixed(2)}x** (median of ${m.runs} runs each).`,
    "",
    inferenceMarkdown(r.inference),
    "",
    fanMonitorMarkdown(r.fanMonitor),
    "",
    personDetectorMarkdown(r.personDetectorRaw),
    "",
    debugOverheadLine(r.debugOverhead),
    "",
    microFrontendMarkdown(r.microFrontend),
    "",
    micLine(r.mic),
    "",
    roomMarkdown(r.room),
    "",
    "Micro speech (`apps/micro-speech` on its demo input):",
    "",
    microSpeechTable(r.microSpeech),
    "",
    "Active speaker (`apps/active-speaker` on its two-person demo scene):",
    "",
    activeSpeakerTable(r.activeSpeaker),
    "",
    "Audio DSP in firmware (firmware/dsp, details in docs/dsp.md), cycles per 10 ms of 16 kHz audio:",
    "",
    dspMarkdown(r.dsp),
  ].join("\n");
}

await main();

/** Puts the latest figures between the bench markers of the README. */
function updateReadme(snippet: string): void {
  const readme = path.join(path.dirname(RESULTS), "../../README.md");
  const text = readFileSync(readme, "utf8");
  const next = text.replace(/(<!-- bench:start -->\n)[\s\S]*?(<!-- bench:end -->)/, `$1${snippet.trim()}\n$2`);
  if (next !== text) {
    writeFileSync(readme, next);
    log("updated the figures in README.md");
  }
}
