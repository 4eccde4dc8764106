/**
 * Host-side input for the emulated camera: the scene in front of the lens over time.
 *
 * Specs (what follows `--input camera=`):
 *   photo.png                 one still scene for the whole run
 *   photos/                   every PNG/JPEG/BMP file in the folder, in name order
 *                             (numbers in names sort as numbers: f2 before f10)
 *   photos/,fps=N             ... shown as a sequence at N pictures per second (default 1)
 *   ...,loop                  start the sequence again after the last picture (default: the
 *                             last picture stays)
 *   ...,fit=contain|cover     how a picture of another aspect ratio meets the sensor
 *                             (optics.ts; default contain: all of it, black around)
 * The sensor samples the scene at its own frame instants (camera.ts), so a sequence's fps
 * and the sensor's frame rate are independent, as with a real camera filming a screen.
 * Every file is decoded when the input is opened: a bad one fails before the run starts.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "./accel-source.ts";
import { IMAGE_EXTENSIONS, readImageFile, type RgbImage } from "./image-decode.ts";
import { FITS, projectOntoSensor, toSensorFormat, type Fit } from "./optics.ts";

export interface CameraSource {
  readonly description: string;
  /** "board": pictureAt takes seconds since the board started (a scene shared with the
   *  microphones); otherwise seconds since the sensor started. */
  readonly timeline?: "board";
  /** The pictures, in order (file names relative to the spec). */
  readonly files: readonly string[];
  /** Index of the picture in view at tSeconds after the sensor started. */
  pictureAt(tSeconds: number): number;
  /** Picture `index` as the sensor outputs it (cached per index, size and format).
   *  `sensorFrame` is the sensor's frame number since it started: a source that draws sensor
   *  noise seeds it by that, so the draws do not depend on when the board started the sensor. */
  frame(
    index: number,
    width: number,
    height: number,
    format: number,
    sensorFrame?: number,
  ): Uint8Array;
}

const MAX_FPS = 1000;
const KEEP_BYTES = 256 * 1024 * 1024;

export function openCameraSource(spec: string, opts: { cwd?: string } = {}): CameraSource {
  const s = spec.trim();
  if (s === "")
    throw new InputError(
      "camera input: empty spec (give an image file or a folder of PNG/JPEG/BMP files)",
    );
  const [head, ...rest] = s.split(",");
  const target = head.trim();
  let fps: number | undefined;
  let loop = false;
  let fit: Fit = "contain";
  for (const raw of rest.map((p) => p.trim()).filter((p) => p !== "")) {
    const m = /^(\w+)\s*=\s*(.*)$/.exec(raw);
    if (raw === "loop" || raw === "hold") loop = raw === "loop";
    else if (m?.[1] === "fps") {
      fps = Number(m[2]);
      if (!(fps > 0 && fps <= MAX_FPS) || m[2].trim() === "")
        throw new InputError(
          `${spec}: fps must be a positive number up to ${MAX_FPS}, got '${m[2]}'`,
        );
    } else if (m?.[1] === "fit") {
      if (!FITS.includes(m[2] as Fit))
        throw new InputError(`${spec}: fit must be ${FITS.join(" or ")}, got '${m[2]}'`);
      fit = m[2] as Fit;
    } else
      throw new InputError(
        `${spec}: unknown option '${raw}' (known: fps=<pictures per second>, loop, hold, fit=contain|cover)`,
      );
  }
  const full = path.resolve(opts.cwd ?? process.cwd(), target);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new InputError(
      `${target}: file or folder not found${full === target ? "" : ` (looked for ${full})`}`,
    );
  }
  let files: string[];
  if (isDir) {
    const names = readdirSync(full).filter(
      (n) =>
        IMAGE_EXTENSIONS.includes(path.extname(n).toLowerCase()) &&
        statSync(path.join(full, n)).isFile(),
    );
    if (names.length === 0)
      throw new InputError(
        `${target}: folder has no images (expected ${IMAGE_EXTENSIONS.join(", ")} files)`,
      );
    names.sort(
      (a, b) => a.localeCompare(b, "en", { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0),
    );
    files = names.map((n) => path.join(full, n));
  } else {
    files = [full];
  }
  const labels = files.map((f) => (isDir ? path.join(target, path.basename(f)) : target));
  // Decode everything now (a bad file fails before the run); keep the pictures while they are
  // few enough to hold, otherwise decode each again when the sensor needs it.
  let kept = 0;
  const sizeSet = new Set<string>();
  const pictures = files.map((f, i): RgbImage | null => {
    const p = readImageFile(f, labels[i]);
    sizeSet.add(`${p.width}x${p.height}`);
    kept += p.rgb.length;
    return kept <= KEEP_BYTES ? p : null;
  });
  const rate = fps ?? 1;
  const sizes = [...sizeSet].slice(0, 3).join(", ") + (sizeSet.size > 3 ? ", ..." : "");
  const description =
    pictures.length === 1
      ? `${labels[0]} (${sizes}, still, fit=${fit})`
      : `${target} (${pictures.length} pictures, ${sizes}, ${rate} per second${loop ? ", looped" : ""}, fit=${fit})`;
  return new PictureSequence(description, labels, files, pictures, rate, loop, fit);
}

class PictureSequence implements CameraSource {
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    readonly description: string,
    readonly files: readonly string[],
    private readonly paths: readonly string[],
    private readonly pictures: (RgbImage | null)[],
    private readonly fps: number,
    private readonly loop: boolean,
    private readonly fit: Fit,
  ) {}

  pictureAt(tSeconds: number): number {
    // A hair of slack so that k / fps lands on picture k despite float rounding.
    const k = Math.floor(Math.max(0, tSeconds) * this.fps + 1e-9);
    const n = this.pictures.length;
    return this.loop ? k % n : Math.min(k, n - 1);
  }

  frame(index: number, width: number, height: number, format: number): Uint8Array {
    const key = `${index}:${width}x${height}:${format}`;
    let f = this.cache.get(key);
    if (!f) {
      const picture = this.pictures[index] ?? readImageFile(this.paths[index], this.files[index]);
      f = toSensorFormat(projectOntoSensor(picture, width, height, this.fit), format);
      // A handful of pictures at one size are worth keeping; a long sequence is not.
      if (this.cache.size >= 64) this.cache.clear();
      this.cache.set(key, f);
    }
    return f;
  }
}
