// hello-model: the smallest app that runs a model. The build flashes model/sine_int8.tflite as
// partition "model" (app.json); the interpreter reads it in place, plans its arena on the heap
// and runs it. Every 100 ms: quantize x into the input tensor, invoke, dequantize the output.
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as gpio from "../../hal/gpio";
import * as system from "../../hal/system";
import { Interpreter } from "../../firmware/tflite/interpreter";
import { TextBuffer } from "../../firmware/text";

const STEPS = 10; // x = 0, 2π/10, ... over one second
const PERIOD_US: u64 = 100_000;

const line = new TextBuffer(120);

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

export function main(): void {
  const engine = Interpreter.fromPartition("model");
  if (!engine.ok) {
    // e.g. "no partition named 'modle' (partitions: model)" or an unsupported operator
    line.str("hello-model: ").str(engine.error);
    say();
    system.exit(2);
    return;
  }
  const input = engine.input(0);
  const output = engine.output(0);
  line.str("hello-model: arena ").uint(engine.arenaBytes).str(" B, input scale ").fixed(<i64>(input.scale * 1e6), 6)
    .str(" zero point ").int(input.zeroPoint);
  say();

  let next = clock.nowUs();
  for (let i = 0; i < STEPS; i++) {
    const x = <f32>(2 * Math.PI * i / STEPS);
    // int8 = round(x / scale) + zero point, clamped to the int8 range
    const q = <i32>Mathf.round(x / input.scale) + input.zeroPoint;
    store<i8>(input.data, <i8>min(127, max(-128, q)));
    const start = clock.cycles();
    engine.invoke();
    const cycles = clock.cycles() - start;
    const y = <f32>(load<i8>(output.data) - output.zeroPoint) * output.scale;
    gpio.setLed(0, y > 0);
    // values with 3 decimals: TextBuffer formats integers, so scale by 1000
    line.str("x ").fixed(<i64>Mathf.round(x * 1000), 3).str("  model ").fixed(<i64>Mathf.round(y * 1000), 3)
      .str("  sin ").fixed(<i64>Mathf.round(Mathf.sin(x) * 1000), 3).str("  (").uint(cycles).str(" cycles)");
    say();
    next += PERIOD_US;
    clock.sleepUntilUs(next);
  }
  system.exit(0);
}
