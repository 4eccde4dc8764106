// apps/mic-check end to end: the WAV it writes to the card holds exactly the PCM the firmware
// got, passes fsck, and replays as --input mic= (through the microphones once more: the same
// sound, one decimator delay later).
import test from "ava";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { ensureCard } from "../../emulator/state.ts";
import { readWav } from "../../emulator/inputs/wav.ts";
import { built, tempDir, hasTool, sh } from "../helpers/tools.ts";

const APP = "apps/mic-check";
const FIX = fileURLToPath(new URL("../../../shared/fixtures/", import.meta.url));
const MARVIN = path.join(FIX, "mlcommons-tiny/marvin_617de221_0.wav");
const YES = path.join(FIX, "tflite-micro/yes_1000ms.wav");
const tools = hasTool("mcopy") && hasTool("fsck.fat");

/** Runs mic-check with a fresh card; returns the console, the blocks it reported and the WAV it wrote. */
async function record(board: string, mic: string, micArray: string | null = null) {
  const dir = tempDir();
  const card = path.join(dir, "card.img");
  ensureCard(card);
  const { image } = await built(APP, board);
  const machine = new Machine({
    target: loadTarget(board),
    image,
    sdcard: card,
    inputs: { mic },
    micArray,
  });
  let text = "";
  const blocks: Int16Array[] = [];
  machine.events.on("console", (s) => (text += s));
  machine.events.on("report", (kind, bytes) => {
    if (kind === 6) blocks.push(new Int16Array(bytes.slice().buffer));
  });
  const summary = await machine.run({ seconds: 4 });
  const fsck = sh("fsck.fat", ["-n", card]);
  const wavPath = path.join(dir, "rec.wav");
  const copy = sh("mcopy", ["-i", card, "::/MIC/REC0001.WAV", wavPath]);
  return { text, blocks, summary, fsck, copy, wavPath };
}

/** The reported planar blocks as channels (full scale). */
function channels(blocks: Int16Array[], n: number): Float64Array[] {
  const per = blocks[0].length / n;
  return Array.from({ length: n }, (_, c) =>
    Float64Array.from(
      blocks.flatMap((b) => [...b.subarray(c * per, (c + 1) * per)]),
      (v) => v / 32768,
    ),
  );
}

/**
 * How far `again` is from `first` delayed by the best lag in [from, to] samples, in 0.1-sample
 * steps (a 32-tap windowed-sinc fractional delay): { lag, db } with db = error / signal power.
 */
function replayDifference(
  again: Float64Array,
  first: Float64Array,
  from: number,
  to: number,
  end: number,
) {
  let best = { lag: 0, db: Infinity };
  for (let tenth = from * 10; tenth <= to * 10; tenth++) {
    const lag = tenth / 10,
      whole = Math.floor(lag),
      frac = lag - whole;
    const taps = Array.from({ length: 32 }, (_, k) => {
      const x = k - 15 - frac;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / 17);
      return (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x)) * w;
    });
    let e = 0,
      p = 0;
    for (let i = 2000; i < end; i++) {
      let ref = 0;
      for (let k = 0; k < 32; k++) ref += taps[k] * first[i - whole - k + 15];
      e += (again[i] - ref) ** 2;
      p += ref ** 2;
    }
    const db = 10 * Math.log10(e / p);
    if (db < best.db) best = { lag, db };
  }
  return best;
}

(tools ? test : test.skip)(
  "rt1170: the recording on the card is exactly what the firmware got, and it replays as --input mic=",
  async (t) => {
    const a = await record("rt1170", MARVIN);
    t.is(a.summary.fault, null);
    t.regex(a.text, /mic-check: 2 microphones, PDM receiver \(PCM\)/);
    t.regex(a.text, /recording to \/MIC\/REC0001\.WAV/);
    t.regex(a.text, /3 s recorded, peak \d+, overruns 0/);
    t.is(a.fsck.status, 0, a.fsck.stdout + a.fsck.stderr);
    t.is(a.copy.status, 0, a.copy.stderr);
    const wav = readWav(a.wavPath);
    t.is(wav.sampleRate, 16000);
    t.is(wav.channels.length, 2);
    t.is(a.blocks.length, 300);
    t.deepEqual(wav.channels, channels(a.blocks, 2));

    // Replay: the file is a valid 2-microphone input; what comes back is the same sound,
    // delayed by the decimator's group delay (28-29 samples) and not otherwise changed.
    const b = await record("rt1170", a.wavPath);
    t.is(b.fsck.status, 0);
    const again = readWav(b.wavPath);
    const best = replayDifference(again.channels[0], wav.channels[0], 26, 31, 40000);
    t.log(`replay: lag ${best.lag} samples, difference ${best.db.toFixed(1)} dB`); // -45.0 dB at 27.6 (whole-sample lags only: -16.3 dB)
    t.true(best.db < -35, `difference ${best.db} dB`);
  },
);

(tools ? test : test.skip)(
  "rt1060 with a 4-microphone add-on array: SAI bits decimated in firmware, a 4-channel WAV",
  async (t) => {
    const r = await record("rt1060", YES, "linear4-35mm");
    t.is(r.summary.fault, null);
    t.regex(r.text, /4 microphones, SAI bit streams \(decimated here\)/);
    t.is(r.copy.status, 0, r.copy.stderr);
    const wav = readWav(r.wavPath);
    t.is(wav.channels.length, 4);
    t.deepEqual(wav.channels, channels(r.blocks, 4));
    t.true(
      r.summary.cpuLoad > 0.05,
      `the firmware's decimation shows as CPU load (${(r.summary.cpuLoad * 100).toFixed(1)} %)`,
    );
    t.log(
      `rt1060 CPU load with 4 channels decimated in firmware: ${(r.summary.cpuLoad * 100).toFixed(1)} %`,
    );

    // Replay through the same array and the firmware's decimator (firmware/dsp/pdm.ts): the same
    // sound, one modulator + decimator delay later, within the modulator's noise.
    const b = await record("rt1060", r.wavPath, "linear4-35mm");
    const again = readWav(b.wavPath);
    // The delay is fractional (CIC 77.5 bits + FIR 63.5 samples at 64 kHz ≈ 16.5 samples).
    const best = replayDifference(again.channels[0], wav.channels[0], 14, 20, 16000);
    t.log(`rt1060 replay: lag ${best.lag} samples, difference ${best.db.toFixed(1)} dB`); // -34.8 dB at 15.5
    t.true(best.db < -30, `difference ${best.db} dB`);
  },
);
