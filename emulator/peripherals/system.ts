// tinyboard:hal/system: AssemblyScript aborts (panics) and the firmware's exit.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";
import { Fault, FirmwareExit } from "../faults.ts";

export class SystemHal implements Peripheral {
  readonly module = "tinyboard:hal/system@0.1.0";

  constructor(private readonly ctx: BoardContext) {}

  imports() {
    return {
      panic: (msg: number, file: number, line: number, column: number) => {
        const mem = this.ctx.memory();
        const text = mem.asString(msg) ?? "abort";
        const where = mem.asString(file);
        throw new Fault("panic", `${text}${where ? ` (${where}:${line}:${column})` : ""}`);
      },
      exit: (code: number) => {
        throw new FirmwareExit(code);
      },
    };
  }
}

export const systemPeripheral: PeripheralModule = {
  name: "system",
  wit: "system",
  lines: [],
  stats: [],
  create: (ctx) => new SystemHal(ctx),
};
