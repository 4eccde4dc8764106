// The person detector through the camera path (image file -> sensor -> firmware pipeline ->
// model) on every board with VWW (RGB565), and person_detect (grey8) on the RT1060 and the MCX
// N947 with its NPU: the RT1170's build of it differs from the RT1060's only in its clock and
// SRAM size, which the VWW runs cover, and would be a ~20 CPU s compile for this file alone
// (docs/test-time.md). One image per board and model, one run each: the
// fixtures' person.png, no_person.png and a colour picture in sequence; every frame's model
// input is checked bit for bit against the host's reference pipeline.
import test from "ava";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { loadTarget } from "../../emulator/board.ts";
import type { BuildResult } from "../../emulator/toolchain/build.ts";
import { built } from "../helpers/tools.ts";
import { Machine } from "../../emulator/machine.ts";
import { openCameraSource } from "../../emulator/inputs/camera-source.ts";
import { readModel } from "../../emulator/model/tflite-model.ts";
import type { RunSummary } from "../../emulator/events.ts";
import { referenceQuantize, referenceView } from "../helpers/vision-reference.ts";
import { ROOT, TOOLS_MISSING, newCard, tool } from "../faults/helpers.ts";
import { readImageFile } from "../../emulator/inputs/image-decode.ts";
import { memoryReport, needsOf } from "../../emulator/toolchain/memory-report.ts";

const FIX = path.resolve(ROOT, "../shared/fixtures");
const BOARDS = ["rt1060", "rt1170", "mcxn947"];
const MODELS = [
  {
    app: "apps/person-detector",
    model: "mlcommons-tiny/vww_96_int8.tflite",
    format: 1,
    channels: 3,
    boards: BOARDS,
  },
  {
    app: "apps/person-detector/grey",
    model: "tflite-micro/person_detect.tflite",
    format: 0,
    channels: 1,
    boards: ["rt1060", "mcxn947"],
  },
];
const SEQUENCE_FPS = 3; // three pictures, a third of a second each
const SECONDS = 1.6; // start-up (the engine prepares the model: up to ~0.4 s) and past the first status line

