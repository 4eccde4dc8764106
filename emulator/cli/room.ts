// `tinyboard room-ir` and `tinyboard room-render`: a far-field scene's impulse responses, or
// its microphone signals, as a multichannel WAV (one channel per microphone) for listening,
// plotting and tests. The array is given with --mics (mm), default a 4-mic linear 35 mm array.
import { UserError } from "../errors.ts";
import type { MicGeometry } from "../inputs/mic-source.ts";
import { writeWav, type WavWriteFormat } from "../inputs/wav.ts";
import { impulseResponses, renderScene } from "../inputs/room/render.ts";
import { loadScene } from "../inputs/room/scene.ts";
import { describeScene } from "../inputs/room/room-source.ts";
import { measureRt60 } from "../inputs/room/schroeder.ts";

/** Four microphones on a line, 35 mm apart, centred on the board's origin. */
export const DEFAULT_ARRAY: MicGeometry = {
  positionsMm: [
    [-52.5, 0, 0],
    [-17.5, 0, 0],
    [17.5, 0, 0],
    [52.5, 0, 0],
  ],
};

export interface RoomCliOptions {
  out: string;
  mics?: string;
  format?: string;
}

/** "x,y,z;x,y,z;..." in millimetres. */
export function parseMics(spec: string | undefined): MicGeometry {
  if (spec === undefined) return DEFAULT_ARRAY;
  const positionsMm = spec.split(";").map((p) => {
    const v = p.split(",").map((c) => Number(c.trim()));
    if (v.length !== 3 || v.some((c) => !Number.isFinite(c)) || p.trim() === "")
      throw new UserError(`--mics '${spec}': expected x,y,z;x,y,z;... in millimetres`);
    return v as [number, number, number];
  });
  return { positionsMm };
}

function format(f: string | undefined): WavWriteFormat {
  if (f === undefined) return "f32";
  if (f !== "s16" && f !== "f32") throw new UserError(`--format '${f}': expected s16 or f32`);
  return f;
}

export function roomIrCommand(spec: string, opts: RoomCliOptions & { talker?: string }): void {
  const fmt = format(opts.format);
  const scene = loadScene(spec, parseMics(opts.mics));
  const index = opts.talker === undefined ? 0 : Number(opts.talker);
  const sources = [
    ...scene.talkers.map((t) => t.position),
    ...scene.noise.flatMap((n) => (n.position ? [n.position] : [])),
  ];
  if (!Number.isInteger(index) || index < 0 || index >= sources.length) {
    throw new UserError(
      `--talker ${opts.talker}: the scene has ${scene.talkers.length} talker(s) and ${sources.length - scene.talkers.length} point noise source(s) (0..${sources.length - 1}, talkers first)`,
    );
  }
  const irs = impulseResponses(scene, sources[index]);
  writeWav(opts.out, { sampleRate: scene.sampleRate, channels: irs }, fmt);
  const rt = measureRt60(irs[scene.referenceMic], scene.sampleRate);
  process.stdout.write(
    `${opts.out}: ${irs.length} impulse responses of ${(irs[0].length / scene.sampleRate).toFixed(3)} s at ${scene.sampleRate} Hz (1.0 = direct sound at 1 m); ` +
      `RT60 Sabine ${scene.rt60.toFixed(3)} s, measured T20 ${rt.toFixed(3)} s at microphone ${scene.referenceMic}\n`,
  );
}

export function roomRenderCommand(spec: string, opts: RoomCliOptions): void {
  const fmt = format(opts.format);
  const scene = loadScene(spec, parseMics(opts.mics));
  const r = renderScene(scene);
  let peak = 0;
  for (const c of r.channels) for (const v of c) peak = Math.max(peak, Math.abs(v));
  writeWav(
    opts.out,
    { sampleRate: scene.sampleRate, channels: r.channels.map((c) => Float64Array.from(c)) },
    fmt,
  );
  process.stdout.write(
    `${opts.out}: ${describeScene(scene)}; ${r.channels.length} channels, peak ${(20 * Math.log10(peak || 1e-12)).toFixed(1)} dBFS` +
      (r.snr !== null
        ? `, SNR ${(Math.abs(r.snr) < 0.005 ? 0 : r.snr).toFixed(2)} dB at microphone ${scene.referenceMic}`
        : "") +
      `\n`,
  );
}
