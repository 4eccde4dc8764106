// An audio-visual scene as the run's camera and microphone inputs (`--input scene=meeting.json`).
// Both read the scene on the board's own timeline (`timeline: "board"`): the camera's frame
// exposed at board time t shows the faces at scene time t, and the microphones' sample at t
// carries the sound of t, whenever each peripheral was started; so lips and sound stay in sync.
// The camera's sensor noise is seeded by the sensor's frame number, not by board time.
import type { CameraSource } from "../camera-source.ts";
import type { MicGeometry, MicSource } from "../mic-source.ts";
import { toSensorFormat } from "../optics.ts";
import { RoomSceneSource } from "../room/room-source.ts";
import { renderFrame } from "./face-render.ts";
import { loadAvScene, type AvScene } from "./scene.ts";

/** The camera samples the scene on a 1 ms grid (picture index = milliseconds of scene time). */
export const PICTURES_PER_SECOND = 1000;

export interface AvInputs {
  scene: AvScene;
  camera: CameraSource;
  /** Null when the run has no microphones. */
  mic: MicSource | null;
}

export function openAvScene(
  spec: string,
  geometry: MicGeometry,
  opts: { cwd?: string } = {},
): AvInputs {
  const scene = loadAvScene(spec, geometry, opts.cwd);
  const mic = scene.room
    ? Object.assign(new RoomSceneSource({ ...scene.room, selfNoise: null }), {
        timeline: "board" as const,
      })
    : null;
  return { scene, camera: new AvCamera(scene, spec.trim()), mic };
}

class AvCamera implements CameraSource {
  readonly timeline = "board" as const;
  readonly files: readonly string[];
  readonly description: string;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    private readonly scene: AvScene,
    spec: string,
  ) {
    this.files = [spec];
    this.description = `${spec} (${scene.people.length} people, ${scene.duration.toFixed(1)} s, rendered faces)`;
  }

  pictureAt(tSeconds: number): number {
    return Math.max(0, Math.round(tSeconds * PICTURES_PER_SECOND));
  }

  frame(
    index: number,
    width: number,
    height: number,
    format: number,
    sensorFrame?: number,
  ): Uint8Array {
    // The sensor noise is drawn per sensor frame (as training renders frame f of a meeting), not
    // per millisecond of board time: a start-up that takes another millisecond then shows the
    // same noise, and a board's figures do not move with its start-up cycles. Without a frame
    // number (a host tool asking for a picture) the picture index seeds it.
    const noiseSeed = sensorFrame ?? index;
    const key = `${index}:${noiseSeed}:${width}x${height}:${format}`;
    let f = this.cache.get(key);
    if (!f) {
      f = toSensorFormat(
        renderFrame(this.scene, index / PICTURES_PER_SECOND, width, height, noiseSeed),
        format,
      );
      if (this.cache.size >= 8) this.cache.clear();
      this.cache.set(key, f);
    }
    return f;
  }
}
