// User LEDs and pins.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { Fault } from "../faults.ts";

export class Gpio implements Peripheral {
  readonly module = "tinyboard:hal/gpio@0.1.0";
  readonly leds: boolean[];
  private readonly pins = new Map<number, boolean>();
  private toggles = 0;

  constructor(private readonly ctx: BoardContext) {
    this.leds = ctx.target.board.leds.map(() => false);
  }

  imports() {
    const names = this.ctx.target.board.leds;
    return {
      "led-count": () => names.length,
      "set-led": (index: number, on: number) => {
        if (index >>> 0 >= names.length)
          throw new Fault(
            "bad-hal-argument",
            `gpio.set-led: no LED ${index} on ${this.ctx.target.board.id} (it has ${names.length})`,
          );
        const state = on !== 0;
        if (this.leds[index] === state) return;
        this.leds[index] = state;
        this.toggles++;
        const timeUs = this.ctx.clock.usFromCycles(this.ctx.clock.now);
        this.ctx.events.emit("gpio", { led: index, name: names[index], on: state, timeUs });
      },
      "pin-write": (pin: number, high: number) => {
        this.pins.set(pin, high !== 0);
      },
      "pin-read": (pin: number) => (this.pins.get(pin) ? 1 : 0),
    };
  }

  /** Drives an input pin from outside (a button, a jumper), as pin-read then sees it. */
  drivePin(pin: number, high: boolean): void {
    this.pins.set(pin, high);
  }

  stats() {
    return { ledToggles: this.toggles };
  }
}

export const gpioPeripheral: PeripheralModule = {
  name: "gpio",
  wit: "gpio",
  lines: [],
  stats: ["ledToggles"],
  create: (ctx) => new Gpio(ctx),
};
