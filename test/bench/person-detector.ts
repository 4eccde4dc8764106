// 5. The person detector (apps/person-detector) on every board with both models: per-frame
// latency split into the image pipeline and inference (CPU vs NPU), frames per second
// sustained, frames dropped, SRAM and flash, beside NXP's person detector figures scaled by
// MACs. Writes its table into apps/person-detector/README.md too. Run alone with
// `npx tsx test/bench/person-detector.ts`. Nothing here asserts a timing.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Machine } from "../../emulator/machine.ts";
import { BOARDS, ROOT, build, median, sig, writeBenchBlock } from "./util.ts";

const SECONDS = 4; // emulated per run: start-up, then both sample pictures (2 s each)
const INPUT = "apps/person-detector/samples,fps=0.5";
export const DETECTOR_MODELS = [
  { name: "vww_96_int8", app: "apps/person-detector", macs: 7_489_664 },
  { name: "person_detect", app: "apps/person-detector/grey", macs: 7_160_000 },
];
/** NXP's person detector (eIQ Glow, 58.42 M MACs): docs/references.md, "NXP's person detector". */
export const NXP = { macs: 58.42e6, rt1060: [252, 255], rt1170: [161, 165] } as Record<string, any>;

export interface DetectorResult {
  board: string;
  model: string;
  frames: number;
  pipelineMs: number;
  inferenceMs: number;
  /** Of the inference: time the NPU worked (the CPU waits meanwhile). */
  npuMs: number;
  cpuMs: number;
  fps: number;
  dropped: number;
  /** Frames the firmware took from the camera. */
  taken: number;
  decisions: string[];
  sramBytes: number;
  sramPeakBytes: number;
  sramSize: number;
  flashBytes: number;
  startupMs: number;
  wallSeconds: number;
  realTimeFactor: number;
}

async function benchOne(
  board: string,
  model: (typeof DETECTOR_MODELS)[number],
): Promise<DetectorResult> {
  const b = await build(model.app, board);
  const machine = new Machine({
    target: b.target,
    image: b.image,
    inputs: { camera: path.resolve(ROOT, INPUT) },
    sdcard: null,
  });
  let text = "";
  let startupCycles = -1; // until the first line, printed when the model is ready and the camera starts
  let npuCycles = 0;
  const npuOpen = new Map<number, number>();
  machine.events.on("console", (s) => {
    text += s;
    if (startupCycles < 0) startupCycles = machine.clock.now;
  });
  machine.events.on("layerBegin", (i, _op, c, unit) => {
    if (unit === "npu") npuOpen.set(i, c);
  });
  machine.events.on("layerEnd", (i, c, unit) => {
    if (unit === "npu") {
      npuCycles += c - npuOpen.get(i)!;
      npuOpen.delete(i);
    }
  });
  const summary = await machine.run({ seconds: SECONDS });
  if (summary.fault)
    throw new Error(`person-detector on ${board} faulted: ${summary.fault.message}`);
  const frames = [
    ...text.matchAll(
      /^frame (\d+) @ ([\d.]+) s: person [\d.]+ \[[-\d,]+\] (PERSON|no person) \| pipeline ([\d.]+) ms, inference ([\d.]+) ms/gm,
    ),
  ];
  if (frames.length < 3)
    throw new Error(
      `person-detector on ${board}: ${frames.length} frames in ${SECONDS} s:\n${text}`,
    );
  const times = frames.map((m) => Number(m[2]));
  const inferenceMs = median(frames.map((m) => Number(m[5])));
  const npuMs = (npuCycles / frames.length / b.target.core.clockHz) * 1000;
  const cam = summary.peripherals.camera;
  const report = b.image.manifest.usage;
  return {
    board,
    model: model.name,
    frames: frames.length,
    pipelineMs: median(frames.map((m) => Number(m[4]))),
    inferenceMs,
    npuMs,
    cpuMs: inferenceMs - npuMs,
    fps: (frames.length - 1) / (times[times.length - 1] - times[0]),
    dropped: cam.cameraDropped,
    taken: cam.cameraTaken,
    decisions: [...new Set(frames.map((m) => m[3]))],
    sramBytes: report.sramBytes,
    sramPeakBytes: summary.sramPeakBytes,
    sramSize: b.target.sramBytes,
    flashBytes: report.flashBytes,
    startupMs: (startupCycles / b.target.core.clockHz) * 1000,
    wallSeconds: summary.wallSeconds,
    realTimeFactor: summary.realTimeFactor,
  };
}

