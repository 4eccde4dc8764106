// firmware/dsp/masked-stft.ts on an emulated board (dsp-probe op 26): DTLN's framing (512-sample
// blocks every 128), the magnitudes the suppressor's model reads, and the masked synthesis.
import test from "ava";
import { runDsp, OP, asF32 } from "../../../emulator/dsp-probe.ts";
import { rfft } from "../../helpers/dsp-reference.ts";
import { gauss, rng } from "../../helpers/test-noise.ts";

const FRAME = 512,
  HOP = 128,
  BINS = 257,
  LATENCY = FRAME - HOP;

async function filter(mask: number[], x: Float32Array): Promise<{ y: Float32Array; mag: Float32Array }> {
  const [r] = await runDsp([{ op: OP.maskedStft, data: new Float32Array([...mask, ...x]) }]);
  const all = asF32(r.bytes);
  return { y: all.subarray(0, x.length), mag: all.subarray(x.length) };
}

const noise = (n: number, seed: number): Float32Array => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => 0.1 * gauss(r));
};

test("masked-stft: a mask of ones gives the input back, delayed by 384 samples", async (t) => {
  const x = noise(40 * HOP, 3);
  const { y } = await filter(new Array(BINS).fill(1), x);
  let worst = 0;
  for (let i = LATENCY; i < x.length; i++) worst = Math.max(worst, Math.abs(y[i] - x[i - LATENCY]));
  t.true(worst < 1e-5, `largest difference ${worst}`);
  // Before the first sample arrives at the output: silence.
  t.true(y.subarray(0, LATENCY).every((v) => Math.abs(v) < 1e-6));
});

test("masked-stft: the magnitudes are |rfft| of the newest 512 samples, unwindowed (DTLN's input)", async (t) => {
  const x = noise(12 * HOP, 5);
  const { mag } = await filter(new Array(BINS).fill(1), x);
  const { re, im } = rfft(x.subarray(x.length - FRAME));
  let worst = 0;
  for (let k = 0; k < BINS; k++) worst = Math.max(worst, Math.abs(mag[k] - Math.hypot(re[k], im[k])));
  t.true(worst < 1e-4, `largest difference ${worst}`);
});

test("masked-stft: a mask that closes the bins above 2 kHz removes a 6 kHz tone and keeps a 500 Hz one", async (t) => {
  const n = 60 * HOP;
  const low = (i: number) => 0.3 * Math.sin((2 * Math.PI * 500 * i) / 16000);
  const high = (i: number) => 0.3 * Math.sin((2 * Math.PI * 6000 * i) / 16000);
  const x = Float32Array.from({ length: n }, (_, i) => low(i) + high(i));
  const cut = Math.round((2000 / 16000) * FRAME);
  const { y } = await filter(
    Array.from({ length: BINS }, (_, k) => (k <= cut ? 1 : 0)),
    x,
  );
  // Steady state (past the first frames): y is the 500 Hz tone, delayed.
  let err = 0,
    sig = 0;
  for (let i = 8 * HOP; i < n; i++) {
    err += (y[i] - low(i - LATENCY)) ** 2;
    sig += low(i - LATENCY) ** 2;
  }
  const residualDb = 10 * Math.log10(err / sig);
  t.true(residualDb < -30, `6 kHz left at ${residualDb.toFixed(1)} dB of the 500 Hz tone`);
});
