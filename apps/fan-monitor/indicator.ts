// The state on the board's LEDs. With an RGB LED (FRDM-MCXN947): off = dark, on = green,
// clogged = blue, friction = red. With one user LED (the RT EVKs): off = dark, on = lit,
// clogged = slow blink, friction = fast blink (blinking advances on each FIFO wake-up).
import * as gpio from "../../hal/gpio";

export const STATE_OFF: i32 = 0;
export const STATE_ON: i32 = 1;
export const STATE_CLOGGED: i32 = 2;
export const STATE_FRICTION: i32 = 3;

export class Indicator {
  private readonly rgb: bool = gpio.ledCount() >= 3;
  private state: i32 = STATE_OFF;
  private ticks: u32 = 0;
  private lit: bool = false;

  show(state: i32): void {
    this.state = state;
    if (this.rgb) {
      gpio.setLed(0, state == STATE_FRICTION); // red
      gpio.setLed(1, state == STATE_ON); // green
      gpio.setLed(2, state == STATE_CLOGGED); // blue
    } else {
      this.set(state == STATE_ON);
    }
  }

  /** Called on every wake-up (about every 80 ms): drives the single LED's blinking. */
  tick(): void {
    if (this.rgb) return;
    this.ticks++;
    if (this.state == STATE_CLOGGED && this.ticks % 4 == 0) this.set(!this.lit);
    else if (this.state == STATE_FRICTION) this.set(!this.lit);
  }

  private set(on: bool): void {
    if (on == this.lit) return;
    this.lit = on;
    gpio.setLed(0, on);
  }
}
