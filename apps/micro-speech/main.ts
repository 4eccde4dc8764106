// micro_speech on the microphone: TFLM's micro_speech example re-made on tinyboard.
// Microphone 0 in 10 ms blocks: PCM from the PDM receiver (RT1170, MCX N947), or on RT1060
// the SAI's 2.048 MHz bit stream decimated here by 128 (firmware/dsp/pdm.ts) → the TFLM
// micro front end (40 int8 features every 20 ms) → a ring of the last 49 frames (1 s) →
// micro_speech_quantized.tflite every INFER_HOPS frames → scores averaged over the last
// AVERAGE inferences → a detection when "yes" or "no" wins clearly, then a quiet period.
// LED 0 is on for a second after each "yes".
import * as mic from "../../hal/mic";
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as debug from "../../hal/debug";
import * as gpio from "../../hal/gpio";
import * as system from "../../hal/system";
import { partitionBase, partitionSize } from "../../firmware/partitions";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TextBuffer } from "../../firmware/text";
import { MicroFrontend, FEATURES } from "../../firmware/dsp/micro-frontend/frontend";
import { pdmStateBytes, pdmInit, pdmDecimate } from "../../firmware/dsp/pdm";

const RATE: u32 = 16000;
const BLOCK_MS: u32 = 10;
const SAMPLES: i32 = 160; // per 10 ms block
const PDM_CLOCK: u32 = 2048000; // 128 x 16 kHz
const PDM_RATIO: i32 = 128;
const PDM_BYTES: i32 = <i32>(PDM_CLOCK / 8000 * BLOCK_MS);
const FRAMES: i32 = 49; // the model's window: 49 x 20 ms hops
const INFER_HOPS: u32 = 5; // an inference every 100 ms
const AVERAGE: i32 = 3; // scores averaged over the last 3 inferences (300 ms)
const THRESHOLD: i32 = 180; // of 255: averaged score a word needs (TFLM's example uses 200 over 1 s)
const SUPPRESS_MS: u64 = 1500; // as TFLM's example // no second detection within this long
const LABELS: StaticArray<string> = ["silence", "unknown", "yes", "no"];
/** debug.report kind for each feature frame (tests compare them with the WAV path's). */
const REPORT_FEATURES: u32 = 7;

const bufA = memory.data(PDM_BYTES, 16); // big enough for either layout of one channel
const bufB = memory.data(PDM_BYTES, 16);
const pcm = memory.data(SAMPLES * 2, 16);
const floats = memory.data(SAMPLES * 4, 16);
const ring = memory.data(FRAMES * FEATURES, 16); // feature frames, oldest overwritten
const history = memory.data(AVERAGE * 4 * 4, 4); // last AVERAGE score vectors, 0..255 as i32
const line = new TextBuffer(512);
const frontend = new MicroFrontend();

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

/** RT1060: the SAI block of bits to int16 PCM at the microphone's scale (it reads the microphone's full scale as 1.0). */
function decimate(state: usize, src: usize): void {
  pdmDecimate(state, src, PDM_BYTES, floats, 0);
  for (let i = 0; i < SAMPLES; i++) {
    let v = <i32>nearest<f32>(load<f32>(floats + (<usize>i << 2)) * 32768.0);
    if (v > 32767) v = 32767;
    if (v < -32768) v = -32768;
    store<i16>(pcm + (<usize>i << 1), <i16>v);
  }
}

export function main(): void {
  const engine = new Interpreter(partitionBase("model"), partitionSize("model"));
  if (!engine.ok) { console.println("micro-speech: model: " + engine.error); system.exit(2); return; }
  const input = engine.input(0).data;
  const output = engine.output(0).data;
  const kind = mic.kind();
  if (mic.count() == 0 || kind == mic.KIND_NONE) { console.println("micro-speech: no microphone"); system.exit(2); return; }
  const bits = kind == mic.KIND_SAI_BITSTREAM;
  let pdm: usize = 0;
  if (bits) { pdm = heap.alloc(<usize>pdmStateBytes(PDM_RATIO)); pdmInit(pdm, PDM_RATIO); }
  const r = bits ? mic.configurePdm(1, PDM_CLOCK, BLOCK_MS, bufA, bufB) : mic.configurePcm(1, RATE, BLOCK_MS, bufA, bufB);
  if (r != 0) { console.println("micro-speech: microphone configure failed (" + r.toString() + ")"); system.exit(2); return; }
  console.println("micro-speech: listening on microphone 0, " + (bits ? "SAI bits decimated in firmware" : "PDM receiver PCM") + ", " + (clock.coreHz() / 1000000).toString() + " MHz");
  const led = gpio.ledCount() > 0;
  memory.fill(history, 0, <usize>(AVERAGE * 16));
  mic.start();

  let block: u64 = 0; // 10 ms blocks taken: the stream's clock
  let inferences: i32 = 0;
  let lastWordMs: u64 = 0;
  let heardAny = false;
  let ledOffMs: u64 = 0;
  while (true) {
    let idx = mic.takeBuffer();
    while (idx < 0) {
      clock.waitEvent(clock.EVENT_MIC, clock.nowUs() + 100000);
      idx = mic.takeBuffer();
    }
    const buf = idx == 0 ? bufA : bufB;
    let samples = buf;
    if (bits) { decimate(pdm, buf); samples = pcm; }
    block++;
    const nowMs = block * <u64>BLOCK_MS;
    if (led && ledOffMs != 0 && nowMs >= ledOffMs) { gpio.setLed(0, false); ledOffMs = 0; }
    if (!frontend.push(samples, SAMPLES)) continue;
    const f = frontend.frames - 1;
    memory.copy(ring + <usize>((f % <u32>FRAMES) * <u32>FEATURES), frontend.features, <usize>FEATURES);
    debug.report(REPORT_FEATURES, frontend.features, FEATURES);
    if (frontend.frames < <u32>FRAMES || frontend.frames % INFER_HOPS != 0) continue;

    // The ring in time order into the model's input.
    const oldest = frontend.frames % <u32>FRAMES;
    const tail = <usize>((<u32>FRAMES - oldest) * <u32>FEATURES);
    memory.copy(input, ring + <usize>(oldest * <u32>FEATURES), tail);
    memory.copy(input + tail, ring, <usize>(oldest * <u32>FEATURES));
    engine.invoke();
    const slot = history + <usize>((inferences % AVERAGE) * 16);
    for (let c = 0; c < 4; c++) store<i32>(slot + <usize>(c << 2), <i32>load<i8>(output + <usize>c) + 128);
    inferences++;
    if (inferences < AVERAGE) continue;
    let best = 0, bestScore = 0;
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < AVERAGE; k++) s += load<i32>(history + <usize>(k * 16 + (c << 2)));
      s /= AVERAGE;
      if (s > bestScore) { bestScore = s; best = c; }
    }
    if (best < 2 || bestScore < THRESHOLD) continue;
    if (heardAny && nowMs - lastWordMs < SUPPRESS_MS) continue;
    heardAny = true;
    lastWordMs = nowMs;
    line.str("micro-speech: heard ").str(LABELS[best]).str(" (score ").int(bestScore).str(") at ").uint(nowMs).str(" ms");
    say();
    if (best == 2 && led) { gpio.setLed(0, true); ledOffMs = nowMs + 1000; }
  }
}
