// Camera inputs: image files and folders decoded with pngjs / jpeg-js / bmp-js, the optics
// (area averaging onto the sensor), sequences in time, and one-line errors naming the file.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import jpeg from "jpeg-js";
import bmp from "bmp-js";
import { openCameraSource } from "../../emulator/inputs/camera-source.ts";
import { projectOntoSensor, toSensorFormat } from "../../emulator/inputs/optics.ts";
import { sensorMode } from "../../emulator/peripherals/camera.ts";
import { cli } from "../faults/helpers.ts";

const FIX = path.resolve(import.meta.dirname, "../../../shared/fixtures/tflite-micro");
const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-camera-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function rgbaOf(
  w: number,
  h: number,
  f: (x: number, y: number) => [number, number, number],
): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return data;
}

const stripes = (x: number, y: number): [number, number, number] => [
  x * 10,
  y * 20,
  (x + y) % 2 ? 255 : 0,
];

// The same 12x8 picture in the three formats (a.png is used by later tests too).
{
  const data = rgbaOf(12, 8, stripes);
  const png = new PNG({ width: 12, height: 8 });
  data.copy(png.data);
  writeFileSync(path.join(dir, "a.png"), PNG.sync.write(png));
  // bmp-js encodes from ABGR bytes.
  const abgr = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i += 4) abgr.set([255, data[i + 2], data[i + 1], data[i]], i);
  writeFileSync(path.join(dir, "a.bmp"), bmp.encode({ data: abgr, width: 12, height: 8 }).data);
  writeFileSync(path.join(dir, "a.jpg"), jpeg.encode({ data, width: 12, height: 8 }, 100).data);
}

test("PNG, BMP and JPEG files decode to the same RGB picture (JPEG within its loss)", (t) => {
  const frames = ["a.png", "a.bmp", "a.jpg"].map((f) =>
    openCameraSource(path.join(dir, f)).frame(0, 160, 120, 0),
  );
  t.deepEqual(frames[1], frames[0]);
  let worst = 0;
  frames[2].forEach((v, i) => {
    worst = Math.max(worst, Math.abs(v - frames[0][i]));
  });
  t.true(worst <= 40, `JPEG differs by up to ${worst}`);
});

test("the optics: a 96x96 picture fills the middle of a QVGA sensor (contain) or its width (cover)", (t) => {
  const grey = new Uint8Array(96 * 96 * 3).fill(200);
  const contain = projectOntoSensor({ width: 96, height: 96, rgb: grey }, 320, 240, "contain");
  const at = (img: Uint8Array, x: number, y: number) => img[(y * 320 + x) * 3];
  t.is(at(contain, 0, 120), 0, "black beside the picture");
  t.is(at(contain, 39, 120), 0);
  t.is(at(contain, 40, 120), 200, "the picture spans x 40..279");
  t.is(at(contain, 279, 0), 200);
  t.is(at(contain, 280, 120), 0);
  const cover = projectOntoSensor({ width: 96, height: 96, rgb: grey }, 320, 240, "cover");
  t.true(cover.every((v) => v === 200));
  // Area averaging: shrinking a 2x2 checkerboard to one pixel gives its mean.
  const checker = Uint8Array.from([0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0]);
  t.deepEqual(
    Array.from(projectOntoSensor({ width: 2, height: 2, rgb: checker }, 1, 1, "contain")),
    [128, 128, 128],
  );
});

test("sensor formats: grey8 is BT.601 luma, RGB565 is little-endian 5-6-5", (t) => {
  t.deepEqual(
    Array.from(toSensorFormat(Uint8Array.from([255, 0, 0, 0, 255, 0, 100, 100, 100]), 0)),
    [77, 149, 100],
  );
  t.deepEqual(
    Array.from(toSensorFormat(Uint8Array.from([255, 255, 255, 255, 0, 0]), 1)),
    [0xff, 0xff, 0x00, 0xf8],
  );
});

test("sensor modes: the three resolutions and centred windows of them, nothing else", (t) => {
  t.deepEqual(sensorMode(320, 240), { width: 320, height: 240 });
  t.deepEqual(sensorMode(240, 240), { width: 320, height: 240 });
  t.deepEqual(sensorMode(160, 120), { width: 160, height: 120 });
  t.deepEqual(sensorMode(480, 480), { width: 640, height: 480 });
  t.is(sensorMode(642, 480), null);
  t.is(sensorMode(100, 100), null, "not a multiple of 8");
  t.is(sensorMode(640, 488), null);
});

