import test from "ava";
import { SigmaDeltaModulator, ntfDenominator } from "../../emulator/peripherals/mic/sigma-delta.ts";
import { PdmDecimator } from "../../emulator/peripherals/mic/decimator.ts";

/** A tone at `dbfs` through modulator and decimator: the int16 PCM at fs = pdmHz / osr. */
function chain(
  hz: number,
  dbfs: number,
  osr: number,
  pdmHz: number,
  seconds: number,
): { pcm: Int16Array; mod: SigmaDeltaModulator; dec: PdmDecimator } {
  const mod = new SigmaDeltaModulator();
  const dec = new PdmDecimator({ oversampling: osr });
  const amp = 10 ** (dbfs / 20);
  const block = osr * 64; // 64 output samples per block
  const blocks = Math.round((seconds * pdmHz) / block);
  const u = new Float64Array(block),
    bits = new Uint8Array(block / 8);
  const pcm = new Int16Array(blocks * 64);
  let n = 0;
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < block; i++)
      u[i] = amp * Math.sin((2 * Math.PI * hz * (b * block + i)) / pdmHz);
    mod.modulate(u, bits);
    n += dec.decimate(bits, pcm, n);
  }
  return { pcm: pcm.subarray(0, n), mod, dec };
}

/** SNR in dB over 0..bandHz from a Hann-windowed DFT: the tone's bins against all others. */
function snr(pcm: Int16Array, fs: number, hz: number, bandHz: number): number {
  const N = 8192,
    x = pcm.subarray(pcm.length - N);
  const w = Float64Array.from(
    { length: N },
    (_, i) => x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)),
  );
  let sig = 0,
    noise = 0;
  const tone = Math.round((hz * N) / fs),
    top = Math.floor((bandHz * N) / fs);
  for (let k = 1; k <= top; k++) {
    let re = 0,
      im = 0;
    for (let i = 0; i < N; i++) {
      const a = (2 * Math.PI * k * i) / N;
      re += w[i] * Math.cos(a);
      im -= w[i] * Math.sin(a);
    }
    const p = re * re + im * im;
    if (Math.abs(k - tone) <= 3) sig += p;
    else noise += p;
  }
  return 10 * Math.log10(sig / noise);
}

test("the NTF's out-of-band gain is 1.5 and its zeros sit at DC", (t) => {
  const a = ntfDenominator();
  const aMinus1 = a.reduce((s, v, k) => s + v * (k % 2 ? -1 : 1), 0);
  t.true(Math.abs(16 / Math.abs(aMinus1) - 1.5) < 1e-6);
  t.is(a[0], 1);
});

test("1 kHz at -3 dBFS through the 4th-order modulator and CIC + FIR decimator keeps >= 60 dB SNR in 0-7 kHz (16 kHz, OSR 128)", (t) => {
  const { pcm, mod, dec } = chain(1000, -3, 128, 2_048_000, 0.7);
  const s = snr(pcm, 16000, 1000, 7000);
  t.log(`SNR ${s.toFixed(1)} dB, group delay ${dec.groupDelaySamples.toFixed(2)} samples`);
  t.true(s >= 60, `SNR ${s.toFixed(1)} dB`);
  t.is(mod.resets, 0, "the loop stayed stable");
  t.is(dec.clipped, 0);
  const peak = pcm.subarray(2000).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  t.true(Math.abs(20 * Math.log10(peak / 32768) + 3) < 0.2, `peak ${peak}`);
});

test("OSR 64 (48 kHz at 3.072 MHz) and a 6.5 kHz tone keep >= 60 dB too", (t) => {
  const s1 = snr(chain(6500, -3, 128, 2_048_000, 0.7).pcm, 16000, 6500, 7000);
  const f48 = (171 * 48000) / 8192; // on a DFT bin
  const s2 = snr(chain(f48, -3, 64, 3_072_000, 0.3).pcm, 48000, f48, 7000);
  t.log(`6.5 kHz @16k: ${s1.toFixed(1)} dB; 1 kHz @48k OSR 64: ${s2.toFixed(1)} dB`);
  t.true(s1 >= 60 && s2 >= 60);
});

test("input past full scale clips at the int16 limits instead of wrapping", (t) => {
  const { pcm, dec } = chain(500, 1.5, 128, 2_048_000, 0.2);
  t.true(dec.clipped > 0);
  const tail = pcm.subarray(1000);
  t.is(Math.max(...tail), 32767);
  t.is(Math.min(...tail), -32768);
});
