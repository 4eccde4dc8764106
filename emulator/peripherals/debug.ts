// tinyboard:hal/debug: the profiler's and debugger's hooks (layers, markers, reported blocks);
// free when nobody listens.
import type { BoardContext, Peripheral, PeripheralModule } from "./peripheral.ts";

export class DebugHal implements Peripheral {
  readonly module = "tinyboard:hal/debug@0.1.0";

  constructor(private readonly ctx: BoardContext) {}

  imports() {
    const { ctx } = this;
    return {
      "layer-begin": (index: number, op: number) => {
        if (ctx.events.listenerCount("layerBegin"))
          ctx.events.emit("layerBegin", index, op, ctx.clock.now, "cpu");
      },
      "layer-end": (index: number) => {
        if (ctx.events.listenerCount("layerEnd"))
          ctx.events.emit("layerEnd", index, ctx.clock.now, "cpu");
      },
      report: (kind: number, ptr: number, len: number) => {
        const bytes = ctx.memory().read("debug.report", ptr, len);
        if (ctx.events.listenerCount("report"))
          ctx.events.emit("report", kind, bytes.slice(), ctx.clock.now, ptr >>> 0);
      },
      marker: (id: number, ptr: number, len: number) => {
        // The pointer is checked whether or not anyone listens: a bad one faults the same either way.
        const bytes = ctx.memory().read("debug.marker", ptr, len);
        if (ctx.events.listenerCount("marker"))
          ctx.events.emit("marker", id, Buffer.from(bytes).toString("utf8"), ctx.clock.now);
      },
    };
  }
}

export const debugPeripheral: PeripheralModule = {
  name: "debug",
  wit: "debug",
  lines: [],
  stats: [],
  create: (ctx) => new DebugHal(ctx),
};
