// What the commands drive, shown on the board's LEDs: a light (on / off), its blink rate
// (up / down: 0 = steady, then 1, 2, 4, 8 Hz), a selection (left / right, 0..4), a run state
// (go / stop: blinking paused when stopped) and a confirmation (yes / no). With an RGB LED
// (FRDM-MCXN947) red flashes for "no", blue for "yes" and the wake word; green is the light.
// With one LED (the RT EVKs) the light is the LED. The LED-control set (led-red / green / blue,
// cycle-fast / slow) picks the light's colour (RGB LED; the single LED just lights) and blinks
// it at 4 or 1 Hz. tick() runs every 10 ms block.
import * as gpio from "../../hal/gpio";
import { TextBuffer } from "../../firmware/text";

const RATES: StaticArray<u32> = [0, 1, 2, 4, 8];
const FLASH_TICKS: u32 = 30; // 300 ms

export class Actions {
  private readonly rgb: bool = gpio.ledCount() >= 3;
  light: bool = false;
  rate: i32 = 0;
  selection: i32 = 2;
  running: bool = true;
  confirmed: i32 = 0; // 1 yes, -1 no, 0 none yet
  colour: i32 = -1; // the LED-control set's colour: 0 red, 1 green, 2 blue; -1 not chosen
  private lightLed: i32 = 1; // the RGB LED's colour that is the light (green)
  private ticks: u32 = 0;
  private lit: bool = false;
  private flashLed: i32 = -1;
  private flashLeft: u32 = 0;

  /** Applies command `word` (its new state: describe). */
  apply(word: string): void {
    if (word == "on") this.light = true;
    else if (word == "off") this.light = false;
    else if (word == "up") this.rate = min(this.rate + 1, RATES.length - 1);
    else if (word == "down") this.rate = max(this.rate - 1, 0);
    else if (word == "left") this.selection = max(this.selection - 1, 0);
    else if (word == "right") this.selection = min(this.selection + 1, 4);
    else if (word == "go") this.running = true;
    else if (word == "stop") this.running = false;
    else if (word == "yes") { this.confirmed = 1; this.flash(2); }
    else if (word == "no") { this.confirmed = -1; this.flash(0); }
    else if (word == "led-red") this.choose(0);
    else if (word == "led-green") this.choose(1);
    else if (word == "led-blue") this.choose(2);
    else if (word == "cycle-fast") { this.light = true; this.running = true; this.rate = 3; }
    else if (word == "cycle-slow") { this.light = true; this.running = true; this.rate = 1; }
    this.show();
  }

  /** The state as text into `out`: no string is built (the stub heap never frees, and a session hears many commands). */
  describe(out: TextBuffer): TextBuffer {
    out.str("light ").str(this.light ? "on" : "off").str(" blink ").uint(RATES[this.rate]).str(" Hz selection ").int(this.selection)
      .str(this.running ? " running" : " stopped");
    if (this.confirmed != 0) out.str(this.confirmed > 0 ? " confirmed" : " declined");
    if (this.colour >= 0) out.str(this.colour == 0 ? " colour red" : this.colour == 1 ? " colour green" : " colour blue");
    return out;
  }

  /** The LED-control set: the light in colour c (on an RGB LED the previous colour goes off). */
  private choose(c: i32): void {
    if (this.rgb && c != this.lightLed) { this.setLight(false); this.lightLed = c; }
    this.colour = c;
    this.light = true;
  }

  /** The wake word was heard: a short flash (blue, or the single LED toggled). */
  woke(): void { this.flash(2); }

  tick(): void {
    this.ticks++;
    if (this.flashLeft > 0 && --this.flashLeft == 0) {
      if (this.rgb) gpio.setLed(<u32>this.flashLed, false);
      this.show();
    }
    if (this.flashLeft > 0) return;
    const hz = RATES[this.rate];
    if (!this.light || hz == 0 || !this.running) return;
    const half = 50 / hz; // ticks per half period
    if (this.ticks % half == 0) this.setLight(!this.lit);
  }

  private flash(led: i32): void {
    this.flashLed = led;
    this.flashLeft = FLASH_TICKS;
    if (this.rgb) gpio.setLed(<u32>led, true);
    else this.setLight(!this.light);
  }

  private show(): void {
    if (this.flashLeft > 0 && !this.rgb) return;
    this.setLight(this.light);
  }

  private setLight(on: bool): void {
    this.lit = on;
    gpio.setLed(this.rgb ? <u32>this.lightLed : 0, on);
  }
}
