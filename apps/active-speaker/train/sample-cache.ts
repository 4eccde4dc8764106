// The on-disk cache of generated meetings' samples (dataset.ts renders them): one file per
// scene, keyed by the scene and the sources that shape its samples.
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  AUDIO_SIZE,
  SPEECH_DIR,
  VIDEO_SIZE,
  sceneSamples,
  type Detector,
  type Samples,
} from "./dataset.ts";
import { JITTERS } from "./jitter-boxes.ts";

// Rendering a meeting and extracting its features takes seconds per scene second, so each
// scene's samples are cached on disk, keyed by the scene and by every source file and speech
// clip that shapes them: a change to the renderer, the room model or the features misses.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const CACHE_DIR = path.join(ROOT, "node_modules/.cache/active-speaker");
const SOURCES = [
  "apps/active-speaker/train/dataset.ts",
  "apps/active-speaker/train/sample-cache.ts",
  "apps/active-speaker/train/features.ts",
  "apps/active-speaker/train/detector-boxes.ts",
  "apps/active-speaker/train/jitter-boxes.ts",
  "apps/active-speaker/detector/decode.ts",
  "apps/active-speaker/detector/model/face_detector_int8.tflite",
  "emulator/inputs/optics.ts",
  "emulator/inputs/resample.ts",
  "emulator/inputs/wav.ts",
];
const SOURCE_DIRS = ["emulator/inputs/av-scene", "emulator/inputs/room", SPEECH_DIR];
let sourcesDigest = "";
function sourcesHash(): string {
  if (sourcesDigest) return sourcesDigest;
  const h = createHash("sha256");
  const files = [
    ...SOURCES.map((f) => path.join(ROOT, f)),
    ...SOURCE_DIRS.flatMap((d) => {
      const dir = path.resolve(ROOT, d);
      return readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(dir, e.name))
        .sort();
    }),
  ];
  // Source text without whitespace: reformatting a file does not invalidate the cache.
  for (const f of files) {
    const bytes = readFileSync(f);
    h.update(f.slice(ROOT.length));
    h.update(f.endsWith(".ts") ? bytes.toString("utf8").replace(/\s+/g, "") : bytes);
  }
  return (sourcesDigest = h.digest("hex"));
}

const FIELDS = ["video", "audio", "face", "any"] as const;
const fieldsOf = (detector: boolean) =>
  detector ? ([...FIELDS, "videoDetector", "detectorError", "videoJitter"] as const) : FIELDS;

function saveSamples(file: string, s: Samples): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const detector = !!s.videoDetector;
  const head = Buffer.from(
    JSON.stringify({ count: s.count, condition: s.condition, detector }) + "\n",
  );
  const body = fieldsOf(detector).map((k) => {
    const a = s[k]!;
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  });
  // Written under a temporary name and renamed: an interrupted run leaves no half file.
  writeFileSync(`${file}.part`, Buffer.concat([head, ...body]));
  renameSync(`${file}.part`, file);
}

function loadSamples(file: string): Samples {
  const buf = readFileSync(file);
  const nl = buf.indexOf(10);
  const { count, condition, detector } = JSON.parse(buf.subarray(0, nl).toString()) as {
    count: number;
    condition: string[];
    detector?: boolean;
  };
  const sizes = {
    video: count * VIDEO_SIZE,
    videoDetector: count * VIDEO_SIZE,
    detectorError: count * 3,
    videoJitter: count * JITTERS * VIDEO_SIZE,
    audio: count * AUDIO_SIZE,
    face: count,
    any: count,
  };
  let at = nl + 1;
  const out = { count, condition } as Samples;
  for (const k of fieldsOf(!!detector)) {
    // Copied out: the file's bytes after the header need not be 4-byte aligned.
    out[k] = new Float32Array(
      buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + sizes[k] * 4),
    );
    at += sizes[k] * 4;
  }
  return out;
}

/** One meeting's samples, from the cache when this scene and these sources made them before. */
export function sceneCacheFile(raw: Record<string, unknown>): string {
  const key = createHash("sha256").update(sourcesHash()).update(JSON.stringify(raw)).digest("hex");
  return path.join(CACHE_DIR, `${key.slice(0, 32)}.bin`);
}

/** With `detector`, the samples hold the detector's crops too (rendered again if the cached
 *  file was made without them). */
export function cachedSceneSamples(
  raw: Record<string, unknown>,
  label: string,
  detector?: Detector,
): Samples {
  const file = sceneCacheFile(raw);
  if (existsSync(file)) {
    const s = loadSamples(file);
    if (!detector || s.videoDetector) return s;
  }
  const s = sceneSamples(raw, label, detector).samples;
  saveSamples(file, s);
  return s;
}
