import test from "ava";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../../emulator/inputs/accel-source.ts";
import { encodeWav, readWav, writeWav } from "../../emulator/inputs/wav.ts";

const dir = mkdtempSync(join(tmpdir(), "tinyboard-wav-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const MARVIN = fileURLToPath(
  new URL("../../../shared/fixtures/mlcommons-tiny/marvin_617de221_0.wav", import.meta.url),
);

/** A hand-built WAV: header fields as given, samples as raw bytes. */
function rawWav(
  format: number,
  channels: number,
  rate: number,
  bits: number,
  data: Uint8Array,
  extensible = false,
): Uint8Array {
  const fmtSize = extensible ? 40 : 16;
  const out = new Uint8Array(12 + 8 + fmtSize + 8 + data.length);
  const dv = new DataView(out.buffer);
  const put = (at: number, s: string) =>
    [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  put(0, "RIFF");
  dv.setUint32(4, out.length - 8, true);
  put(8, "WAVE");
  put(12, "fmt ");
  dv.setUint32(16, fmtSize, true);
  dv.setUint16(20, extensible ? 0xfffe : format, true);
  dv.setUint16(22, channels, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, (rate * channels * bits) / 8, true);
  dv.setUint16(32, (channels * bits) / 8, true);
  dv.setUint16(34, bits, true);
  if (extensible) {
    dv.setUint16(36, 22, true);
    dv.setUint16(38, bits, true);
    dv.setUint16(44, format, true);
  }
  const d = 20 + fmtSize;
  put(d, "data");
  dv.setUint32(d + 4, data.length, true);
  out.set(data, d + 8);
  return out;
}

test("reads the 2-channel 16-bit Speech Commands clip", (t) => {
  const w = readWav(MARVIN);
  t.is(w.sampleRate, 16000);
  t.is(w.channels.length, 2);
  t.is(w.channels[0].length, 16000);
  const bytes = readFileSync(MARVIN);
  t.is(w.channels[1][5], bytes.readInt16LE(44 + 5 * 4 + 2) / 32768);
});

test("24-bit PCM (extensible), 32-bit PCM and 32-bit float decode to full scale", (t) => {
  const s24 = new Uint8Array([0x00, 0x00, 0x40, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x80]); // 0.5, max, -1
  const w24 = readWav(write("a24.wav", rawWav(1, 1, 48000, 24, s24, true)));
  t.deepEqual([...w24.channels[0]], [0.5, 8388607 / 8388608, -1]);
  const s32 = new Uint8Array(8);
  new DataView(s32.buffer).setInt32(0, -1073741824, true);
  new DataView(s32.buffer).setInt32(4, 1 << 30, true);
  t.deepEqual(
    [...readWav(write("a32.wav", rawWav(1, 2, 8000, 32, s32))).channels.map((c) => c[0])],
    [-0.5, 0.5],
  );
  const f = new Float32Array([0.25, -0.75]);
  t.deepEqual(
    [...readWav(write("f32.wav", rawWav(3, 1, 16000, 32, new Uint8Array(f.buffer)))).channels[0]],
    [0.25, -0.75],
  );
});

test("write then read: s16 rounds to 1/32768 and clips, f32 keeps float32", (t) => {
  const ch = [Float64Array.from([0, 0.5, -1.5, 0.1234]), Float64Array.from([1, -1, 0.3, 0])];
  writeWav(join(dir, "o16.wav"), { sampleRate: 22050, channels: ch }, "s16");
  const r = readWav(join(dir, "o16.wav"));
  t.is(r.sampleRate, 22050);
  t.deepEqual([...r.channels[0]], [0, 0.5, -1, Math.round(0.1234 * 32768) / 32768]);
  t.deepEqual([...r.channels[1]], [32767 / 32768, -1, Math.round(0.3 * 32768) / 32768, 0]);
  writeWav(join(dir, "o32.wav"), { sampleRate: 16000, channels: ch }, "f32");
  t.deepEqual([...readWav(join(dir, "o32.wav")).channels[0]], [...Float32Array.from(ch[0])]);
});

test("not a WAV, truncated, unsupported and missing files give one line naming the file", (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["text.wav", new TextEncoder().encode("hello, not audio at all"), /text\.wav: not a WAV file/],
    [
      "short.wav",
      encodeWav({ sampleRate: 16000, channels: [new Float64Array(100)] }, "s16").subarray(0, 120),
      /short\.wav: truncated/,
    ],
    ["alaw.wav", rawWav(6, 1, 8000, 8, new Uint8Array(4)), /alaw\.wav: unsupported sample format/],
    ["empty.wav", new Uint8Array(0), /empty\.wav: not a WAV file/],
  ];
  for (const [name, bytes, re] of cases) {
    const e = t.throws(() => readWav(write(name, bytes)), { instanceOf: InputError });
    t.regex(e!.message, re);
    t.false(e!.message.includes("\n"));
  }
  t.throws(() => readWav(join(dir, "nope.wav")), {
    instanceOf: InputError,
    message: /nope\.wav: file not found/,
  });
});

function write(name: string, bytes: Uint8Array): string {
  writeFileSync(join(dir, name), bytes);
  return join(dir, name);
}
