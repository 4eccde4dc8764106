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
export class DebugHal implements Peripheral {
  readonly module = "tinyboard:hal/debug@0.1.0";

  constructor(private readonly ctx: BoardContext) {}

  imports() {
    const { ctx } = this;
    return {
      "layer-begin": (index: number, op: number) => {
        if (ctx.events.listenerCount("layerBegin")) ctx.events.emit("layerBegin", index, op, ctx.clock.now, "cpu");
      },
      "layer-end": (index: number) => {
        if (ctx.events.listenerCount("layerEnd")) ctx.events.emit("layerEnd", index, ctx.clock.now, "cpu");
      },
      report: (kind: number, ptr: number, len: number) => {
        const bytes = ctx.memory().read("debug.report", ptr, len);
        if (ctx.events.listenerCount("report")) ctx.events.emit("report", kind, bytes.slice(), ctx.clock.now, ptr >>> 0);
      },
      marker: (id: number, ptr: number, len: number) => {
        // The pointer is checked whether or not anyone listens: a traced run faults exactly where an untraced one does.
        const bytes = ctx.memory().read("debug.marker", ptr, len);
        if (ctx.events.listenerCount("marker")) ctx.events.emit("marker", id, Buffer.from(bytes).toString("utf8"), ctx.clock.now);
      },
    };
  }
}
