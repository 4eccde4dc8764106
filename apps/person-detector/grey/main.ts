// Person detector, grey: TFLM's person_detect model (96x96x1 int8) from the "model" partition,
// the camera in 8-bit grey (half the frame buffer of RGB565).
import { FORMAT_GREY8 } from "../../../hal/camera";
import { FRAME_WIDTH, FRAME_HEIGHT } from "../sensor";
import { runDetector } from "../detector";

const framebuf = memory.data(<i32>(FRAME_WIDTH * FRAME_HEIGHT), 16);

export function main(): void {
  runDetector(framebuf, FORMAT_GREY8);
}
