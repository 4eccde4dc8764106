// Person detector, colour: MLPerf Tiny's VWW model (96x96x3 int8) from the "model" partition,
// the camera in RGB565. See detector.ts for the loop and README.md for the figures.
import { FORMAT_RGB565 } from "../../hal/camera";
import { FRAME_WIDTH, FRAME_HEIGHT } from "./sensor";
import { runDetector } from "./detector";

// The frame buffer is static, so the build's memory report counts it against the board's SRAM.
const framebuf = memory.data(<i32>(FRAME_WIDTH * FRAME_HEIGHT * 2), 16);

export function main(): void {
  runDetector(framebuf, FORMAT_RGB565);
}
