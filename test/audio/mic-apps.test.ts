// The microphone peripheral seen from firmware: fixture apps built and run on emulated boards.
import test from "ava";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTarget } from "../../emulator/board.ts";
import { Machine } from "../../emulator/machine.ts";
import { UserError } from "../../emulator/errors.ts";
import { build } from "../faults/helpers.ts";
import { readWav } from "../../emulator/inputs/wav.ts";

const FIX = fileURLToPath(new URL("../../../shared/fixtures/", import.meta.url));
const YES = path.join(FIX, "tflite-micro/yes_1000ms.wav");
const MARVIN = path.join(FIX, "mlcommons-tiny/marvin_617de221_0.wav");

interface MicRun {
  console: string;
  reports: Uint8Array[];
  peripheral: string[];
  cycles: number;
  stats: Record<string, number>;
}

async function runMic(
  app: string,
  board: string,
  o: { mic?: string; micArray?: string; seconds?: number } = {},
): Promise<MicRun> {
  const built = await build(app, board);
  const m = new Machine({
    target: loadTarget(board),
    image: built.image,
    inputs: o.mic ? { mic: o.mic } : {},
    micArray: o.micArray ?? null,
    sdcard: null,
  });
  let out = "";
  const reports: Uint8Array[] = [];
  const peripheral: string[] = [];
  m.events.on("console", (s) => (out += s));
  m.events.on("report", (kind, bytes) => {
    if (kind === 6) reports.push(bytes.slice());
  });
  m.events.on("peripheral", (name, what) => {
    if (name === "mic") peripheral.push(what);
  });
  const s = await m.run({ seconds: o.seconds ?? 1 });
  if (s.fault) throw new Error(`fault: ${s.fault.message}`);
  return { console: out, reports, peripheral, cycles: s.cycles, stats: s.peripherals.mic };
}

/** Channel c of a planar int16 report. */
function channel(r: Uint8Array, channels: number, c: number): Int16Array {
  const n = r.length / 2 / channels;
  return new Int16Array(r.buffer.slice(r.byteOffset + c * n * 2, r.byteOffset + (c + 1) * n * 2));
}

test("rt1170: two on-board microphones, PCM buffers alternate a/b every 10 ms, overruns when the firmware stalls", async (t) => {
  const r = await runMic("mic-pcm", "rt1170", { mic: YES });
  t.regex(r.console, /mic kind 1, 2 microphones/);
  t.regex(r.console, /configure-pcm 0/);
  t.regex(r.console, /order (01){15} at 300\d\d\d us, overruns 0/);
  // Asleep from ~300 ms to ~345 ms: blocks 30..33 land, 32 and 33 overwrite 30 and 31 untaken.
  t.regex(r.console, /after stall: overruns 2/);
  t.is(r.stats.micOverruns, 2);
  t.true(r.peripheral.some((p) => /overrun/.test(p)));
  t.true(r.peripheral.some((p) => /^buffer a DMA \(block 0, 2 ch\)/.test(p)));
});

/** x delayed by `d` samples (fractional), by a Hann-windowed sinc. */
function delayed(x: Float64Array, d: number, n: number): Float64Array {
  const y = new Float64Array(n),
    di = Math.floor(d),
    f = d - di;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -32; k <= 32; k++) {
      const j = i - di - k;
      if (j < 0 || j >= x.length) continue;
      const t = k + f; // x[j] sits t samples before the output instant's source point
      const s = t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
      acc += x[j] * s * (0.5 + 0.5 * Math.cos((Math.PI * t) / 33));
    }
    y[i] = acc;
  }
  return y;
}

