/**
 * Opens what follows `--input mic=` as a MicSource for the run's microphones.
 *
 *   clip.wav              close talk: a mono file is heard by every microphone; a file with one
 *                         channel per microphone feeds each its own (a stereo file on 2 mics)
 *   clip.wav,loop         start again at the end (default: silence after the clip)
 *   clip.wav,gain=-6      level change in dB before the microphones
 *   scene.json, scene:... a far-field room (emulator/inputs/room/): talkers, noise, reverberation
 * Any sample rate: the microphone peripheral converts it (band-limited) to its PDM rate.
 */
import path from "node:path";
import { InputError } from "./accel-source.ts";
import type { MicGeometry, MicSource } from "./mic-source.ts";
import { readWav } from "./wav.ts";
import { isRoomSceneSpec, openRoomScene } from "./room/room-source.ts";

export function openMicSource(
  spec: string,
  geometry: MicGeometry,
  opts: { cwd?: string } = {},
): MicSource {
  const s = spec.trim();
  if (s === "") throw new InputError("mic input: empty spec (give a WAV file)");
  if (isRoomSceneSpec(s)) return openRoomScene(s, geometry, { ...opts, selfNoise: false });
  return openWavMicSource(s, geometry, opts.cwd ?? process.cwd());
}

function openWavMicSource(spec: string, geometry: MicGeometry, cwd: string): MicSource {
  const [head, ...rest] = spec.split(",");
  let loop = false;
  let gainDb = 0;
  for (const raw of rest.map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^gain\s*=\s*(.*)$/.exec(raw);
    if (raw === "loop") loop = true;
    else if (
      m &&
      m[1].trim() !== "" &&
      Number.isFinite(Number(m[1])) &&
      Math.abs(Number(m[1])) <= 60
    )
      gainDb = Number(m[1]);
    else
      throw new InputError(
        `${spec}: unknown or bad option '${raw}' (known: loop, gain=<dB, -60..60>)`,
      );
  }
  const file = head.trim();
  if (!/\.wav$/i.test(file)) throw new InputError(`${file}: the mic input takes a .wav file`);
  const wav = readWav(path.resolve(cwd, file));
  const mics = geometry.positionsMm.length;
  const n = wav.channels.length;
  if (mics === 0)
    throw new InputError(`${file}: this run has no microphones (attach an array with --mic-array)`);
  if (n !== 1 && n !== mics) {
    throw new InputError(
      `${file}: ${n} channels for ${mics} microphones (give a mono file, heard by every microphone, or one channel per microphone)`,
    );
  }
  const gain = 10 ** (gainDb / 20);
  const channels = gain === 1 ? wav.channels : wav.channels.map((c) => c.map((v) => v * gain));
  const length = channels[0].length;
  return {
    channels: mics,
    sampleRate: wav.sampleRate,
    description: `${file} (${n === 1 ? "mono, every microphone" : `${n} channels`}, ${wav.sampleRate} Hz, ${(length / wav.sampleRate).toFixed(2)} s${loop ? ", looped" : ""})`,
    read(channel: number, start: number, out: Float64Array): void {
      const x = channels[n === 1 ? 0 : channel];
      for (let i = 0; i < out.length; i++) {
        let k = start + i;
        if (loop && length > 0) k = ((k % length) + length) % length;
        out[i] = k >= 0 && k < length ? x[k] : 0;
      }
    },
  };
}
