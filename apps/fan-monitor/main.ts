// Fan-state monitor (NXP's ML state monitor, re-made): the accelerometer at 200 Hz through
// its FIFO, windows of 128 samples every 64, normalised in firmware and classified by an
// int8 CNN read in place from the "model" flash partition (on MCX N947 its NPU runs the
// layers it takes). Each inference prints a console line; the decision is debounced, shown
// on the LEDs and every change is logged to the SD card (raw samples too on request).
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as accel from "../../hal/accel";
import * as system from "../../hal/system";
import { partitionSize } from "../../firmware/partitions";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TextBuffer } from "../../firmware/text";
import { SampleWindow, WINDOW, HOP, AXES } from "./window";
import { Debouncer } from "./debounce";
import { Indicator } from "./indicator";
import { CardLog } from "./card-log";

const RATE_HZ: u32 = 200;
const RANGE_G: u32 = 4;
const COUNTS_PER_G: i32 = 32768 / <i32>RANGE_G;
const WATERMARK: u32 = 16; // a wake-up every 80 ms; the FIFO holds 160 ms
const RMS_FLOOR_G: f64 = 0.01; // train/dataset.ts RMS_FLOOR_G
const DEBOUNCE: u32 = 3; // inferences in a row (about 1 s) before the state changes
const STATES: StaticArray<string> = ["off", "on", "clogged", "friction"];

const fifo = memory.data(6 * 32, 4);
const line = new TextBuffer(200);
const window = new SampleWindow();
const debouncer = new Debouncer(DEBOUNCE);
const indicator = new Indicator();
const card = new CardLog();
let samples: u64 = 0;
let worstUs: u64 = 0;

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

/** Time of sample n since the accelerometer started, ms. */
@inline function sampleMs(n: u64): u64 {
  return n * 1000 / RATE_HZ;
}

function classify(engine: Interpreter): void {
  const input = engine.input(0);
  const output = engine.output(0);
  window.normalise(input.data, <f32>(RMS_FLOOR_G * <f64>COUNTS_PER_G), input.scale, input.zeroPoint);
  const c0 = clock.cycles();
  engine.invoke();
  const us = (clock.cycles() - c0) * 1000000 / <u64>clock.coreHz();
  if (us > worstUs) worstUs = us;
  let best = 0;
  for (let c = 1; c < STATES.length; c++) if (load<i8>(output.data + c) > load<i8>(output.data + best)) best = c;
  // Softmax output: probability = (q - zero point) * scale.
  const pct = <u32>Mathf.round(<f32>(<i32>load<i8>(output.data + best) - output.zeroPoint) * output.scale * 100);
  const tMs = sampleMs(samples);
  const changed = debouncer.update(best);

  line.str("[").fixed(<i64>tMs, 3).str(" s] window ").uint(window.windows).str(": ").str(STATES[best])
    .str(" ").uint(pct).str("% (");
  for (let c = 0; c < STATES.length; c++) {
    if (c > 0) line.str(" ");
    line.int(load<i8>(output.data + c));
  }
  line.str(") ").uint(us).str(" us; state ").str(debouncer.state < 0 ? "-" : STATES[debouncer.state]);
  say();
  if (changed) {
    indicator.show(debouncer.state);
    line.str("state -> ").str(STATES[debouncer.state]);
    say();
    const r = card.stateChange(tMs, STATES[debouncer.state], pct, window.windows);
    if (r < 0) { line.str("fan-monitor: state log write failed (").int(r).str(")"); say(); }
  }
}

export function main(): void {
  line.str("fan-monitor on a ").uint(clock.coreHz() / 1000000).str(" MHz core");
  say();
  const engine = Interpreter.fromPartition("model");
  if (!engine.ok) { line.str("fan-monitor: model: ").str(engine.error); say(); system.exit(2); return; }
  const input = engine.input(0);
  if (input.elements != <i32>(WINDOW * AXES) || engine.output(0).elements != STATES.length) {
    line.str("fan-monitor: the model must take 128x3 int8 and give 4 classes"); say(); system.exit(2); return;
  }
  let npuLayers = 0;
  for (let i = 0; i < engine.layerCount; i++) if (engine.layerOnNpu(i)) npuLayers++;
  line.str("model ").uint(partitionSize("model")).str(" B, arena ").uint(engine.arenaBytes).str(" B, ")
    .uint(engine.layerCount).str(" layers (").uint(npuLayers).str(" on the NPU)");
  say();

  const problem = card.open();
  if (problem.length > 0) { line.str("fan-monitor: sd card: ").str(problem).str("; running without a log"); say(); }
  else {
    line.str("logging state changes to ").str(card.stateName);
    if (card.rawFile >= 0) line.str(", raw samples to ").str(card.rawName);
    say();
  }
  indicator.show(0);

  let r = accel.configure(RATE_HZ, RANGE_G, WATERMARK);
  if (r < 0) { line.str("fan-monitor: accel.configure failed (").int(r).str(")"); say(); system.exit(2); return; }
  accel.start();
  clock.watchdogStart(2000);
  for (;;) {
    const lines = clock.waitEvent(clock.EVENT_ACCEL, clock.nowUs() + 1000000);
    clock.watchdogFeed();
    if ((lines & clock.EVENT_ACCEL) == 0) continue;
    indicator.tick();
    const n = accel.readFifo(fifo, 32);
    for (let i: u32 = 0; i < n; i++) {
      const p = fifo + i * 6;
      if (card.rawFile >= 0) {
        r = card.rawSample(sampleMs(samples), load<i16>(p), load<i16>(p, 2), load<i16>(p, 4), COUNTS_PER_G);
        if (r < 0) { line.str("fan-monitor: raw log write failed (").int(r).str(")"); say(); }
      }
      samples++;
      if (window.push(p)) {
        classify(engine);
        window.advance();
      }
    }
  }
}
