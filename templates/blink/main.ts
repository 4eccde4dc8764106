// The app `tinyboard new` starts you with: the clock, an LED and the console, nothing else.
// main() is called once after reset; returning from it (or system.exit(n)) ends the run, so
// firmware that runs until it is stopped loops, sleeping between events.
import * as clock from "../../hal/clock";
import * as console from "../../hal/console";
import * as gpio from "../../hal/gpio";
import { BOARD_ID, CORE_HZ } from "../../firmware/board";
import { TextBuffer } from "../../firmware/text";

const HALF_PERIOD_US: u64 = 250_000; // LED 0 on for 250 ms, off for 250 ms: 2 Hz

// Formatting into one buffer allocated at start-up: the heap never grows while the app runs
// (app.json's heapBytes is the budget the build reserves and a run enforces).
const line = new TextBuffer(96);

function say(): void {
  line.byte(0x0a);
  console.writeBytes(line.base, line.length);
  line.clear();
}

export function main(): void {
  line.str("hello from ").str(BOARD_ID).str(" (").uint(CORE_HZ / 1_000_000).str(" MHz, LEDs: ")
    .uint(gpio.ledCount()).str(")");
  say();
  let next = clock.nowUs();
  let on = false;
  let busy: u64 = 0;
  for (let tick: u32 = 0; ; tick++) {
    const start = clock.cycles();
    on = !on;
    gpio.setLed(0, on);
    if (tick % 4 == 0) {
      line.str("[").fixed(<i64>(clock.nowUs() / 1000), 3).str(" s] LED 0 ").str(on ? "on" : "off")
        .str(", ").uint(busy).str(" cycles busy so far");
      say();
    }
    busy += clock.cycles() - start;
    next += HALF_PERIOD_US;
    clock.sleepUntilUs(next); // the core idles here: idle time costs no cycles of work
  }
}