/** A colourful picture of another size and aspect: gradients and blocks, so colour matters. */
function colourPicture(): Buffer {
  const png = new PNG({ width: 200, height: 150 });
  for (let y = 0; y < 150; y++)
    for (let x = 0; x < 200; x++) {
      const i = (y * 200 + x) * 4;
      png.data[i] = (x * 255) / 199;
      png.data[i + 1] = (y * 255) / 149;
      png.data[i + 2] = ((x >> 4) + (y >> 4)) % 2 ? 230 : 20;
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

const dir = mkdtempSync(path.join(os.tmpdir(), "tinyboard-person-"));
symlinkSync(path.join(FIX, "tflite-micro/person.png"), path.join(dir, "1-person.png"));
symlinkSync(path.join(FIX, "tflite-micro/no_person.png"), path.join(dir, "2-no_person.png"));
writeFileSync(path.join(dir, "3-colour.png"), colourPicture());
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const SPEC = `${dir},fps=${SEQUENCE_FPS}`;
const EXPECT = ["PERSON", "no person"]; // the colour picture's decision is not checked

const build = (app: string, board: string): Promise<BuildResult> =>
  built(path.join(ROOT, app), board);

interface Frame {
  seq: number;
  score: number;
  decision: string;
}
interface DetectorRun {
  summary: RunSummary;
  console: string;
  frames: Frame[];
  inputs: Uint8Array[];
  leds: { on: boolean; timeUs: number }[];
  cameraEvents: string[];
}

async function run(
  app: string,
  board: string,
  spec = SPEC,
  sdcard: string | null = null,
  noNpu = false,
): Promise<DetectorRun> {
  const built = await build(app, board);
  const machine = new Machine({
    target: loadTarget(board),
    image: built.image,
    inputs: { camera: spec },
    sdcard,
    noNpu,
  });
  let text = "";
  const inputs: Uint8Array[] = [];
  const leds: { on: boolean; timeUs: number }[] = [];
  machine.events.on("console", (s) => {
    text += s;
  });
  machine.events.on("report", (kind, bytes) => {
    if (kind === 5) inputs.push(bytes);
  });
  machine.events.on("gpio", (e) => {
    if (e.led === 0) leds.push({ on: e.on, timeUs: e.timeUs });
  });
  const cameraEvents: string[] = [];
  machine.events.on("peripheral", (name, what) => {
    if (name === "camera") cameraEvents.push(what);
  });
  const summary = await machine.run({ seconds: SECONDS });
  const frames = [
    ...text.matchAll(
      /^frame (\d+) @ [\d.]+ s: person ([\d.]+) \[-?\d+,-?\d+\] (PERSON|no person)/gm,
    ),
  ].map((m) => ({ seq: Number(m[1]), score: Number(m[2]), decision: m[3] }));
  return { summary, console: text, frames, inputs, leds, cameraEvents };
}

function centreWindow(
  full: Uint8Array,
  fw: number,
  fh: number,
  w: number,
  h: number,
  bpp: number,
): Uint8Array {
  const out = new Uint8Array(w * h * bpp);
  for (let y = 0; y < h; y++) {
    const from = (((fh - h) >> 1) + y) * fw * bpp + ((fw - w) >> 1) * bpp;
    out.set(full.subarray(from, from + w * bpp), y * w * bpp);
  }
  return out;
}

const runs = new Map<string, Promise<DetectorRun>>();
const runOf = (app: string, board: string) => {
  const key = `${app}@${board}`;
  if (!runs.has(key)) runs.set(key, run(app, board));
  return runs.get(key)!;
};

for (const m of MODELS) {
  const modelBytes = new Uint8Array(readFileSync(path.join(FIX, m.model)));
  const model = readModel(modelBytes);
  const q = model.tensors[model.inputs[0]].quantization!;
  for (const board of m.boards) {
    test(`${path.basename(m.model)} on ${board}: person.png is a person, no_person.png is not, through the camera`, async (t) => {
      const r = await runOf(m.app, board);
      t.is(r.summary.fault, null, r.console);
      t.regex(r.console, /\[1\.\d\d\d s\] \d+ frames, [\d.]+ fps, dropped \d+/);
      const fps = 30; // the app's sensor rate
      for (const picture of [0, 1]) {
        const seen = r.frames.filter((f) => Math.floor((f.seq / fps) * SEQUENCE_FPS) === picture);
        t.true(seen.length >= 1, `frames of picture ${picture}: ${r.console}`);
        for (const f of seen)
          t.is(f.decision, EXPECT[picture], `frame ${f.seq}: ${JSON.stringify(f)}`);
      }
      // LED 0 is lit while a person is in view: on at the first frame, off once no_person shows.
      t.true(r.leds.length >= 2 && r.leds[0].on && !r.leds[1].on, JSON.stringify(r.leds));
      const firstNoPerson = r.frames.find((f) => f.decision === "no person")!;
      t.true(
        r.leds[1].timeUs > (firstNoPerson.seq / 30) * 1e6,
        "the LED went off after the no-person frame was exposed",
      );
    });

    test(`${path.basename(m.model)} on ${board}: the firmware's model input equals the host's reference pipeline bit for bit`, async (t) => {
      const r = await runOf(m.app, board);
      // The full QVGA field on every board (the MCX N947 too, since the engine keeps TFLM's
      // per-channel data; it used to read out the centre 240x240 window).
      const [w, h] = [320, 240];
      t.regex(r.console, new RegExp(`camera ${w}x${h} ${m.format ? "RGB565" : "grey8"}`));
      // The run may end while the last frame taken is still in the model (input, no line yet).
      t.true(
        r.inputs.length === r.frames.length || r.inputs.length === r.frames.length + 1,
        `${r.inputs.length} inputs, ${r.frames.length} frames`,
      );
      t.true(
        r.frames.some((f) => Math.floor((f.seq / 30) * SEQUENCE_FPS) === 2),
        "the colour picture was seen",
      );
      const source = openCameraSource(SPEC);
      r.frames.forEach((f, k) => {
        const full = source.frame(source.pictureAt(f.seq / 30), 320, 240, m.format);
        const frame = centreWindow(full, 320, 240, w, h, m.format ? 2 : 1);
        const want = referenceQuantize(
          referenceView(frame, w, h, m.format, 96, 96, m.channels),
          q.scale[0],
          q.zeroPoint[0],
        );
        t.deepEqual(Buffer.from(r.inputs[k]), Buffer.from(want.buffer), `frame ${f.seq}`);
      });
    });
  }
}

test("the same image and inputs give the same cycles, console and LED events (mcxn947, VWW with the NPU)", async (t) => {
  const a = await runOf("apps/person-detector", "mcxn947");
  const b = await run("apps/person-detector", "mcxn947");
  t.is(b.console, a.console);
  t.is(b.summary.cycles, a.summary.cycles);
  t.is(b.summary.busyCycles, a.summary.busyCycles);
  t.deepEqual(b.leds, a.leds);
  t.deepEqual(b.summary.peripherals, a.summary.peripherals);
});

test("dropped frames: the sensor's count matches the firmware's, and a slow board drops more", async (t) => {
  const fast = await runOf("apps/person-detector", "rt1170");
  // The MCX N947 with its NPU keeps up since depthwise layers run there; its Cortex-M33 alone does not.
  const slow = await run("apps/person-detector/grey", "mcxn947", SPEC, null, true);
  for (const r of [fast, slow]) {
    const cam = r.summary.peripherals.camera;
    t.true(
      cam.cameraTaken === r.frames.length || cam.cameraTaken === r.frames.length + 1,
      JSON.stringify(cam),
    );
    // The sensor ran at 30 fps for the whole run: every frame was taken, dropped, or is the last.
    // Frames read out since the camera started (after the model's start-up): taken, dropped, or the last one waiting.
    t.true(
      cam.cameraFrames + (cam.cameraDropped - (cam.cameraFrames - cam.cameraTaken)) >=
        cam.cameraTaken,
      JSON.stringify(cam),
    );
    t.true(
      cam.cameraFrames >= cam.cameraTaken &&
        cam.cameraFrames <= cam.cameraTaken + cam.cameraDropped + 1,
      JSON.stringify(cam),
    );
    const status = /dropped (\d+)/.exec(r.console);
    t.truthy(status, r.console);
    t.true(Number(status![1]) <= cam.cameraDropped);
    // The trace's camera events (DMA spans, dropped instants) agree with the sensor's counters.
    t.is(r.cameraEvents.filter((e) => e.endsWith(" DMA")).length, cam.cameraFrames);
    t.is(r.cameraEvents.filter((e) => e.includes(" dropped ")).length, cam.cameraDropped);
  }
  const dropped = (r: DetectorRun) => r.summary.peripherals.camera.cameraDropped;
  t.is(dropped(fast), 0, "RT1170 keeps up with 30 fps");
  t.true(dropped(slow) > 10, `MCX N947 CPU-only with person_detect drops frames: ${dropped(slow)}`);
  // Frames between two that the firmware took were dropped: sequence numbers skip.
  t.true(slow.frames.some((f, i) => i > 0 && f.seq > slow.frames[i - 1].seq + 1));
});

/** app.json's heapBytes: the build must count exactly what the app declares. */
const APP_HEAP_BYTES: number = JSON.parse(
  readFileSync(path.join(ROOT, "apps/person-detector/app.json"), "utf8"),
).heapBytes;

test("the build counts the static frame buffer, the manifest's heap reserve and the stack against SRAM", async (t) => {
  const statics = new Map<string, number>();
  for (const board of BOARDS) {
    const { image, report } = await build("apps/person-detector", board);
    const u = image.manifest.usage;
    t.is(u.sramBytes, u.staticBytes + APP_HEAP_BYTES + 16384, board); // app.json heapBytes (above the model arena the build estimates)
    t.is(report.sram.used, u.sramBytes);
    t.true(report.fits, board);
    t.true(u.staticBytes >= 320 * 240 * 2, `${board}: static ${u.staticBytes}`);
    statics.set(board, u.staticBytes);
  }
  // The same QVGA frame buffer on every board; the rest of the static data (engine, kernels,
  // strings) is the same on each board.
  const rtMinusMcx = statics.get("rt1060")! - statics.get("mcxn947")!;
  t.true(Math.abs(rtMinusMcx) <= 256, `static rt1060 - mcxn947 = ${rtMinusMcx}`);
});

// The app's own MCX N947 image (its QVGA RGB565 frame buffer, engine and kernels) with the 336 KB
// heap reserve app.json declared before the engine planned its arena: the report the build would
// give. The test above checks that the build counts app.json's heapBytes into these needs; a
// fixture app with the old reserve was a ~18 CPU s compile for this test alone (docs/test-time.md).
const OLD_HEAP_BYTES = 344_064;
test("a QVGA RGB565 frame buffer does not fit the MCX N947 beside the old 336 KB heap reserve: the report says why", async (t) => {
  const { image } = await build("apps/person-detector", "mcxn947");
  const needs = needsOf(image.manifest);
  const arenas = needs.models.reduce((n, m) => n + m.arenaBytes, 0);
  t.true(arenas <= OLD_HEAP_BYTES, `model arenas ${arenas} B`);
  const old = {
    ...needs,
    heapBytes: OLD_HEAP_BYTES,
    sramBytes: needs.staticBytes + OLD_HEAP_BYTES + needs.stackBytes,
  };
  const report = memoryReport(old, loadTarget("mcxn947"));
  t.false(report.fits);
  const over = old.sramBytes - 512 * 1024;
  t.true(over > 0, `over by ${over} B`);
  t.regex(
    report.problems.join("; "),
    new RegExp(`SRAM overflowed by ${over} bytes \\(SRAM needs \\d+ KB, has 512 KB\\)`),
  );
});

(TOOLS_MISSING.length ? test.skip : test)(
  "with /CAPTURE on the card, each picture the model saw is saved as a BMP that replays as camera input",
  async (t) => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "tinyboard-capture-"));
    t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
    const card = newCard(tmp);
    t.is(tool("mmd", ["-i", card, "::/CAPTURE"]).status, 0);
    const r = await run("apps/person-detector", "rt1170", SPEC, card);
    t.regex(r.console, /saving pictures to \/CAPTURE/);
    t.regex(r.console, /saved \d+/);
    // The allocator never frees: a second boot on the card numbers on after its pictures with the
    // same heap (a string per picture once ran the heap out within 3 s of capturing).
    const again = await run("apps/person-detector", "rt1170", SPEC, card);
    t.is(again.summary.fault, null);
    t.is(again.summary.heapUsedBytes, r.summary.heapUsedBytes);
    // The run may end in the middle of a file (a power cut): fsck may find lost clusters, not damage.
    t.notRegex(
      tool("fsck.fat", ["-n", card]).stdout,
      /[Dd]amaged|[Ii]nvalid|[Cc]ontains a free cluster|[Bb]ad/,
    );
    const first = path.join(tmp, "F0000001.BMP");
    t.is(tool("mcopy", ["-n", "-i", card, "::/CAPTURE/F0000001.BMP", first]).status, 0);
    const saved = readImageFile(first);
    t.deepEqual([saved.width, saved.height], [96, 96]);
    // The saved picture is the model's view of frame 0 before quantisation: input = view - 128.
    const input = new Int8Array(r.inputs[0].buffer, r.inputs[0].byteOffset, r.inputs[0].length);
    t.deepEqual(
      Array.from(saved.rgb),
      Array.from(input, (q) => q + 128),
    );
    // Replayed as a camera input, the detector decides the same.
    const replay = await run("apps/person-detector", "rt1170", first);
    t.is(replay.frames[0].decision, r.frames[0].decision);
  },
);
