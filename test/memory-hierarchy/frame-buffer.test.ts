// A frame buffer placed in a region: each frame the firmware takes is read once, cache-cold,
// at that region's line cost (charged at take-frame); unplaced, taking a frame costs nothing.
import test from "ava";
import { FakeBoard } from "../helpers/fake-board.ts";
import { Camera } from "../../emulator/peripherals/camera.ts";
import { FORMAT_RGB565 } from "../../emulator/inputs/optics.ts";
import type { CameraSource } from "../../emulator/inputs/camera-source.ts";

const grey: CameraSource = {
  description: "grey",
  files: ["a"],
  pictureAt: () => 0,
  frame: (_i, width, height) => new Uint8Array(width * height).fill(128),
};

function takeOne(region?: string): { cycles: number; sdram: number } {
  const board = new FakeBoard("rt1060", { pages: 32 });
  const hal = new Camera(board, grey, region).imports();
  hal.configure(160, 120, FORMAT_RGB565, 10, 0x4000);
  hal.start();
  board.idleUntil(board.clock.now + board.clock.hz / 10);
  const before = board.clock.halCycles;
  hal["take-frame"]();
  return {
    cycles: board.clock.halCycles - before,
    sdram: board.target.board.memoryTiming!.regions.BOARD_SDRAM.lineCycles,
  };
}

test("a taken frame costs its lines in the frame buffer's region, and nothing unplaced or in TCM", (t) => {
  const lines = (160 * 120 * 2) / 32;
  const sdram = takeOne("BOARD_SDRAM");
  t.is(sdram.cycles, lines * sdram.sdram);
  t.is(takeOne().cycles, 0);
  t.is(takeOne("SRAM_DTC").cycles, 0);
  t.true(takeOne("SRAM_OC").cycles < sdram.cycles);
});