export async function benchPersonDetector(
  log: (m: string) => void = () => {},
): Promise<DetectorResult[]> {
  const out: DetectorResult[] = [];
  for (const model of DETECTOR_MODELS) {
    for (const board of BOARDS) {
      log(`person-detector (${model.name}) on ${board}: ${SECONDS} s emulated`);
      out.push(await benchOne(board, model));
    }
  }
  return out;
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const kb = (n: number): string => `${Math.round(n / 1024)} KB`;

/** NXP's figure scaled to this model's MACs, as "a–b ms", or "—". */
function nxpScaled(board: string, macs: number): string {
  const f = NXP[board] as number[] | undefined;
  if (!f) return "—";
  const [a, b] = f.map((v) => (v * macs) / NXP.macs);
  return `${ms(a)}–${ms(b)} ms`;
}

export function personDetectorMarkdown(rs: DetectorResult[]): string {
  const macsOf = (m: string) => DETECTOR_MODELS.find((d) => d.name === m)!.macs;
  return [
    `Person detector (\`apps/person-detector\`, camera input \`${INPUT}\`, ${SECONDS} s emulated per board and model; median per frame; NXP's eIQ person detector, 58.42 M MACs, scaled to the model's MACs):`,
    "",
    "| model | board | pipeline | inference (CPU + NPU) | frame total | NXP scaled | fps | dropped | SRAM (build / peak) | flash |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rs.map(
      (r) =>
        `| ${r.model} | ${r.board} | ${ms(r.pipelineMs)} ms | ${ms(r.inferenceMs)} ms (${ms(r.cpuMs)} + ${ms(r.npuMs)}) | ${ms(r.pipelineMs + r.inferenceMs)} ms | ${nxpScaled(r.board, macsOf(r.model))} | ${r.fps.toFixed(1)} | ${r.dropped} of ${r.taken + r.dropped} | ${kb(r.sramBytes)} / ${kb(r.sramPeakBytes)} of ${kb(r.sramSize)} | ${kb(r.flashBytes)} |`,
    ),
  ].join("\n");
}

export function personDetectorTable(rs: DetectorResult[]): string {
  return [
    `6. person detector (${SECONDS} s emulated each, camera ${INPUT})`,
    ...rs.map(
      (r) =>
        `   ${r.model.padEnd(14)} ${r.board.padEnd(8)} pipeline ${ms(r.pipelineMs).padStart(6)} ms  inference ${ms(r.inferenceMs).padStart(6)} ms (npu ${ms(r.npuMs)})  ${r.fps.toFixed(1).padStart(5)} fps  dropped ${String(r.dropped).padStart(3)}  start-up ${ms(r.startupMs)} ms  ${r.decisions.join("/")}  wall ${r.wallSeconds.toFixed(2)} s`,
    ),
  ].join("\n");
}

export function personDetectorJson(rs: DetectorResult[]) {
  return rs.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "number" ? sig(v) : v])),
  );
}

/** Puts the table between the bench markers of the app's README. */
export function updateAppReadme(rs: DetectorResult[]): void {
  writeBenchBlock("apps/person-detector/README.md", personDetectorMarkdown(rs));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rs = await benchPersonDetector((m) => process.stderr.write(`bench: ${m}\n`));
  console.log(personDetectorTable(rs));
  console.log("\n" + personDetectorMarkdown(rs));
  updateAppReadme(rs);
}
