// The firmware PDM decimator (RT1060 path) on an emulated board: bit layout contract, tone SNR
// and gain against the ideal (float64) input, alias rejection, block-size independence, 64x.
import test from "ava";
import { runDsp, OP, asI16 } from "../../../emulator/dsp-probe.ts";
import { modulate, fitSine } from "../../helpers/sigma-delta.ts";
import { FULL_SCALE } from "../../../emulator/peripherals/mic/sigma-delta.ts";

const BIT_RATE = 2_048_000;
const SETTLE = 64; // output samples skipped while the filters fill (group delay about 17 samples)
// Tolerances: SNR >= 70 dB for a -6 dBFS 1 kHz tone (issue 13 asks >= 60 dB of the hardware path),
// passband gain within 0.1 dB at 1 kHz and 0.3 dB at 6.5 kHz, aliases from above 9 kHz down by >= 60 dB.
// `a` in PCM full-scale units; the bit stream's mean is a * FULL_SCALE (0 dBFS = 75 % density, the microphone model's).
const tone = (f: number, a: number) => (t: number): number => a * FULL_SCALE * Math.sin(2 * Math.PI * f * t);

function measure(pcm: Int16Array, f: number, rate: number): { snrDb: number; gainDb: number; amplitude: number } {
  const x = Array.from(pcm.subarray(SETTLE), (v) => v / 32768);
  const r = fitSine(x, f, rate);
  return { snrDb: 10 * Math.log10(r.power / r.residual), gainDb: 20 * Math.log10(r.amplitude), amplitude: r.amplitude };
}

test("bit layout: all ones saturates at +full scale, all zeros at -full scale, 0xaa is silence", async (t) => {
  const n = 2560 * 4;
  const res = await runDsp([0xff, 0x00, 0xaa, 0x55].map((b) => ({ op: OP.pdm, params: [128, 2560], data: new Uint8Array(n).fill(b) })));
  const tail = (r: { bytes: Uint8Array }): number => asI16(r.bytes)[asI16(r.bytes).length - 1];
  t.is(tail(res[0]), 32767);
  t.is(tail(res[1]), -32768);
  t.true(Math.abs(tail(res[2])) <= 2 && Math.abs(tail(res[3])) <= 2);
});

test("a -6 dBFS 1 kHz tone at 128x: >= 70 dB SNR, gain within 0.1 dB; 6.5 kHz within 0.3 dB", async (t) => {
  const bits = BIT_RATE / 2; // 0.5 s
  const res = await runDsp([
    { op: OP.pdm, params: [128, 2560], data: modulate(tone(1000, 0.5), BIT_RATE, bits) },
    { op: OP.pdm, params: [128, 2560], data: modulate(tone(6500, 0.5), BIT_RATE, bits) },
  ]);
  const a = measure(asI16(res[0].bytes), 1000, 16000), b = measure(asI16(res[1].bytes), 6500, 16000);
  t.is(asI16(res[0].bytes).length, 8000);
  t.log(`1 kHz: SNR ${a.snrDb.toFixed(1)} dB, gain ${(a.gainDb + 6.0206).toFixed(3)} dB; 6.5 kHz: SNR ${b.snrDb.toFixed(1)} dB, gain ${(b.gainDb + 6.0206).toFixed(3)} dB; ${(res[0].cycles / 50).toFixed(0)} cycles per 10 ms`);
  t.true(a.snrDb >= 70, `SNR ${a.snrDb}`);
  t.true(Math.abs(a.gainDb + 6.0206) < 0.1, `gain ${a.gainDb + 6.0206} dB`);
  t.true(Math.abs(b.gainDb + 6.0206) < 0.3, `gain at 6.5 kHz ${b.gainDb + 6.0206} dB`);
});

test("tones above the output band are rejected by >= 60 dB (no aliases)", async (t) => {
  const bits = BIT_RATE / 4;
  const freqs = [9500, 12000, 20000, 40000];
  const res = await runDsp(freqs.map((f) => ({ op: OP.pdm, params: [128, 2560], data: modulate(tone(f, 0.5), BIT_RATE, bits) })));
  freqs.forEach((f, i) => {
    const x = Array.from(asI16(res[i].bytes).subarray(SETTLE), (v) => v / 32768);
    const rms = Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    const db = 20 * Math.log10(rms / (0.5 / Math.SQRT2));
    t.log(`${f} Hz: ${db.toFixed(1)} dB`);
    t.true(db <= -60, `${f} Hz leaks at ${db} dB`);
  });
});

test("the output does not depend on the block size (state carries across blocks), and 64x works", async (t) => {
  const data = modulate(tone(440, 0.3), BIT_RATE, 2560 * 8 * 8);
  const res = await runDsp([
    { op: OP.pdm, params: [128, 2560], data },
    { op: OP.pdm, params: [128, 20], data },
    { op: OP.pdm, params: [128, 160], data },
    { op: OP.pdm, params: [64, 1280], data: modulate(tone(440, 0.3), BIT_RATE / 2, 1280 * 8 * 8) },
  ]);
  t.deepEqual(asI16(res[1].bytes), asI16(res[0].bytes));
  t.deepEqual(asI16(res[2].bytes), asI16(res[0].bytes));
  const m = measure(asI16(res[3].bytes), 440, 16000);
  t.log(`64x (1.024 MHz): 440 Hz SNR ${m.snrDb.toFixed(1)} dB, gain ${(m.gainDb + 10.4576).toFixed(3)} dB`);
  t.true(m.snrDb >= 60 && Math.abs(m.gainDb + 10.4576) < 0.1, `64x: ${m.snrDb} dB`);
});

test("a bank of three channels sharing one set of tables gives each channel what a decimator of its own gives", async (t) => {
  const bits = 2560 * 8 * 6;
  const inputs = [tone(1000, 0.5), tone(440, 0.2), tone(3000, 0.05)].map((f) => modulate(f, BIT_RATE, bits));
  const planar = new Uint8Array(inputs.reduce((n, x) => n + x.length, 0));
  inputs.reduce((at, x) => (planar.set(x, at), at + x.length), 0);
  const res = await runDsp([
    { op: OP.pdm, params: [128, 2560, 3], data: planar },
    ...inputs.map((data) => ({ op: OP.pdm, params: [128, 2560], data })),
  ]);
  const bank = asI16(res[0].bytes);
  const one = res.slice(1).map((r) => asI16(r.bytes));
  t.is(bank.length, 3 * one[0].length);
  one.forEach((own, c) => t.deepEqual(Array.from(bank.subarray(c * own.length, (c + 1) * own.length)), Array.from(own), `channel ${c}`));
});
