// `tinyboard scene export meeting.json -o out/`: an audio-visual scene as people can look at
// it: out/<name>.mp4 (the camera's view, H.264 by ffmpeg, with the reference microphone's
// sound), out/<name>.wav (every microphone of the array) and out/<name>.truth.csv (per face
// per frame: speaking, mouth visible, box in pixels).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.ts";
import { renderScene } from "../inputs/room/render.ts";
import { writeWav } from "../inputs/wav.ts";
import { renderFrame } from "../inputs/av-scene/face-render.ts";
import { loadAvScene } from "../inputs/av-scene/scene.ts";
import { truthCsv } from "../inputs/av-scene/truth.ts";
import { parseMics } from "./room.ts";

export interface SceneExportOptions {
  out: string;
  size?: string;
  fps?: string;
  mics?: string;
  /** Skip the video (no ffmpeg needed): WAV and ground truth only. */
  video?: boolean;
}

const SIZES = ["160x120", "320x240", "640x480"];

export function sceneExportCommand(spec: string, opts: SceneExportOptions): void {
  const size = opts.size ?? "320x240";
  if (!SIZES.includes(size))
    throw new UserError(`--size '${size}': expected one of the sensor's sizes ${SIZES.join(", ")}`);
  const [width, height] = size.split("x").map(Number);
  const fps = opts.fps === undefined ? 15 : Number(opts.fps);
  if (!(Number.isInteger(fps) && fps >= 1 && fps <= 60))
    throw new UserError(`--fps '${opts.fps}': expected a whole number of frames per second, 1..60`);
  const scene = loadAvScene(spec, parseMics(opts.mics));
  const name = path.basename(spec.trim()).replace(/\.json$/i, "");
  mkdirSync(opts.out, { recursive: true });
  const wavPath = path.join(opts.out, `${name}.wav`);
  const rendered = renderScene(scene.room!);
  writeWav(
    wavPath,
    {
      sampleRate: scene.room!.sampleRate,
      channels: rendered.channels.map((c) => Float64Array.from(c)),
    },
    "s16",
  );
  const truthPath = path.join(opts.out, `${name}.truth.csv`);
  writeFileSync(truthPath, truthCsv(scene, fps, width, height));
  const frames = Math.floor(scene.duration * fps);
  let video = "";
  if (opts.video !== false) {
    const videoPath = path.join(opts.out, `${name}.mp4`);
    const raw = Buffer.alloc(frames * width * height * 3);
    for (let f = 0; f < frames; f++)
      raw.set(renderFrame(scene, f / fps, width, height, f), f * width * height * 3);
    const monoPath = path.join(opts.out, `.${name}.mono.wav`);
    writeWav(
      monoPath,
      {
        sampleRate: scene.room!.sampleRate,
        channels: [Float64Array.from(rendered.channels[scene.room!.referenceMic])],
      },
      "s16",
    );
    const r = spawnSync(
      "ffmpeg",
      [
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        size,
        "-r",
        String(fps),
        "-i",
        "pipe:0",
        "-i",
        monoPath,
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        videoPath,
      ],
      { input: raw, maxBuffer: 1 << 20 },
    );
    rmSync(monoPath, { force: true });
    if (r.error)
      throw new UserError(
        `ffmpeg not found (${(r.error as NodeJS.ErrnoException).code}): install it (apt-get install ffmpeg) or give --no-video`,
      );
    if (r.status !== 0)
      throw new UserError(`ffmpeg failed: ${String(r.stderr).trim().split("\n")[0]}`);
    video = `${videoPath} (${frames} frames, ${size} at ${fps} fps), `;
  }
  process.stdout.write(
    `${video}${wavPath} (${scene.room!.mics.length} microphones, ${scene.duration.toFixed(2)} s), ${truthPath} (${frames} frames x ${scene.people.length} faces)\n`,
  );
}
