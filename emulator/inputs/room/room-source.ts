// A far-field room scene as a microphone input (`--input mic=scene.json` or
// `--input mic=scene:speech=yes.wav,az=30,dist=2.5,...`). Opening validates everything and
// reads the files; the render (image-source responses, convolutions, noise) happens once,
// on the first read, and is kept: see render.ts for its memory bound.
import type { MicGeometry, MicSource } from "../mic-source.ts";
import { loadScene, type Scene } from "./scene.ts";
import { renderScene } from "./render.ts";

export { isRoomSceneSpec } from "./scene.ts";

/** `selfNoise: false` leaves the microphones' self-noise out of the render: the microphone
 *  peripheral adds its own (emulator/peripherals/mic/channel-path.ts), so it is not counted twice. */
export function openRoomScene(
  spec: string,
  geometry: MicGeometry,
  opts: { cwd?: string; selfNoise?: boolean } = {},
): MicSource {
  const scene = loadScene(spec, geometry, opts.cwd);
  return new RoomSceneSource(opts.selfNoise === false ? { ...scene, selfNoise: null } : scene);
}

export function describeScene(scene: Scene): string {
  const noise = scene.noise.map((n) => `${n.position ? "" : "diffuse "}${n.type}`).join(" + ");
  return (
    `${scene.label}: ${scene.size.join(" x ")} m room, RT60 ${scene.rt60.toFixed(2)} s, ${scene.talkers.length} talker(s)` +
    (noise ? `, ${noise}` : "") +
    (scene.snr !== null ? ` at ${scene.snr} dB SNR` : "") +
    `, ${(scene.length / scene.sampleRate).toFixed(2)} s${scene.loop ? " looped" : ""}`
  );
}

export class RoomSceneSource implements MicSource {
  readonly channels: number;
  readonly sampleRate: number;
  readonly description: string;
  private rendered: Float32Array[] | null = null;

  constructor(readonly scene: Scene) {
    this.channels = scene.mics.length;
    this.sampleRate = scene.sampleRate;
    this.description = describeScene(scene);
  }

  read(channel: number, start: number, out: Float64Array): void {
    if (!(channel >= 0 && channel < this.channels))
      throw new RangeError(`room scene: no microphone ${channel} (${this.channels} channels)`);
    this.rendered ??= renderScene(this.scene).channels;
    const x = this.rendered[channel];
    const n = x.length;
    for (let i = 0; i < out.length; i++) {
      let k = start + i;
      if (this.scene.loop) k = ((k % n) + n) % n;
      out[i] = k >= 0 && k < n ? x[k] : 0;
    }
  }
}
