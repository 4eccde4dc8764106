// Bench section: apps/active-speaker as shipped (face detector, tracker, direction cue) per
// board on generated meetings with 1, 2 and 3 people (apps/active-speaker/train/scene-files.ts:
// seeded, Flite voices, written into node_modules/.cache), MCX N947 with and without its NPU.
// Per run, from the app's own status lines (the board's cycle counter) and the run summary:
// model latency per face, the CPU time of a frame period (load x 66.7 ms: the frame's work and
// its microphone hops), frames taken per second, dropped camera frames and lost microphone
// buffers, the degraded level the app chose (frame-budget.ts), SRAM and flash. The auROC
// figures come from the training run and eval-app.ts, not from here.
// Run alone: `npx tsx test/bench/active-speaker.ts [board...]`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BOARDS, build, runOnce, sig, type Built, writeBenchBlock } from "./util.ts";
import { benchSceneFile } from "../../apps/active-speaker/train/scene-files.ts";

const APP = "apps/active-speaker";
const SECONDS = 4;
const FPS = 15;
export const FACE_COUNTS = [1, 2, 3] as const;

export interface ActiveSpeakerBoardResult {
  board: string;
  npu: boolean;
  coreMHz: number;
  faces: number;
  perFaceMs: number;
  /** CPU time per 66.7 ms frame period: the frame's work and its microphone hops. */
  perFrameMs: number;
  detectorMs: number;
  fps: number;
  cpuLoad: number;
  droppedFrames: number;
  micBuffersLost: number;
  /** The app's degraded level at the end (0: every frame's full work). */
  degradedLevel: number;
  steps: number;
  sramBytes: number;
  sramPeakBytes: number;
  flashBytes: number;
  realTimeFactor: number;
}

async function runOnBoard(
  b: Built,
  noNpu: boolean,
  faces: number,
): Promise<ActiveSpeakerBoardResult> {
  const scene = benchSceneFile(faces);
  const {
    summary,
    console: text,
    wallSeconds: wall,
  } = await runOnce({ ...b, inputs: { ...b.inputs, scene } }, SECONDS, { noNpu });
  const status = [
    ...text.matchAll(
      /(\d+) steps, CPU load [\d.]+ %, per face ([\d.]+) ms \(worst [\d.]+ ms\), dropped frames (\d+)(?:, microphone buffers lost (\d+))?.*?, detector ([\d.]+) ms, faces (\d+).*/g,
    ),
  ].at(-1);
  if (!status)
    throw new Error(
      `active-speaker on ${b.target.board.id}: no status line in\n${text.slice(0, 500)}`,
    );
  if (Number(status[6]) !== faces)
    throw new Error(
      `active-speaker on ${b.target.board.id}: ${status[6]} faces tracked in a ${faces}-person meeting`,
    );
  const level = /degraded level (\d)/.exec(status[0]);
  const cam = summary.peripherals.camera ?? {};
  return {
    board: b.target.board.id,
    npu: !!b.target.board.npu && !noNpu,
    coreMHz: sig(b.target.core.clockHz / 1e6),
    faces,
    perFaceMs: Number(status[2]),
    perFrameMs: sig((summary.cpuLoad * 1000) / FPS, 3),
    detectorMs: Number(status[5]),
    fps: sig((cam.cameraTaken ?? 0) / summary.emulatedSeconds, 3),
    cpuLoad: sig(summary.cpuLoad, 3),
    droppedFrames: Number(status[3]),
    micBuffersLost: summary.peripherals.mic?.micOverruns ?? 0,
    degradedLevel: level ? Number(level[1]) : 0,
    steps: Number(status[1]),
    sramBytes: b.image.manifest.usage.sramBytes,
    sramPeakBytes: summary.sramPeakBytes,
    flashBytes: b.image.manifest.usage.flashBytes,
    realTimeFactor: sig(SECONDS / wall, 3),
  };
}

export async function benchActiveSpeaker(
  log: (s: string) => void = () => undefined,
  boards: readonly string[] = BOARDS,
): Promise<ActiveSpeakerBoardResult[]> {
  const out: ActiveSpeakerBoardResult[] = [];
  for (const board of boards) {
    log(`building active-speaker for ${board}`);
    const b = await build(APP, board);
    for (const noNpu of b.target.board.npu ? [false, true] : [false])
      for (const faces of FACE_COUNTS) {
        out.push(await runOnBoard(b, noNpu, faces));
        log(`  ${board}${noNpu ? " --cpu-only" : ""}: ${faces} faces`);
      }
  }
  return out;
}

const label = (b: ActiveSpeakerBoardResult) =>
  `${b.board} (${b.coreMHz} MHz${b.npu ? ", NPU" : b.board === "mcxn947" ? ", CPU only" : ""})`;

export function activeSpeakerTable(r: ActiveSpeakerBoardResult[]): string {
  const training = JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../../apps/active-speaker/model/training.json", import.meta.url)),
      "utf8",
    ),
  );
  const m7 = r.find((b) => b.board === "rt1170" && b.faces === 1);
  return [
    `Generated meetings with 1, 2 and 3 people, ${SECONDS} s each, the app as shipped (face detector, tracker, direction cue); per frame = CPU time per 66.7 ms frame period (frame work and microphone hops).`,
    "",
    "| board | faces | per face | detector | per frame | fps | CPU load | dropped frames / mic buffers lost | degraded level | SRAM (peak) | flash | real-time factor |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.map(
      (b) =>
        `| ${label(b)} | ${b.faces} | ${b.perFaceMs.toFixed(3)} ms | ${b.detectorMs.toFixed(3)} ms | ${b.perFrameMs.toFixed(1)} ms | ${b.fps} | ${(b.cpuLoad * 100).toFixed(1)} % | ${b.droppedFrames} / ${b.micBuffersLost} | ${b.degradedLevel} | ${b.sramBytes} B (${b.sramPeakBytes}) | ${b.flashBytes} B | ${b.realTimeFactor}x |`,
    ),
    "",
    `Held-out auROC per face-frame (training.json): fused ${training.float.fused.toFixed(3)} / video ${training.float.video.toFixed(3)} / audio ${training.float.audio.toFixed(3)} float; ` +
      `fused ${training.int8.fused.toFixed(3)} / video ${training.int8.video.toFixed(3)} / audio ${training.int8.audio.toFixed(3)} int8 (TFLite runtime); ` +
      `${training.trainSet.scenes} x ${training.trainSet.seconds} s training and ${training.heldOutSet.scenes} x ${training.heldOutSet.seconds} s held-out generated meetings, ${training.epochs} epochs.`,
    "",
    `For comparison, NXP/INRIA's tiny model (0.26 M parameters, 3.5 M MACs) takes 18 ms per face on the RT1170's Cortex-M7 (int8, TFLite Micro; ` +
      `docs/references.md); this one has ${training.parameters} parameters and ${training.macs} MACs per face` +
      (m7
        ? ` and takes ${m7.perFaceMs.toFixed(3)} ms per face on rt1170 (${(18 / m7.perFaceMs).toFixed(1)}x less).`
        : "."),
  ].join("\n");
}

/** Puts the table between the bench markers of the app's README. */
export function updateAppReadme(r: ActiveSpeakerBoardResult[]): void {
  writeBenchBlock(`${APP}/README.md`, activeSpeakerTable(r));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Optional board names: `npx tsx test/bench/active-speaker.ts mcxn947`.
  const boards = process.argv.slice(2);
  const r = await benchActiveSpeaker((s) => console.error(s), boards.length ? boards : BOARDS);
  console.log(activeSpeakerTable(r));
}