test("rt1170: the PCM the firmware gets is the WAV through modulator and decimator (group delay, same level)", async (t) => {
  const r = await runMic("mic-pcm", "rt1170", { mic: `${YES},gain=20` });
  t.is(r.reports.length, 30);
  const got = new Float64Array(30 * 160);
  r.reports.forEach((rep, k) =>
    channel(rep, 2, 1).forEach((v, i) => (got[k * 160 + i] = v / 32768)),
  );
  const wav = readWav(YES).channels[0].map((v) => v * 10);
  let best = { d: 0, err: Infinity };
  for (let d = 26; d <= 32; d += 0.05) {
    const want = delayed(wav, d, got.length);
    let e = 0,
      p = 0;
    for (let i = 400; i < got.length; i++) {
      e += (got[i] - want[i]) ** 2;
      p += want[i] ** 2;
    }
    if (e / p < best.err) best = { d, err: e / p };
  }
  const errDb = 10 * Math.log10(best.err);
  t.log(`delay ${best.d.toFixed(2)} samples, error ${errDb.toFixed(1)} dB`);
  t.true(Math.abs(best.d - 28.6) < 0.5, `delay ${best.d}`);
  t.true(errDb < -30, `error ${errDb} dB`);
});

test("same image and inputs: same cycles, same PCM", async (t) => {
  const a = await runMic("mic-pcm", "mcxn947", { mic: MARVIN, micArray: "sln-local2-tri" }).catch(
    (e) => e,
  );
  t.true(a instanceof Error && /2 channels for 3 microphones/.test(a.message), String(a));
  const r1 = await runMic("mic-pcm", "rt1170", { mic: MARVIN });
  const r2 = await runMic("mic-pcm", "rt1170", { mic: MARVIN });
  t.is(r1.cycles, r2.cycles);
  t.deepEqual(r1.reports, r2.reports);
  t.notDeepEqual(
    channel(r1.reports[20], 2, 0),
    channel(r1.reports[20], 2, 1),
    "stereo: each microphone its own channel",
  );
});

test("mcxn947 with an add-on array: 4 channels, positions from the array file", async (t) => {
  const r = await runMic("mic-pcm", "mcxn947", { micArray: "linear4-35mm", mic: YES });
  t.regex(r.console, /mic kind 1, 4 microphones/);
  t.regex(r.console, /mic 0 at -52\.5 0(\.0)? 0(\.0)? mm/);
  t.regex(r.console, /mic 3 at 52\.5 0(\.0)? 0(\.0)? mm/);
  t.is(r.stats.micChannels, 4);
});

test("rt1060: SAI bit streams, decimated in firmware, follow the input too", async (t) => {
  const r = await runMic("mic-pdm", "rt1060", { mic: YES, micArray: "sln-local2-tri" });
  t.regex(r.console, /mic kind 2, 3 microphones/);
  t.regex(r.console, /configure-pdm 0/);
  t.regex(r.console, /overruns 0/);
  t.is(r.reports.length, 20);
  const got = r.reports.flatMap((rep) => [...channel(rep, 3, 2)].map((v) => v / 32768));
  const want = readWav(YES).channels[0];
  let rmsGot = 0,
    rmsWant = 0;
  for (let i = 400; i < got.length; i++) {
    rmsGot += got[i] ** 2;
    rmsWant += want[i] ** 2;
  }
  t.log(
    `rms firmware ${Math.sqrt(rmsGot / got.length).toFixed(4)}, wav ${Math.sqrt(rmsWant / got.length).toFixed(4)}`,
  );
  t.true(Math.abs(10 * Math.log10(rmsGot / rmsWant)) < 1.5);
});

test("a firmware that configures more channels than the board and add-on have is refused, naming both numbers", async (t) => {
  const e1 = await runMic("mic-greedy", "rt1170").catch((e) => e);
  t.true(e1 instanceof UserError);
  t.regex(
    e1.message,
    /configures 3 microphone channels; rt1170 has 2 \(2 on the board, no add-on array/,
  );
  const e2 = await runMic("mic-greedy", "rt1060", { micArray: "linear4-35mm" }).catch((e) => e);
  t.regex(
    e2.message,
    /configures 5 microphone channels; rt1060 has 4 \(0 on the board \+ 4 on the add-on array linear4-35mm\)/,
  );
});
