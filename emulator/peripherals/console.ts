// The debug UART: text out, as events. Writes go through a FIFO/DMA on NXP's EVKs, so the
// firmware pays the driver's cycles, not the wire time.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";

export class Console implements Peripheral {
  readonly module = "tinyboard:hal/console@0.1.0";
  private bytes = 0;
  private readonly decoder = new TextDecoder();

  private readonly callCycles: number;
  private readonly cyclesPerByte: number;

  constructor(private readonly ctx: BoardContext) {
    const t = ctx.target.board.timing;
    this.callCycles = t.consoleWriteCycles.value;
    this.cyclesPerByte = t.consoleCyclesPerByte.value;
  }

  imports() {
    return {
      write: (ptr: number, len: number) => {
        const data = this.ctx.memory().read("console.write", ptr, len);
        this.bytes += len;
        this.ctx.busy(this.callCycles + len * this.cyclesPerByte);
        this.ctx.events.emit(
          "console",
          this.decoder.decode(data, { stream: true }),
          this.ctx.clock.usFromCycles(this.ctx.clock.now),
        );
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
  timing: ["consoleWriteCycles", "consoleCyclesPerByte"],
  create: (ctx) => new Console(ctx),
};
