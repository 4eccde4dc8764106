// The person detector's loop: wait for a camera frame, crop and shrink it to the model's input
// and release the buffer (firmware/vision), quantise, run the model, print the score and the
// decision, light LED 0 while a person is in view, and once a second the frame rate and the
// frames dropped. With /CAPTURE on the SD card, every picture the model saw is saved there.
import * as camera from "../../hal/camera";
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as debug from "../../hal/debug";
import * as gpio from "../../hal/gpio";
import * as system from "../../hal/system";
import { BOARD_ID } from "../../firmware/board";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TYPE_INT8 } from "../../firmware/tflite/schema";
import { TextBuffer } from "../../firmware/text";
import { cropResize } from "../../firmware/vision/crop-resize";
import { buildQuantTable, quantize } from "../../firmware/vision/quantize";
import { FRAME_WIDTH, FRAME_HEIGHT, FRAME_FPS } from "./sensor";
import { capture, captureCount, startCapture } from "./capture";

const line = new TextBuffer(200);

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

function stop(why: string): void {
  line.clear();
  line.str("person-detector: ").str(why);
  say();
  system.exit(2);
}

/** Microseconds as "12.345 ms". */
function ms(us: u64): TextBuffer {
  return line.fixed(<i64>us, 3).str(" ms");
}

export function runDetector(framebuf: usize, format: u32): void {
  const engine = Interpreter.fromPartition("model");
  if (!engine.ok) return stop("model: " + engine.error);
  const input = engine.input(0);
  const output = engine.output(0);
  if (input.type != TYPE_INT8 || input.rank != 4 || (input.dim(3) != 1 && input.dim(3) != 3)) return stop("the model's input is not an int8 picture [1, h, w, 1 or 3]");
  if (output.type != TYPE_INT8 || output.elements != 2) return stop("the model's output is not int8 [no person, person]");
  const outH = input.dim(1), outW = input.dim(2), channels = input.dim(3);
  const pictureBytes = outW * outH * channels;
  const picture = heap.alloc(<usize>pictureBytes); // the model's view before quantisation
  const table = heap.alloc(256);
  buildQuantTable(table, input.scale, input.zeroPoint);
  const capturing = startCapture();

  const r = camera.configure(FRAME_WIDTH, FRAME_HEIGHT, format, FRAME_FPS, framebuf);
  if (r < 0) return stop("camera.configure failed (" + r.toString() + ")");
  line.str("person-detector on ").str(BOARD_ID).str(": model ").int(outW).byte(0x78).int(outH).byte(0x78).int(channels)
    .str(" int8, arena ").int(engine.arenaUsedBytes).str(" B; camera ").uint(FRAME_WIDTH).byte(0x78).uint(FRAME_HEIGHT)
    .str(format == camera.FORMAT_RGB565 ? " RGB565" : " grey8").str(" at ").uint(FRAME_FPS).str(" fps, frame buffer ")
    .uint(FRAME_WIDTH * FRAME_HEIGHT * (format == camera.FORMAT_RGB565 ? 2 : 1)).str(" B");
  if (capturing) line.str("; saving pictures to /CAPTURE");
  say();
  camera.start();
  clock.watchdogStart(2000);

  const t0 = clock.nowUs();
  let nextStatus = t0 + 1000000;
  let frames: u32 = 0, framesAtStatus: u32 = 0, persons: u32 = 0;
  let present = false;
  for (;;) {
    const lines = clock.waitEvent(clock.EVENT_CAMERA, nextStatus);
    clock.watchdogFeed();
    if (lines & clock.EVENT_CAMERA) {
      const seq = camera.takeFrame();
      if (seq >= 0) {
        const start = clock.nowUs();
        cropResize(framebuf, <i32>FRAME_WIDTH, <i32>FRAME_HEIGHT, format, picture, outW, outH, channels);
        camera.releaseFrame(); // the sensor may fill the buffer again while the model runs
        quantize(picture, input.data, pictureBytes, table);
        const piped = clock.nowUs();
        debug.report(debug.REPORT_INPUT, input.data, pictureBytes);
        engine.invoke();
        const done = clock.nowUs();
        const no = <i32>load<i8>(output.data), yes = <i32>load<i8>(output.data, 1);
        const person = yes > no;
        const score = <f32>(yes - output.zeroPoint) * output.scale;
        if (person != present) { present = person; gpio.setLed(0, person); }
        if (person) persons++;
        frames++;
        line.str("frame ").int(seq).str(" @ ").fixed(<i64>((start - t0) / 1000), 3).str(" s: person ")
          .fixed(<i64>Mathf.round(score * 100), 2).str(" [").int(no).byte(0x2c).int(yes).str("] ")
          .str(person ? "PERSON" : "no person").str(" | pipeline ");
        ms(piped - start).str(", inference ");
        ms(done - piped);
        say();
        if (capturing) {
          const c = capture(picture, <u32>outW, <u32>outH, <u32>channels);
          if (c < 0) { line.str("capture: write failed (").int(c).str(")"); say(); }
        }
      }
    }
    const now = clock.nowUs();
    if (now >= nextStatus) {
      line.str("[").fixed(<i64>((now - t0) / 1000), 3).str(" s] ").uint(frames).str(" frames, ")
        .fixed(<i64>(frames - framesAtStatus) * 10, 1).str(" fps, dropped ").uint(camera.dropped())
        .str(", person in ").uint(persons);
      if (capturing) line.str(", saved ").uint(captureCount());
      say();
      framesAtStatus = frames;
      nextStatus += 1000000;
    }
  }
}
