// The debug UART: text out, as events. Writes go through a FIFO/DMA on NXP's EVKs, so the
// firmware pays the driver's cycles, not the wire time.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";

const DRIVER_CYCLES_PER_BYTE = 2;

export class Console implements Peripheral {
  readonly module = "tinyboard:hal/console@0.1.0";
  private bytes = 0;
  private readonly decoder = new TextDecoder();

  constructor(private readonly ctx: BoardContext) {}

  imports() {
    return {
      write: (ptr: number, len: number) => {
        const data = this.ctx.memory().read("console.write", ptr, len);
        this.bytes += len;
        this.ctx.busy(50 + len * DRIVER_CYCLES_PER_BYTE);
        this.ctx.events.emit("console", this.decoder.decode(data, { stream: true }), this.ctx.clock.usFromCycles(this.ctx.clock.now));
      },
    };
  }

  stats() {
    return { consoleBytes: this.bytes };
  }
}

export const consolePeripheral: PeripheralModule = {
  name: "console",
  wit: "console",
  lines: [],
  stats: ["consoleBytes"],
  create: (ctx) => new Console(ctx),
};
