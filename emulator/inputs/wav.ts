/**
 * WAV (RIFF/WAVE) files in and out, as full-scale samples (-1..1), one Float64Array per channel.
 *
 * Reads PCM 8/16/24/32-bit and IEEE float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE. A small
 * parser of our own rather than a package: the popular one accepts a truncated data chunk
 * silently, and a truncated recording must be an error here, not a shorter clip.
 * Chunk layout per Microsoft's "Multimedia Programming Interface and Data Specifications 1.0"
 * (RIFF, fmt, data; chunks padded to even sizes) and the WAVE_FORMAT_EXTENSIBLE note.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { InputError } from "./accel-source.ts";

export interface WavAudio {
  readonly sampleRate: number;
  /** One array per channel, full-scale units: 1.0 = 0 dBFS. */
  readonly channels: Float64Array[];
}

export interface WavFile extends WavAudio {
  readonly path: string;
}

export type WavWriteFormat = "s16" | "f32";

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 64;

export function readWav(path: string): WavFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(
      `${path}: ${code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a folder, not a WAV file" : `cannot read (${code ?? (e as Error).message})`}`,
    );
  }
  return { path, ...decodeWav(bytes, path) };
}

/** Decodes WAV bytes; `name` is used in error messages. */
export function decodeWav(bytes: Uint8Array, name: string): WavAudio {
  const fail = (why: string): never => {
    throw new InputError(`${name}: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) =>
    String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    fail(
      bytes.length >= 4 && tag(0) === "RF64"
        ? "RF64 WAV files are not supported (use a RIFF WAV under 4 GB)"
        : "not a WAV file (no RIFF/WAVE header)",
    );
  }
  let fmt:
    | { format: number; channels: number; rate: number; bits: number; blockAlign: number }
    | undefined;
  let data: Uint8Array | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      if (size < 16 || body + size > bytes.length) fail("truncated fmt chunk");
      let format = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE) {
        if (size < 40) fail("WAVE_FORMAT_EXTENSIBLE fmt chunk too short");
        format = view.getUint16(body + 24, true); // first two bytes of the sub-format GUID
      }
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits,
        blockAlign: view.getUint16(body + 12, true),
      };
    } else if (id === "data") {
      if (body + size > bytes.length)
        fail(
          `truncated: the data chunk declares ${size} bytes, the file holds ${bytes.length - body}`,
        );
      data = bytes.subarray(body, body + size);
      break;
    }
    at = body + size + (size & 1);
  }
  if (!fmt) return fail("no fmt chunk (not a WAV file, or truncated)");
  if (!data) return fail("no data chunk (truncated?)");
  const { format, channels, rate, bits, blockAlign } = fmt;
  const supported =
    (format === FORMAT_PCM && [8, 16, 24, 32].includes(bits)) ||
    (format === FORMAT_FLOAT && (bits === 32 || bits === 64));
  if (!supported)
    fail(
      `unsupported sample format (format tag ${format}, ${bits} bits; supported: 8/16/24/32-bit PCM, 32/64-bit float)`,
    );
  if (channels < 1 || channels > MAX_CHANNELS)
    fail(`unsupported channel count ${channels} (1..${MAX_CHANNELS})`);
  if (!(rate >= 1000 && rate <= 384000)) fail(`unsupported sample rate ${rate} Hz (1000..384000)`);
  const bytesPerSample = bits / 8;
  if (blockAlign !== channels * bytesPerSample)
    fail(`inconsistent fmt chunk (block align ${blockAlign} for ${channels} x ${bits}-bit)`);
  if (data.length % blockAlign !== 0)
    fail(
      `truncated: data chunk of ${data.length} bytes is not a whole number of ${blockAlign}-byte frames`,
    );
  const frames = data.length / blockAlign;
  const out = Array.from({ length: channels }, () => new Float64Array(frames));
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let c = 0; c < channels; c++) {
    const ch = out[c];
    let p = c * bytesPerSample;
    for (let i = 0; i < frames; i++, p += blockAlign) ch[i] = readSample(dv, p, format, bits);
  }
  return { sampleRate: rate, channels: out };
}

function readSample(dv: DataView, p: number, format: number, bits: number): number {
  if (format === FORMAT_FLOAT) return bits === 32 ? dv.getFloat32(p, true) : dv.getFloat64(p, true);
  switch (bits) {
    case 8:
      return (dv.getUint8(p) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return dv.getInt16(p, true) / 32768;
    case 24:
      return ((dv.getInt8(p + 2) << 16) | (dv.getUint8(p + 1) << 8) | dv.getUint8(p)) / 8388608;
    default:
      return dv.getInt32(p, true) / 2147483648;
  }
}

/** Encodes channels as a WAV file: s16 (clipped, rounded) or f32 (IEEE float, as is). */
export function encodeWav(audio: WavAudio, format: WavWriteFormat): Uint8Array {
  const { sampleRate, channels } = audio;
  const n = channels.length;
  if (n < 1 || n > MAX_CHANNELS)
    throw new RangeError(`encodeWav: ${n} channels (1..${MAX_CHANNELS})`);
  if (!(Number.isInteger(sampleRate) && sampleRate > 0))
    throw new RangeError(`encodeWav: sample rate ${sampleRate}`);
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames))
    throw new RangeError("encodeWav: channels differ in length");
  const bytesPerSample = format === "s16" ? 2 : 4;
  const blockAlign = n * bytesPerSample;
  const dataBytes = frames * blockAlign;
  const out = new Uint8Array(44 + dataBytes + (dataBytes & 1));
  const dv = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, "RIFF");
  dv.setUint32(4, out.length - 8, true);
  put(8, "WAVE");
  put(12, "fmt ");
  dv.setUint32(16, 16, true);
  dv.setUint16(20, format === "s16" ? FORMAT_PCM : FORMAT_FLOAT, true);
  dv.setUint16(22, n, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * blockAlign, true);
  dv.setUint16(32, blockAlign, true);
  dv.setUint16(34, bytesPerSample * 8, true);
  put(36, "data");
  dv.setUint32(40, dataBytes, true);
  for (let c = 0; c < n; c++) {
    const ch = channels[c];
    let p = 44 + c * bytesPerSample;
    for (let i = 0; i < frames; i++, p += blockAlign) {
      if (format === "f32") dv.setFloat32(p, ch[i], true);
      else dv.setInt16(p, Math.max(-32768, Math.min(32767, Math.round(ch[i] * 32768))), true);
    }
  }
  return out;
}

export function writeWav(path: string, audio: WavAudio, format: WavWriteFormat = "s16"): void {
  writeFileSync(path, encodeWav(audio, format));
}