test("a folder is a sequence in name order (numbers as numbers), at its fps, held or looped", (t) => {
  const seq = path.join(dir, "seq");
  mkdirSync(seq);
  for (const n of ["f10.png", "f2.png", "f1.png"])
    copyFileSync(path.join(dir, "a.png"), path.join(seq, n));
  writeFileSync(path.join(seq, "notes.txt"), "not an image");
  const held = openCameraSource(`${seq},fps=4`);
  t.deepEqual(
    held.files.map((f) => path.basename(f)),
    ["f1.png", "f2.png", "f10.png"],
  );
  t.deepEqual(
    [0, 0.24, 0.25, 0.5, 0.75, 10].map((s) => held.pictureAt(s)),
    [0, 0, 1, 2, 2, 2],
  );
  const looped = openCameraSource(`${seq},fps=4,loop`);
  t.deepEqual(
    [0.75, 1.0, 1.25].map((s) => looped.pictureAt(s)),
    [0, 1, 2].map((i) => (i + 3) % 3),
  );
  t.is(openCameraSource(seq).pictureAt(1.5), 1, "one picture per second by default");
  t.regex(held.description, /3 pictures, 12x8, 4 per second/);
});

const bad: [string, () => string, RegExp][] = [
  [
    "a corrupt PNG",
    () => {
      const p = path.join(dir, "broken.png");
      writeFileSync(p, readFileSync(path.join(FIX, "person.png")).subarray(0, 300));
      return p;
    },
    /broken\.png: corrupt or unsupported PNG image/,
  ],
  [
    "a truncated BMP",
    () => {
      const p = path.join(dir, "short.bmp");
      writeFileSync(p, readFileSync(path.join(FIX, "person.bmp")).subarray(0, 2000));
      return p;
    },
    /short\.bmp: corrupt BMP image \(pixel data is truncated/,
  ],
  [
    "a JPEG that is not",
    () => {
      const p = path.join(dir, "fake.jpg");
      writeFileSync(p, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
      return p;
    },
    /fake\.jpg: corrupt or unsupported JPEG image/,
  ],
  [
    "a GIF",
    () => {
      const p = path.join(dir, "anim.png");
      writeFileSync(p, Buffer.from("GIF89a...."));
      return p;
    },
    /anim\.png: not a PNG, JPEG or BMP image/,
  ],
  [
    "a compressed BMP",
    () => {
      const p = path.join(dir, "rle.bmp");
      const b = Buffer.from(readFileSync(path.join(FIX, "person.bmp")));
      b.writeUInt32LE(1, 30);
      writeFileSync(p, b);
      return p;
    },
    /rle\.bmp: unsupported BMP compression 1/,
  ],
  ["a missing file", () => path.join(dir, "nowhere.png"), /nowhere\.png: file or folder not found/],
  [
    "a folder with no images",
    () => {
      const p = path.join(dir, "empty");
      mkdirSync(p);
      writeFileSync(path.join(p, "README"), "x");
      return p;
    },
    /empty: folder has no images/,
  ],
  ["a bad fps", () => `${path.join(dir, "a.png")},fps=0`, /fps must be a positive number/],
  ["an unknown option", () => `${path.join(dir, "a.png")},zoom=2`, /unknown option 'zoom=2'/],
];
for (const [what, make, message] of bad) {
  test(`${what} is a one-line error naming it`, (t) => {
    const e = t.throws(() => openCameraSource(make()));
    t.regex(e!.message, message);
    t.false(e!.message.includes("\n"));
  });
}

test("a bad picture in a folder is named, and the CLI exits 1 with one line before building anything", (t) => {
  const folder = path.join(dir, "mixed");
  mkdirSync(folder);
  copyFileSync(path.join(FIX, "person.png"), path.join(folder, "1.png"));
  writeFileSync(path.join(folder, "2.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0, 4, 0, 0]));
  const r = cli([
    "run",
    "apps/person-detector",
    "--board",
    "rt1060",
    "--state",
    path.join(dir, "state"),
    "--input",
    `camera=${folder}`,
  ]);
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /^tinyboard: error: .*mixed\/2\.jpg: corrupt or unsupported JPEG image/);
  t.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  const empty = cli([
    "run",
    "apps/person-detector",
    "--board",
    "rt1060",
    "--state",
    path.join(dir, "state"),
    "--input",
    `camera=${path.join(dir, "empty")}`,
  ]);
  t.is(empty.status, 1);
  t.regex(empty.stderr, /folder has no images/);
});
