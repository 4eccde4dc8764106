// Bench section: host wall time per emulated second of microphone audio, 4 channels (the
// linear4-35mm array), through the peripheral's real path: band-limited conversion of the
// input, linear interpolation to the PDM clock, self-noise, 4th-order sigma-delta modulator,
// and (PCM mode) the CIC + FIR decimator. SAI mode (RT1060) stops at the bits.
// Run alone: `npx tsx test/bench/mic.ts`.
import { fileURLToPath } from "node:url";
import { MicChannelPath } from "../../emulator/peripherals/mic/channel-path.ts";
import { PdmDecimator } from "../../emulator/peripherals/mic/decimator.ts";
import { loadMicArray } from "../../emulator/peripherals/mic/array.ts";
import { openMicSource } from "../../emulator/inputs/mic-input.ts";
import { sig } from "./util.ts";

const CHANNELS = 4;
const SECONDS = 2;
const RUNS = 3;
const BLOCK_MS = 10;
const CLIP = fileURLToPath(
  new URL("../../../shared/fixtures/tflite-micro/yes_1000ms.wav", import.meta.url),
);

export interface MicBenchResult {
  channels: number;
  input: string;
  /** Host wall seconds per emulated second, 16 kHz PCM (PDM receiver boards). */
  pcmWallPerSecond: number;
  /** Same for SAI bit streams at 2.048 MHz (RT1060; the firmware's decimation is not included). */
  pdmWallPerSecond: number;
}

function once(pcm: boolean): number {
  const array = loadMicArray("linear4-35mm");
  const source = openMicSource(`${CLIP},loop`, {
    positionsMm: array.mics.map((m) => m.positionMm),
  });
  const clock = 2_048_000;
  const paths = Array.from(
    { length: CHANNELS },
    (_, c) => new MicChannelPath(source, c, clock, 0x5eed + c),
  );
  const decs = Array.from({ length: CHANNELS }, () => new PdmDecimator({ oversampling: 128 }));
  const bytes = (clock * BLOCK_MS) / 8000;
  const bits = new Uint8Array(bytes);
  const out = new Int16Array((16000 * BLOCK_MS) / 1000);
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < (SECONDS * 1000) / BLOCK_MS; b++) {
    for (let c = 0; c < CHANNELS; c++) {
      paths[c].next(bytes * 8, bits, 0);
      if (pcm) decs[c].decimate(bits, out, 0);
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1e9 / SECONDS;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchMic(): MicBenchResult {
  once(true); // warm up the JIT
  const pcm = median(Array.from({ length: RUNS }, () => once(true)));
  const pdm = median(Array.from({ length: RUNS }, () => once(false)));
  return {
    channels: CHANNELS,
    input: "yes_1000ms.wav (16 kHz), looped",
    pcmWallPerSecond: sig(pcm, 3),
    pdmWallPerSecond: sig(pdm, 3),
  };
}

export function micLine(r: MicBenchResult): string {
  return `Microphones (${r.channels} channels, host side): **${(r.pcmWallPerSecond * 1000).toFixed(0)} ms** of wall time per emulated second as 16 kHz PCM (real-time factor ${(1 / r.pcmWallPerSecond).toFixed(1)}x), ${(r.pdmWallPerSecond * 1000).toFixed(0)} ms as 2.048 MHz SAI bit streams (${(1 / r.pdmWallPerSecond).toFixed(1)}x).`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = benchMic();
  console.log(JSON.stringify(r, null, 2));
  console.log(micLine(r));
}
