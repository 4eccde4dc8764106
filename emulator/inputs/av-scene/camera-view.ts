// Where the device stands and what its camera sees: the device's pose in the room
// (`device`), the camera's look (`camera`), seats placed by azimuth and distance from the
// device, and a head's box in the image (a pinhole camera, 4:3 sensor).
import type { Raw, SceneFields } from "../scene-fields.ts";
import {
  insideRoom,
  pointFromArray,
  rotation,
  type Orientation,
  type Vec3,
} from "../room/room-geometry.ts";
import { HEAD_HALF, type CameraLook } from "./scene-types.ts";

const CAMERA_KEYS = ["fov", "noise", "blur", "light", "ambient", "exposure"];
/** Every sensor mode is 4:3. */
const ASPECT = 4 / 3;

/** A head's box in the image as fractions of width/height: centre and half sizes. */
export interface ImageBox {
  cx: number;
  cy: number;
  hw: number;
  hh: number;
}

export class CameraView {
  readonly size: Vec3;
  readonly center: Vec3;
  readonly orientation: Orientation;
  readonly camera: CameraLook;
  private readonly rot: number[];
  /** Focal length in image widths. */
  private readonly focal: number;

  /** Checks `room.size` (as far as seats need it), `device` and `camera` of meeting.json. */
  constructor(
    private readonly f: SceneFields,
    raw: Raw,
  ) {
    const roomRaw = f.obj(raw.room, "room");
    this.size = (Array.isArray(roomRaw.size) ? roomRaw.size : [5, 4, 2.8]) as Vec3;
    const device = f.obj(raw.device, "device");
    f.keys(device, ["position", "azimuth", "elevation"], "device.");
    const center = (device.position ?? [this.size[0] / 2, 0.3, 1.0]) as Vec3;
    if (
      !Array.isArray(center) ||
      center.length !== 3 ||
      center.some((c) => typeof c !== "number" || !Number.isFinite(c))
    )
      f.fail("device.position must be [x, y, z] in metres");
    // A malformed room.size is the room scene's to report (with the audio side).
    if (
      Array.isArray(this.size) &&
      this.size.length === 3 &&
      this.size.every((c) => typeof c === "number") &&
      !insideRoom(center, this.size)
    )
      f.fail(
        `device.position [${center.join(", ")}] is outside the ${this.size.join(" x ")} m room`,
      );
    this.center = center;
    this.orientation = {
      azimuth: f.num(device.azimuth, "device.azimuth", 90, -360, 360),
      elevation: f.num(device.elevation, "device.elevation", 0, -45, 45),
      roll: 0,
    };
    this.rot = rotation(this.orientation);
    this.camera = parseCamera(f, raw.camera);
    this.focal = 0.5 / Math.tan((this.camera.fov * Math.PI) / 360);
  }

  /** Camera-frame (forward, left, up) of a room point. */
  toCamera(p: Vec3): Vec3 {
    const c = this.center;
    const r = this.rot;
    const d = [p[0] - c[0], p[1] - c[1], p[2] - c[2]];
    return [
      r[0] * d[0] + r[3] * d[1] + r[6] * d[2],
      r[1] * d[0] + r[4] * d[1] + r[7] * d[2],
      r[2] * d[0] + r[5] * d[1] + r[8] * d[2],
    ];
  }

  /** The box of a head centred at `p`, or null when it is behind the camera or closer than 0.3 m. */
  project(p: Vec3): ImageBox | null {
    const [fwd, left, up] = this.toCamera(p);
    if (fwd <= 0.3) return null;
    return {
      cx: 0.5 - (this.focal * left) / fwd,
      cy: 0.5 - (this.focal * ASPECT * up) / fwd,
      hw: (this.focal * HEAD_HALF[0]) / fwd,
      hh: (this.focal * ASPECT * HEAD_HALF[1]) / fwd,
    };
  }

  /** A head position from `az` (room-level, from the camera's axis), `dist` and `height`. */
  seat(o: Raw, where: string): Vec3 {
    const f = this.f;
    const az = f.num(o.az, `${where}.az`, undefined, -180, 180);
    const dist = f.num(o.dist, `${where}.dist`, undefined, 0.3, 20);
    const height = f.num(o.height, `${where}.height`, 1.15, 0.3, 2.5);
    const flat = pointFromArray(this.center, { ...this.orientation, elevation: 0 }, az, 0, dist);
    const p: Vec3 = [flat[0], flat[1], height];
    if (!insideRoom(p, this.size))
      f.fail(
        `${where} at [${p.map((v) => v.toFixed(2)).join(", ")}] is outside the ${this.size.join(" x ")} m room`,
      );
    return p;
  }
}

function parseCamera(f: SceneFields, v: unknown): CameraLook {
  const cam = f.obj(v, "camera");
  f.keys(cam, CAMERA_KEYS, "camera.");
  let light: Vec3 = [-0.5, 0.6, 0.8];
  if (cam.light !== undefined) {
    if (!Array.isArray(cam.light) || cam.light.length !== 3)
      f.fail(
        "camera.light must be [x, y, z] (towards the light: x right, y up, z towards the camera)",
      );
    light = (cam.light as unknown[]).map((c, i) =>
      f.num(c, `camera.light[${i}]`, undefined, -10, 10),
    ) as Vec3;
    if (Math.hypot(...light) === 0) f.fail("camera.light must not be [0, 0, 0]");
  }
  return {
    fov: f.num(cam.fov, "camera.fov", 62, 20, 120),
    noise: f.num(cam.noise, "camera.noise", 2, 0, 40),
    blur: f.num(cam.blur, "camera.blur", 0.6, 0, 4),
    light,
    ambient: f.num(cam.ambient, "camera.ambient", 0.35, 0, 1),
    exposure: f.num(cam.exposure, "camera.exposure", 1, 0.2, 3),
  };
}
