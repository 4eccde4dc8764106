// Bench section: host time to render far-field room scenes (emulator/inputs/room) for a
// 4-microphone linear array (35 mm), per second of rendered audio, at RT60 0.3 and 0.6 s.
// The scene: a 5 x 4 x 2.8 m room, one talker at 2.5 m, diffuse babble and a point-source fan
// at 5 dB SNR, 10 s at 16 kHz. Also the time of one set of 4 impulse responses.
// Run alone with `npx tsx test/bench/room.ts`.
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadScene } from "../../emulator/inputs/room/scene.ts";
import { impulseResponses, renderScene } from "../../emulator/inputs/room/render.ts";
import { sig } from "./util.ts";

const RUNS = 3;
const SECONDS = 10;
const RT60S = [0.3, 0.6];
const ARRAY = {
  positionsMm: [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ] as [number, number, number][],
};
const YES = fileURLToPath(
  new URL("../../emulator/inputs/room/speech/yes_1000ms.wav", import.meta.url),
);

export interface RoomBenchRow {
  rt60: number;
  audioSeconds: number;
  channels: number;
  irSamples: number;
  /** Median wall time of 4 impulse responses (one source to every microphone), ms. */
  irMs: number;
  /** Median wall time of a full render, ms. */
  renderMs: number;
  /** Median CPU time (user + system) of a full render, ms: steadier than wall time on a busy host. */
  renderCpuMs: number;
  msPerAudioSecond: number;
  realTimeFactor: number;
}

export type RoomBenchResult = { runs: number; rows: RoomBenchRow[] };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchRoom(): RoomBenchResult {
  const rows = RT60S.map((rt60): RoomBenchRow => {
    const scene = () =>
      loadScene(
        `scene:speech=${YES},az=30,dist=2.5,start=4,rt60=${rt60},noise=babble,snr=5,duration=${SECONDS}`,
        ARRAY,
      );
    const s = scene();
    s.noise.push({ ...s.noise[0], type: "fan", position: [0.5, 0.5, 2.3], level: -6 }); // a second, point-source noise
    const ir: number[] = [],
      render: number[] = [],
      cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t0 = performance.now();
      impulseResponses(s, s.talkers[0].position);
      ir.push(performance.now() - t0);
      t0 = performance.now();
      const c0 = process.cpuUsage();
      renderScene(s);
      render.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const renderMs = median(render);
    return {
      rt60,
      audioSeconds: SECONDS,
      channels: ARRAY.positionsMm.length,
      irSamples: s.irLength,
      irMs: sig(median(ir), 3),
      renderMs: sig(renderMs, 3),
      renderCpuMs: sig(median(cpu), 3),
      msPerAudioSecond: sig(renderMs / SECONDS, 3),
      realTimeFactor: sig((SECONDS * 1000) / renderMs, 3),
    };
  });
  return { runs: RUNS, rows };
}

export function roomTable(r: RoomBenchResult): string {
  return [
    `8. room scenes: ${r.rows[0]?.audioSeconds} s of 4-channel audio at 16 kHz (talker, diffuse babble, point fan), median of ${r.runs} renders`,
    ...r.rows.map(
      (x) =>
        `   RT60 ${x.rt60} s: ${x.msPerAudioSecond} ms per second of audio (${x.realTimeFactor}x real time; CPU ${sig(x.renderCpuMs / x.audioSeconds, 3)} ms per second); 4 impulse responses of ${x.irSamples} samples in ${x.irMs} ms`,
    ),
  ].join("\n");
}

export function roomMarkdown(r: RoomBenchResult): string {
  return [
    `Far-field room scenes (4 microphones, 16 kHz, talker + diffuse babble + point fan, ${r.rows[0]?.audioSeconds} s): render time per second of audio`,
    "",
    "| RT60 | wall ms per audio second | real-time factor | CPU ms per audio second | 4 impulse responses |",
    "|---:|---:|---:|---:|---:|",
    ...r.rows.map(
      (x) =>
        `| ${x.rt60} s | ${x.msPerAudioSecond} | ${x.realTimeFactor}x | ${sig(x.renderCpuMs / x.audioSeconds, 3)} | ${x.irMs} ms (${x.irSamples} samples) |`,
    ),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = benchRoom();
  console.log(roomTable(r));
  console.log("\n" + roomMarkdown(r));
}
