// The camera on a fake board: frame n lands at the end of its readout, (n + 1) / fps after
// start; a held buffer drops frames, a frame nobody took is overwritten and counted; exposure
// instants, the centred window, status codes and DMA checks. No firmware is built.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { Camera, CAMERA_ERR } from "../../emulator/peripherals/camera.ts";
import { LINE } from "../../emulator/peripherals/peripheral.ts";
import { FORMAT_GREY8, FORMAT_RGB565 } from "../../emulator/inputs/optics.ts";
import type { CameraSource } from "../../emulator/inputs/camera-source.ts";
import { Fault } from "../../emulator/faults.ts";

/** A source whose picture k reads 50 k + x + y at pixel (x, y) of the sensor's full frame;
 *  it records the exposure instants and the sensor frame numbers it was asked for. */
function stripes(): CameraSource & { asked: number[]; sensorFrames: (number | undefined)[] } {
  const asked: number[] = [];
  const sensorFrames: (number | undefined)[] = [];
  return {
    description: "stripes",
    files: ["a", "b", "c"],
    asked,
    sensorFrames,
    pictureAt: (t) => {
      asked.push(t);
      return Math.floor(t);
    },
    frame: (index, width, height, _format, sensorFrame) => {
      sensorFrames.push(sensorFrame);
      const f = new Uint8Array(width * height);
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) f[y * width + x] = (50 * index + x + y) & 0xff;
      return f;
    },
  };
}

const FB = 0x4000;

function cameraBoard(source: CameraSource | null = stripes(), flashWindow = 0) {
  const board = new FakeBoard("rt1170", { flashWindow, pages: 32 });
  const camera = new Camera(board, source);
  return { board, camera, hal: camera.imports() };
}

test("frame n lands (n + 1) / fps after start and raises the camera line; take-frame returns its number", (t) => {
  const source = stripes();
  const { board, hal } = cameraBoard(source);
  t.is(hal.configure(160, 120, FORMAT_GREY8, 10, FB), 0);
  hal.start();
  const start = board.clock.now;
  const frame = board.clock.hz / 10;
  board.idleUntil(start + frame - 1);
  t.is(hal["take-frame"](), -1);
  t.is(board.pending & LINE.camera, 0);
  board.idleUntil(start + frame);
  t.is(board.pending & LINE.camera, LINE.camera);
  t.is(hal["take-frame"](), 0);
  t.is(board.pending & LINE.camera, 0);
  t.is(board.bytes[FB], 0); // picture 0
  hal["release-frame"]();
  board.idleUntil(start + 2 * frame);
  t.is(hal["take-frame"](), 1);
  // The source is told each frame's number since the sensor started (it seeds sensor noise).
  t.deepEqual(source.sensorFrames, [0, 1]);
  // DMA spans: each frame's readout period.
  t.deepEqual(
    board.traced("camera", /DMA/).map((e) => [e.start - start, e.end - start]),
    [
      [0, frame],
      [frame, 2 * frame],
    ],
  );
});

test("a held buffer drops the frames that arrive; a frame never taken is overwritten and counted", (t) => {
  const { board, camera, hal } = cameraBoard();
  hal.configure(160, 120, FORMAT_GREY8, 5, FB);
  hal.start();
  const start = board.clock.now;
  const frame = board.clock.hz / 5;
  board.idleUntil(start + frame);
  t.is(hal["take-frame"](), 0);
  board.bytes[FB] = 0xee; // the firmware's mark in the held buffer
  board.idleUntil(start + 3 * frame); // frames 1 and 2 find the buffer held
  t.is(hal.dropped(), 2);
  t.is(board.bytes[FB], 0xee); // nothing overwrote the held buffer
  hal["release-frame"]();
  board.idleUntil(start + 5 * frame); // frame 3 lands, frame 4 overwrites it untaken
  t.is(hal.dropped(), 3);
  t.is(hal["take-frame"](), 4);
  t.deepEqual(
    board.traced("camera", /dropped/).map((e) => e.what),
    [
      "frame 1 dropped (buffer held)",
      "frame 2 dropped (buffer held)",
      "frame 3 dropped (never taken)",
    ],
  );
  t.deepEqual(camera.stats(), { cameraFrames: 3, cameraTaken: 2, cameraDropped: 3 });
});

test("each frame is exposed at n / fps after start (the picture in view then)", (t) => {
  const source = stripes();
  const { board, hal } = cameraBoard(source);
  hal.configure(160, 120, FORMAT_GREY8, 2, FB);
  hal.start();
  const start = board.clock.now;
  for (let n = 1; n <= 4; n++) {
    board.idleUntil(start + (n * board.clock.hz) / 2);
    t.is(hal["take-frame"](), n - 1);
    t.is(board.bytes[FB], 50 * Math.floor((n - 1) / 2)); // picture 0 for 0-1 s, then 1
    hal["release-frame"]();
  }
  t.deepEqual(source.asked, [0, 0.5, 1, 1.5]);
});

test("a window smaller than a resolution is the centred crop of it", (t) => {
  const { board, hal } = cameraBoard();
  t.is(hal.configure(96, 96, FORMAT_GREY8, 30, FB), 0); // a window of QQVGA (160x120)
  hal.start();
  board.idleUntil(board.clock.now + board.clock.hz / 30);
  t.is(hal["take-frame"](), 0);
  // Window pixel (x, y) is full-frame pixel (32 + x, 12 + y): 44 + x + y.
  const at = (x: number, y: number) => board.bytes[FB + y * 96 + x];
  t.deepEqual([at(0, 0), at(5, 7), at(95, 0), at(0, 95)], [44, 56, 139, 139]);
  t.is(board.bytes[FB + 96 * 96], 0); // nothing written past the window's buffer
});

test("configure: status codes, the driver's cycles, DMA targets checked up front", (t) => {
  const { board, hal } = cameraBoard(null, 0x2000);
  const driver = board.target.board.timing.cameraDriverCycles.value;
  t.is(hal.configure(100, 100, FORMAT_GREY8, 10, FB), CAMERA_ERR.resolution);
  t.is(hal.configure(160, 120, 7, 10, FB), CAMERA_ERR.format);
  t.is(hal.configure(160, 120, FORMAT_GREY8, 12, FB), CAMERA_ERR.fps);
  t.is(board.clock.halCycles, 3 * driver);
  const e = t.throws(() => hal.configure(160, 120, FORMAT_RGB565, 10, 0x1000), {
    instanceOf: Fault,
  });
  t.is(e!.kind, "flash-write");
  t.is(hal.configure(160, 120, FORMAT_RGB565, 10, FB), 0);
  hal.start();
  t.is(hal.configure(160, 120, FORMAT_GREY8, 10, FB), CAMERA_ERR.running);
  // No input: the lens cap is on, a black frame of 160 x 120 x 2 bytes.
  board.bytes.fill(0xaa, FB, FB + 160 * 120 * 2);
  board.idleUntil(board.clock.now + board.clock.hz / 10);
  t.is(hal["take-frame"](), 0);
  t.true(board.bytes.subarray(FB, FB + 160 * 120 * 2).every((b) => b === 0));
  hal.stop();
  t.is(board.clock.nextAlarm(), Infinity);
});
