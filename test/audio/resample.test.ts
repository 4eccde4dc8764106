import test from "ava";
import { resample } from "../../emulator/inputs/resample.ts";

const tone = (hz: number, rate: number, seconds: number, amp = 0.5) =>
  Float64Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate + 0.3),
  );

/** Least-squares fit of a sinusoid at `hz` over the middle of `y` (edges skipped): its amplitude and the rest's power relative to it, in dB. */
function fit(y: Float64Array, hz: number, rate: number): { amp: number; restDb: number } {
  const a = Math.floor(y.length * 0.1),
    b = Math.floor(y.length * 0.9);
  let ss = 0,
    sc = 0,
    cc = 0,
    ys = 0,
    yc = 0;
  for (let i = a; i < b; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / rate),
      c = Math.cos((2 * Math.PI * hz * i) / rate);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const ks = (ys * cc - yc * sc) / det,
    kc = (yc * ss - ys * sc) / det;
  let sig = 0,
    rest = 0;
  for (let i = a; i < b; i++) {
    const m =
      ks * Math.sin((2 * Math.PI * hz * i) / rate) + kc * Math.cos((2 * Math.PI * hz * i) / rate);
    sig += m * m;
    rest += (y[i] - m) ** 2;
  }
  return { amp: Math.hypot(ks, kc), restDb: 10 * Math.log10(rest / sig) };
}

const rms = (y: Float64Array) =>
  Math.sqrt(
    y.slice(Math.floor(y.length * 0.1), Math.floor(y.length * 0.9)).reduce((s, v) => s + v * v, 0) /
      (y.length * 0.8),
  );

test("1 kHz at 44.1 kHz to 16 kHz: length, amplitude, everything else below -60 dB", (t) => {
  const y = resample(tone(1000, 44100, 0.5), 44100, 16000);
  t.is(y.length, 8000);
  const f = fit(y, 1000, 16000);
  t.true(Math.abs(20 * Math.log10(f.amp / 0.5)) < 0.01, `gain ${f.amp}`);
  t.true(f.restDb < -60, `rest ${f.restDb.toFixed(1)} dB`);
  t.log(`rest ${f.restDb.toFixed(1)} dB`);
});

test("a 6.9 kHz tone survives 44.1 -> 16 kHz; tones above 8 kHz do not fold back", (t) => {
  const f = fit(resample(tone(6900, 44100, 0.5), 44100, 16000), 6900, 16000);
  t.true(
    Math.abs(20 * Math.log10(f.amp / 0.5)) < 0.05,
    `6.9 kHz gain ${(20 * Math.log10(f.amp / 0.5)).toFixed(3)} dB`,
  );
  t.true(f.restDb < -60, `rest ${f.restDb.toFixed(1)} dB`);
  t.log(`rest ${f.restDb.toFixed(1)} dB`);
  for (const hz of [8400, 12000, 20000]) {
    const y = resample(tone(hz, 44100, 0.5), 44100, 16000);
    const db = 20 * Math.log10(rms(y) / (0.5 / Math.SQRT2));
    t.true(db < -60, `${hz} Hz aliases at ${db.toFixed(1)} dB`);
  }
});

test("upsampling 16 -> 48 kHz leaves no images above 8 kHz", (t) => {
  const f = fit(resample(tone(1000, 16000, 0.5), 16000, 48000), 1000, 48000);
  t.true(Math.abs(20 * Math.log10(f.amp / 0.5)) < 0.01);
  t.true(f.restDb < -60, `rest ${f.restDb.toFixed(1)} dB`);
  t.log(`rest ${f.restDb.toFixed(1)} dB`);
});

test("odd ratios (44.1 -> 16.001 kHz, beyond the phase table) still convert cleanly", (t) => {
  const y = resample(tone(1000, 44100, 0.2), 44100, 16001);
  t.is(y.length, Math.ceil((8820 * 16001) / 44100));
  t.true(fit(y, 1000, 16001).restDb < -60);
});

test("same rate copies; bad rates are refused", (t) => {
  const x = tone(100, 8000, 0.01);
  t.deepEqual(resample(x, 8000, 8000), x);
  t.throws(() => resample(x, 0, 16000), { instanceOf: RangeError });
  t.throws(() => resample(x, 44100.5, 16000), { instanceOf: RangeError });
});
