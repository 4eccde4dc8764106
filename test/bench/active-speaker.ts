// Bench section: apps/active-speaker per board on its demo scene (two seats, 5 s): model
// latency per face (cycles of one invoke, as the app measures them with the board's cycle
// counter), per frame (2 faces), CPU load, dropped camera frames; MCX N947 with and without its NPU. The auROC figures come from the training run
// (apps/active-speaker/model/training.json), not from here.
// Run alone: `npx tsx test/bench/active-speaker.ts`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { BOARDS, build, runOnce, sig, type Built } from "./util.ts";

const APP = "apps/active-speaker";
const SECONDS = 4;
const SEATS = 2;

export interface ActiveSpeakerBoardResult {
  board: string;
  npu: boolean;
  coreMHz: number;
  perFaceMs: number;
  perFrameMs: number;
  cpuLoad: number;
  droppedFrames: number;
  steps: number;
  realTimeFactor: number;
}

async function runOnBoard(b: Built, noNpu: boolean): Promise<ActiveSpeakerBoardResult> {
  const { summary, console: text, wallSeconds: wall } = await runOnce(b, SECONDS, { noNpu });
  const status = [
    ...text.matchAll(
      /(\d+) steps, CPU load [\d.]+ %, per face ([\d.]+) ms \(worst [\d.]+ ms\), dropped frames (\d+)/g,
    ),
  ].at(-1);
  if (!status)
    throw new Error(
      `active-speaker on ${b.target.board.id}: no status line in\n${text.slice(0, 500)}`,
    );
  const perFace = Number(status[2]);
  return {
    board: b.target.board.id,
    npu: !!b.target.board.npu && !noNpu,
    coreMHz: sig(b.target.core.clockHz / 1e6),
    perFaceMs: perFace,
    perFrameMs: sig(perFace * SEATS, 3),
    cpuLoad: sig(summary.cpuLoad, 3),
    droppedFrames: Number(status[3]),
    steps: Number(status[1]),
    realTimeFactor: sig(SECONDS / wall, 3),
  };
}

export async function benchActiveSpeaker(
  log: (s: string) => void = () => undefined,
): Promise<ActiveSpeakerBoardResult[]> {
  const out: ActiveSpeakerBoardResult[] = [];
  for (const board of BOARDS) {
    log(`building active-speaker for ${board}`);
    const b = await build(APP, board);
    for (const noNpu of b.target.board.npu ? [false, true] : [false])
      out.push(await runOnBoard(b, noNpu));
  }
  return out;
}

export function activeSpeakerTable(r: ActiveSpeakerBoardResult[]): string {
  const training = JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../../apps/active-speaker/model/training.json", import.meta.url)),
      "utf8",
    ),
  );
  return [
    "| board | per face | per frame (2 faces) | CPU load at 15 fps | dropped frames | real-time factor |",
    "|---|---:|---:|---:|---:|---:|",
    ...r.map(
      (b) =>
        `| ${b.board} (${b.coreMHz} MHz${b.npu ? ", NPU" : b.board === "mcxn947" ? ", CPU only" : ""}) | ${b.perFaceMs.toFixed(3)} ms | ${b.perFrameMs.toFixed(3)} ms | ${(b.cpuLoad * 100).toFixed(2)} % | ${b.droppedFrames} | ${b.realTimeFactor}x |`,
    ),
    "",
    `Held-out auROC per face-frame (training.json): fused ${training.float.fused.toFixed(3)} / video ${training.float.video.toFixed(3)} / audio ${training.float.audio.toFixed(3)} float; ` +
      `fused ${training.int8.fused.toFixed(3)} / video ${training.int8.video.toFixed(3)} / audio ${training.int8.audio.toFixed(3)} int8 (TFLite runtime); ` +
      `${training.trainSet.scenes} x ${training.trainSet.seconds} s training and ${training.heldOutSet.scenes} x ${training.heldOutSet.seconds} s held-out generated meetings, ${training.epochs} epochs.`,
    "",
    `For comparison, NXP/INRIA's tiny model (0.26 M parameters, 3.5 M MACs) takes 18 ms per face on the RT1170's Cortex-M7 (int8, TFLite Micro; ` +
      `../shared/reference/audio.md); this one has ${training.parameters} parameters and ${training.macs} MACs per face.`,
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await benchActiveSpeaker((s) => console.error(s));
  console.log(activeSpeakerTable(r));
}
